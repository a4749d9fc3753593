//! K2-aware steps (`odata:`, `scim:`, `workflow:`) expanded into a plain request plus what
//! the runner does around it. The expansion is ordinary templates, so validation checks
//! them (an undefined `api` is reported like any other name) and `--dry-run` shows them.

use std::time::Duration;

use crate::diag::Diagnostic;
use crate::encoding::encode_path_segment;
use crate::scenario::fields::{Fields, Reader};
use crate::scenario::model::{Body, Follow, ODataVersion, Request, Spanned, Template};
use crate::source::Span;
use crate::template::{exact_expression, has_template};
use crate::yaml::{Node, NodeKind};

pub const ODATA_KEYS: &[&str] = &[
    "version",
    "service",
    "set",
    "key",
    "metadata",
    "filter",
    "where",
    "select",
    "orderby",
    "top",
    "skip",
    "count",
    "pages",
    "max_pages",
    "method",
    "json",
    "headers",
];
pub const SCIM_KEYS: &[&str] = &[
    "base",
    "list",
    "get",
    "create",
    "replace",
    "patch",
    "delete",
    "filter",
    "where",
    "count",
    "start_index",
    "pages",
    "max_pages",
    "body",
    "operations",
    "headers",
];
pub const WORKFLOW_KEYS: &[&str] = &[
    "start",
    "folio",
    "priority",
    "data",
    "wait_for_task",
    "interval",
    "timeout",
    "task",
    "action",
    "sleep_for",
    "sleep_until",
    "redirect_to",
    "list",
    "headers",
];

/// `pages: all` follows at most this many links, and fails if the service sends more.
pub const DEFAULT_MAX_PAGES: u32 = 100;

fn template(text: impl Into<String>, span: Span) -> Template {
    Template {
        text: text.into(),
        span,
    }
}

fn scalar(text: impl Into<String>, span: Span) -> Node {
    Node {
        kind: NodeKind::Scalar {
            text: text.into(),
            plain: false,
        },
        span,
    }
}

fn request(method: &str, url: Template, span: Span) -> Request {
    Request {
        method: Spanned {
            value: method.into(),
            span,
        },
        url,
        query: Vec::new(),
        headers: Vec::new(),
        body: None,
        timeout: None,
        follow_redirects: false,
    }
}

fn query(req: &mut Request, name: &str, value: String, span: Span) {
    req.query.push((
        Spanned {
            value: name.into(),
            span,
        },
        scalar(value, span),
    ));
}

/// A value as a literal of a query language: written literals are quoted now; templates are
/// quoted when rendered, by the `odata`/`scim` filters.
fn literal(node: &Node, language: &str) -> String {
    let Some(text) = node.as_scalar() else {
        return String::new();
    };
    if let Some(expr) = exact_expression(text) {
        return format!("{{{{ ({expr}) | {language} }}}}");
    }
    let (open, close) = if language == "odata" { ("'", "'") } else { ("\"", "\"") };
    if has_template(text) {
        return format!("{open}{{% filter {language}_escape %}}{text}{{% endfilter %}}{close}");
    }
    match (node.to_json(), language) {
        (serde_json::Value::String(s), "odata") => format!("'{}'", s.replace('\'', "''")),
        (serde_json::Value::String(s), _) => serde_json::to_string(&s).unwrap_or_default(),
        (other, _) => other.to_string(),
    }
}

