//! The scenario format: the model, and reading it from YAML files with every position kept.

pub(crate) mod decode_expect;
pub(crate) mod decode_k2;
pub(crate) mod decode_odata;
pub(crate) mod decode_predicate;
pub(crate) mod decode_request;
pub(crate) mod decode_scenario;
pub(crate) mod decode_scim;
pub(crate) mod decode_suite;
pub(crate) mod decode_workflow;
pub(crate) mod fields;
pub(crate) mod load;
pub(crate) mod model;
pub(crate) mod templates;

pub(crate) use load::load;
