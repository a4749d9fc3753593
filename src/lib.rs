//! k2check: scenario checks for the K2 Cloud / Nintex Automation APIs.
//!
//! Data flows one way: load -> plan -> run -> events -> reporters -> exit code
//! (docs/architecture.md). `cmd::dispatch` wires the stages for each subcommand.

pub(crate) mod auth;
pub(crate) mod cli;
/// The subcommands; `cmd::main_with` runs a parsed command line (all the binary does).
pub mod cmd;
pub(crate) mod diag;
pub(crate) mod docs;
pub(crate) mod doctor;
pub(crate) mod dotenv;
pub(crate) mod encoding;
pub(crate) mod event;
pub(crate) mod exit;
pub(crate) mod expect;
pub(crate) mod html_assets;
pub(crate) mod http;
pub(crate) mod import;
pub(crate) mod input_file;
pub(crate) mod library;
pub(crate) mod merge;
pub(crate) mod mock;
pub(crate) mod output;
pub(crate) mod output_files;
pub(crate) mod plan;
pub(crate) mod redact;
pub(crate) mod redact_forms;
pub(crate) mod report;
pub(crate) mod run;
pub(crate) mod scenario;
pub(crate) mod schema;
pub(crate) mod snapshot;
pub(crate) mod source;
pub(crate) mod template;
pub(crate) mod text;
pub(crate) mod yaml;

// The public surface: what `main.rs` and the integration tests use, nothing more, so the
// compiler reports whatever the binary no longer needs.
pub use cli::Cli;
pub use http::{MAX_BODY_BYTES, install_crypto_provider};
pub use mock::{MockConfig, MockData, MockServer};
/// Past this much scenario text a suite is decoded again per scenario: tests size a suite by it.
pub use plan::KEEP_DECODED_BYTES;
