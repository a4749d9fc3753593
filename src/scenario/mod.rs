//! The scenario format: the model, and reading it from YAML files with every position kept.

pub(crate) mod decode_k2;
pub(crate) mod decode_predicate;
pub(crate) mod decode_scenario;
pub(crate) mod decode_suite;
pub(crate) mod fields;
pub(crate) mod load;
pub(crate) mod model;
pub(crate) mod templates;

pub(crate) use load::load;
