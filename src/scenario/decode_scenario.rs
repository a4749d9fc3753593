//! A scenario file from its YAML tree.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::scenario::decode_k2::{decode_odata, decode_scim, decode_workflow};
use crate::scenario::decode_predicate::{decode_predicates, decode_regex, decode_time};
use crate::scenario::fields::Reader;
use crate::scenario::model::{
    AuthRef, Body, BodyAs, Capture, CaptureSource, EntitySetCheck, Expect, Follow, Request, Retry, RowSource, Scenario,
    Spanned, StatusPattern, Step, Template, Vars,
};
use crate::source::FileId;
use crate::yaml::{Node, NodeKind};

pub const SCENARIO_KEYS: &[&str] = &[
    "name",
    "description",
    "tags",
    "auth",
    "vars",
    "rows",
    "row_name",
    "steps",
    "finally",
];
pub const STEP_KEYS: &[&str] = &[
    "name",
    "description",
    "request",
    "odata",
    "scim",
    "workflow",
    "auth",
    "expect",
    "capture",
    "retry",
];
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
];
pub const CAPTURE_KINDS: &[&str] = &["json", "header", "regex", "body", "status"];
pub const RETRY_KEYS: &[&str] = &["until", "interval", "timeout", "attempts", "backoff"];
pub const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

pub fn decode_scenario(r: &mut Reader, file: FileId, path: &Path, root: &Node) -> Option<Scenario> {
    let mut f = r.fields(root, "a scenario", SCENARIO_KEYS)?;
    let name = match f.take("name") {
        Some(n) => r.spanned_string(n, "a scenario name"),
        None => {
            r.error(
                Diagnostic::error("a scenario needs a `name`", root.span).with_help("add `name: what this checks`"),
            );
            None
        }
    };
    let description = f.take("description").and_then(|n| r.string(n, "a description"));
    let tags = f.take("tags").map(|n| r.string_list(n, "a tag")).unwrap_or_default();
    let auth = f.take("auth").and_then(|n| decode_auth_ref(r, n));
    let vars = f.take("vars").map(|n| decode_vars(r, n)).unwrap_or_default();
    let rows = f.take("rows").and_then(|n| decode_rows(r, n));
    let row_name = f.take("row_name").and_then(|n| r.template(n, "a row name"));
    if let (Some(name), None) = (&row_name, &rows) {
        r.error(Diagnostic::warning(
            "`row_name` without `rows` names nothing",
            name.span,
        ));
    }
    let steps = match f.take("steps") {
        Some(n) => decode_steps(r, n),
        None => {
            r.error(Diagnostic::error("a scenario needs `steps`", root.span));
            Vec::new()
        }
    };
    let finally = f.take("finally").map(|n| decode_steps(r, n)).unwrap_or_default();
    Some(Scenario {
        file,
        path: path.to_path_buf(),
        name: name?,
        description,
        tags,
        auth,
        vars,
        rows,
        row_name,
        steps,
        finally,
    })
}

/// `rows:` is a list of mappings, or `{ file: PATH }`; the rows themselves are read when the
/// suite is planned, where a row file's problems get its own `file:line`.
fn decode_rows(r: &mut Reader, node: &Node) -> Option<RowSource> {
    match &node.kind {
        NodeKind::Seq(_) => Some(RowSource::Inline(node.clone())),
        NodeKind::Map(_) => {
            let mut f = r.fields(node, "rows", &["file"])?;
            match f.take("file") {
                Some(path) => r.spanned_string(path, "a row file's path").map(RowSource::File),
                None => {
                    r.error(
                        Diagnostic::error("`rows` as a mapping needs `file`", node.span)
                            .with_help("rows: { file: users.csv }  (a .csv, .yaml or .json file beside the scenario)"),
                    );
                    None
                }
            }
        }
        NodeKind::Scalar { .. } => {
            r.error(
                Diagnostic::error(
                    format!(
                        "`rows` must be a list of mappings or {{ file: … }}, found {}",
                        node.type_name()
                    ),
                    node.span,
                )
                .with_help("rows: [ { user: alice }, { user: bob } ]  or  rows: { file: users.csv }"),
            );
            None
        }
    }
}

