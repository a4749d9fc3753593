//! OpenID Connect discovery, with IdentityModel's default policy: the document's issuer
//! is the authority (trailing slash ignored), its endpoints live under the authority's
//! host, and HTTPS is required except on loopback.

use std::time::Duration;

use http::Method;
use url::Url;

use crate::auth::exchange_log::ExchangeLog;
use crate::http::{Client, Request};

#[derive(Debug, Clone)]
pub struct Discovered {
    pub token_endpoint: String,
    pub scopes_supported: Vec<String>,
}

pub async fn discover(
    client: &Client,
    log: &ExchangeLog,
    profile: &str,
    issuer: &str,
    timeout: Duration,
) -> Result<Discovered, (String, Option<String>)> {
    let authority = Url::parse(issuer).map_err(|e| (format!("issuer `{issuer}` is not a URL: {e}"), None))?;
    require_https(&authority)?;
    let url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));
    let parsed = Url::parse(&url).map_err(|e| (format!("{url} is not a URL: {e}"), None))?;
    let response = log
        .send(client, Request::new(Method::GET, parsed, timeout), profile, "discovery")
        .await
        .map_err(|e| (format!("cannot fetch {url}: {e}"), Some(unreachable_hint())))?;
    let status = response.status;
    let body = String::from_utf8_lossy(&response.body);
    if !(200..300).contains(&status) {
        return Err((
            format!("discovery document {url} answered {status}"),
            Some("check the issuer: it is https://login.onk2.com/{tenant id} for K2 Cloud".into()),
        ));
    }
    let doc: serde_json::Value = serde_json::from_str(crate::encoding::text_without_bom(&body)).map_err(|_| {
        (
            format!("discovery document {url} is not JSON"),
            Some("the issuer URL points at something else".into()),
        )
    })?;
    let named = doc.get("issuer").and_then(|v| v.as_str()).unwrap_or_default();
    if named.trim_end_matches('/') != issuer.trim_end_matches('/') {
        return Err((
            format!("discovery document names issuer `{named}`, not `{issuer}`"),
            Some("the issuer must be exactly the authority; check the tenant id in the URL".into()),
        ));
    }
    let token_endpoint = doc
        .get("token_endpoint")
        .and_then(|v| v.as_str())
        .ok_or_else(|| (format!("discovery document {url} has no token_endpoint"), None))?;
    let endpoint = Url::parse(token_endpoint).map_err(|e| (format!("token_endpoint is not a URL: {e}"), None))?;
    require_https(&endpoint)?;
    if endpoint.host_str() != authority.host_str() {
        return Err((
            format!("token_endpoint {token_endpoint} is not on the issuer's host"),
            None,
        ));
    }
    let scopes_supported = doc
        .get("scopes_supported")
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    Ok(Discovered {
        token_endpoint: token_endpoint.to_owned(),
        scopes_supported,
    })
}

fn require_https(url: &Url) -> Result<(), (String, Option<String>)> {
    if url.scheme() == "https" || is_loopback(url) {
        return Ok(());
    }
    Err((
        format!("{url} is not HTTPS"),
        Some("credentials are only sent over HTTPS, except to loopback".into()),
    ))
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

pub fn unreachable_hint() -> String {
    "the endpoint could not be reached: check the host name, a proxy (HTTPS_PROXY, NO_PROXY) and TLS (tls.ca_file)"
        .into()
}
