//! Executing a plan: scheduling, scenarios, steps, request rendering.

mod exchange;
mod follow;
mod follow_failure;
pub mod limits;
mod pages;
mod recording;
mod refusal_hint;
pub mod resolve;
mod runtime;
mod scenario;
mod scheduler;
mod step;
mod step_error;
mod task_wait;
mod urls;
mod workflow_lookup;

pub use recording::{DEFAULT_BODY_LIMIT, Recording};
pub use runtime::Runtime;
pub use scheduler::{Schedule, execute};
