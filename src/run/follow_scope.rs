//! What the requests a step sends after its first (pages, a task list polled again) need.

use crate::expect::Response;
use crate::run::exchange::get;
use crate::run::resolve::ResolvedRequest;
use crate::run::runtime::Runtime;
use crate::run::step_error::StepError;
use crate::scenario::model::Step;
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
