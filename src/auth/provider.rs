//! The one small interface the runner uses for auth: "the Authorization header for this
//! profile", and "the API refused it" so a fetched token can be replaced once.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::HeaderValue;

use crate::auth::credentials::{ApiKey, ClientCredentialsConfig, Credentials};
use crate::auth::discovery::discover;
use crate::auth::error::AuthError;
use crate::auth::exchange_log::{ExchangeLog, RawExchange};
use crate::auth::token_cache::{CacheKey, TokenCache};
use crate::auth::token_request::{Token, request_token};
use crate::http::Client;
use crate::redact::Redactor;
use sha2::{Digest as _, Sha256};

/// An `Authorization` value, marked sensitive so no debug output of the request shows it.
fn sensitive_header(text: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(text)
        .map_err(|_| "the credentials hold characters not allowed in an HTTP header".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

pub struct Auth {
    profiles: BTreeMap<String, Credentials>,
    /// The header of each basic and bearer profile, made once: they never change in a run.
    fixed: BTreeMap<String, Result<HeaderValue, String>>,
    client: Arc<Client>,
    cache: TokenCache,
    redactor: Redactor,
    /// For token and discovery requests whose profile sets no `timeout`.
    default_timeout: Duration,
    /// The discovery and token exchanges, when the run records exchanges.
    log: ExchangeLog,
}

impl Auth {
    pub fn new(
        profiles: BTreeMap<String, Credentials>,
        client: Arc<Client>,
        redactor: Redactor,
        default_timeout: Duration,
    ) -> Self {
        // A profile's secret is masked wherever it shows (a recorded token request, a step
        // that posts the same form), whether it came from `secret.X` or was written in.
        for creds in profiles.values() {
            match creds {
                Credentials::ClientCredentials(cc) => {
                    redactor.add(&cc.client_secret);
                    redactor.add_basic(
                        &crate::encoding::form_urlencoded(&cc.client_id),
                        &crate::encoding::form_urlencoded(&cc.client_secret),
                    );
                }
                Credentials::Basic { username, password } => {
                    redactor.add(password);
                    redactor.add_basic(username, password);
                }
                Credentials::Bearer { token } => redactor.add(token),
                Credentials::ApiKey(key) => redactor.add(&key.value),
                Credentials::None => {}
            }
        }
        let fixed = profiles
            .iter()
            .filter_map(|(name, creds)| {
                let text = match creds {
                    Credentials::Basic { username, password } => {
                        format!("Basic {}", STANDARD.encode(format!("{username}:{password}")))
                    }
                    Credentials::Bearer { token } => format!("Bearer {token}"),
                    Credentials::None | Credentials::ApiKey(_) | Credentials::ClientCredentials(_) => return None,
                };
                Some((name.clone(), sensitive_header(&text)))
            })
            .collect();
        Auth {
            profiles,
            fixed,
            client,
            cache: TokenCache::default(),
            redactor,
            default_timeout,
            log: ExchangeLog::default(),
        }
    }

    /// Keeps each discovery and token exchange from now on (`-v`, `--html`).
    pub fn record_exchanges(&self) {
        self.log.record();
    }

    /// The exchanges kept since the last call.
    pub fn take_exchanges(&self) -> Vec<RawExchange> {
        self.log.take()
    }

    /// The `Authorization` header value for a profile; `None` for `type: none`.
    pub async fn header(&self, profile: &str) -> Result<Option<HeaderValue>, AuthError> {
        let error = |message: String| AuthError {
            profile: profile.into(),
            endpoint: None,
            message,
            hint: None,
        };
        if let Some(fixed) = self.fixed.get(profile) {
            return fixed.clone().map(Some).map_err(error);
        }
        match self.profiles.get(profile) {
            None => Err(error("no such profile".into())),
            Some(Credentials::ClientCredentials(cc)) => {
                let token = self.token(cc).await?;
                sensitive_header(&format!("Bearer {}", token.access_token))
                    .map(Some)
                    .map_err(error)
            }
            Some(_) => Ok(None),
        }
    }

    /// The key of an `api_key` profile, which the request carries itself.
    pub fn api_key(&self, profile: &str) -> Option<&ApiKey> {
        match self.profiles.get(profile) {
            Some(Credentials::ApiKey(key)) => Some(key),
            _ => None,
        }
    }

    /// Whether a 401 with this profile's header is worth one fresh token and one retry.
    pub fn is_refreshable(&self, profile: &str) -> bool {
        matches!(self.profiles.get(profile), Some(Credentials::ClientCredentials(_)))
    }

    /// An API answered 401 to `header`: drop that token so the next call fetches another.
    pub async fn refused(&self, profile: &str, header: &HeaderValue) {
        if let Some(Credentials::ClientCredentials(cc)) = self.profiles.get(profile) {
            let header = header.to_str().unwrap_or_default();
            let token = header.strip_prefix("Bearer ").unwrap_or(header);
            self.cache.invalidate(&cache_key(cc), token).await;
        }
    }

    /// A token for a client-credentials profile, from the cache when it is still fresh.
    pub async fn token(&self, cc: &ClientCredentialsConfig) -> Result<Token, AuthError> {
        let token = self.cache.get(&cache_key(cc), || self.fetch(cc)).await?;
        self.redactor.add(&token.access_token);
        Ok(token)
    }

    async fn fetch(&self, cc: &ClientCredentialsConfig) -> Result<Token, AuthError> {
        let error = |endpoint: Option<&str>, (message, hint): (String, Option<String>)| AuthError {
            profile: cc.profile.clone(),
            endpoint: endpoint.map(str::to_owned),
            message,
            hint,
        };
        let client = &self.client;
        let timeout = cc.timeout.unwrap_or(self.default_timeout);
        let (endpoint, scopes) = match (&cc.token_url, &cc.issuer) {
            (Some(url), _) => (url.clone(), Vec::new()),
            (None, Some(issuer)) => {
                let found = discover(client, &self.log, &cc.profile, issuer, timeout)
                    .await
                    .map_err(|f| error(Some(issuer), f))?;
                (found.token_endpoint, found.scopes_supported)
            }
            (None, None) => return Err(error(None, ("no token_url or issuer".into(), None))),
        };
        let token = request_token(client, &self.log, cc, &endpoint, &scopes, timeout)
            .await
            .map_err(|f| error(Some(&endpoint), f))?;
        self.redactor.add(&token.access_token);
        Ok(token)
    }
}

/// Everything that changes the answer of the token endpoint: two profiles that differ in any
/// of it (a wrong secret, another scope) never share a token or a failure.
fn cache_key(cc: &ClientCredentialsConfig) -> CacheKey {
    CacheKey {
        token_url: cc.token_url.clone(),
        issuer: cc.issuer.clone(),
        client_id: cc.client_id.clone(),
        secret_sha256: Sha256::digest(cc.client_secret.as_bytes()).into(),
        style: cc.style,
        scope: cc.scope.clone(),
        audience: cc.audience.clone(),
    }
}
