//! Reporters: each consumes the same event stream.

pub mod file;
pub mod json;
pub mod junit;
pub mod render;
pub mod terminal;
pub mod xml;

pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use terminal::TerminalReporter;
