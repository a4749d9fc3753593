//! What the K2-aware steps (`odata:`, `scim:`, `workflow:`, each in a file of its own) are
//! built from. Each is expanded into a plain request plus what the runner does around it. The expansion is ordinary templates, so validation checks
//! them (an undefined `api` is reported like any other name) and `--dry-run` shows them.

use crate::scenario::fields::Reader;
use crate::scenario::model::{Request, Spanned, Template};
use crate::source::Span;
use crate::template::{exact_expression, has_template};
use crate::yaml::{Node, NodeKind};

/// `pages: all` follows at most this many links, and fails if the service sends more.
pub const DEFAULT_MAX_PAGES: u32 = 100;

pub(super) fn template(text: impl Into<String>, span: Span) -> Template {
    Template {
        text: text.into(),
        span,
    }
}

pub(super) fn scalar(text: impl Into<String>, span: Span) -> Node {
    Node {
        kind: NodeKind::Scalar {
            text: text.into(),
            plain: false,
        },
        span,
    }
}

pub(super) fn request(method: &str, url: Template, span: Span) -> Request {
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

pub(super) fn query(req: &mut Request, name: &str, value: String, span: Span) {
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
pub(super) fn literal(node: &Node, language: &str) -> String {
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

pub(super) fn pages(r: &mut Reader, node: Option<&Node>, max: Option<&Node>) -> Option<(u32, bool)> {
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

pub(super) fn list_or_text(r: &mut Reader, node: &Node, what: &str) -> String {
    match &node.kind {
        NodeKind::Seq(_) => r.string_list(node, what).join(","),
        _ => r.string(node, what).unwrap_or_default(),
    }
}

/// A resource path whose `{{ … }}` values are percent-encoded when rendered
/// (`Users/{{ id }}` -> `Users/{{ (id) | path_segment }}`): an id with `/`, `#` or `%` stays one
/// segment. Block tags are left as written.
pub(super) fn encode_path_values(path: &str) -> String {
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

/// `where: { Prop: value, … }` -> `Prop eq 'value' and …`.
pub(super) fn where_clause(r: &mut Reader, node: &Node, language: &str) -> String {
    let parts: Vec<String> = r
        .entries(node, "where")
        .into_iter()
        .map(|(name, value)| format!("{} eq {}", name.value, literal(value, language)))
        .collect();
    parts.join(" and ")
}
