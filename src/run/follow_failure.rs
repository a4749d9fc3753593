//! How the K2-aware work after a response (pages, task polling) can fail.

use crate::event::{AssertionFailure, ProblemKind};
use crate::expect::Response;
use crate::run::step_error::StepError;
use crate::scenario::model::Step;

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

/// A check of the K2-aware part that did not hold, placed at the step.
pub fn failure(step: &Step, expected: &str, actual: String) -> AssertionFailure {
    AssertionFailure {
        kind: ProblemKind::Assertion,
        span: step.span,
        message: step.name.clone(),
        expected: expected.into(),
        actual,
        diff: None,
    }
}
