//! `k2check mock`: serve the built-in mock K2 environment until Ctrl-C, SIGTERM (`docker
//! stop`) or SIGHUP.

use crate::cli::MockArgs;
use crate::exit;
use crate::mock::{MockConfig, MockData, MockServer};

pub async fn mock(args: MockArgs) -> u8 {
    let data = match &args.data {
        Some(path) => match MockData::from_file(path) {
            Ok(d) => d,
            Err(e) => {
                crate::errln!("error: {e}");
                return exit::INVALID;
            }
        },
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
            crate::errln!("error: cannot start the mock: {e}");
            return exit::INCOMPLETE;
        }
    };
    // Listening before the banner: whoever reads it may stop the mock at once.
    let (mut stops, _) = crate::cmd::signals::listen();
    crate::outln!("{}", server.banner());
    let _ = stops.recv().await;
    server.shutdown().await;
    crate::errln!("mock stopped");
    exit::OK
}
