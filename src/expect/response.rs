//! A received response as assertions and captures see it.

use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
    json: Option<Result<Value, String>>,
}

impl Response {
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>, elapsed: Duration) -> Self {
        let json = if body.is_empty() {
            None
        } else {
            Some(serde_json::from_slice(&body).map_err(|e| e.to_string()))
        };
        Response {
            status,
            headers,
            body,
            elapsed,
            json,
        }
    }

    /// Every value of a header (case-insensitive), joined as HTTP folds them.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON, or why it is not.
    pub fn json(&self) -> Result<&Value, String> {
        match &self.json {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(format!("the body is not JSON ({e})")),
            None => Err("the body is empty".into()),
        }
    }

    /// Replaces the body with merged JSON (OData/SCIM paging gathers pages into one).
    pub fn set_json(&mut self, value: Value) {
        self.body = serde_json::to_vec(&value).unwrap_or_default();
        self.json = Some(Ok(value));
    }
}
