//! Auth profiles: Basic, Bearer and OAuth client credentials with discovery and one
//! shared token cache; and the secret hash Nintex asks for at onboarding.

pub mod credentials;
pub mod discovery;
pub mod error;
pub mod exchange_log;
pub mod provider;
pub mod secret_hash;
pub mod token_cache;
pub mod token_request;

pub use credentials::{ApiKey, ClientCredentialsConfig, Credentials};
pub use error::AuthError;
pub use provider::Auth;
pub use secret_hash::to_sha256;