/// An OData key as it goes in the URL, each literal quoted and percent-encoded as a path
/// segment: `4`, `'K2:DENALLIX%5Cbob'`, or for a composite key `OrderID=1,Line='x'`. A key
/// that cannot be written so (a list, an empty or nested mapping, null) is an error here.
fn odata_key(r: &mut Reader, node: &Node) -> Option<String> {
    let cannot = |r: &mut Reader, node: &Node| {
        r.error(
            Diagnostic::error(
                "an OData key is a value or a mapping of property names to values",
                node.span,
            )
            .with_help("key: 4, key: 'K2:DENALLIX\\bob', or key: { OrderID: 1, Line: 'x' }"),
        );
        None
    };
    match &node.kind {
        NodeKind::Scalar { .. } if node.is_null() => cannot(r, node),
        NodeKind::Scalar { .. } => Some(key_literal(node)),
        NodeKind::Map(entries) if entries.is_empty() => cannot(r, node),
        NodeKind::Map(_) => {
            let mut parts = Vec::new();
            for (name, value) in r.entries(node, "a composite key") {
                if !matches!(value.kind, NodeKind::Scalar { .. }) || value.is_null() {
                    return cannot(r, value);
                }
                parts.push(format!("{}={}", encode_path_segment(&name.value), key_literal(value)));
            }
            Some(parts.join(","))
        }
        NodeKind::Seq(_) => cannot(r, node),
    }
}

/// One key value: quoted for OData, encoded for a path; templates are quoted and encoded
/// when rendered, by the `odata_key` filters.
fn key_literal(node: &Node) -> String {
    let Some(text) = node.as_scalar() else {
        return String::new();
    };
    if let Some(expr) = exact_expression(text) {
        return format!("{{{{ ({expr}) | odata_key }}}}");
    }
    if has_template(text) {
        return format!("'{{% filter odata_key_escape %}}{text}{{% endfilter %}}'");
    }
    encode_path_segment(&literal(node, "odata"))
}

/// `where: { Prop: value, … }` -> `Prop eq 'value' and …`.
fn where_clause(r: &mut Reader, node: &Node, language: &str) -> String {
    let parts: Vec<String> = r
        .entries(node, "where")
        .into_iter()
        .map(|(name, value)| format!("{} eq {}", name.value, literal(value, language)))
        .collect();
    parts.join(" and ")
}

fn pages(r: &mut Reader, node: Option<&Node>, max: Option<&Node>) -> Option<(u32, bool)> {
    let max = max.and_then(|n| r.u32(n, "max_pages")).unwrap_or(DEFAULT_MAX_PAGES);
    match node {
        None => None,
        Some(n) if n.as_scalar() == Some("all") => Some((max, true)),
        Some(n) => r
            .u32(n, "`all` or a number of pages")
            .filter(|p| *p > 1)
            .map(|p| (p, false)),
    }
}

fn list_or_text(r: &mut Reader, node: &Node, what: &str) -> String {
    match &node.kind {
        NodeKind::Seq(_) => r.string_list(node, what).join(","),
        _ => r.string(node, what).unwrap_or_default(),
    }
}

