use std::process::ExitCode;

use clap::Parser as _;

/// glibc's allocator serialises the runtime's worker threads on its arena lock; this one does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = k2check::Cli::parse();
    ExitCode::from(k2check::cmd::main_with(cli))
}
