//! `k2check mock`: serve the built-in mock K2 environment until Ctrl-C, SIGTERM (`docker
//! stop`) or SIGHUP.

use crate::cli::MockArgs;
use crate::cmd::error::{CommandError, CommandResult};
use crate::exit;
use crate::mock::{MockConfig, MockData, MockServer};

pub async fn mock(args: MockArgs) -> CommandResult {
    let data = match &args.data {
        Some(path) => MockData::from_file(path).map_err(CommandError::invalid)?,
        None => MockData::default(),
    };
    let data = MockData {
        alternative_forms: data.alternative_forms || args.alternatives,
        ..data
    };
    let config = MockConfig {
        bind: args.bind,
        port: args.port,
        latency: args.latency,
        data,
    };
    let server = match MockServer::start(config).await {
        Ok(s) => s,
        Err(e) => {
            return Err(CommandError::incomplete(format!("cannot start the mock: {e}")));
        }
    };
    // Listening before the banner: whoever reads it may stop the mock at once.
    let (mut stops, _) = crate::cmd::signals::listen();
    crate::outln!("{}", server.banner());
    let _ = stops.recv().await;
    server.shutdown().await;
    crate::errln!("mock stopped");
    Ok(exit::OK)
}
