//! A received response as assertions and captures see it.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http::header::HeaderMap;
use serde_json::Value;

use crate::expect::paths::CompiledPath;
use crate::expect::pluck::pluck;

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// As received: taken from the HTTP response, not copied.
    pub headers: HeaderMap,
    pub body: Bytes,
    pub elapsed: Duration,
    /// Parsed on first use: a step without JSON assertions or captures never pays for it.
    json: OnceLock<Result<Value, String>>,
    /// Simple paths taken from the bytes so far (see `select`).
    plucks: Cell<u8>,
}

/// Simple paths a response answers from its bytes before building its document is cheaper.
const MAX_PLUCKS: u8 = 3;

impl Response {
    pub fn new(status: u16, headers: HeaderMap, body: Bytes, elapsed: Duration) -> Self {
        Response {
            status,
            headers,
            body,
            elapsed,
            json: OnceLock::new(),
            plucks: Cell::new(0),
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
            serde_json::from_slice(crate::encoding::without_bom(&self.body))
                .map_err(|e| format!("the body is not JSON ({e})"))
        });
        parsed.as_ref().map_err(Clone::clone)
    }

    /// Every node a JSONPath selects. A simple path is taken from the bytes while the
    /// document has not been built, a few times; after that (or for any other path), the
    /// document is built once and queried.
    pub fn select(&self, path: &CompiledPath) -> Result<Vec<Value>, String> {
        if let Some(segments) = &path.simple {
            if self.json.get().is_none() && self.plucks.get() < MAX_PLUCKS {
                self.plucks.set(self.plucks.get() + 1);
                // A body that is not JSON falls through: parsing it says why.
                if let Ok(found) = pluck(crate::encoding::without_bom(&self.body), segments) {
                    return Ok(found.into_iter().collect());
                }
            }
        }
        let json = self.json()?;
        Ok(path.path.query(json).all().into_iter().cloned().collect())
    }

    /// Replaces the body with merged JSON (OData/SCIM paging gathers pages into one).
    pub fn set_json(&mut self, value: Value) {
        self.body = serde_json::to_vec(&value).unwrap_or_default().into();
        self.json = OnceLock::from(Ok(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::paths::JsonPaths;

    fn response(body: &str) -> Response {
        Response::new(200, HeaderMap::new(), Bytes::from(body.to_owned()), Duration::ZERO)
    }

    #[test]
    fn headers_are_found_in_any_case_and_repeated_ones_joined() {
        let mut headers = HeaderMap::new();
        headers.append("set-cookie", "a=1".parse().unwrap());
        headers.append("set-cookie", "b=2".parse().unwrap());
        headers.append("x-bytes", http::header::HeaderValue::from_bytes(b"caf\xe9").unwrap());
        let r = Response::new(200, headers, Bytes::new(), Duration::ZERO);
        assert_eq!(r.header("Set-Cookie").as_deref(), Some("a=1, b=2"));
        assert_eq!(r.header("X-BYTES").as_deref(), Some("caf\u{fffd}"));
        assert_eq!(r.header("missing"), None);
        assert_eq!(r.header("not a header name"), None);
    }

    #[test]
    fn simple_paths_are_read_from_the_bytes_a_few_times_then_from_the_document() {
        let paths = JsonPaths::default();
        let r = response(r#"{"value": [{"ID": 7}], "n": 1}"#);
        for _ in 0..MAX_PLUCKS {
            assert_eq!(
                r.select(&paths.get("$.value[0].ID").unwrap()).unwrap(),
                vec![Value::from(7)]
            );
            assert!(r.json.get().is_none(), "no document built yet");
        }
        assert_eq!(r.select(&paths.get("$.n").unwrap()).unwrap(), vec![Value::from(1)]);
        assert!(r.json.get().is_some(), "built once the plucks are spent");
        assert_eq!(
            r.select(&paths.get("$.value[0].ID").unwrap()).unwrap(),
            vec![Value::from(7)]
        );
    }

    #[test]
    fn other_paths_use_the_document_and_bad_bodies_say_why() {
        let paths = JsonPaths::default();
        let r = response(r#"{"value": [{"ID": 7}, {"ID": 8}]}"#);
        let ids = r.select(&paths.get("$.value[*].ID").unwrap()).unwrap();
        assert_eq!(ids, vec![Value::from(7), Value::from(8)]);
        let err = response("<html>").select(&paths.get("$.a").unwrap()).unwrap_err();
        assert!(err.starts_with("the body is not JSON"), "{err}");
        let err = response("").select(&paths.get("$.a").unwrap()).unwrap_err();
        assert_eq!(err, "the body is empty");
    }
}
