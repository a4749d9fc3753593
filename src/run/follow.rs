//! What K2-aware steps do after their first response: follow pages, or wait for a task.

use crate::expect::Response;
use crate::run::follow_failure::FollowFailure;
use crate::run::pages::{PageLimits, odata_pages, scim_pages};
use crate::run::resolve::ResolvedRequest;
use crate::run::runtime::Runtime;
use crate::run::task_wait::{Wait, wait_for_task};
use crate::scenario::model::{Follow, ODataVersion, Step};
use crate::template::Context;

/// Work after the first response: paging and polling.
pub async fn follow(
    rt: &Runtime,
    profile: Option<&str>,
    step: &Step,
    request: &ResolvedRequest,
    first: Response,
    ctx: &Context,
) -> Result<Response, FollowFailure> {
    match &step.follow {
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
            odata_pages(rt, profile, step, request, first, link, limits).await
        }
        Follow::ScimPages { limit, strict } => {
            let limits = PageLimits {
                limit: *limit,
                strict: *strict,
            };
            scim_pages(rt, profile, step, request, first, limits).await
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
            wait_for_task(rt, profile, step, request, first, ctx, wait).await
        }
    }
}
