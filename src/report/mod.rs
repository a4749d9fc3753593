//! Reporters: each implements `Reporter` and consumes the same event stream.

mod exchange_text;
pub mod file;
mod html;
mod html_page;
mod json;
mod junit;
mod render;
mod reporter;
pub mod terminal;
pub(crate) mod timeline;
pub(crate) mod xml;

pub use exchange_text::status_line;
pub use html::HtmlReporter;
pub use json::JsonReporter;
pub use junit::JunitReporter;
pub use reporter::{FanOut, Reporter};
pub use terminal::TerminalReporter;
