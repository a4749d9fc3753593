//! One file per subcommand.

mod allocator;
mod dispatch;
pub(crate) mod docs;
pub(crate) mod doctor;
pub(crate) mod error;
pub(crate) mod import_curl;
pub(crate) mod import_postman;
pub(crate) mod init;
mod init_answers;
mod init_ci;
mod init_discovered;
mod init_files;
pub(crate) mod list;
pub(crate) mod merge;
pub(crate) mod mock;
mod outside_values;
pub(crate) mod prepare;
pub(crate) mod run;
pub(crate) mod schema;
pub(crate) mod secret_hash;
mod selection;
mod signals;
pub(crate) mod snapshots;
mod starter;
pub(crate) mod token;
pub(crate) mod validate;

pub use dispatch::main_with;
