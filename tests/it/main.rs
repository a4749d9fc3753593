//! Integration tests: one binary, modules by subject.

mod golden;
mod server;
mod support;
