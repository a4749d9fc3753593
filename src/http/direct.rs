//! The client for a step's own requests: hyper's pooled client, without the layers reqwest
//! puts around it. Those layers parse every request's URL twice more, match it against proxy
//! rules and wrap it for redirects and retries k2check does not use: on a fast tenant they
//! cost more CPU than the request itself. Where they are needed, reqwest sends: a step that
//! follows redirects, the token requests, and every request when a proxy is set.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use hyper::{Method, Request, Uri};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::http::ClientError;
use crate::http::tls::client_config;
use crate::http::{MAX_BODY_BYTES, in_words, too_large};
use crate::run::resolve::ResolvedRequest;
use crate::scenario::model::Tls;

/// The variables through which reqwest (and curl) take a proxy.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

pub struct DirectClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

/// What came back: status, headers and the whole body.
pub struct DirectResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl DirectClient {
    /// The client, or `None` when the environment names a proxy (reqwest honours it).
    pub fn new(tls: &Tls) -> Option<Result<DirectClient, ClientError>> {
        let proxied = PROXY_VARIABLES
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|value| !value.is_empty()));
        if proxied {
            return None;
        }
        Some(client_config(tls).map(|config| {
            let mut http = HttpConnector::new();
            http.enforce_http(false);
            http.set_nodelay(true);
            http.set_connect_timeout(Some(Duration::from_secs(10)));
            let https = HttpsConnectorBuilder::new()
                .with_tls_config(config)
                .https_or_http()
                .enable_http1()
                .enable_http2()
                .wrap_connector(http);
            let client = Client::builder(TokioExecutor::new())
                .timer(TokioTimer::new())
                .pool_timer(TokioTimer::new())
                .pool_max_idle_per_host(256)
                .build(https);
            DirectClient { client }
        }))
    }

    /// Sends a request and reads the whole response, within the request's timeout.
    pub async fn send(
        &self,
        req: &ResolvedRequest,
        url: &url::Url,
        authorization: Option<&HeaderValue>,
    ) -> Result<DirectResponse, String> {
        let mut request = Request::new(Full::new(Bytes::from(req.body.clone().unwrap_or_default())));
        *request.method_mut() = Method::from_bytes(req.method.as_bytes()).map_err(|e| e.to_string())?;
        let (uri, url_credentials) = uri_and_credentials(url)?;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        for (name, value) in &req.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| format!("`{name}` is not a valid HTTP header name"))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| format!("the value of header `{name}` holds characters HTTP does not allow"))?;
            headers.append(name, value);
        }
        if let Some(auth) = authorization.or(url_credentials.as_ref()) {
            headers.insert(AUTHORIZATION, auth.clone());
        }
        // What reqwest adds, so a tenant sees the same request whichever client sends it.
        headers.entry(ACCEPT).or_insert(HeaderValue::from_static("*/*"));
        headers
            .entry(USER_AGENT)
            .or_insert(HeaderValue::from_static(concat!("k2check/", env!("CARGO_PKG_VERSION"))));

        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| describe(&e))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_BODY_BYTES)
                .collect()
                .await
                .map_err(|e| match e.downcast_ref::<LengthLimitError>() {
                    Some(_) => too_large(),
                    None => in_words(&format!("the response body could not be read: {e}"), &*e),
                })?
                .to_bytes();
            Ok(DirectResponse {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(req.timeout, exchange)
            .await
            .unwrap_or_else(|_| Err("timed out".into()))
    }
}

/// The URI to send and, as reqwest does, the URL's `user:password@` as a Basic header (the
/// credentials leave the URI). A `#fragment` is never sent.
fn uri_and_credentials(url: &url::Url) -> Result<(Uri, Option<HeaderValue>), String> {
    let invalid = |e: &dyn std::fmt::Display| format!("the request could not be sent: {e}");
    if url.username().is_empty() && url.password().is_none() && url.fragment().is_none() {
        return Ok((url.as_str().parse::<Uri>().map_err(|e| invalid(&e))?, None));
    }
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8_lossy()
            .into_owned()
    };
    let credentials = (!url.username().is_empty() || url.password().is_some()).then(|| {
        let pair = format!(
            "{}:{}",
            decode(url.username()),
            decode(url.password().unwrap_or_default())
        );
        let mut value = HeaderValue::try_from(format!("Basic {}", STANDARD.encode(pair)))
            .unwrap_or_else(|_| HeaderValue::from_static(""));
        value.set_sensitive(true);
        value
    });
    let mut bare = url.clone();
    bare.set_fragment(None);
    // Only a URL that cannot have credentials refuses these, and it has none to remove.
    let _ = bare.set_username("");
    let _ = bare.set_password(None);
    let uri = bare.as_str().parse::<Uri>().map_err(|e| invalid(&e))?;
    Ok((uri, credentials))
}

/// The `user` and `password` of a URL's `user:password@`, percent-decoded.
pub fn url_credentials(url: &url::Url) -> Option<(String, String)> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let decode = |part: &str| {
        percent_encoding::percent_decode_str(part)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((decode(url.username()), decode(url.password().unwrap_or_default())))
}

/// A failed exchange in words, as `describe_error` words reqwest's.
fn describe(e: &hyper_util::client::legacy::Error) -> String {
    let kind = if e.is_connect() {
        "could not connect"
    } else {
        "the request could not be sent"
    };
    in_words(kind, e)
}
