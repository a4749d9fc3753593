//! The one small interface the runner uses for auth: "the Authorization header for this
//! profile", and "the API refused it" so a fetched token can be replaced once.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::auth::credentials::{ClientCredentialsConfig, Credentials};
use crate::auth::discovery::discover;
use crate::auth::error::AuthError;
use crate::auth::token_cache::{CacheKey, TokenCache};
use crate::auth::token_request::{Token, request_token};
use crate::redact::Redactor;

pub struct Auth {
    profiles: BTreeMap<String, Credentials>,
    client: reqwest::Client,
    cache: TokenCache,
    redactor: Redactor,
}

impl Auth {
    pub fn new(profiles: BTreeMap<String, Credentials>, client: reqwest::Client, redactor: Redactor) -> Self {
        Auth {
            profiles,
            client,
            cache: TokenCache::default(),
            redactor,
        }
    }

    /// The `Authorization` header value for a profile; `None` for `type: none`.
    pub async fn header(&self, profile: &str) -> Result<Option<String>, AuthError> {
        let Some(creds) = self.profiles.get(profile) else {
            return Err(AuthError {
                profile: profile.into(),
                endpoint: None,
                message: "no such profile".into(),
                hint: None,
            });
        };
        Ok(match creds {
            Credentials::None => None,
            Credentials::Basic { username, password } => {
                Some(format!("Basic {}", STANDARD.encode(format!("{username}:{password}"))))
            }
            Credentials::Bearer { token } => Some(format!("Bearer {token}")),
            Credentials::ClientCredentials(cc) => {
                let token = self.token(cc).await?;
                Some(format!("Bearer {}", token.access_token))
            }
        })
    }

    /// Whether a 401 with this profile's header is worth one fresh token and one retry.
    pub fn is_refreshable(&self, profile: &str) -> bool {
        matches!(self.profiles.get(profile), Some(Credentials::ClientCredentials(_)))
    }

    /// An API answered 401 to `header`: drop that token so the next call fetches another.
    pub async fn refused(&self, profile: &str, header: &str) {
        if let Some(Credentials::ClientCredentials(cc)) = self.profiles.get(profile) {
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
        let (endpoint, scopes) = match (&cc.token_url, &cc.issuer) {
            (Some(url), _) => (url.clone(), Vec::new()),
            (None, Some(issuer)) => {
                let found = discover(&self.client, issuer)
                    .await
                    .map_err(|f| error(Some(issuer), f))?;
                (found.token_endpoint, found.scopes_supported)
            }
            (None, None) => return Err(error(None, ("no token_url or issuer".into(), None))),
        };
        let token = request_token(&self.client, cc, &endpoint, &scopes)
            .await
            .map_err(|f| error(Some(&endpoint), f))?;
        self.redactor.add(&token.access_token);
        Ok(token)
    }
}

fn cache_key(cc: &ClientCredentialsConfig) -> CacheKey {
    CacheKey {
        source: cc.token_url.clone().or_else(|| cc.issuer.clone()).unwrap_or_default(),
        client_id: cc.client_id.clone(),
        scope: cc.scope.clone(),
    }
}
