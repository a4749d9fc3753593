//! What a step checks of its answer (`expect:`), takes from it (`capture:`), and how it
//! tries again (`retry:`).

use crate::diag::Diagnostic;
use crate::scenario::decode_predicate::{decode_predicates, decode_regex, decode_time};
use crate::scenario::fields::Reader;
use crate::scenario::model::{
    BodyAs, Capture, CaptureSource, EntitySetCheck, Expect, Redaction, Retry, SnapshotCheck, SnapshotForm, Spanned,
    StatusPattern, Template,
};
use crate::yaml::{Node, NodeKind};

pub const EXPECT_KEYS: &[&str] = &[
    "status",
    "headers",
    "json",
    "body",
    "schema",
    "time",
    "records",
    "odata_count",
    "entity_set",
    "snapshot",
];

pub const SNAPSHOT_KEYS: &[&str] = &["name", "shape", "redact"];

pub const CAPTURE_KINDS: &[&str] = &["json", "header", "regex", "body", "status"];

pub const RETRY_KEYS: &[&str] = &["until", "interval", "timeout", "attempts", "backoff"];

pub(super) fn decode_expect(r: &mut Reader, node: &Node) -> Expect {
    let mut expect = Expect::default();
    let Some(mut f) = r.fields(node, "expect", EXPECT_KEYS) else {
        return expect;
    };
    if let Some(n) = f.take("status") {
        expect.status = decode_status(r, n);
    }
    if let Some(n) = f.take("headers") {
        expect.headers = r
            .entries(n, "headers")
            .into_iter()
            .map(|(name, v)| (name, decode_predicates(r, v)))
            .collect();
    }
    if let Some(n) = f.take("json") {
        expect.json = r
            .entries(n, "json assertions")
            .into_iter()
            .map(|(path, v)| {
                (
                    crate::scenario::model::Template {
                        text: path.value,
                        span: path.span,
                    },
                    decode_predicates(r, v),
                )
            })
            .collect();
    }
    if let Some(n) = f.take("body") {
        expect.body = decode_predicates(r, n);
    }
    if let Some(n) = f.take("schema") {
        expect.schema = r.spanned_string(n, "a JSON Schema file").map(|s| Spanned {
            value: s.value.into(),
            span: s.span,
        });
    }
    if let Some(n) = f.take("time") {
        expect.time = decode_time(r, n);
    }
    if let Some(n) = f.take("records") {
        expect.records = decode_predicates(r, n);
    }
    if let Some(n) = f.take("odata_count") {
        expect.odata_count = decode_predicates(r, n);
    }
    if let Some(n) = f.take("entity_set") {
        expect.entity_set = decode_entity_set(r, n);
    }
    if let Some(n) = f.take("snapshot") {
        expect.snapshot = decode_snapshot(r, n).map(Box::new);
    }
    expect
}

/// `snapshot: true`, `snapshot: NAME`, or `snapshot: { name, shape, redact }`; `false` is none.
fn decode_snapshot(r: &mut Reader, node: &Node) -> Option<SnapshotCheck> {
    let mut check = SnapshotCheck {
        name: None,
        shape: false,
        redact: Vec::new(),
        form: SnapshotForm::Body,
        span: node.span,
    };
    match &node.kind {
        NodeKind::Map(_) => {
            let mut f = r.fields(node, "a snapshot", SNAPSHOT_KEYS)?;
            check.name = f.take("name").and_then(|n| snapshot_name(r, n));
            check.shape = f.take("shape").and_then(|n| r.bool(n, "shape")).unwrap_or(false);
            if let Some(n) = f.take("redact") {
                check.redact = decode_redactions(r, n);
            }
            Some(check)
        }
        _ => match node.as_scalar() {
            Some("true") => Some(check),
            Some("false") => None,
            _ => {
                check.name = snapshot_name(r, node);
                Some(check)
            }
        },
    }
}

/// A snapshot's name: it names a file, so it is one plain segment.
fn snapshot_name(r: &mut Reader, node: &Node) -> Option<Spanned<String>> {
    let name = r.spanned_string(node, "a snapshot name")?;
    let plain = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ');
    if name.value.trim().is_empty() || !name.value.chars().all(plain) || name.value.starts_with('.') {
        r.error(
            Diagnostic::error(format!("invalid snapshot name `{}`", name.value), name.span)
                .with_help("a snapshot's name names its file: letters, digits, spaces, `-`, `_` and `.`, not first"),
        );
        return None;
    }
    Some(name)
}

/// `redact: { JSONPATH: PLACEHOLDER, … }`.
pub(super) fn decode_redactions(r: &mut Reader, node: &Node) -> Vec<Redaction> {
    r.entries(node, "redactions (a JSONPath: its placeholder)")
        .into_iter()
        .filter_map(|(path, value)| {
            let placeholder = r.string(value, "a placeholder")?;
            Some(Redaction {
                path: Template {
                    text: path.value,
                    span: path.span,
                },
                placeholder,
            })
        })
        .collect()
}

