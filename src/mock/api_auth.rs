//! Who is calling: Basic users or Bearer tokens from the mock IdP, with expiry and scope.

use std::time::Instant;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::mock::data::{API_SCOPE, SCIM_SCOPE};
use crate::mock::request::{MockRequest, json_response};
use crate::mock::state::MockState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// OData and Workflow: Basic or a token with `https://api.k2.com/`.
    Api,
    /// SCIM: a token with `https://scim.onk2.com/write` only.
    Scim,
}

/// The caller's name, or the 401/403 to answer.
pub fn authenticate(state: &MockState, req: &MockRequest, audience: Audience) -> Result<String, Response> {
    let Some(value) = req.header("authorization") else {
        return Err(denied(
            audience,
            None,
            "Authorization has been denied for this request.",
        ));
    };
    if let Some(encoded) = value.strip_prefix("Basic ") {
        if audience == Audience::Scim {
            return Err(denied(audience, None, "SCIM accepts Bearer tokens only."));
        }
        let decoded = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        let Some((name, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return Err(denied(audience, None, "Malformed Basic credentials."));
        };
        let user = state
            .data
            .users
            .iter()
            .find(|u| u.names.iter().any(|n| n.eq_ignore_ascii_case(name)) && u.password == password);
        return match user {
            Some(u) if u.mfa => Err(denied(
                audience,
                None,
                "Basic authentication is not possible for an account with MFA.",
            )),
            Some(u) => Ok(u.names[0].clone()),
            None => Err(denied(
                audience,
                None,
                "Authorization has been denied for this request.",
            )),
        };
    }
    let Some(token) = value.strip_prefix("Bearer ") else {
        return Err(denied(
            audience,
            None,
            "Only Basic and Bearer authorization are supported.",
        ));
    };
    let Some(issued) = state.tokens.get(token.trim()) else {
        return Err(denied(audience, Some("invalid_token"), "The token is not valid."));
    };
    if Instant::now() >= issued.expires_at {
        return Err(denied(audience, Some("invalid_token"), "The token expired."));
    }
    let needed = match audience {
        Audience::Api => API_SCOPE,
        Audience::Scim => SCIM_SCOPE,
    };
    if !issued.scopes.iter().any(|s| s == needed) {
        let mut response = error_body(
            audience,
            StatusCode::FORBIDDEN,
            &format!("The token lacks the scope {needed}."),
        );
        let challenge = format!("Bearer error=\"insufficient_scope\", scope=\"{needed}\"");
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
        }
        return Err(response);
    }
    Ok(issued.client_id.clone())
}

fn denied(audience: Audience, error: Option<&str>, message: &str) -> Response {
    let mut response = error_body(audience, StatusCode::UNAUTHORIZED, message);
    let challenge = match (audience, error) {
        (_, Some(e)) => format!("Bearer error=\"{e}\", error_description=\"{message}\""),
        (Audience::Api, None) => "Basic realm=\"K2\", Bearer".to_owned(),
        (Audience::Scim, None) => "Bearer".to_owned(),
    };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    response
}

fn error_body(audience: Audience, status: StatusCode, message: &str) -> Response {
    match audience {
        Audience::Api => json_response(status, &json!({ "Message": message })),
        Audience::Scim => crate::mock::scim::scim_error(status, None, message),
    }
}