fn decode_auth_ref(r: &mut Reader, node: &Node) -> Option<Spanned<AuthRef>> {
    let name = r.string(node, "an auth profile name or `none`")?;
    let value = if name == "none" {
        AuthRef::None
    } else {
        AuthRef::Profile(name)
    };
    Some(Spanned { value, span: node.span })
}

/// Named values, in the order written: a scenario's `vars`, the suite's and environments'.
pub fn decode_vars(r: &mut Reader, node: &Node) -> Vars {
    r.entries(node, "vars")
        .into_iter()
        .map(|(name, value)| (name, value.clone()))
        .collect()
}

pub fn decode_steps(r: &mut Reader, node: &Node) -> Vec<Step> {
    let items = r.list(node, "steps");
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| decode_step(r, i, item))
        .collect()
}

fn decode_step(r: &mut Reader, index: usize, node: &Node) -> Option<Step> {
    let mut f = r.fields(node, "a step", STEP_KEYS)?;
    let name = f
        .take("name")
        .and_then(|n| r.string(n, "a step name"))
        .unwrap_or_else(|| format!("step {}", index + 1));
    let description = f.take("description").and_then(|n| r.string(n, "a description"));
    let mut sends = Vec::new();
    if let Some(n) = f.take("request") {
        sends.push(decode_request(r, n).map(|req| (req, Follow::None)));
    }
    if let Some(n) = f.take("odata") {
        sends.push(decode_odata(r, n).map(|sent| with_headers(r, n, sent)));
    }
    if let Some(n) = f.take("scim") {
        sends.push(decode_scim(r, n).map(|sent| with_headers(r, n, sent)));
    }
    if let Some(n) = f.take("workflow") {
        sends.push(decode_workflow(r, n).map(|sent| with_headers(r, n, sent)));
    }
    if sends.len() != 1 {
        r.error(
            Diagnostic::error("a step sends one thing", node.span)
                .with_help("give it one of `request:`, `odata:`, `scim:` or `workflow:`"),
        );
    }
    let auth = f.take("auth").and_then(|n| decode_auth_ref(r, n));
    let expect = f.take("expect").map(|n| decode_expect(r, n)).unwrap_or_default();
    let mut capture = f.take("capture").map(|n| decode_captures(r, n)).unwrap_or_default();
    // A long scenario holds thousands of steps: no spare room in what never grows again.
    capture.shrink_to_fit();
    let retry = f.take("retry").and_then(|n| decode_retry(r, n));
    let (request, follow) = sends.into_iter().next().flatten()?;
    Some(Step {
        name,
        description,
        span: node.span,
        request,
        follow,
        auth,
        expect,
        capture,
        retry,
    })
}

/// `headers:` of a request or a K2 step, each name and fixed value checked.
fn decode_headers(r: &mut Reader, node: &Node) -> Vec<(Spanned<String>, Template)> {
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
fn with_headers(r: &mut Reader, node: &Node, (mut request, follow): (Request, Follow)) -> (Request, Follow) {
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

fn decode_request(r: &mut Reader, node: &Node) -> Option<Request> {
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

fn decode_expect(r: &mut Reader, node: &Node) -> Expect {
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
    expect
}

fn decode_status(r: &mut Reader, node: &Node) -> Option<Spanned<Vec<StatusPattern>>> {
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

fn decode_captures(r: &mut Reader, node: &Node) -> Vec<Capture> {
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

fn decode_retry(r: &mut Reader, node: &Node) -> Option<Retry> {
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

/// A header name HTTP does not allow, or a fixed value it does not (a rendered value is
/// checked when it is sent), is found here rather than at the first request.
fn check_header(r: &mut Reader, name: &Spanned<String>, value: &Template) {
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

/// `entity_set: { name: EmployeeSample, properties: [ID, LastName] }`.
fn decode_entity_set(r: &mut Reader, node: &Node) -> Option<EntitySetCheck> {
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
