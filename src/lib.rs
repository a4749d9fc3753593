//! k2check: scenario checks for the K2 Cloud / Nintex Automation APIs.
//!
//! Data flows one way: load -> validate (plan) -> execute -> events -> reporters -> exit code.

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

use cli::{Cli, Command};

/// Runs a parsed command line and returns the process exit code.
pub fn main_with(cli: Cli) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            crate::errln!("error: cannot start the async runtime: {e}");
            return exit::INCOMPLETE;
        }
    };
    let code = runtime.block_on(async move {
        match cli.command {
            Command::Run(args) => cmd::run::run(args).await,
            Command::Validate(args) => cmd::validate::validate(args).await,
            Command::Mock(args) => cmd::mock::mock(args).await,
            Command::Token(args) => cmd::token::token(args).await,
            Command::SecretHash(args) => cmd::secret_hash::secret_hash(args),
            Command::Schema => cmd::schema::schema(),
        }
    });
    // The process ends now: idle workers and open connections need no orderly goodbye.
    runtime.shutdown_background();
    code
}
