//! The login server: its discovery document names it and its token endpoint, and it gives
//! this client a token for each scope asked for; the token's claims and the server's clock.

use std::time::Duration;

use crate::auth::claims::jwt_claims;
use crate::auth::credentials::ClientCredentialsConfig;
use crate::auth::discovery::discover;
use crate::auth::exchange_log::ExchangeLog;
use crate::auth::token_request::request_token;
use crate::doctor::line::{Line, Verdict};
use crate::doctor::settings::{API_SCOPE, SCIM_SCOPE, Settings};
use crate::http::Client;
use crate::scenario::model::ClientAuthStyle;

/// The tokens had, per scope: `None` when none could be.
#[derive(Debug, Default)]
pub struct Tokens {
    pub api: Option<String>,
    pub scim: Option<String>,
}

/// A clock this far from the server's makes a token look expired or not yet valid.
const SKEW_WARNING: Duration = Duration::from_secs(120);

pub async fn check(settings: &Settings, client: &Client, lines: &mut Vec<Line>) -> Tokens {
    let log = ExchangeLog::default();
    log.record();
    let Some((endpoint, scopes_supported)) = token_endpoint(settings, client, &log, lines).await else {
        lines.push(Line::not_checked("token", API_SCOPE, "no token endpoint"));
        if settings.scim.is_some() {
            lines.push(Line::not_checked("token", SCIM_SCOPE, "no token endpoint"));
        }
        return Tokens::default();
    };
    let mut tokens = Tokens::default();
    let mut scopes = vec![API_SCOPE];
    if settings.scim.is_some() {
        scopes.push(SCIM_SCOPE);
    }
    for scope in scopes {
        let config = ClientCredentialsConfig {
            profile: "doctor".into(),
            token_url: Some(endpoint.clone()),
            issuer: None,
            client_id: settings.client_id.clone(),
            client_secret: settings.client_secret.clone(),
            scope: scope.into(),
            audience: None,
            style: ClientAuthStyle::Body,
            timeout: None,
        };
        let had = request_token(client, &log, &config, &endpoint, &scopes_supported, settings.timeout).await;
        let server_date = log.take().into_iter().rev().find_map(|raw| {
            let (_, headers, _) = raw.outcome.ok()?;
            let date = headers.get(http::header::DATE)?.to_str().ok()?.to_owned();
            chrono::DateTime::parse_from_rfc2822(&date).ok()
        });
        match had {
            Ok(token) => {
                lines.push(Line::ok("token", scope, token_words(&token, server_date)));
                match scope {
                    API_SCOPE => tokens.api = Some(token.access_token),
                    _ => tokens.scim = Some(token.access_token),
                }
            }
            Err((message, hint)) => {
                let verdict = if message.starts_with("token request failed") {
                    Verdict::Unreachable
                } else {
                    Verdict::Refused
                };
                lines.push(Line::failed("token", scope, verdict, message, hint));
            }
        }
    }
    tokens
}

/// The token endpoint (from discovery, or as given) and the scopes the server offers.
async fn token_endpoint(
    settings: &Settings,
    client: &Client,
    log: &ExchangeLog,
    lines: &mut Vec<Line>,
) -> Option<(String, Vec<String>)> {
    if let Some(url) = &settings.token_url {
        lines.push(Line::not_checked(
            "login",
            "discovery document",
            "the token URL is given (K2_TOKEN_URL)",
        ));
        return Some((url.clone(), Vec::new()));
    }
    let Some(issuer) = &settings.issuer else {
        let detail = "no issuer: give the tenant id (--tenant or K2_TENANT_ID), K2_ISSUER or K2_TOKEN_URL";
        lines.push(Line::failed(
            "login",
            "discovery document",
            Verdict::Refused,
            detail,
            None,
        ));
        return None;
    };
    match discover(client, log, "doctor", issuer, settings.timeout).await {
        Ok(found) => {
            let detail = format!("the issuer is {issuer}; tokens from {}", found.token_endpoint);
            lines.push(Line::ok("login", "discovery document", detail));
            Some((found.token_endpoint, found.scopes_supported))
        }
        Err((message, hint)) => {
            let verdict = match message.starts_with("cannot fetch") {
                true => Verdict::Unreachable,
                false => Verdict::Refused,
            };
            let hint = match message.contains("answered 404") {
                true => Some(
                    "no such tenant here: check the tenant id (--tenant or K2_TENANT_ID); the issuer is \
                     https://login.onk2.com/{tenant id} on K2 Cloud, K2_ISSUER elsewhere"
                        .into(),
                ),
                false => hint,
            };
            lines.push(Line::failed("login", "discovery document", verdict, message, hint));
            None
        }
    }
}

/// What a person needs to see of a token: its audience, scope and lifetime (never the token),
/// and a warning when this machine's clock is far from the server's.
fn token_words(
    token: &crate::auth::token_request::Token,
    server_date: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> String {
    let claims = jwt_claims(&token.access_token);
    let claim = |name: &str| {
        claims.as_ref().and_then(|c| c.get(name)).map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => {
                let words: Vec<String> = items
                    .iter()
                    .map(|i| i.as_str().map_or(i.to_string(), str::to_owned))
                    .collect();
                words.join(" ")
            }
            other => other.to_string(),
        })
    };
    let mut words = Vec::new();
    if let Some(aud) = claim("aud") {
        words.push(format!("aud {aud}"));
    }
    let scope = claim("scope").or_else(|| token.scope.clone());
    words.push(format!("scope {}", scope.as_deref().unwrap_or("(not stated)")));
    if let Some(life) = token.expires_in {
        words.push(format!("expires in {} s", life.as_secs()));
    }
    if let Some(date) = server_date {
        let skew = (chrono::Utc::now() - date.with_timezone(&chrono::Utc)).num_seconds();
        match skew.unsigned_abs() > SKEW_WARNING.as_secs() {
            true => words.push(format!(
                "this clock is {skew} s off the server's: tokens may look expired"
            )),
            false => words.push(format!("clock within {} s of the server's", skew.abs().max(1))),
        }
    }
    words.join(" · ")
}
