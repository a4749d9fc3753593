//! Assertions and captures on responses.

pub mod check;
mod csdl;
pub mod k2;
pub mod paths;
pub mod pluck;
pub mod predicate;
pub mod response;

pub use check::Checker;
pub use response::Response;
