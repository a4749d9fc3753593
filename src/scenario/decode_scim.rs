//! `scim:` steps: users and groups listed, filtered, read, created, patched and deleted, as
//! SCIM 2.0 requests (RFC 7644), with `pages: all` following `startIndex`.

use crate::diag::Diagnostic;
use crate::scenario::decode_k2::{encode_path_values, pages, query, request, scalar, template, where_clause};
use crate::scenario::fields::Reader;
use crate::scenario::model::{Body, Follow, Request, Spanned};
use crate::yaml::{Node, NodeKind};

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
