//! One token cache per run: a token per (token source, client, scope), fetched once however
//! many scenarios ask at the same moment, and fetched again shortly before it expires.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::error::AuthError;
use crate::auth::token_request::Token;
use crate::scenario::model::ClientAuthStyle;

/// What a cached token is for. The secret is held only as its SHA-256, so the key can be
/// compared and hashed without the secret itself living on in the cache.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    pub token_url: Option<String>,
    pub issuer: Option<String>,
    pub client_id: String,
    pub secret_sha256: [u8; 32],
    pub style: ClientAuthStyle,
    pub scope: String,
    pub audience: Option<String>,
}

impl std::fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheKey")
            .field("token_url", &self.token_url)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("style", &self.style)
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
enum Entry {
    Token {
        token: Token,
        refresh_at: Option<Instant>,
    },
    /// A refused request is not repeated by every scenario: the run reports it everywhere.
    Failed(AuthError),
}

#[derive(Default)]
pub struct TokenCache {
    slots: Mutex<HashMap<CacheKey, Arc<tokio::sync::Mutex<Option<Entry>>>>>,
}

/// How long before expiry a token is replaced: a tenth of its life, at most 30 seconds.
fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(30))
}

impl TokenCache {
    fn slot(&self, key: &CacheKey) -> Arc<tokio::sync::Mutex<Option<Entry>>> {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        slots.entry(key.clone()).or_default().clone()
    }

    /// The cached token, or the one `fetch` gets; concurrent callers wait for one fetch.
    pub async fn get<F, Fut>(&self, key: &CacheKey, fetch: F) -> Result<Token, AuthError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Token, AuthError>>,
    {
        let slot = self.slot(key);
        let mut entry = slot.lock().await;
        match &*entry {
            Some(Entry::Token { token, refresh_at }) if refresh_at.is_none_or(|at| Instant::now() < at) => {
                return Ok(token.clone());
            }
            Some(Entry::Failed(error)) => return Err(error.clone()),
            _ => {}
        }
        match fetch().await {
            Ok(token) => {
                let refresh_at = token
                    .expires_in
                    .map(|life| Instant::now() + life - refresh_margin(life));
                *entry = Some(Entry::Token {
                    token: token.clone(),
                    refresh_at,
                });
                Ok(token)
            }
            Err(error) => {
                *entry = Some(Entry::Failed(error.clone()));
                Err(error)
            }
        }
    }

    /// Forgets `access_token` if it is still the cached one (an API answered 401 to it).
    pub async fn invalidate(&self, key: &CacheKey, access_token: &str) {
        let slot = self.slot(key);
        let mut entry = slot.lock().await;
        if matches!(&*entry, Some(Entry::Token { token, .. }) if token.access_token == access_token) {
            *entry = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn key() -> CacheKey {
        CacheKey {
            token_url: Some("https://idp/token".into()),
            issuer: None,
            client_id: "c".into(),
            secret_sha256: [7; 32],
            style: ClientAuthStyle::Body,
            scope: "s".into(),
            audience: None,
        }
    }

    fn token(value: &str, life: u64) -> Token {
        Token {
            access_token: value.into(),
            token_type: "Bearer".into(),
            expires_in: Some(Duration::from_secs(life)),
            scope: None,
        }
    }

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::default());
        let fetches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (cache, fetches) = (cache.clone(), fetches.clone());
            tasks.push(tokio::spawn(async move {
                cache
                    .get(&key(), || async {
                        fetches.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(token("t1", 3600))
                    })
                    .await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap().access_token, "t1");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn invalidated_tokens_are_fetched_again() {
        let cache = TokenCache::default();
        cache.get(&key(), || async { Ok(token("t1", 3600)) }).await.unwrap();
        cache.invalidate(&key(), "other").await;
        let same = cache.get(&key(), || async { Ok(token("t2", 3600)) }).await.unwrap();
        assert_eq!(same.access_token, "t1");
        cache.invalidate(&key(), "t1").await;
        let fresh = cache.get(&key(), || async { Ok(token("t2", 3600)) }).await.unwrap();
        assert_eq!(fresh.access_token, "t2");
    }

    #[test]
    fn refreshes_a_tenth_of_the_lifetime_early() {
        assert_eq!(refresh_margin(Duration::from_secs(2)), Duration::from_millis(200));
        assert_eq!(refresh_margin(Duration::from_secs(3600)), Duration::from_secs(30));
    }
}
