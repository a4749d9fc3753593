//! Auth profiles: Basic, Bearer and OAuth client credentials with discovery and one
//! shared token cache; and the secret hash Nintex asks for at onboarding.

pub(crate) mod claims;
pub(crate) mod credentials;
pub(crate) mod discovery;
pub(crate) mod error;
pub(crate) mod exchange_log;
pub(crate) mod provider;
pub(crate) mod secret_hash;
pub(crate) mod token_cache;
pub(crate) mod token_request;

pub(crate) use credentials::{ApiKey, ClientCredentialsConfig, Credentials};
pub(crate) use error::AuthError;
pub(crate) use provider::Auth;
pub(crate) use secret_hash::to_sha256;
