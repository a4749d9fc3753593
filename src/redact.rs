//! The one set of secrets of a run, and masking applied by every writer.
//!
//! Secrets are added as they become known (at plan time for `secret.*`, passwords and
//! client secrets; when fetched for tokens), together with the forms they take on the
//! wire: URL-encoded, form-encoded, and the Base64 of a Basic header.

use std::borrow::Cow;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

pub const MASK: &str = "***";

/// Shorter values would mask ordinary words; such a value is no secret worth the name.
const MIN_SECRET_LEN: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<Vec<String>>>,
}

impl Redactor {
    /// Adds a secret and its encoded forms.
    pub fn add(&self, secret: &str) {
        if secret.trim().chars().count() < MIN_SECRET_LEN {
            return;
        }
        self.insert(crate::redact_forms::forms(secret));
    }

    /// Adds a Basic credential: the password, and the Base64 the header carries.
    pub fn add_basic(&self, user: &str, password: &str) {
        self.add(password);
        let encoded = STANDARD.encode(format!("{user}:{password}"));
        self.insert(vec![encoded]);
    }

    fn insert(&self, forms: Vec<String>) {
        let mut secrets = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        for form in forms {
            if form.len() >= MIN_SECRET_LEN && !secrets.contains(&form) {
                secrets.push(form);
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Whether `bytes` hold any known secret, in any of its forms.
    pub fn holds_secret(&self, bytes: &[u8]) -> bool {
        let secrets = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        secrets
            .iter()
            .any(|secret| memchr::memmem::find(bytes, secret.as_bytes()).is_some())
    }

    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let secrets = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        let mut out = Cow::Borrowed(text);
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), MASK));
            }
        }
        out
    }

    pub fn redact_json(&self, value: &serde_json::Value) -> serde_json::Value {
        use serde_json::Value;
        match value {
            Value::String(s) => Value::String(self.redact(s).into_owned()),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.redact_json(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.redact(k).into_owned(), self.redact_json(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// A URL as it may be shown: the password of a `user:password@` authority masked, whether
/// or not it is a known secret (it is one by where it stands).
pub fn url_for_display(url: &str) -> std::borrow::Cow<'_, str> {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.into();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.into();
    };
    match rest[..at].find(':') {
        Some(colon) => format!("{}{}:{MASK}{}", &url[..scheme_end], &rest[..colon], &rest[at..]).into(),
        None => url.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_is_masked_for_display() {
        assert_eq!(
            url_for_display("https://u:p%3As@h:1/x?a=b@c"),
            format!("https://u:{MASK}@h:1/x?a=b@c")
        );
        assert_eq!(url_for_display("https://user@h/x"), "https://user@h/x");
        assert_eq!(url_for_display("https://h/x?mail=a@b:c"), "https://h/x?mail=a@b:c");
        assert_eq!(url_for_display("not a url"), "not a url");
    }

    #[test]
    fn masks_secrets_and_their_encoded_forms() {
        let r = Redactor::default();
        r.add("p@ss word");
        r.add_basic("DENALLIX\\administrator", "K2pass!");
        let basic = STANDARD.encode("DENALLIX\\administrator:K2pass!");
        let text = format!("a p@ss word b p%40ss%20word c p%40ss+word d Basic {basic} e K2pass!");
        assert_eq!(r.redact(&text), "a *** b *** c *** d Basic *** e ***");
    }

    #[test]
    fn ignores_empty_and_tiny_values() {
        let r = Redactor::default();
        r.add("");
        r.add("a");
        assert_eq!(r.redact("a banana"), "a banana");
    }
}
