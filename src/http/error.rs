//! What can go wrong on the wire, each worded once. "Could not be sent" and "the response could
//! not be read" stay apart: the first means the tenant may never have seen the request, the
//! second that it did and its answer was lost.

use std::time::Duration;

use crate::event::ProblemKind;
use crate::http::MAX_BODY_BYTES;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The request cannot be put on the wire as written (a URL or header HTTP cannot carry).
    #[error("the request could not be sent: {0}")]
    Invalid(String),
    /// No connection: refused, unknown host, unreachable proxy.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The connection was made and the TLS handshake failed.
    #[error("the TLS handshake failed: {0}")]
    Tls(String),
    /// The whole exchange, redirects included, took longer than allowed.
    #[error("timed out after {} s", .0.as_secs_f64())]
    Timeout(Duration),
    /// The connection broke, or the server spoke something other than HTTP, before it answered.
    #[error("the request could not be sent: {0}")]
    Protocol(String),
    #[error("the response body is larger than {} MiB, the most k2check reads", MAX_BODY_BYTES >> 20)]
    BodyTooLarge,
    /// The status line came back; the body did not arrive whole.
    #[error("the response could not be read: {0}")]
    ReadFailed(String),
    #[error("more than {0} redirects")]
    TooManyRedirects(u32),
    /// A redirect that would take the request's credentials to another origin.
    #[error("the redirect to {to} was not followed: {why}")]
    RedirectRefused { to: String, why: &'static str },
    /// Under `--mock`, a request (or a redirect, or a next link) for another origin than the
    /// mock's: refused before a connection is opened.
    #[error("not sent: {origin} is not the mock's origin ({mock}), and under --mock nothing is sent anywhere else")]
    OutsideMock { origin: String, mock: String },
}

impl HttpError {
    /// Its kind, as the reports name it.
    pub fn kind(&self) -> ProblemKind {
        match self {
            HttpError::Invalid(_) | HttpError::Protocol(_) => ProblemKind::Send,
            HttpError::Connect(_) => ProblemKind::Connect,
            HttpError::Tls(_) => ProblemKind::Tls,
            HttpError::Timeout(_) => ProblemKind::Timeout,
            HttpError::BodyTooLarge => ProblemKind::BodyTooLarge,
            HttpError::ReadFailed(_) => ProblemKind::Read,
            HttpError::TooManyRedirects(_) => ProblemKind::Redirects,
            HttpError::RedirectRefused { .. } | HttpError::OutsideMock { .. } => ProblemKind::RefusedOrigin,
        }
    }

    /// A failure of hyper's client: at the connection, in TLS, or while sending.
    pub(crate) fn from_client(e: &hyper_util::client::legacy::Error) -> HttpError {
        let causes = causes(e);
        if let Some(tls) = tls_error(e) {
            HttpError::Tls(with_tls_hint(causes, tls))
        } else if e.is_connect() {
            HttpError::Connect(causes)
        } else {
            HttpError::Protocol(causes)
        }
    }

    /// A failure while the body was read.
    pub(crate) fn from_body(e: &(dyn std::error::Error + 'static)) -> HttpError {
        let mut words = e.to_string();
        let more = causes(e);
        if !more.is_empty() {
            words = format!("{words}: {more}");
        }
        HttpError::ReadFailed(words)
    }
}

/// The causes of `e` (each once), joined: "tcp connect error: Connection refused (os error 111)".
pub(crate) fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut found: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !found.iter().any(|c| c.contains(&text)) {
            found.push(text);
        }
        source = cause.source();
    }
    if found.is_empty() {
        e.to_string()
    } else {
        found.join(": ")
    }
}

/// The rustls error somewhere in the chain, when a handshake failed rather than a socket.
/// I/O errors wrap it (hyper-rustls wraps tokio-rustls's I/O error in another), and an I/O
/// error's `source()` skips what it wraps, so each is opened by hand.
fn tls_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(cause) = source {
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| tls_error(inner))
        {
            return Some(tls);
        }
        source = cause.source();
    }
    None
}

/// What to do about a certificate the trust store does not accept, the failure every private
/// CA meets first.
fn with_tls_hint(text: String, error: &rustls::Error) -> String {
    if matches!(error, rustls::Error::InvalidCertificate(_)) {
        format!(
            "{text} (if a private CA or a TLS-inspecting proxy signs this certificate, name the CA in `tls.ca_file`)"
        )
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_worded_once_and_sent_and_read_stay_apart() {
        let cases = [
            (
                HttpError::Invalid("bad URI".into()),
                "the request could not be sent: bad URI",
            ),
            (HttpError::Connect("refused".into()), "could not connect: refused"),
            (
                HttpError::Tls("UnknownIssuer".into()),
                "the TLS handshake failed: UnknownIssuer",
            ),
            (HttpError::Timeout(Duration::from_millis(1500)), "timed out after 1.5 s"),
            (
                HttpError::Protocol("connection closed".into()),
                "the request could not be sent: connection closed",
            ),
            (
                HttpError::BodyTooLarge,
                "the response body is larger than 64 MiB, the most k2check reads",
            ),
            (
                HttpError::ReadFailed("eof".into()),
                "the response could not be read: eof",
            ),
            (HttpError::TooManyRedirects(10), "more than 10 redirects"),
            (
                HttpError::RedirectRefused {
                    to: "http://other/".into(),
                    why: "it leads to another origin",
                },
                "the redirect to http://other/ was not followed: it leads to another origin",
            ),
        ];
        for (error, words) in cases {
            assert_eq!(error.to_string(), words);
        }
    }

    #[test]
    fn an_untrusted_certificate_names_the_setting_that_fixes_it() {
        let untrusted = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let text = with_tls_hint(untrusted.to_string(), &untrusted);
        assert!(text.ends_with("name the CA in `tls.ca_file`)"), "{text}");
        let other = rustls::Error::HandshakeNotComplete;
        assert_eq!(with_tls_hint("handshake failure".into(), &other), "handshake failure");
    }

    #[test]
    fn a_rustls_error_inside_an_io_error_is_tls() {
        let io = std::io::Error::other(rustls::Error::HandshakeNotComplete);
        assert!(tls_error(&io).is_some());
        assert!(
            tls_error(&std::io::Error::other(io)).is_some(),
            "wrapped twice, as hyper-rustls does"
        );
        assert!(tls_error(&std::io::Error::other("plain")).is_none());
    }
}
