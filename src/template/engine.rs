//! `{{ … }}` templates (minijinja): strict about undefined names, checkable before a run,
//! and typed when a YAML scalar is exactly one `{{ expr }}` (numbers stay numbers).

use std::collections::BTreeSet;

use minijinja::{Environment, UndefinedBehavior};

use crate::template::context::Context;
use crate::template::error::TemplateError;
use crate::template::fast_path as fast;
use crate::template::literal;
use crate::yaml::{Node, NodeKind};

/// Names the runtime provides beside user variables.
pub const BUILTIN_NAMES: &[&str] = &["env", "secret", "run", "mock", "uuid", "now", "timestamp", "random_int"];

pub struct TemplateEngine {
    env: Environment<'static>,
}

impl Default for TemplateEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl TemplateEngine {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Templates come from files anyone can write; bound the work one may do.
        env.set_fuel(Some(FUEL));
        // `true`, not Python's `True`: these strings end up in URLs and JSON.
        env.set_formatter(|out, state, value| {
            if value.kind() == minijinja::value::ValueKind::Bool {
                out.write_str(if value.is_true() { "true" } else { "false" })?;
                return Ok(());
            }
            minijinja::escape_formatter(out, state, value)
        });
        env.add_function("uuid", || uuid::Uuid::new_v4().to_string());
        env.add_function("now", || {
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        });
        env.add_function("timestamp", || chrono::Utc::now().timestamp());
        // A whole number in min..=max, from the operating system's randomness (as uuid's).
        env.add_function("random_int", |min: i64, max: i64| {
            let (low, high) = if min <= max { (min, max) } else { (max, min) };
            let span = (high as i128 - low as i128 + 1) as u128;
            low + (uuid::Uuid::new_v4().as_u128() % span) as i64
        });
        env.add_filter("odata", literal::odata);
        env.add_filter("odata_escape", literal::odata_escape);
        env.add_filter("odata_key", literal::odata_key);
        env.add_filter("odata_key_escape", literal::odata_key_escape);
        env.add_filter("path_segment", literal::path_segment);
        env.add_filter("scim", literal::scim);
        env.add_filter("scim_escape", literal::scim_escape);
        TemplateEngine { env }
    }

    /// Functions and globals minijinja itself provides (`range`, `dict`, `namespace`, …): a
    /// template may use them without defining them.
    pub fn global_names(&self) -> impl Iterator<Item = &str> {
        self.env.globals().map(|(name, _)| name)
    }

    /// Compiles `text` and returns the names it uses, dotted (`env.K2_HOST`, `item`).
    pub fn names_used(&self, text: &str) -> Result<BTreeSet<String>, TemplateError> {
        if !has_template(text) {
            return Ok(BTreeSet::new());
        }
        let names = match exact_expression(text) {
            Some(expr) => self.env.compile_expression(expr)?.undeclared_variables(true),
            None => self.env.template_from_str(text)?.undeclared_variables(true),
        };
        Ok(names.into_iter().collect())
    }

    pub fn render(&self, text: &str, ctx: &Context) -> Result<String, TemplateError> {
        if !has_template(text) {
            return Ok(text.to_owned());
        }
        if let Some(rendered) = fast::render(text, ctx) {
            return rendered;
        }
        self.render_with_minijinja(text, ctx)
    }

    /// Renders with minijinja only, skipping the fast path (to compare the two). The output
    /// is written into a buffer that refuses to grow past `MAX_OUTPUT_BYTES`: fuel bounds the
    /// work a template does, not how much text a loop of large strings writes.
    pub fn render_with_minijinja(&self, text: &str, ctx: &Context) -> Result<String, TemplateError> {
        let template = self.env.template_from_str(text)?;
        let mut out = BoundedOutput::default();
        match template.render_captured_to(ctx.root(), &mut out) {
            Ok(_) => {
                Ok(String::from_utf8(out.bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
            }
            Err(_) if out.overflowed => Err(TemplateError(format!(
                "the template writes more than {} MiB",
                MAX_OUTPUT_BYTES >> 20
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Renders a scalar; exactly `{{ expr }}` keeps the expression's type.
    pub fn render_value(&self, text: &str, ctx: &Context) -> Result<serde_json::Value, TemplateError> {
        let Some(expr) = exact_expression(text) else {
            return self.render(text, ctx).map(serde_json::Value::String);
        };
        let value = match fast::lookup(expr, ctx) {
            Some(found) => found?,
            None => self.env.compile_expression(expr)?.eval(ctx.root())?,
        };
        if value.is_undefined() {
            return Err(TemplateError(format!("`{}` is not defined", expr.trim())));
        }
        serde_json::to_value(&value).map_err(|e| TemplateError(format!("cannot use this value in JSON: {e}")))
    }

    /// Renders every string in a YAML tree, for JSON bodies and predicate operands.
    pub fn render_node(&self, node: &Node, ctx: &Context) -> Result<serde_json::Value, TemplateError> {
        Ok(match &node.kind {
            NodeKind::Scalar { text, .. } if has_template(text) => self.render_value(text, ctx)?,
            NodeKind::Scalar { .. } => node.to_json(),
            NodeKind::Seq(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|i| self.render_node(i, ctx))
                    .collect::<Result<_, _>>()?,
            ),
            NodeKind::Map(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (key, value) in entries {
                    let key = self.render(key.as_scalar().unwrap_or_default(), ctx)?;
                    map.insert(key, self.render_node(value, ctx)?);
                }
                serde_json::Value::Object(map)
            }
        })
    }
}

/// The most text one template may write.
pub const MAX_OUTPUT_BYTES: usize = 16 << 20;

/// The work one template may do. minijinja 3 charges each instruction one fuel and each byte
/// it makes 1/64 of one (a byte of `tojson` output 16/64): 100,000 instructions, and enough
/// on top to serialise `MAX_OUTPUT_BYTES`, so output, not fuel, bounds what a template writes.
const FUEL: u64 = 100_000 + (MAX_OUTPUT_BYTES as u64 * 16) / 64;

/// A buffer that fails a write that would take it past `MAX_OUTPUT_BYTES`.
#[derive(Default)]
struct BoundedOutput {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for BoundedOutput {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + bytes.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("template output too large"));
        }
        self.bytes.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn has_template(text: &str) -> bool {
    // One scan for `{`, the rarest byte of the two (every step asks this of every text).
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'{', bytes).any(|at| matches!(bytes.get(at + 1), Some(b'{' | b'%')))
}

/// The expression inside a text that is exactly one `{{ expr }}`.
pub fn exact_expression(text: &str) -> Option<&str> {
    let inner = text.trim().strip_prefix("{{")?.strip_suffix("}}")?;
    (!inner.contains("{{") && !inner.contains("}}")).then_some(inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::Value;
    use std::collections::BTreeMap;

    fn ctx() -> Context {
        Context::new(BTreeMap::from([
            ("n".to_owned(), Value::from(3)),
            (
                "env".to_owned(),
                crate::template::value_of(serde_json::json!({"HOST": "k2.test"})),
            ),
        ]))
    }

    #[test]
    fn exact_expressions_keep_their_type() {
        let engine = TemplateEngine::new();
        assert_eq!(engine.render_value("{{ n }}", &ctx()).unwrap(), serde_json::json!(3));
        assert_eq!(
            engine.render_value("n={{ n }}", &ctx()).unwrap(),
            serde_json::json!("n=3")
        );
        assert_eq!(
            engine.render("https://{{ env.HOST }}/", &ctx()).unwrap(),
            "https://k2.test/"
        );
    }

    #[test]
    fn missing_names_are_errors_not_empty_strings() {
        let engine = TemplateEngine::new();
        assert!(engine.render("{{ missing }}", &ctx()).is_err());
        assert!(engine.render("{{ env.NOPE }}", &ctx()).is_err());
        assert!(engine.render_value("{{ missing }}", &ctx()).is_err());
    }

    #[test]
    fn a_template_that_writes_too_much_is_an_error_not_gigabytes() {
        let engine = TemplateEngine::new();
        let big = "{% for i in [1,2,3,4,5,6,7,8,9,10] %}{% for j in [1,2,3,4,5,6,7,8,9,10] %}{{ 'x' * 200000 }}{% endfor %}{% endfor %}";
        let error = engine.render(big, &ctx()).unwrap_err();
        assert_eq!(error.0, "the template writes more than 16 MiB");
        assert_eq!(
            engine
                .render("{% for i in [1, 2] %}{{ i }}{% endfor %}", &ctx())
                .unwrap(),
            "12"
        );
    }

    #[test]
    fn a_large_capture_serialises_within_the_work_bound() {
        let engine = TemplateEngine::new();
        let mut ctx = ctx();
        let records: Vec<serde_json::Value> = (0..20_000)
            .map(|i| serde_json::json!({ "id": i, "name": format!("record {i:>40}") }))
            .collect();
        ctx.insert("big", crate::template::value_of(&records));
        let text = engine.render("{{ big | tojson }}", &ctx).unwrap();
        assert!(text.len() > 1 << 20, "{}", text.len());
    }

    #[test]
    fn reports_names_used_with_their_attributes() {
        let engine = TemplateEngine::new();
        let names = engine.names_used("{{ env.K2_HOST }}/{{ item }}{{ uuid() }}").unwrap();
        assert!(names.contains("env.K2_HOST"), "{names:?}");
        assert!(names.contains("item"));
        assert!(engine.names_used("{{ unclosed").is_err());
    }
}
