//! Politeness: a cap on requests in flight per host, an optional global request rate, and a
//! budget of resends after 429/503 with `Retry-After`, shared by the whole run.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::scenario::model::Limits;

pub struct Gate {
    limits: Limits,
    /// Each host's cap, found by a scan: a run talks to a handful of hosts, and comparing
    /// a few short strings costs less than hashing one.
    hosts: Mutex<Vec<(String, Arc<Semaphore>)>>,
    /// When the next request may leave, under a rate limit.
    next_slot: Mutex<Option<Instant>>,
    retries_used: AtomicU32,
    /// Requests sent so far: said to the reporters as `Event::Progress`.
    requests: AtomicU64,
}

impl Gate {
    pub fn new(limits: Limits) -> Self {
        Gate {
            limits,
            hosts: Mutex::new(Vec::new()),
            next_slot: Mutex::new(None),
            retries_used: AtomicU32::new(0),
            requests: AtomicU64::new(0),
        }
    }

    /// Waits for the host's cap and the rate; hold the permit while the request is in flight.
    pub async fn enter(&self, url: &str) -> Option<OwnedSemaphorePermit> {
        let semaphore = authority(url).map(|host| {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            match hosts.iter().find(|(known, _)| known.eq_ignore_ascii_case(host)) {
                Some((_, cap)) => cap.clone(),
                None => {
                    let cap = Arc::new(Semaphore::new(self.limits.per_host as usize));
                    hosts.push((host.to_ascii_lowercase(), cap.clone()));
                    cap
                }
            }
        });
        let permit = match semaphore {
            Some(s) => s.acquire_owned().await.ok(),
            None => None,
        };
        if let Some(rate) = self.limits.rate {
            let slot = {
                let mut next = self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                let slot = next.map_or(now, |n| n.max(now));
                *next = Some(slot + Duration::try_from_secs_f64(1.0 / rate).unwrap_or(Duration::from_secs(3600)));
                slot
            };
            tokio::time::sleep_until(slot.into()).await;
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        permit
    }

    /// How many requests have gone through the gate.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// How long to wait before resending after a 429/503, if the budget and the limit allow.
    pub fn retry_after(&self, status: u16, header: Option<&str>) -> Option<Duration> {
        if status != 429 && status != 503 {
            return None;
        }
        let wait = parse_retry_after(header?)?;
        if wait > self.limits.max_retry_wait {
            return None;
        }
        let used = self.retries_used.fetch_add(1, Ordering::SeqCst);
        (used < self.limits.retry_budget).then_some(wait)
    }
}

/// `host:port` of a URL, the key of the per-host cap (cheaper than parsing the URL);
/// compare it without regard to case.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    (!host.is_empty()).then_some(host)
}

/// `Retry-After`: seconds, or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_keyed_by_authority() {
        assert_eq!(authority("https://Acme.onk2.com/api/x?y"), Some("Acme.onk2.com"));
        assert_eq!(authority("http://user:pw@127.0.0.1:8080/x"), Some("127.0.0.1:8080"));
        assert_eq!(authority("not a url"), None);
    }

    #[test]
    fn retry_after_takes_seconds_or_dates_within_budget_and_limit() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT").is_some());
        assert_eq!(parse_retry_after("soon"), None);
        let gate = Gate::new(Limits {
            retry_budget: 2,
            ..Limits::default()
        });
        assert_eq!(gate.retry_after(200, Some("1")), None);
        assert_eq!(gate.retry_after(429, None), None);
        assert_eq!(gate.retry_after(429, Some("600")), None, "longer than max_retry_wait");
        assert_eq!(gate.retry_after(503, Some("1")), Some(Duration::from_secs(1)));
        assert_eq!(gate.retry_after(429, Some("0")), Some(Duration::ZERO));
        assert_eq!(gate.retry_after(429, Some("1")), None, "the budget is spent");
    }

    #[tokio::test]
    async fn the_rate_spaces_requests() {
        let gate = Gate::new(Limits {
            rate: Some(50.0),
            ..Limits::default()
        });
        let started = Instant::now();
        for _ in 0..11 {
            drop(gate.enter("http://127.0.0.1:1/x").await);
        }
        assert!(
            started.elapsed() >= Duration::from_millis(195),
            "{:?}",
            started.elapsed()
        );
    }
}
