//! Assertions and captures on responses.

pub(crate) mod check;
pub(crate) mod csdl;
pub(crate) mod k2;
pub(crate) mod paths;
pub(crate) mod pluck;
pub(crate) mod predicate;
pub(crate) mod response;

pub(crate) use check::Checker;
pub(crate) use response::Response;
