//! The one HTTP client of a run: hyper's pooled client over rustls, through the environment's
//! proxy when it names one. Steps, token requests and discovery all send through it, so they
//! share one TLS set-up, one body cap, one wording of failures and one credential rule.
//!
//! hyper-util rather than reqwest because k2check follows redirects itself: each hop is
//! checked against the credential rule (`origin.rs`), so an `Authorization` header, a proxy
//! credential or a form that holds a client secret never goes to another origin (the form's
//! request is refused, not sent without it), and under `--mock` a hop to any other origin is
//! refused before a connection. reqwest's redirect policy can only follow or stop, and strips a
//! fixed list of headers. Throughput is not the reason: the two measure within the noise of
//! each other here (README "Performance").

use std::time::Duration;

use bytes::Bytes;
use http::header::{
    ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderValue, LOCATION, PROXY_AUTHORIZATION, USER_AGENT,
};
use http::{Method, StatusCode};
use http_body_util::{BodyExt as _, Full, LengthLimitError, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::http::origin::{credentials_may_not_go, origin_text, same_origin};
use crate::http::proxy::{ProxyConnector, proxies_from_env, proxy_for};
use crate::http::request::uri_and_credentials;
use crate::http::tls::client_config;
use crate::http::{HttpError, Request, Response};
use crate::scenario::model::Tls;

/// The most of a response body k2check reads: a server that sends more (or never stops)
/// would otherwise take all the memory there is.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// The most redirects one request follows, as browsers and curl's `--max-redirs` default.
pub const MAX_REDIRECTS: u32 = 10;

/// How long opening a TCP connection may take, whatever the request's own timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

pub struct Client {
    pool: hyper_util::client::legacy::Client<HttpsConnector<ProxyConnector>, Full<Bytes>>,
    proxies: Option<std::sync::Arc<hyper_util::client::proxy::matcher::Matcher>>,
    /// Under `--mock`: the only origin any request, redirect or next link may go to.
    confined_to: Option<url::Url>,
}

/// Installs the TLS crypto provider once per process; later calls do nothing.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Client {
    /// The client for a suite's `tls:` settings, every file they name read now.
    pub fn new(tls: &Tls) -> Result<Client, ClientError> {
        Client::build(tls, None)
    }

    /// The client of a run. Under `--mock`, `confined_to` is the mock's URL: the client then
    /// sends only to its origin, never through a proxy, whatever a scenario's URLs, redirects
    /// or next links say.
    pub fn for_run(tls: &Tls, confined_to: Option<&url::Url>) -> Result<Client, ClientError> {
        Client::build(tls, confined_to.cloned())
    }

    fn build(tls: &Tls, confined_to: Option<url::Url>) -> Result<Client, ClientError> {
        install_crypto_provider();
        let config = client_config(tls)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        // The mock is on this machine: a proxy would be somewhere else.
        let proxies = if confined_to.is_some() {
            None
        } else {
            proxies_from_env()
        };
        let connector = ProxyConnector {
            http,
            proxies: proxies.clone(),
        };
        let https = HttpsConnectorBuilder::new()
            .with_tls_config(config)
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(connector);
        let pool = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_max_idle_per_host(256)
            .build(https);
        Ok(Client {
            pool,
            proxies,
            confined_to,
        })
    }

    /// The proxy a request to `url` goes through, without its credentials; `None` when it goes
    /// straight to the host.
    pub fn proxy_of(&self, url: &url::Url) -> Option<String> {
        let uri: http::Uri = url.as_str().parse().ok()?;
        let (proxy, _) = proxy_for(self.proxies.as_deref(), &uri)?;
        let host = proxy.host()?;
        Some(match proxy.port_u16() {
            Some(port) => format!("{}://{host}:{port}", proxy.scheme_str().unwrap_or("http")),
            None => format!("{}://{host}", proxy.scheme_str().unwrap_or("http")),
        })
    }

    /// Sends a request and reads the whole response, following redirects when the request
    /// asks, all within its timeout.
    pub async fn send(&self, request: Request) -> Result<Response, HttpError> {
        let timeout = request.timeout;
        tokio::time::timeout(timeout, self.exchange(request))
            .await
            .unwrap_or(Err(HttpError::Timeout(timeout)))
    }

    async fn exchange(&self, mut request: Request) -> Result<Response, HttpError> {
        let mut redirects = 0;
        loop {
            self.refuse_outside(&request.url)?;
            // Headers are copied only when a redirect may need them again.
            let headers = if request.follow_redirects {
                request.headers.clone()
            } else {
                std::mem::take(&mut request.headers)
            };
            let mut response = self.send_once(&request, headers).await?;
            if !request.follow_redirects || !is_redirect(response.status) {
                if redirects > 0 {
                    response.redirected_to = Some(request.url);
                }
                return Ok(response);
            }
            let Some(next) = next_hop(&request, &response)? else {
                return Ok(response);
            };
            redirects += 1;
            if redirects > MAX_REDIRECTS {
                return Err(HttpError::TooManyRedirects(MAX_REDIRECTS));
            }
            request = next;
        }
    }

    /// Under `--mock`, any origin but the mock's is refused before a connection is opened.
    fn refuse_outside(&self, url: &url::Url) -> Result<(), HttpError> {
        match &self.confined_to {
            Some(only) if !same_origin(only, url) => Err(HttpError::OutsideMock {
                origin: origin_text(url),
                mock: origin_text(only),
            }),
            _ => Ok(()),
        }
    }

    /// One request on the wire with these headers, no redirect followed.
    async fn send_once(&self, request: &Request, headers: HeaderMap) -> Result<Response, HttpError> {
        let (uri, url_credentials) = uri_and_credentials(&request.url)?;
        let mut outgoing = hyper::Request::new(Full::new(request.body.clone()));
        *outgoing.method_mut() = request.method.clone();
        *outgoing.headers_mut() = headers;
        let headers = outgoing.headers_mut();
        if let Some(credentials) = url_credentials {
            headers.entry(http::header::AUTHORIZATION).or_insert(credentials);
        }
        // What browsers and curl send, so a tenant's firewall sees an ordinary client.
        headers.entry(ACCEPT).or_insert(HeaderValue::from_static("*/*"));
        headers
            .entry(USER_AGENT)
            .or_insert(HeaderValue::from_static(concat!("k2check/", env!("CARGO_PKG_VERSION"))));
        if uri.scheme_str() == Some("http")
            && let Some((_, Some(auth))) = proxy_for(self.proxies.as_deref(), &uri)
        {
            headers.insert(PROXY_AUTHORIZATION, auth);
        }
        *outgoing.uri_mut() = uri;
        let answer = self
            .pool
            .request(outgoing)
            .await
            .map_err(|e| HttpError::from_client(&e))?;
        let (parts, body) = answer.into_parts();
        let body = Limited::new(body, MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|e| match e.downcast_ref::<LengthLimitError>() {
                Some(_) => HttpError::BodyTooLarge,
                None => HttpError::from_body(&*e),
            })?
            .to_bytes();
        Ok(Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            redirected_to: None,
        })
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The request a redirect asks for, as RFC 9110 §15.4 and browsers make it: 303 (and 301/302
/// after a POST) become a GET without a body; 307/308 repeat the request. Credentials go only
/// where `origin` allows: to another origin they are dropped, and a body that holds one is
/// not sent at all. `None` when the answer has no usable `Location`.
fn next_hop(request: &Request, response: &Response) -> Result<Option<Request>, HttpError> {
    let Some(location) = response.headers.get(LOCATION).and_then(|l| l.to_str().ok()) else {
        return Ok(None);
    };
    let Ok(to) = request.url.join(location) else {
        return Ok(None);
    };
    let mut next = request.clone();
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::FOUND);
    let becomes_get = status == StatusCode::SEE_OTHER
        || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND) && request.method == Method::POST);
    if becomes_get {
        if request.method != Method::HEAD {
            next.method = Method::GET;
        }
        next.body = Bytes::new();
        next.body_holds_credentials = false;
        next.headers.remove(CONTENT_TYPE);
        next.headers.remove(CONTENT_LENGTH);
    }
    if next.carries_credentials()
        && let Some(why) = credentials_may_not_go(&request.url, &to)
    {
        if next.body_holds_credentials {
            return Err(HttpError::RedirectRefused {
                to: crate::redact::url_for_display(to.as_str()).into_owned(),
                why,
            });
        }
        next.drop_credentials();
    }
    next.url = to;
    Ok(Some(next))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::AUTHORIZATION;

    fn request(method: Method, url: &str) -> Request {
        let mut r = Request::new(method, url::Url::parse(url).unwrap(), Duration::from_secs(1));
        r.follow_redirects = true;
        r.headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
        r.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.body = Bytes::from_static(b"{}");
        r
    }

    fn redirect(status: u16, location: &str) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_str(location).unwrap());
        Response {
            status,
            headers,
            body: Bytes::new(),
            redirected_to: None,
        }
    }

    #[test]
    fn see_other_becomes_a_get_without_body_on_the_same_origin_with_credentials() {
        let next = next_hop(&request(Method::POST, "https://a/x"), &redirect(303, "/y?z=1"))
            .unwrap()
            .unwrap();
        assert_eq!((next.method, next.url.as_str()), (Method::GET, "https://a/y?z=1"));
        assert!(next.body.is_empty() && !next.headers.contains_key(CONTENT_TYPE));
        assert!(next.headers.contains_key(AUTHORIZATION));
    }

    #[test]
    fn temporary_redirect_repeats_the_request_and_drops_credentials_for_another_origin() {
        let next = next_hop(&request(Method::PUT, "https://a/x"), &redirect(307, "https://b/x"))
            .unwrap()
            .unwrap();
        assert_eq!(next.method, Method::PUT);
        assert_eq!(&next.body[..], b"{}");
        assert!(!next.headers.contains_key(AUTHORIZATION));
    }

    #[test]
    fn a_body_holding_credentials_is_never_sent_to_another_origin() {
        let mut r = request(Method::POST, "https://a/token");
        r.body_holds_credentials = true;
        let refused = next_hop(&r, &redirect(308, "http://a/token")).unwrap_err();
        assert!(matches!(refused, HttpError::RedirectRefused { why, .. } if why.contains("plain HTTP")));
        // The same origin keeps it.
        assert!(next_hop(&r, &redirect(308, "/token2")).unwrap().is_some());
    }

    #[test]
    fn a_redirect_without_a_usable_location_is_the_answer() {
        let mut response = redirect(302, "/x");
        response.headers.clear();
        assert!(
            next_hop(&request(Method::GET, "https://a/"), &response)
                .unwrap()
                .is_none()
        );
    }
}
