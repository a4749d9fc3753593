//! One file per subcommand.

mod dispatch;
pub mod mock;
pub mod prepare;
pub mod run;
pub mod schema;
pub mod secret_hash;
pub mod token;
pub mod validate;

pub use dispatch::main_with;
