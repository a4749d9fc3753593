//! What K2-aware steps do after their first response: follow pages, or wait for a task.

use crate::expect::Response;
use crate::run::follow_failure::FollowFailure;
use crate::run::follow_scope::FollowScope;
use crate::run::pages::{PageLimits, odata_pages, scim_pages};
use crate::run::task_wait::{Wait, wait_for_task};
use crate::scenario::model::{Follow, ODataVersion};

/// Work after the first response: paging and polling.
pub async fn follow(scope: &FollowScope<'_>, first: Response) -> Result<Response, FollowFailure> {
    match &scope.step.follow {
        Follow::None | Follow::WorkflowByName { .. } => Ok(first),
        Follow::ODataPages { version, limit, strict } => {
            let link = match version {
                ODataVersion::V4 => "@odata.nextLink",
                ODataVersion::V3 => "odata.nextLink",
            };
            let limits = PageLimits {
                limit: *limit,
                strict: *strict,
            };
            odata_pages(scope, first, link, limits).await
        }
        Follow::ScimPages { limit, strict } => {
            let limits = PageLimits {
                limit: *limit,
                strict: *strict,
            };
            scim_pages(scope, first, limits).await
        }
        Follow::WaitForTask {
            instance,
            interval,
            timeout,
        } => {
            let wait = Wait {
                instance: &instance.text,
                interval: *interval,
                timeout: *timeout,
            };
            wait_for_task(scope, first, wait).await
        }
    }
}
