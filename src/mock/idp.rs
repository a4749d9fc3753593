//! The identity provider under `/{tenant}`: discovery, and client-credentials tokens for
//! clients registered by the SHA-256 hash of their secret.

use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use percent_encoding::percent_decode_str;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::to_sha256;
use crate::mock::request::{MockRequest, json_response};
use crate::mock::state::{IssuedToken, MockState};

pub fn handle(state: &mut MockState, req: &MockRequest, base_url: &str) -> Option<Response> {
    let s = &req.segments;
    if s.len() < 2 || !s[0].eq_ignore_ascii_case(&state.data.tenant_id) {
        return None;
    }
    let issuer = format!("{base_url}/{}", state.data.tenant_id);
    let rest: Vec<&str> = s[1..].iter().map(String::as_str).collect();
    let lower: Vec<String> = rest.iter().map(|r| r.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    Some(match lower.as_slice() {
        [".well-known", "openid-configuration"] => json_response(StatusCode::OK, &discovery(&issuer, state)),
        [".well-known", "openid-configuration", "jwks"] => json_response(StatusCode::OK, &json!({ "keys": [] })),
        ["connect", "token"] if !state.data.alternative_forms && req.method == "POST" => token(state, req, &issuer),
        ["oauth2", "v2.0", "token"] if state.data.alternative_forms && req.method == "POST" => {
            token(state, req, &issuer)
        }
        ["connect", "token"] if !state.data.alternative_forms => {
            oauth_error(StatusCode::METHOD_NOT_ALLOWED, "invalid_request", "use POST")
        }
        ["oauth2", "v2.0", "token"] if state.data.alternative_forms => {
            oauth_error(StatusCode::METHOD_NOT_ALLOWED, "invalid_request", "use POST")
        }
        ["connect", "authorize"] => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            "the mock supports the client-credentials grant only",
        ),
        _ => return None,
    })
}

/// Where tokens are issued: `{issuer}/connect/token` as on K2 Cloud, or elsewhere (an Entra-like
/// path) with the alternative forms, so only a client that reads discovery finds it.
pub fn token_endpoint(issuer: &str, state: &MockState) -> String {
    match state.data.alternative_forms {
        true => format!("{issuer}/oauth2/v2.0/token"),
        false => format!("{issuer}/connect/token"),
    }
}

fn discovery(issuer: &str, state: &MockState) -> serde_json::Value {
    let mut scopes: Vec<&str> = state
        .data
        .clients
        .iter()
        .flat_map(|c| c.scopes.iter().map(String::as_str))
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/connect/authorize"),
        "token_endpoint": token_endpoint(issuer, state),
        "jwks_uri": format!("{issuer}/.well-known/openid-configuration/jwks"),
        "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": scopes,
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["HS256"],
    })
}

pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = json_response(status, &json!({ "error": error, "error_description": description }));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn form_decode(text: &str) -> String {
    percent_decode_str(&text.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn token(state: &mut MockState, req: &MockRequest, issuer: &str) -> Response {
    let content_type = req.header("content-type").unwrap_or_default().to_ascii_lowercase();
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let body = String::from_utf8_lossy(&req.body);
    let form: Vec<(String, String)> = body
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect();
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());

    // client_secret_basic: both parts were form-encoded before Base64 (RFC 6749 §2.3.1).
    let basic = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| pair.split_once(':').map(|(u, p)| (form_decode(u), form_decode(p))));
    let (client_id, secret) = match (basic, get("client_id"), get("client_secret")) {
        (Some((id, secret)), _, None) => (id, secret),
        (None, Some(id), Some(secret)) => (id, secret),
        (Some(_), _, Some(_)) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "send the client secret one way, not two",
            );
        }
        _ => {
            return oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "no client credentials were sent",
            );
        }
    };
    match get("grant_type").as_deref() {
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant type `{other}` is not supported here"),
            );
        }
        None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "grant_type is missing"),
    }
    let Some(client) = state.data.clients.iter().find(|c| c.client_id == client_id) else {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client");
    };
    // Compared as stored: the hash of what was sent against the registered hash.
    if to_sha256(&secret) != client.secret_hash || secret.trim().is_empty() {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "invalid client secret");
    }
    let requested: Vec<String> = get("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_else(|| client.scopes.clone());
    if let Some(bad) = requested.iter().find(|s| !client.scopes.contains(s)) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            &format!("scope `{bad}` is not allowed for this client"),
        );
    }
    let lifetime = state.data.token_lifetime;
    let access_token = jwt(issuer, &client_id, &requested, lifetime);
    state.tokens.insert(
        access_token.clone(),
        IssuedToken {
            client_id: client_id.clone(),
            scopes: requested.clone(),
            expires_at: Instant::now() + Duration::from_secs(lifetime),
        },
    );
    let mut response = json_response(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "expires_in": lifetime,
            "token_type": "Bearer",
            "scope": requested.join(" "),
        }),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A JWT (HS256 with a key only the mock knows) carrying the client and its scopes.
fn jwt(issuer: &str, client_id: &str, scopes: &[String], lifetime: u64) -> String {
    let now = chrono::Utc::now().timestamp();
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": "HS256", "typ": "JWT", "kid": "k2check-mock" }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(
        json!({
            "iss": issuer,
            "aud": "https://api.k2.com/",
            "client_id": client_id,
            "sub": client_id,
            "scope": scopes,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime as i64,
            "jti": uuid::Uuid::new_v4().to_string(),
        })
        .to_string(),
    );
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(hmac_sha256(b"k2check-mock-signing-key", signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    let (mut inner, mut outer) = (Sha256::new(), Sha256::new());
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}
