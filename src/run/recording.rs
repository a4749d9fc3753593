//! What a run keeps of each exchange for `--verbose` and the HTML report: headers and
//! bodies, masked before they are cut, JSON bodies pretty-printed. A run that shows none of
//! it records none of it.

use serde_json::Value;

use crate::auth::exchange_log::RawExchange;
use crate::event::{
    FollowUp, MessageDetail, Phase, ProblemKind, RequestLine, ResponseSummary, Status, StepProblem, StepResult,
};
use crate::expect::Response;
use crate::redact::Redactor;
use crate::run::resolve::ResolvedRequest;
use crate::source::Span;
use crate::text::masked_cut;

/// The most follow-up exchanges (pages, polls) a step keeps; the rest are counted.
pub const MAX_FOLLOW_UPS: usize = 50;

tokio::task_local! {
    /// The follow-up exchanges of the step attempt in flight on this task, when recording.
    static FOLLOW_UPS: std::cell::RefCell<(Vec<FollowUp>, usize)>;
}

/// Runs one attempt of a step, keeping the follow-up exchanges it makes when `recording`.
/// A task-local rather than one more argument through paging, polling and lookups: it is
/// the recording's concern only, and those run the same whether it is on or not.
pub async fn with_follow_ups<F: std::future::Future>(recording: bool, attempt: F) -> (F::Output, Vec<FollowUp>, usize) {
    if !recording {
        return (attempt.await, Vec::new(), 0);
    }
    let cell = std::cell::RefCell::new((Vec::new(), 0));
    FOLLOW_UPS
        .scope(cell, async {
            let output = attempt.await;
            let (kept, left_out) = FOLLOW_UPS.with(|c| std::mem::take(&mut *c.borrow_mut()));
            (output, kept, left_out)
        })
        .await
}

/// Keeps a follow-up exchange of the attempt in flight, if one is being recorded.
pub fn keep_follow_up(make: impl FnOnce() -> FollowUp) {
    let _ = FOLLOW_UPS.try_with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.0.len() < MAX_FOLLOW_UPS {
            cell.0.push(make());
        } else {
            cell.1 += 1;
        }
    });
}

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

    /// A profile's discovery or token exchange as a step named for the profile, masked: the
    /// credentials header named, never shown.
    pub fn auth_exchange(&self, raw: &RawExchange, span: Span, redactor: &Redactor) -> StepResult {
        let headers = raw
            .request_headers
            .iter()
            .map(|(name, value)| {
                let shown = if name == http::header::AUTHORIZATION {
                    format!("<client credentials of auth profile {}>", raw.profile)
                } else {
                    masked_cut(&String::from_utf8_lossy(value.as_bytes()), self.body_limit, redactor)
                };
                (name.as_str().to_owned(), shown)
            })
            .collect();
        let request = RequestLine {
            method: raw.method.to_string(),
            url: crate::redact::url_for_display(&redactor.redact(&raw.url)).into_owned(),
            detail: Some(Box::new(MessageDetail {
                headers,
                body: (!raw.request_body.is_empty()).then(|| self.body(&raw.request_body, redactor)),
            })),
        };
        let (status, response, error) = match &raw.outcome {
            Ok((code, headers, body)) => {
                let answer = Response::new(*code, headers.clone(), body.clone(), raw.elapsed);
                let status = if (200..300).contains(code) {
                    Status::Passed
                } else {
                    Status::Failed
                };
                let summary = ResponseSummary {
                    status: *code,
                    excerpt: None,
                    detail: Some(Box::new(self.response(&answer, redactor))),
                    time: Some(raw.elapsed),
                };
                (status, Some(summary), None)
            }
            Err(e) => {
                let message = redactor.redact(e).into_owned();
                (Status::Error, None, Some(StepProblem::new(ProblemKind::Token, message)))
            }
        };
        StepResult {
            name: format!("auth profile `{}`: {}", raw.profile, raw.what),
            description: None,
            phase: Phase::Main,
            span,
            status,
            attempts: 1,
            duration: raw.elapsed,
            request: Some(request),
            response,
            failures: Vec::new(),
            error,
            no_token: None,
            skip_reason: None,
            resends: 0,
            captured: Vec::new(),
            follow_ups: Vec::new(),
            follow_ups_left_out: 0,
            notes: Vec::new(),
        }
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
