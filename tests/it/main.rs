//! Integration tests: one binary, modules by subject.

mod auth;
mod golden;
mod mock;
mod robustness;
mod runner;
mod server;
mod support;
