//! What a run keeps of each exchange for `--verbose` and the HTML report: headers and
//! bodies, masked before they are cut, JSON bodies pretty-printed. A run that shows none of
//! it records none of it.

use serde_json::Value;

use crate::event::MessageDetail;
use crate::expect::Response;
use crate::redact::Redactor;
use crate::run::resolve::ResolvedRequest;
use crate::text::masked_cut;

/// The default cut of a recorded body, in characters (`--body-limit`).
pub const DEFAULT_BODY_LIMIT: usize = 4000;

#[derive(Debug, Clone, Copy)]
pub struct Recording {
    /// Bodies are cut after this many characters.
    pub body_limit: usize,
}

impl Recording {
    /// What was sent: the step's headers, the credentials named by their profile (never
    /// their value: `credentials` is how they show), and the body.
    pub fn request(
        &self,
        request: &ResolvedRequest,
        credentials: Option<(String, String)>,
        redactor: &Redactor,
    ) -> MessageDetail {
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .map(|(name, value)| (name.clone(), masked_cut(value, self.body_limit, redactor)))
            .collect();
        headers.extend(credentials);
        MessageDetail {
            headers,
            body: request.body.as_deref().map(|b| self.body(b, redactor)),
        }
    }

    pub fn response(&self, response: &Response, redactor: &Redactor) -> MessageDetail {
        let headers = response
            .headers
            .iter()
            .map(|(name, value)| {
                let text = String::from_utf8_lossy(value.as_bytes());
                (name.as_str().to_owned(), masked_cut(&text, self.body_limit, redactor))
            })
            .collect();
        MessageDetail {
            headers,
            body: (!response.body.is_empty()).then(|| self.body(&response.body, redactor)),
        }
    }

    /// A body as text: pretty JSON when it is JSON, said in words when it is not text.
    fn body(&self, bytes: &[u8], redactor: &Redactor) -> String {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return format!("<{} bytes, not UTF-8 text>", bytes.len());
        };
        let pretty = serde_json::from_str::<Value>(text)
            .ok()
            .filter(|v| v.is_object() || v.is_array())
            .and_then(|v| serde_json::to_string_pretty(&v).ok());
        masked_cut(pretty.as_deref().unwrap_or(text), self.body_limit, redactor)
    }

    /// Captured values as text, masked.
    pub fn captures(&self, captures: &[(String, Value)], redactor: &Redactor) -> Vec<(String, String)> {
        captures
            .iter()
            .map(|(name, value)| {
                (
                    name.clone(),
                    masked_cut(&crate::text::scalar_text(value), self.body_limit, redactor),
                )
            })
            .collect()
    }
}
