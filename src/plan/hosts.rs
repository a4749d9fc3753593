//! The origins a run will send to, named on its first line so nobody mistakes a run against
//! a tenant for one against the mock: every variable that is a URL, and every token endpoint.

use std::collections::BTreeSet;

use crate::auth::Credentials;

/// `https://host[:port]` of each text that is an http(s) URL, once each, sorted.
pub fn origins<'a>(urls: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut found = BTreeSet::new();
    for text in urls {
        let text = text.trim();
        if !(text.starts_with("http://") || text.starts_with("https://")) {
            continue;
        }
        if let Ok(url) = url::Url::parse(text) {
            found.insert(url.origin().ascii_serialization());
        }
    }
    found.into_iter().collect()
}

/// The URLs a profile sends credentials to.
pub fn profile_urls(credentials: &Credentials) -> Vec<&str> {
    match credentials {
        Credentials::ClientCredentials(cc) => cc.token_url.iter().chain(&cc.issuer).map(String::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Every string in a JSON value.
pub fn strings(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        serde_json::Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_become_their_origins_once_each() {
        let found = origins([
            "https://acme.onk2.com/api",
            "https://acme.onk2.com",
            "http://127.0.0.1:8080/x",
            "not a url",
            "K2:DENALLIX\\bob",
        ]);
        assert_eq!(found, ["http://127.0.0.1:8080", "https://acme.onk2.com"]);
    }
}
