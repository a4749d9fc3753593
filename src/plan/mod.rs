//! Between loading and running: the environment and its variables, names bound, profiles
//! rendered, assets read, every check made, the scenarios selected and sharded.

mod assets;
mod build;
mod closed_room;
mod environment;
mod hosts;
mod needed;
mod planned;
mod profiles;
mod reads;
mod rows;
mod run_plan;
mod schema_cycles;
mod selection;
mod shard;
mod suite_steps;
mod url_shape;
mod validator;
mod writes;

pub use build::plan;
pub use planned::{DECODED_IN_FLIGHT_BYTES, KEEP_DECODED_BYTES, PlannedScenario};
pub use rows::{forget_row_files_as_scenarios, row_file};
pub use run_plan::{DEFAULT_TIMEOUT, Plan, PlanError, PlanOptions, Variables};
pub use selection::{Selection, glob_matches};
pub use shard::Shard;
pub use suite_steps::Role;
