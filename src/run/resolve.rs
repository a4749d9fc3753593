//! Rendering a step's request: templates filled, query encoded, body serialised. The same
//! resolved request is sent, shown by `--dry-run` and named in reports.

use std::time::Duration;

use serde_json::Value;

use crate::encoding::{encode_component, form_urlencoded};
use crate::scenario::model::{Body, Request};
use crate::template::{Context, TemplateEngine, TemplateError};
use crate::text::scalar_text;

#[derive(Debug, Clone)]
pub struct ResolvedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Duration,
    pub follow_redirects: bool,
}

pub fn resolve(
    request: &Request,
    engine: &TemplateEngine,
    ctx: &Context,
    default_timeout: Duration,
) -> Result<ResolvedRequest, TemplateError> {
    let mut url = engine.render(&request.url.text, ctx)?;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, node) in &request.query {
        match engine.render_node(node, ctx)? {
            // A list repeats the parameter: `a=1&a=2`.
            Value::Array(items) => pairs.extend(items.iter().map(|i| (name.value.clone(), scalar_text(i)))),
            Value::Null => {}
            other => pairs.push((name.value.clone(), scalar_text(&other))),
        }
    }
    if !pairs.is_empty() {
        let encoded: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&encoded.join("&"));
    }
    let mut headers = Vec::with_capacity(request.headers.len() + 1);
    for (name, value) in &request.headers {
        headers.push((name.value.clone(), engine.render(&value.text, ctx)?));
    }
    let has = |headers: &[(String, String)], n: &str| headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(n));
    let body = match &request.body {
        None => None,
        Some(Body::Json(node)) => {
            let value = engine.render_node(node, ctx)?;
            if !has(&headers, "content-type") {
                headers.push(("content-type".into(), "application/json".into()));
            }
            Some(serde_json::to_vec(&value).map_err(|e| TemplateError(e.to_string()))?)
        }
        Some(Body::Form(fields)) => {
            let mut parts = Vec::new();
            for (name, node) in fields {
                let value = scalar_text(&engine.render_node(node, ctx)?);
                parts.push(format!("{}={}", form_urlencoded(&name.value), form_urlencoded(&value)));
            }
            if !has(&headers, "content-type") {
                headers.push(("content-type".into(), "application/x-www-form-urlencoded".into()));
            }
            Some(parts.join("&").into_bytes())
        }
        Some(Body::Raw(t)) => Some(engine.render(&t.text, ctx)?.into_bytes()),
    };
    Ok(ResolvedRequest {
        method: request.method.value.clone(),
        url,
        headers,
        body,
        timeout: request.timeout.unwrap_or(default_timeout),
        follow_redirects: request.follow_redirects,
    })
}
