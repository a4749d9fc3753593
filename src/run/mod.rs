//! Executing a plan: scheduling, scenarios, steps, request rendering.

mod exchange;
mod follow;
mod follow_failure;
mod follow_scope;
pub(crate) mod limits;
mod pages;
mod recording;
mod refusal_hint;
pub(crate) mod resolve;
mod runtime;
mod scenario;
mod scheduler;
mod step;
mod step_error;
mod task_wait;
mod urls;
mod workflow_lookup;

pub(crate) use recording::{DEFAULT_BODY_LIMIT, Recording};
pub(crate) use runtime::Runtime;
pub(crate) use scheduler::{Schedule, execute};
