//! Sending requests: the clients of a run, and how a failed exchange is put in words.

mod clients;
mod direct;
mod tls;

pub use clients::{
    ClientError, Clients, LazyClient, build_clients, build_token_client, describe_error, in_words,
    install_crypto_provider,
};
pub use direct::{DirectClient, DirectResponse, url_credentials};
