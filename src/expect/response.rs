//! A received response as assertions and captures see it.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// As received: taken from the HTTP response, not copied.
    pub headers: HeaderMap,
    pub body: Bytes,
    pub elapsed: Duration,
    /// Parsed on first use: a step without JSON assertions or captures never pays for it.
    json: OnceLock<Result<Value, String>>,
}

impl Response {
    pub fn new(status: u16, headers: HeaderMap, body: Bytes, elapsed: Duration) -> Self {
        Response {
            status,
            headers,
            body,
            elapsed,
            json: OnceLock::new(),
        }
    }

    /// Every value of a header (case-insensitive), joined as HTTP folds them.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<std::borrow::Cow<str>> = self
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, or why it is not.
    pub fn json(&self) -> Result<&Value, String> {
        let parsed = self.json.get_or_init(|| {
            if self.body.is_empty() {
                return Err("the body is empty".into());
            }
            serde_json::from_slice(&self.body).map_err(|e| format!("the body is not JSON ({e})"))
        });
        parsed.as_ref().map_err(Clone::clone)
    }

    /// Replaces the body with merged JSON (OData/SCIM paging gathers pages into one).
    pub fn set_json(&mut self, value: Value) {
        self.body = serde_json::to_vec(&value).unwrap_or_default().into();
        self.json = OnceLock::from(Ok(value));
    }
}
