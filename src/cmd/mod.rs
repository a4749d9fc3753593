//! One file per subcommand.

pub mod mock;
pub mod prepare;
pub mod run;
pub mod schema;
pub mod secret_hash;
pub mod token;
pub mod validate;
