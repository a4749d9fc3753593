//! The scenario format: model, reading from YAML, discovery and validation.

pub mod decode_k2;
pub mod decode_predicate;
pub mod decode_scenario;
pub mod decode_suite;
pub mod fields;
pub mod load;
pub mod model;
pub mod planned;
pub mod select;
pub mod shard;
pub mod templates;
pub mod validate;

pub use load::{Loaded, load};
pub use model::*;
pub use validate::{Plan, PlanError, PlanOptions, plan};
