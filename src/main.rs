use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    let cli = k2check::cli::Cli::parse();
    ExitCode::from(k2check::main_with(cli))
}
