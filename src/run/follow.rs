//! What K2-aware steps do after their first response: follow pages, or wait for a task.

use crate::event::AssertionFailure;
use crate::expect::Response;
use crate::run::pages::{PageLimits, odata_pages, scim_pages};
use crate::run::resolve::ResolvedRequest;
use crate::run::runtime::Runtime;
use crate::run::step_error::StepError;
use crate::run::task_wait::{Wait, wait_for_task};
use crate::scenario::model::{Follow, ODataVersion, Step};
use crate::template::Context;

pub enum FollowFailure {
    /// The step could not be carried out.
    Error(StepError),
    /// It was carried out, and what came back is not what the step expects.
    Failed(AssertionFailure, Box<Response>),
}

impl From<StepError> for FollowFailure {
    fn from(e: StepError) -> Self {
        FollowFailure::Error(e)
    }
}

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

/// A check of the K2-aware part that did not hold, placed at the step.
pub fn failure(step: &Step, expected: &str, actual: String) -> AssertionFailure {
    AssertionFailure {
        span: step.span,
        message: step.name.clone(),
        expected: expected.into(),
        actual,
    }
}