pub fn decode_odata(r: &mut Reader, node: &Node) -> Option<(Request, Follow)> {
    let span = node.span;
    let mut f = r.fields(node, "an odata step", ODATA_KEYS)?;
    let version = match f
        .take("version")
        .map(|n| (n, n.as_scalar().map(str::to_ascii_lowercase)))
    {
        None => ODataVersion::V4,
        Some((_, Some(v))) if v == "v4" || v == "4" => ODataVersion::V4,
        Some((_, Some(v))) if v == "v3" || v == "3" => ODataVersion::V3,
        Some((n, _)) => {
            r.error(Diagnostic::error("`version` is v4 or v3", n.span));
            ODataVersion::V4
        }
    };
    let service = match f.take("service").and_then(|n| r.string(n, "a service URL")) {
        Some(s) => s.trim_end_matches('/').to_owned(),
        None if version == ODataVersion::V4 => "{{ api }}/api/odatav4/v4".into(),
        None => "{{ api }}/api/odata/v3".into(),
    };
    let set = f.take("set").and_then(|n| r.string(n, "an entity set"));
    let key = f.take("key");
    let metadata = f.take("metadata").and_then(|n| r.bool(n, "metadata")).unwrap_or(false);
    let mut url = match (&set, metadata) {
        (_, true) => format!("{service}/$metadata"),
        (Some(set), false) => format!("{service}/{set}"),
        (None, false) => format!("{service}/"),
    };
    if let Some(key) = key {
        if set.is_none() {
            r.error(Diagnostic::error("a `key` needs a `set`", key.span));
        }
        if let Some(key) = odata_key(r, key) {
            url.push_str(&format!("({key})"));
        }
    }
    let mut req = request("GET", template(url, span), span);
    let mut filters = Vec::new();
    if let Some(n) = f.take("filter") {
        filters.extend(r.string(n, "an OData filter expression").map(|t| format!("({t})")));
    }
    if let Some(n) = f.take("where") {
        filters.push(where_clause(r, n, "odata"));
    }
    if !filters.is_empty() {
        query(&mut req, "$filter", filters.join(" and "), span);
    }
    if let Some(n) = f.take("select") {
        query(&mut req, "$select", list_or_text(r, n, "a property"), span);
    }
    if let Some(n) = f.take("orderby") {
        query(&mut req, "$orderby", list_or_text(r, n, "an ordering"), span);
    }
    for name in ["top", "skip"] {
        if let Some(n) = f.take(name) {
            if let Some(v) = r.u32(n, name) {
                query(&mut req, &format!("${name}"), v.to_string(), span);
            }
        }
    }
    if let Some(n) = f.take("count") {
        if r.bool(n, "count") == Some(true) {
            match version {
                ODataVersion::V4 => query(&mut req, "$count", "true".into(), span),
                ODataVersion::V3 => query(&mut req, "$inlinecount", "allpages".into(), span),
            }
        }
    }
    if let Some(n) = f.take("method") {
        req.method = r.spanned_string(n, "an HTTP method").map(|m| Spanned {
            value: m.value.to_ascii_uppercase(),
            span: m.span,
        })?;
    }
    if let Some(n) = f.take("json") {
        req.body = Some(Body::Json(n.clone()));
        if req.method.value == "GET" {
            req.method.value = "POST".into();
        }
    }
    let (pages_node, max_node) = (f.take("pages"), f.take("max_pages"));
    let follow = match pages(r, pages_node, max_node) {
        Some((limit, strict)) => Follow::ODataPages { version, limit, strict },
        None => Follow::None,
    };
    Some((req, follow))
}

pub fn decode_scim(r: &mut Reader, node: &Node) -> Option<(Request, Follow)> {
    let span = node.span;
    let mut f = r.fields(node, "a scim step", SCIM_KEYS)?;
    let base = f
        .take("base")
        .and_then(|n| r.string(n, "a SCIM base URL"))
        .unwrap_or_else(|| "{{ scim }}".into());
    let base = base.trim_end_matches('/').to_owned();
    let verbs = [
        ("list", "GET"),
        ("get", "GET"),
        ("create", "POST"),
        ("replace", "PUT"),
        ("patch", "PATCH"),
        ("delete", "DELETE"),
    ];
    let mut chosen = Vec::new();
    for (key, method) in verbs {
        if let Some(n) = f.take(key) {
            chosen.push((key, method, r.string(n, "a resource path (Users, Groups/{id})")?));
        }
    }
    let [(verb, method, path)] = chosen.as_slice() else {
        r.error(
            Diagnostic::error("a scim step does one thing", span)
                .with_help("write one of: list, get, create, replace, patch, delete"),
        );
        return None;
    };
    let mut req = request(
        method,
        template(
            format!("{base}/{}", encode_path_values(path.trim_start_matches('/'))),
            span,
        ),
        span,
    );
    req.headers.push((
        Spanned {
            value: "content-type".into(),
            span,
        },
        template("application/scim+json", span),
    ));
    let mut filters = Vec::new();
    if let Some(n) = f.take("filter") {
        filters.extend(r.string(n, "a SCIM filter"));
    }
    if let Some(n) = f.take("where") {
        filters.push(where_clause(r, n, "scim"));
    }
    if filters.len() > 1 {
        // `a or b` with `where: {active: true}` is `(a or b) and active eq true`, not
        // `a or (b and active eq true)`: `and` binds tighter (RFC 7644 §3.4.2.2).
        filters = filters.into_iter().map(|f| format!("({f})")).collect();
    }
    if !filters.is_empty() {
        query(&mut req, "filter", filters.join(" and "), span);
    }
    for (key, param) in [("start_index", "startIndex"), ("count", "count")] {
        if let Some(n) = f.take(key) {
            if let Some(v) = r.u32(n, key) {
                query(&mut req, param, v.to_string(), span);
            }
        }
    }
    if let Some(n) = f.take("body") {
        req.body = Some(Body::Json(with_schema(n, path)));
    }
    if let Some(n) = f.take("operations") {
        if *verb != "patch" {
            r.error(Diagnostic::error("`operations` belong to `patch`", n.span));
        }
        req.body = Some(Body::Json(patch_op(n)));
    }
    let (pages_node, max_node) = (f.take("pages"), f.take("max_pages"));
    let follow = match pages(r, pages_node, max_node) {
        Some((limit, strict)) => Follow::ScimPages { limit, strict },
        None => Follow::None,
    };
    Some((req, follow))
}

