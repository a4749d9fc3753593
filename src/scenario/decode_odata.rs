//! `odata:` steps: a SmartObject's list, one record by key, `$metadata`, create, update and
//! delete, as OData v4 or v3 requests, with `pages: all` following next links.

use crate::diag::Diagnostic;
use crate::encoding::encode_path_segment;
use crate::scenario::decode_k2::{list_or_text, literal, pages, query, request, template, where_clause};
use crate::scenario::fields::Reader;
use crate::scenario::model::{Body, Follow, ODataVersion, Request, Spanned};
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
    // `metadata: snapshot` is `$metadata` kept as a snapshot (the step decoder adds the check).
    let metadata = f.take("metadata").is_some_and(|n| {
        n.as_scalar() == Some("snapshot") || r.bool(n, "metadata (true, or `snapshot`)") == Some(true)
    });
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
