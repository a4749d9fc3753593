//! Reporters: each implements `Reporter` and consumes the same event stream.

mod exchange_text;
pub(crate) mod file;
mod html;
mod json;
mod junit;
mod render;
mod reporter;
pub(crate) mod terminal;
pub(crate) mod timeline;
pub(crate) mod xml;

pub(crate) use exchange_text::status_line;
pub(crate) use html::HtmlReporter;
pub(crate) use json::JsonReporter;
pub(crate) use junit::JunitReporter;
pub(crate) use reporter::{FanOut, Reporter};
pub(crate) use terminal::TerminalReporter;
