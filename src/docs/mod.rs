//! API documentation from scenarios: an index and a page per folder in Markdown, and one HTML
//! file; with a `-v` JSON report, each step's example exchange from that run.

mod describe;
pub(crate) mod examples;
mod files;
pub(crate) mod glossary;
mod html;
mod markdown;

pub(crate) use files::{DocFile, Folder, describe_all, root_of, run_words, write_docs};
