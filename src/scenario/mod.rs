//! The scenario format: the model, and reading it from YAML files with every position kept.

pub mod decode_k2;
pub mod decode_predicate;
pub mod decode_scenario;
pub mod decode_suite;
pub mod fields;
pub mod load;
pub mod model;
pub mod templates;

pub use load::{Loaded, load};
pub use model::*;
