//! The RFC 6749 §4.4 client-credentials token request, and what its failures mean.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use http::Method;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use url::Url;

use crate::auth::credentials::ClientCredentialsConfig;
use crate::auth::discovery::unreachable_hint;
use crate::auth::error::oauth_hint;
use crate::auth::exchange_log::ExchangeLog;
use crate::encoding::form_urlencoded;
use crate::http::{Client, HttpError, Request};
use crate::scenario::model::ClientAuthStyle;

/// A fetched access token.
#[derive(Debug, Clone)]
pub struct Token {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: Option<Duration>,
    pub scope: Option<String>,
}

/// A failure as (message, hint).
pub type Failure = (String, Option<String>);

pub async fn request_token(
    client: &Client,
    log: &ExchangeLog,
    config: &ClientCredentialsConfig,
    endpoint: &str,
    scopes_supported: &[String],
    timeout: Duration,
) -> Result<Token, Failure> {
    let request = token_request(config, endpoint, timeout)?;
    let response = log
        .send(client, request, &config.profile, "token request")
        .await
        .map_err(|e| {
            let hint =
                matches!(e, HttpError::Connect(_) | HttpError::Tls(_) | HttpError::Timeout(_)).then(unreachable_hint);
            (format!("token request failed: {e}"), hint)
        })?;
    token_of(
        response.status,
        &response.headers,
        &response.body,
        config,
        scopes_supported,
    )
}

/// The client-credentials request (RFC 6749 §4.4.2): the client's id and secret in the form
/// or in a Basic header, as the profile says.
fn token_request(config: &ClientCredentialsConfig, endpoint: &str, timeout: Duration) -> Result<Request, Failure> {
    let url = Url::parse(endpoint).map_err(|e| (format!("the token URL `{endpoint}` is not a URL: {e}"), None))?;
    let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
    if !config.scope.is_empty() {
        form.push(("scope", &config.scope));
    }
    if let Some(audience) = &config.audience {
        form.push(("audience", audience));
    }
    let mut request = Request::new(Method::POST, url, timeout);
    request
        .headers
        .insert(ACCEPT, HeaderValue::from_static("application/json"));
    request.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    match config.style {
        ClientAuthStyle::Body => {
            form.push(("client_id", &config.client_id));
            form.push(("client_secret", &config.client_secret));
            request.body_holds_credentials = true;
        }
        ClientAuthStyle::Basic => {
            // RFC 6749 §2.3.1: both parts form-encoded before Base64.
            let pair = format!(
                "{}:{}",
                form_urlencoded(&config.client_id),
                form_urlencoded(&config.client_secret)
            );
            let mut value = HeaderValue::try_from(format!("Basic {}", STANDARD.encode(pair)))
                .map_err(|_| ("the client credentials cannot be sent in a header".to_owned(), None))?;
            value.set_sensitive(true);
            request.headers.insert(AUTHORIZATION, value);
        }
    }
    let body: Vec<String> = form
        .iter()
        .map(|(k, v)| format!("{}={}", form_urlencoded(k), form_urlencoded(v)))
        .collect();
    request.body = body.join("&").into();
    Ok(request)
}

/// The token in the endpoint's answer, or what is wrong with the answer and what to do.
fn token_of(
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
    config: &ClientCredentialsConfig,
    scopes_supported: &[String],
) -> Result<Token, Failure> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let body = String::from_utf8_lossy(body);
    if content_type.contains("html") || body.trim_start().starts_with('<') {
        return Err((
            format!("the token endpoint answered {status} with an HTML page, not JSON"),
            Some(
                "this is probably a login page or a portal: the token URL is wrong (it ends in /connect/token)".into(),
            ),
        ));
    }
    let json: serde_json::Value = serde_json::from_str(crate::encoding::text_without_bom(&body)).map_err(|_| {
        let hint = if status == 404 {
            not_found_hint()
        } else {
            "a token endpoint answers JSON (RFC 6749 §5.1); this is something else at that URL, such as a \
             proxy's or a load balancer's page: check the token URL"
                .into()
        };
        (
            format!("the token endpoint answered {status} with a body that is not JSON"),
            Some(hint),
        )
    })?;
    if let Some(error) = json.get("error").and_then(|e| e.as_str()) {
        let description = json
            .get("error_description")
            .and_then(|d| d.as_str())
            .unwrap_or_default();
        let message = if description.is_empty() {
            format!("{status}: {error}")
        } else {
            format!("{status}: {error}: {description}")
        };
        return Err((message, oauth_hint(error, description, &config.scope, scopes_supported)));
    }
    if !(200..300).contains(&status) {
        let hint = (status == 404).then(not_found_hint);
        return Err((format!("the token endpoint answered {status}"), hint));
    }
    let Some(access_token) = json.get("access_token").and_then(|t| t.as_str()) else {
        return Err(("the token response has no access_token".into(), None));
    };
    Ok(Token {
        access_token: access_token.to_owned(),
        token_type: json
            .get("token_type")
            .and_then(|t| t.as_str())
            .unwrap_or("Bearer")
            .to_owned(),
        expires_in: json.get("expires_in").and_then(|e| e.as_u64()).map(Duration::from_secs),
        scope: json.get("scope").and_then(|s| s.as_str()).map(str::to_owned),
    })
}

/// What to do about a token URL where there is no token endpoint.
fn not_found_hint() -> String {
    "there is no token endpoint at this URL: for K2 Cloud it is https://login.onk2.com/{tenant id}/connect/token; \
     set `token_url` to it, or `issuer` to https://login.onk2.com/{tenant id} and let discovery find it"
        .into()
}
