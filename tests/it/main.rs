//! Integration tests: one binary, modules by subject.

mod auth;
mod ci;
mod docs;
mod doctor;
mod entrances;
mod exact;
mod golden;
mod http;
mod import;
mod init;
mod k2_steps;
mod kinds;
mod mock;
mod politeness;
mod robustness;
mod rows;
mod runner;
mod seeing;
mod server;
mod snapshots;
mod suite_steps;
mod support;
mod terminal;
mod tls;
mod trust;
