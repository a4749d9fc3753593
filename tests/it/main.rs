//! Integration tests: one binary, modules by subject.

mod golden;
mod mock;
mod robustness;
mod runner;
mod server;
mod support;
