//! Executing a plan: scheduling, scenarios, steps, request rendering.

pub mod k2;
pub mod limits;
pub mod resolve;
pub mod runtime;
pub mod scenario;
pub mod scheduler;
pub mod step;
pub mod urls;

pub use runtime::Runtime;
pub use scheduler::{Schedule, execute};
