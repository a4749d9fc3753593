//! k2check: scenario checks for the K2 Cloud / Nintex Automation APIs.
//!
//! Data flows one way: load -> plan -> run -> events -> reporters -> exit code
//! (docs/architecture.md). `cmd::dispatch` wires the stages for each subcommand.

pub(crate) mod auth;
pub mod cli;
pub mod cmd;
pub(crate) mod diag;
pub(crate) mod docs;
pub(crate) mod dotenv;
pub(crate) mod encoding;
pub(crate) mod event;
pub(crate) mod exit;
pub(crate) mod expect;
pub mod http;
pub(crate) mod import;
pub(crate) mod input_file;
pub mod mock;
pub mod output;
pub(crate) mod output_files;
pub mod plan;
pub(crate) mod redact;
pub(crate) mod redact_forms;
pub(crate) mod report;
pub(crate) mod run;
pub mod scenario;
pub(crate) mod schema;
pub mod source;
pub(crate) mod template;
pub(crate) mod text;
pub mod yaml;
