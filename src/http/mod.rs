//! Sending requests: one client for steps, tokens and discovery, and the rule of which
//! credentials may go to which origin.

mod client;
mod error;
mod origin;
mod proxy;
mod request;
mod tls;

pub use client::{Client, ClientError, MAX_BODY_BYTES, MAX_REDIRECTS, install_crypto_provider};
pub use error::HttpError;
pub use origin::{credentials_may_not_go, origin_text, same_origin};
pub use request::{Request, Response, url_credentials};
