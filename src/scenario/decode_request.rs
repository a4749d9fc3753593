//! A step's `request:`: method, URL, headers, query and body; and the headers a K2-aware
//! step adds to its own request.

use crate::diag::Diagnostic;
use crate::scenario::fields::Reader;
use crate::scenario::model::{Body, Follow, Request, Spanned, Template};
use crate::yaml::{Node, NodeKind};

pub const REQUEST_KEYS: &[&str] = &[
    "method",
    "url",
    "query",
    "headers",
    "json",
    "form",
    "body",
    "timeout",
    "follow_redirects",
];

pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// `headers:` of a request or a K2 step, each name and fixed value checked.
pub(super) fn decode_headers(r: &mut Reader, node: &Node) -> Vec<(Spanned<String>, Template)> {
    r.entries(node, "headers")
        .into_iter()
        .filter_map(|(k, v)| {
            let value = r.template(v, "a header value")?;
            check_header(r, &k, &value);
            Some((k, value))
        })
        .collect()
}

/// A K2 step's own `headers:` (`If-Match`, `Prefer`, `Accept`) added to its expanded request;
/// one named like a header the expansion sets replaces it.
pub(super) fn with_headers(r: &mut Reader, node: &Node, (mut request, follow): (Request, Follow)) -> (Request, Follow) {
    let NodeKind::Map(entries) = &node.kind else {
        return (request, follow);
    };
    if let Some((_, headers)) = entries.iter().find(|(k, _)| k.as_scalar() == Some("headers")) {
        for (name, value) in decode_headers(r, headers) {
            request
                .headers
                .retain(|(h, _)| !h.value.eq_ignore_ascii_case(&name.value));
            request.headers.push((name, value));
        }
    }
    (request, follow)
}

pub(super) fn decode_request(r: &mut Reader, node: &Node) -> Option<Request> {
    let mut f = r.fields(node, "a request", REQUEST_KEYS)?;
    let method = match f.take("method") {
        Some(n) => {
            let m = r.spanned_string(n, "an HTTP method")?;
            let upper = m.value.to_ascii_uppercase();
            if !METHODS.contains(&upper.as_str()) {
                r.error(
                    Diagnostic::error(format!("unknown HTTP method `{}`", m.value), m.span)
                        .with_help(format!("method is one of: {}", METHODS.join(", "))),
                );
            }
            Spanned {
                value: upper,
                span: m.span,
            }
        }
        None => Spanned {
            value: "GET".into(),
            span: node.span,
        },
    };
    let url = match f.take("url") {
        Some(n) => r.template(n, "a URL"),
        None => {
            r.error(Diagnostic::error("a request needs a `url`", node.span));
            None
        }
    };
    let query = f
        .take("query")
        .map(|n| r.entries(n, "query").into_iter().map(|(k, v)| (k, v.clone())).collect())
        .unwrap_or_default();
    let headers = f.take("headers").map(|n| decode_headers(r, n)).unwrap_or_default();
    let mut bodies = Vec::new();
    if let Some((key, n)) = f.take_with_key("json") {
        bodies.push((key.span, Body::Json(n.clone())));
    }
    if let Some((key, n)) = f.take_with_key("form") {
        let fields = r.entries(n, "form").into_iter().map(|(k, v)| (k, v.clone())).collect();
        bodies.push((key.span, Body::Form(fields)));
    }
    if let Some((key, n)) = f.take_with_key("body") {
        if matches!(n.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
            r.error(
                Diagnostic::error("`body` is raw text; this is a mapping or a list", n.span)
                    .with_help("send it as JSON with `json:` instead of `body:` (or as a form with `form:`)"),
            );
        } else if let Some(t) = r.template(n, "a request body") {
            bodies.push((key.span, Body::Raw(t)));
        }
    }
    if bodies.len() > 1 {
        r.error(
            Diagnostic::error("a request has one body: `json`, `form` or `body`", bodies[1].0)
                .with_label("second body"),
        );
    }
    let timeout = f.take("timeout").and_then(|n| r.duration(n, "timeout"));
    let follow_redirects = f
        .take("follow_redirects")
        .and_then(|n| r.bool(n, "follow_redirects"))
        .unwrap_or(false);
    Some(Request {
        method,
        url: url?,
        query,
        headers,
        body: bodies.into_iter().next().map(|(_, b)| b),
        timeout,
        follow_redirects,
    })
}

/// A header name HTTP does not allow, or a fixed value it does not (a rendered value is
/// checked when it is sent), is found here rather than at the first request.
pub(super) fn check_header(r: &mut Reader, name: &Spanned<String>, value: &Template) {
    if http::header::HeaderName::from_bytes(name.value.as_bytes()).is_err() {
        r.error(
            Diagnostic::error(format!("`{}` is not a valid HTTP header name", name.value), name.span)
                .with_help("a header name is letters, digits and !#$%&'*+-.^_`|~, with no spaces or colons"),
        );
    }
    if value.is_static() && http::header::HeaderValue::from_str(&value.text).is_err() {
        r.error(
            Diagnostic::error("this header value holds characters HTTP does not allow", value.span)
                .with_help("line breaks and other control characters cannot be sent in a header"),
        );
    }
}