/// Adds the core schema a SCIM body needs when the user left it out.
fn with_schema(body: &Node, path: &str) -> Node {
    let NodeKind::Map(entries) = &body.kind else {
        return body.clone();
    };
    if entries.iter().any(|(k, _)| k.as_scalar() == Some("schemas")) {
        return body.clone();
    }
    let lower = path.to_ascii_lowercase();
    let schema = if lower.starts_with("users") {
        "urn:ietf:params:scim:schemas:core:2.0:User"
    } else if lower.starts_with("groups") {
        "urn:ietf:params:scim:schemas:core:2.0:Group"
    } else {
        return body.clone();
    };
    let mut entries = entries.clone();
    let span = body.span;
    entries.insert(
        0,
        (
            scalar("schemas", span),
            Node {
                kind: NodeKind::Seq(vec![scalar(schema, span)]),
                span,
            },
        ),
    );
    Node {
        kind: NodeKind::Map(entries),
        span,
    }
}

/// `operations: [{op, path, value}]` -> a PatchOp message.
fn patch_op(operations: &Node) -> Node {
    let span = operations.span;
    let schemas = Node {
        kind: NodeKind::Seq(vec![scalar("urn:ietf:params:scim:api:messages:2.0:PatchOp", span)]),
        span,
    };
    Node {
        kind: NodeKind::Map(vec![
            (scalar("schemas", span), schemas),
            (scalar("Operations", span), operations.clone()),
        ]),
        span,
    }
}

pub fn decode_workflow(r: &mut Reader, node: &Node) -> Option<(Request, Follow)> {
    let span = node.span;
    let base = WORKFLOW_BASE;
    let mut f = r.fields(node, "a workflow step", WORKFLOW_KEYS)?;
    let (start, wait, task, list) = (f.take("start"), f.take("wait_for_task"), f.take("task"), f.take("list"));
    let count = [start, wait, task, list].iter().filter(|n| n.is_some()).count();
    if count != 1 {
        r.error(
            Diagnostic::error("a workflow step does one thing", span)
                .with_help("write one of: start, wait_for_task, task (with action), list"),
        );
        return None;
    }
    if let Some(n) = list {
        let what = r.string(n, "`workflows` or `tasks`")?;
        if what != "workflows" && what != "tasks" {
            r.error(Diagnostic::error("`list` is `workflows` or `tasks`", n.span));
        }
        return Some((
            request("GET", template(format!("{base}/{what}"), span), span),
            Follow::None,
        ));
    }
    if let Some(n) = start {
        return workflow_start(r, &mut f, n, span);
    }
    if let Some(n) = wait {
        let instance = r.template(n, "an instance id")?;
        let interval = f
            .take("interval")
            .and_then(|n| r.duration(n, "interval"))
            .unwrap_or(Duration::from_secs(1));
        let timeout = f
            .take("timeout")
            .and_then(|n| r.duration(n, "timeout"))
            .unwrap_or(Duration::from_secs(60));
        let req = request("GET", template(format!("{WORKFLOW_BASE}/tasks"), span), span);
        return Some((
            req,
            Follow::WaitForTask {
                instance,
                interval,
                timeout,
            },
        ));
    }
    workflow_task(r, &mut f, task?, span)
}

