//! Sending requests: one client for steps, tokens and discovery, and the rule of which
//! credentials may go to which origin.

mod client;
mod error;
mod origin;
mod proxy;
mod request;
mod tls;

pub(crate) use client::{Client, ClientError};
pub use client::{MAX_BODY_BYTES, install_crypto_provider};
pub(crate) use error::HttpError;
pub(crate) use origin::{origin_text, same_origin};
pub(crate) use request::{Request, Response, url_credentials};
