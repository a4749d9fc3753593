//! From a parsed command line to the subcommand that carries it out, on one async runtime.

use crate::cli::{Cli, Command, ImportCommand};
use crate::cmd;
use crate::cmd::error::{CommandError, CommandResult};

/// Runs a parsed command line and returns the process exit code. Every command's error is
/// said here, and only here.
pub fn main_with(cli: Cli) -> u8 {
    match run_command(cli) {
        Ok(code) => code,
        Err(error) => {
            use std::io::Write as _;
            let _ = std::io::stderr().lock().write_all(error.render().as_bytes());
            error.exit_code()
        }
    }
}

fn run_command(cli: Cli) -> CommandResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CommandError::incomplete(format!("cannot start the async runtime: {e}")))?;
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Doctor(args) => cmd::doctor::doctor(args).await,
            Command::Run(args) => cmd::run::run(args).await,
            Command::Validate(args) => cmd::validate::validate(args).await,
            Command::List(args) => cmd::list::list(args).await,
            Command::Mock(args) => cmd::mock::mock(args).await,
            Command::Token(args) => cmd::token::token(args).await,
            Command::SecretHash(args) => cmd::secret_hash::secret_hash(args),
            Command::Schema => cmd::schema::schema(),
            Command::Init(args) => cmd::init::init(args).await,
            Command::Docs(args) => cmd::docs::docs(args),
            Command::Merge(args) => cmd::merge::merge(args),
            Command::Snapshots(command) => cmd::snapshots::snapshots(command),
            Command::Import(ImportCommand::Postman(args)) => cmd::import_postman::import_postman(args),
            Command::Import(ImportCommand::Curl(args)) => cmd::import_curl::import_curl(args),
        }
    });
    // The process ends now: idle workers and open connections need no orderly goodbye.
    runtime.shutdown_background();
    outcome
}
