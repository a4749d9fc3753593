//! Bringing checks over from elsewhere: Postman collections and curl command lines.

pub(crate) mod curl;
mod k2_steps;
mod postman_auth;
mod postman_items;
mod postman_scripts;
mod postman_stream;
pub(crate) mod postman_suite;
mod postman_vars;
mod shell_words;
mod yaml_text;

/// A YAML scalar as the imported files write it.
pub(crate) use yaml_text::scalar as yaml_text_scalar;