pub(super) fn decode_status(r: &mut Reader, node: &Node) -> Option<Spanned<Vec<StatusPattern>>> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    let mut patterns = Vec::new();
    for item in items {
        let text = r.string(item, "a status code")?;
        let pattern = match text.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) => Some(StatusPattern::Code(code)),
            _ => {
                let lower = text.to_ascii_lowercase();
                match lower.as_bytes() {
                    [d @ b'1'..=b'5', b'x', b'x'] => Some(StatusPattern::Class(u16::from(d - b'0'))),
                    _ => None,
                }
            }
        };
        match pattern {
            Some(p) => patterns.push(p),
            None => r.error(
                Diagnostic::error(format!("invalid status `{text}`"), item.span)
                    .with_help("write a code (200), a class (2xx) or a list ([200, 204])"),
            ),
        }
    }
    Some(Spanned {
        value: patterns,
        span: node.span,
    })
}

pub(super) fn decode_captures(r: &mut Reader, node: &Node) -> Vec<Capture> {
    let mut captures = Vec::new();
    for (name, spec) in r.entries(node, "capture") {
        // `id: $.value[0].ID` is short for `id: { json: $.value[0].ID }`.
        if spec.as_scalar().is_some_and(|s| s.trim_start().starts_with('$')) {
            if let Some(path) = r.template(spec, "a JSONPath") {
                let span = name.span;
                captures.push(Capture {
                    name,
                    source: CaptureSource::Json(path),
                    span,
                });
            }
            continue;
        }
        let Some(mut f) = r.fields(
            spec,
            "a capture",
            &["json", "header", "regex", "group", "body", "status"],
        ) else {
            continue;
        };
        let mut sources = Vec::new();
        if let Some(n) = f.take("json") {
            sources.extend(r.template(n, "a JSONPath").map(CaptureSource::Json));
        }
        if let Some(n) = f.take("header") {
            sources.extend(r.string(n, "a header name").map(CaptureSource::Header));
        }
        let group = f.take("group").and_then(|n| r.u32(n, "a group number"));
        if let Some(n) = f.take("regex") {
            if let Some(regex) = decode_regex(r, n) {
                let group = group.unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 }) as usize;
                if group >= regex.captures_len() {
                    r.error(Diagnostic::error(format!("the regex has no group {group}"), n.span));
                }
                sources.push(CaptureSource::Regex { regex, group });
            }
        }
        if let Some(n) = f.take("body") {
            match r.string(n, "`text`, `integer` or `json`").as_deref() {
                Some("text") => sources.push(CaptureSource::Body(BodyAs::Text)),
                Some("integer") => sources.push(CaptureSource::Body(BodyAs::Integer)),
                Some("json") => sources.push(CaptureSource::Body(BodyAs::Json)),
                Some(other) => r.error(
                    Diagnostic::error(format!("unknown body capture `{other}`"), n.span)
                        .with_help("body is captured as `text`, `integer` or `json`"),
                ),
                None => {}
            }
        }
        if let Some(n) = f.take("status") {
            if r.bool(n, "status").unwrap_or(false) {
                sources.push(CaptureSource::Status);
            }
        }
        if sources.len() != 1 {
            r.error(
                Diagnostic::error(format!("capture `{}` needs exactly one source", name.value), spec.span)
                    .with_help(format!("sources: {}", CAPTURE_KINDS.join(", "))),
            );
            continue;
        }
        let span = name.span;
        captures.extend(sources.pop().map(|source| Capture { name, source, span }));
    }
    captures
}

pub(super) fn decode_retry(r: &mut Reader, node: &Node) -> Option<Retry> {
    let mut f = r.fields(node, "retry", RETRY_KEYS)?;
    if let Some(n) = f.take("until") {
        if r.string(n, "`pass`").as_deref() != Some("pass") {
            r.error(Diagnostic::error("`until` takes `pass`", n.span));
        }
    }
    let interval = f.take("interval").and_then(|n| r.duration(n, "interval"));
    let timeout = f.take("timeout").and_then(|n| r.duration(n, "timeout"));
    let attempts = f.take("attempts").and_then(|n| r.u32(n, "attempts"));
    let backoff = match f.take("backoff") {
        Some(n) => match n.to_json().as_f64() {
            Some(b) if (1.0..=10.0).contains(&b) => b,
            _ => {
                r.error(
                    Diagnostic::error("`backoff` is a factor between 1 and 10", n.span)
                        .with_help("each wait is the previous one times this factor; 1 keeps it constant"),
                );
                1.0
            }
        },
        None => 1.0,
    };
    if timeout.is_none() && attempts.is_none() {
        r.error(
            Diagnostic::error("`retry` needs `timeout` or `attempts`", node.span)
                .with_help("without one it could poll forever"),
        );
        return None;
    }
    Some(Retry {
        span: node.span,
        interval: interval.unwrap_or(std::time::Duration::from_secs(1)),
        timeout,
        attempts,
        backoff,
    })
}

/// `entity_set: { name: EmployeeSample, properties: [ID, LastName] }`.
pub(super) fn decode_entity_set(r: &mut Reader, node: &Node) -> Option<EntitySetCheck> {
    let mut f = r.fields(node, "entity_set", &["name", "properties"])?;
    let name = match f.take("name") {
        Some(n) => r.template(n, "an entity set name")?,
        None => {
            r.error(Diagnostic::error("`entity_set` needs a `name`", node.span));
            return None;
        }
    };
    let properties = match f.take("properties") {
        Some(n) => r
            .list(n, "properties")
            .iter()
            .filter_map(|p| r.template(p, "a property name"))
            .collect(),
        None => Vec::new(),
    };
    Some(EntitySetCheck {
        name,
        properties,
        span: node.span,
    })
}
