//! What K2-aware steps do after their first response: follow pages, or wait for a task.

use crate::expect::Response;
use crate::run::exchange::get;
use crate::run::follow_failure::FollowFailure;
use crate::run::pages::{PageLimits, odata_pages, scim_pages};
use crate::run::resolve::ResolvedRequest;
use crate::run::runtime::Runtime;
use crate::run::step_error::StepError;
use crate::run::task_wait::{Wait, wait_for_task};
use crate::scenario::model::{Follow, ODataVersion, Step};
use crate::template::Context;

/// What the requests a step sends after its first need of it: the run, the step's auth
/// profile, the step and its first request as rendered, and the names its templates see.
pub struct FollowScope<'a> {
    pub rt: &'a Runtime,
    pub profile: Option<&'a str>,
    pub step: &'a Step,
    pub request: &'a ResolvedRequest,
    pub ctx: &'a Context,
}

impl FollowScope<'_> {
    /// A GET like the first request (its headers and credentials) for another URL.
    pub async fn get(&self, url: &str) -> Result<Response, StepError> {
        get(self.rt, self.profile, self.request, url).await
    }
}

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
