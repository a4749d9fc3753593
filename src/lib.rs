//! k2check: scenario checks for the K2 Cloud / Nintex Automation APIs.
//!
//! Data flows one way: load -> plan -> run -> events -> reporters -> exit code
//! (docs/architecture.md). `cmd::dispatch` wires the stages for each subcommand.

pub mod auth;
pub mod cli;
pub mod cmd;
pub mod diag;
pub mod encoding;
pub mod event;
pub mod exit;
pub mod expect;
pub mod http;
pub mod mock;
pub mod output;
pub mod plan;
pub mod redact;
pub mod report;
pub mod run;
pub mod scenario;
pub mod schema;
pub mod source;
pub mod template;
pub mod text;
pub mod yaml;
