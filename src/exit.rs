//! The process exit codes, as documented in the README.

/// Every scenario passed (or `validate` found no problem).
pub const OK: u8 = 0;
/// A scenario failed or had an error.
pub const FAILED: u8 = 1;
/// Invalid input or usage; nothing was sent.
pub const INVALID: u8 = 2;
/// The run could not complete: a report could not be written, the mock could not start.
pub const INCOMPLETE: u8 = 3;
/// Interrupted by Ctrl-C (SIGINT); reports were still written.
pub const INTERRUPTED: u8 = 130;
/// Stopped by SIGTERM (CI cancellation, `timeout`, `docker stop`); reports were still written.
pub const TERMINATED: u8 = 143;
/// Stopped by SIGHUP (the terminal closed); reports were still written.
pub const HUNG_UP: u8 = 129;
