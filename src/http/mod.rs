//! Sending requests: the clients of a run, and how a failed exchange is put in words.

mod clients;
mod direct;
mod tls;

pub use clients::{
    ClientError, Clients, LazyClient, MAX_BODY_BYTES, build_clients, build_token_client, describe_error, in_words,
    install_crypto_provider, read_body, too_large,
};
pub use direct::{DirectClient, DirectResponse, url_credentials};
