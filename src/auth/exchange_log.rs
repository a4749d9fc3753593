//! The discovery and token requests a profile makes, kept for `-v` and the HTML report when
//! the run records exchanges: a failed token is then visible where a user looks first. Kept
//! raw here; the runner masks them (after the token they hand out is known as a secret).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, Method};

use crate::http::{Client, HttpError, Request, Response};

/// One request a profile sent for its credentials, and what came back.
#[derive(Debug, Clone)]
pub struct RawExchange {
    pub profile: String,
    /// `discovery` or `token request`.
    pub what: &'static str,
    pub method: Method,
    pub url: String,
    pub request_headers: HeaderMap,
    pub request_body: Bytes,
    /// The status, headers and body, or why there was no answer.
    pub outcome: Result<(u16, HeaderMap, Bytes), String>,
    pub elapsed: Duration,
}

/// Where a run's auth exchanges wait for the runner; empty unless recording is on.
#[derive(Debug, Default)]
pub struct ExchangeLog {
    on: AtomicBool,
    kept: Mutex<Vec<RawExchange>>,
}

impl ExchangeLog {
    pub fn record(&self) {
        self.on.store(true, Ordering::SeqCst);
    }

    pub fn take(&self) -> Vec<RawExchange> {
        std::mem::take(&mut *self.kept.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Sends `request` for `profile` through `client`, keeping the exchange when recording.
    pub async fn send(
        &self,
        client: &Client,
        request: Request,
        profile: &str,
        what: &'static str,
    ) -> Result<Response, HttpError> {
        if !self.on.load(Ordering::SeqCst) {
            return client.send(request).await;
        }
        let (method, url) = (request.method.clone(), request.url.to_string());
        let (request_headers, request_body) = (request.headers.clone(), request.body.clone());
        let started = Instant::now();
        let answer = client.send(request).await;
        let outcome = match &answer {
            Ok(r) => Ok((r.status, r.headers.clone(), r.body.clone())),
            Err(e) => Err(e.to_string()),
        };
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).push(RawExchange {
            profile: profile.to_owned(),
            what,
            method,
            url,
            request_headers,
            request_body,
            outcome,
            elapsed: started.elapsed(),
        });
        answer
    }
}
