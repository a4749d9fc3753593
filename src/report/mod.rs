//! Reporters: each implements `Reporter` and consumes the same event stream.

pub mod file;
mod json;
mod junit;
mod render;
mod reporter;
pub mod terminal;
mod xml;

pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use reporter::{FanOut, Reporter};
pub use terminal::TerminalReporter;
