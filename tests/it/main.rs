//! Integration tests: one binary, modules by subject.

mod golden;
mod robustness;
mod runner;
mod server;
mod support;
