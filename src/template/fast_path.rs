//! The common case without the template engine: text with `{{ name }}` or `{{ a.b.c }}`
//! and nothing else. Most URLs and values in a suite look like that, and rendering them
//! this way avoids compiling a template for every request. Anything else (filters,
//! operators, blocks, non-scalar values) returns `None` and goes to minijinja, whose output
//! this matches.

use minijinja::Value;
use minijinja::value::ValueKind;

use crate::template::context::Context;
use crate::template::error::TemplateError;

/// The value of a dotted name, if the expression is one; `Some(Err)` when it is undefined.
pub fn lookup(expr: &str, ctx: &Context) -> Option<Result<Value, TemplateError>> {
    let expr = expr.trim();
    let mut parts = expr.split('.');
    let root = parts.next()?;
    if !is_name(root) {
        return None;
    }
    let rest: Vec<&str> = parts.collect();
    if !rest.iter().all(|p| is_name(p)) {
        return None;
    }
    let undefined = || Some(Err(TemplateError(format!("`{expr}` is not defined"))));
    let Some(mut value) = ctx.values.get(root).cloned() else {
        return undefined();
    };
    for attr in rest {
        match value.get_attr(attr) {
            Ok(v) if !v.is_undefined() => value = v,
            _ => return undefined(),
        }
    }
    Some(Ok(value))
}

pub fn render(text: &str, ctx: &Context) -> Option<Result<String, TemplateError>> {
    if text.contains("{%") || text.contains("{#") {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}")?;
        let value = match lookup(&after[..close], ctx)? {
            Ok(v) => v,
            Err(e) => return Some(Err(e)),
        };
        match value.kind() {
            ValueKind::String => out.push_str(value.as_str().unwrap_or_default()),
            ValueKind::Number => out.push_str(&value.to_string()),
            ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
            _ => return None,
        }
        rest = &after[close + 2..];
    }
    if rest.contains("}}") {
        return None;
    }
    out.push_str(rest);
    Some(Ok(out))
}

fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(text, "true" | "false" | "none" | "None" | "True" | "False" | "null")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::TemplateEngine;
    use std::collections::BTreeMap;

    fn ctx() -> Context {
        Context::new(BTreeMap::from([
            ("api".to_owned(), Value::from("http://h:1")),
            ("n".to_owned(), Value::from(42)),
            ("f".to_owned(), Value::from(2.5)),
            ("yes".to_owned(), Value::from(true)),
            (
                "env".to_owned(),
                crate::template::value_of(serde_json::json!({"HOST": "k2"})),
            ),
            ("list".to_owned(), crate::template::value_of(serde_json::json!([1, 2]))),
        ]))
    }

    #[test]
    fn the_fast_path_renders_what_minijinja_renders() {
        let engine = TemplateEngine::new();
        for text in ["{{ api }}/x", "{{n}}-{{ f }}-{{ yes }}", "a {{ env.HOST }} b", "plain"] {
            let fast = render(text, &ctx()).unwrap().unwrap();
            let slow = engine.render_with_minijinja(text, &ctx()).unwrap();
            assert_eq!(fast, slow, "{text}");
        }
        assert_eq!(
            engine.render_with_minijinja("{{ yes and yes }}", &ctx()).unwrap(),
            "true"
        );
    }

    #[test]
    fn anything_else_falls_back() {
        for text in [
            "{{ n + 1 }}",
            "{{ api | upper }}",
            "{% if yes %}x{% endif %}",
            "{{ list }}",
            "{{ true }}",
            "{{ a[0] }}",
        ] {
            assert!(render(text, &ctx()).is_none(), "{text}");
        }
        assert!(matches!(render("{{ missing }}", &ctx()), Some(Err(_))));
        assert!(matches!(render("{{ env.NOPE }}", &ctx()), Some(Err(_))));
    }
}