/// Where the Workflow REST API's resources are.
const WORKFLOW_BASE: &str = "{{ api }}/api/workflow/v1";

/// `start: NAME or ID`, with its folio, priority and data fields. A number is an id; a name
/// (or a template, decided when rendered) is looked up first.
fn workflow_start(r: &mut Reader, f: &mut Fields, n: &Node, span: Span) -> Option<(Request, Follow)> {
    let base = WORKFLOW_BASE;
    let text = r.string(n, "a workflow name or id")?;
    // A number is an id; a name (or a template, decided when rendered) is looked up.
    let by_name = text.parse::<u64>().is_err();
    let id = if by_name {
        format!("{{{{ {} }}}}", crate::scenario::model::WORKFLOW_ID)
    } else {
        text.clone()
    };
    let mut req = request("POST", template(format!("{base}/workflows/{id}"), span), span);
    let mut body: Vec<(Node, Node)> = Vec::new();
    for key in ["folio", "priority"] {
        if let Some(v) = f.take(key) {
            body.push((scalar(key, v.span), v.clone()));
        }
    }
    if let Some(v) = f.take("data") {
        body.push((scalar("dataFields", v.span), v.clone()));
    }
    req.body = Some(Body::Json(Node {
        kind: NodeKind::Map(body),
        span,
    }));
    let follow = if by_name {
        Follow::WorkflowByName {
            name: template(text, n.span),
        }
    } else {
        Follow::None
    };
    Some((req, follow))
}

/// `task: SERIAL` with an `action`, and what the action sends.
fn workflow_task(r: &mut Reader, f: &mut Fields, task: &Node, span: Span) -> Option<(Request, Follow)> {
    let base = WORKFLOW_BASE;
    let serial = r.string(task, "a serial number")?;
    let Some(action_node) = f.take("action") else {
        r.error(
            Diagnostic::error("a `task` step needs an `action`", span)
                .with_help("e.g. action: Approve, assign, release, sleep, wake, redirect"),
        );
        return None;
    };
    let action = r.string(action_node, "an action")?;
    let mut req = request(
        "POST",
        template(format!("{base}/tasks/{serial}/actions/{action}"), span),
        span,
    );
    let mut body: Vec<(Node, Node)> = Vec::new();
    for (key, field) in [
        ("sleep_for", "SleepFor"),
        ("sleep_until", "SleepUntil"),
        ("redirect_to", "RedirectTo"),
        ("data", "dataFields"),
    ] {
        if let Some(v) = f.take(key) {
            body.push((scalar(field, v.span), v.clone()));
        }
    }
    if !body.is_empty() {
        req.body = Some(Body::Json(Node {
            kind: NodeKind::Map(body),
            span,
        }));
    }
    Some((req, Follow::None))
}

/// A resource path whose `{{ … }}` values are percent-encoded when rendered
/// (`Users/{{ id }}` -> `Users/{{ (id) | path_segment }}`): an id with `/`, `#` or `%` stays one
/// segment. Block tags are left as written.
fn encode_path_values(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 16);
    let mut rest = path;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else { break };
        let expr = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        out.push_str(&format!("{{{{ ({expr}) | path_segment }}}}"));
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}
