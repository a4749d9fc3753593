//! Between loading and running: the environment and its variables, names bound, profiles
//! rendered, assets read, every check made, the scenarios selected and sharded.

mod assets;
mod build;
mod closed_room;
mod environment;
mod hosts;
mod needed;
mod planned;
mod planning;
mod profiles;
mod reads;
mod rows;
mod run_plan;
mod schema_cycles;
mod selection;
mod shard;
mod suite_steps;
#[cfg(test)]
mod tests;
mod url_shape;
mod validator;
mod writes;

pub(crate) use build::plan;
pub(crate) use planned::DECODED_IN_FLIGHT_BYTES;
pub use planned::KEEP_DECODED_BYTES;
pub(crate) use rows::{forget_row_files_as_scenarios, row_file};
pub(crate) use run_plan::{Plan, PlanError, PlanOptions};
pub(crate) use selection::Selection;
pub(crate) use shard::{Shard, ShardArg};
pub(crate) use suite_steps::Role;
