//! The HTTP clients of a run (one pool shared by every scenario) and the exchange a step
//! records: what was sent, what came back, how long it took.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::http::DirectClient;
use crate::scenario::model::Tls;

/// The clients of a run. A step's requests go through the direct client; reqwest sends what
/// needs its layers, with one client per redirect policy (reqwest fixes it per client).
pub struct Clients {
    /// A step's own requests, unless they follow redirects or a proxy is set.
    pub direct: Option<DirectClient>,
    /// Token and discovery requests, and steps when a proxy is set.
    pub no_redirects: Arc<LazyClient>,
    /// Steps with `follow_redirects: true`.
    pub follow_redirects: LazyClient,
}

/// A reqwest client built when first asked for: building one loads the system's root
/// certificates, which a run whose steps all go through the direct client may never need.
pub struct LazyClient {
    tls: Tls,
    follows_redirects: bool,
    built: OnceLock<Result<reqwest::Client, String>>,
}

impl LazyClient {
    fn new(tls: &Tls, follows_redirects: bool) -> Self {
        LazyClient {
            tls: tls.clone(),
            follows_redirects,
            built: OnceLock::new(),
        }
    }

    /// One already built.
    fn ready(tls: &Tls, client: reqwest::Client) -> Self {
        let lazy = LazyClient::new(tls, false);
        let _ = lazy.built.set(Ok(client));
        lazy
    }

    pub fn get(&self) -> Result<&reqwest::Client, String> {
        self.built
            .get_or_init(|| {
                let policy = if self.follows_redirects {
                    reqwest::redirect::Policy::limited(10)
                } else {
                    reqwest::redirect::Policy::none()
                };
                build_client(&self.tls, policy).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

/// Installs the TLS crypto provider once per process; later calls do nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The clients of a run, their settings checked now. With the direct client, its TLS set-up
/// reads every file `tls:` names; without it (a proxy is set) reqwest's client is built now.
pub fn build_clients(tls: &Tls) -> Result<Clients, ClientError> {
    install_crypto_provider();
    let direct = DirectClient::new(tls).transpose()?;
    let no_redirects = match direct {
        Some(_) => LazyClient::new(tls, false),
        None => LazyClient::ready(tls, build_client(tls, reqwest::redirect::Policy::none())?),
    };
    Ok(Clients {
        direct,
        no_redirects: Arc::new(no_redirects),
        follow_redirects: LazyClient::new(tls, true),
    })
}

/// The one client `k2check token` needs, built now so a bad `tls:` file is reported now.
pub fn build_token_client(tls: &Tls) -> Result<Arc<LazyClient>, ClientError> {
    let client = build_client(tls, reqwest::redirect::Policy::none())?;
    Ok(Arc::new(LazyClient::ready(tls, client)))
}

fn build_client(tls: &Tls, policy: reqwest::redirect::Policy) -> Result<reqwest::Client, ClientError> {
    install_crypto_provider();
    let mut builder = reqwest::Client::builder()
        .redirect(policy)
        .user_agent(concat!("k2check/", env!("CARGO_PKG_VERSION")))
        .pool_max_idle_per_host(256)
        .connect_timeout(Duration::from_secs(10))
        .tcp_nodelay(true);
    if let Some(ca) = &tls.ca_file {
        let pem = read(&ca.value)?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| invalid(&ca.value, e))?;
        if certs.is_empty() {
            return Err(ClientError::Invalid {
                path: ca.value.display().to_string(),
                message: "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
            });
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    if let Some(cert) = &tls.client_cert {
        let mut pem = read(&cert.value)?;
        if let Some(key) = &tls.client_key {
            pem.push(b'\n');
            pem.extend(read(&key.value)?);
        }
        let identity = reqwest::Identity::from_pem(&pem).map_err(|e| invalid(&cert.value, e))?;
        builder = builder.identity(identity);
    }
    if tls.insecure {
        builder = builder.tls_danger_accept_invalid_certs(true);
    }
    builder.build().map_err(|e| ClientError::Build(describe_error(&e)))
}

/// A file `tls:` names, or why it cannot be read.
pub(super) fn read(path: &std::path::Path) -> Result<Vec<u8>, ClientError> {
    std::fs::read(path).map_err(|source| ClientError::Read {
        path: path.display().to_string(),
        source,
    })
}

fn invalid(path: &std::path::Path, e: reqwest::Error) -> ClientError {
    ClientError::Invalid {
        path: path.display().to_string(),
        message: describe_error(&e),
    }
}

/// The most of a response body k2check reads: a server that sends more (or never stops)
/// would otherwise take all the memory there is.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// The words for a body over `MAX_BODY_BYTES`.
pub fn too_large() -> String {
    format!(
        "the response body is larger than {} MiB, the most k2check reads",
        MAX_BODY_BYTES >> 20
    )
}

/// A whole response body through reqwest, within `MAX_BODY_BYTES`.
pub async fn read_body(mut response: reqwest::Response) -> Result<bytes::Bytes, String> {
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| describe_error(&e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// A reqwest error with its causes, in words: "connection refused", "timed out".
pub fn describe_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_body() || e.is_decode() {
        "the response body could not be read"
    } else if e.is_request() {
        "the request could not be sent"
    } else {
        "HTTP error"
    };
    in_words(kind, e)
}

/// `kind`, then the causes of `e` (each once), and a hint where one is known.
pub fn in_words(kind: &str, e: &dyn std::error::Error) -> String {
    let mut causes: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !causes.iter().any(|c| c.contains(&text)) {
            causes.push(text);
        }
        source = cause.source();
    }
    if causes.is_empty() {
        kind.to_owned()
    } else {
        with_hint(format!("{kind}: {}", causes.join(": ")))
    }
}

/// What to do about a failure whose cause is well known, added to its words.
fn with_hint(text: String) -> String {
    if text.contains("invalid peer certificate") || text.contains("UnknownIssuer") {
        format!(
            "{text} (if a private CA or a TLS-inspecting proxy signs this certificate, name the CA in `tls.ca_file`)"
        )
    } else {
        text
    }
}
