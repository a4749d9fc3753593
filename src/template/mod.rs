//! Templates: the engine (minijinja), the names a template sees, a fast path for plain
//! `{{ name.attr }}` lookups, and the OData and SCIM literal filters.

mod context;
mod engine;
mod error;
mod fast_path;
mod literal;

pub(crate) use context::{Context, value_of};
pub(crate) use engine::{BUILTIN_NAMES, TemplateEngine, exact_expression, has_template};
pub(crate) use error::TemplateError;
