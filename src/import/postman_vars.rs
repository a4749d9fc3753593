//! Postman's `{{name}}` as k2check templates: names made into template variables, dynamic
//! variables mapped to functions, and what is defined nowhere read from the environment.

use std::collections::{BTreeMap, BTreeSet};

/// Names no imported variable may take: k2check's built-ins, template keywords and functions.
const TAKEN: [&str; 24] = [
    "env",
    "secret",
    "run",
    "mock",
    "and",
    "or",
    "not",
    "in",
    "is",
    "if",
    "else",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
    "loop",
    "range",
    "dict",
    "uuid",
    "now",
    "timestamp",
    "random_int",
];

/// Postman's dynamic variables that k2check can compute.
fn dynamic(name: &str) -> Option<&'static str> {
    Some(match name {
        "$guid" | "$randomUUID" => "uuid()",
        "$timestamp" => "timestamp()",
        "$isoTimestamp" => "now()",
        "$randomInt" => "random_int(0, 1000)",
        _ => return None,
    })
}

/// Whether a name says its value is a secret. Broad on purpose: an import runs unattended,
/// and a value taken for a secret is read from the environment, never lost, while a secret
/// taken for a value would be written to disk.
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "pass",
        "pw",
        "secret",
        "token",
        "key",
        "credential",
        "auth",
        "cookie",
        "session",
        "private",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// The variables whose values a secret field takes (`password: {{adminCode}}`, an API key's
/// `value`, an `Authorization` header, a `client_secret` form field): secrets whatever their
/// names, so their values are never written.
pub fn secret_sources(collection: &serde_json::Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    collect_secret_sources(collection, false, &mut found);
    found
}

fn collect_secret_sources(value: &serde_json::Value, in_api_key: bool, found: &mut BTreeSet<String>) {
    use serde_json::Value;
    match value {
        Value::Array(items) => items.iter().for_each(|i| collect_secret_sources(i, in_api_key, found)),
        Value::Object(map) => {
            let in_api_key = in_api_key || map.get("type").and_then(Value::as_str) == Some("apikey");
            // `{key, value}` entries: the value of a secret-named key, and an API key's value.
            if let (Some(key), Some(Value::String(text))) = (map.get("key").and_then(Value::as_str), map.get("value")) {
                if is_secret_field(key) || (in_api_key && key == "value") {
                    found.extend(names_in(text));
                }
            }
            for (field, inner) in map {
                match inner {
                    Value::String(text) if is_secret_field(field) => found.extend(names_in(text)),
                    _ => collect_secret_sources(inner, in_api_key, found),
                }
            }
        }
        _ => {}
    }
}

/// Whether a field (an auth block's, a header's, a form's) holds a credential itself; not
/// a field that names where one goes (`accessTokenUrl`, `tokenName`, `addTokenTo`).
fn is_secret_field(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.contains("url") {
        return false;
    }
    matches!(
        lower.as_str(),
        "token" | "authorization" | "cookie" | "x-api-key" | "api-key"
    ) || [
        "password",
        "passwd",
        "secret",
        "accesstoken",
        "access_token",
        "refreshtoken",
        "refresh_token",
        "apikey",
        "api_key",
        "credential",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// The `{{name}}`s in a text.
fn names_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        names.push(after[..end].trim().to_owned());
        rest = &after[end + 2..];
    }
    names
}

/// A template variable's name for a Postman name: `base-url` and `base.url` → `base_url`.
pub fn variable_name(name: &str) -> String {
    let mut out: String = name
        .trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "v_");
    }
    if TAKEN.contains(&out.as_str()) {
        out.push_str("_var");
    }
    out
}

/// An environment variable's name for a Postman name: `base-url` → `BASE_URL`; one that
/// would start with a digit (`1stUserId`) keeps the `V_` that makes it a name shells take.
pub fn env_name(name: &str) -> String {
    let upper = variable_name(name).to_ascii_uppercase();
    let name: String = upper.trim_start_matches("V_").chars().take(64).collect();
    match name.trim_matches('_') {
        "" => "POSTMAN_VARIABLE".to_owned(),
        name if name.starts_with(|c: char| c.is_ascii_digit()) => format!("V_{name}"),
        name => name.to_owned(),
    }
}

/// What the import learns about variables while it converts text.
#[derive(Debug, Default)]
pub struct Variables {
    /// Defined by the collection or the environment: Postman name → template name.
    pub defined: BTreeMap<String, String>,
    /// Used and defined nowhere: read from the environment as `env.NAME`.
    pub undefined: BTreeSet<String>,
    /// Dynamic variables with no k2check equivalent, read from the environment.
    pub dynamic_unmapped: BTreeSet<String>,
    /// Environment variables the suite reads (secrets and undefined ones).
    pub environment: BTreeSet<String>,
}

impl Variables {
    /// A secret named after `name`, read from the environment (`secret.NAME`).
    pub fn secret(&mut self, name: &str) -> String {
        let env = env_name(name);
        let reference = secret_reference(&env);
        self.environment.insert(env);
        reference
    }

    /// The Postman `{{name}}` under which a literal secret named after `name` is read: it is
    /// defined as `secret.NAME`, so a later `convert` turns it into that reference.
    pub fn secret_name(&mut self, name: &str) -> String {
        let postman = format!("__secret_{}", env_name(name));
        let reference = self.secret(name);
        let inner = reference.trim_start_matches("{{ ").trim_end_matches(" }}").to_owned();
        self.defined.insert(postman.clone(), inner);
        postman
    }

    /// `text` with every `{{name}}` as a k2check template. `local` holds the names captured
    /// by earlier steps of the same scenario, which win over everything else.
    pub fn convert(&mut self, text: &str, local: &BTreeMap<String, String>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&literal(&rest[..start]));
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str("{{ '{{' }}");
                rest = after;
                continue;
            };
            let name = after[..end].trim();
            out.push_str(&format!("{{{{ {} }}}}", self.reference(name, local)));
            rest = &after[end + 2..];
        }
        out.push_str(&literal(rest));
        out
    }

    fn reference(&mut self, name: &str, local: &BTreeMap<String, String>) -> String {
        if let Some(expression) = dynamic(name) {
            return expression.into();
        }
        if let Some(captured) = local.get(name) {
            return captured.clone();
        }
        if let Some(defined) = self.defined.get(name) {
            return defined.clone();
        }
        let env = env_name(name);
        if name.starts_with('$') {
            self.dynamic_unmapped.insert(name.to_owned());
        } else {
            self.undefined.insert(name.to_owned());
        }
        self.environment.insert(env.clone());
        // Named like a secret, it is masked as one wherever it shows.
        match looks_secret(name) {
            true => format!("secret.{env}"),
            false => format!("env.{env}"),
        }
    }
}

/// Text sent as it is: whatever minijinja would read (`{{`, `{%`, `{#`) is kept literal.
pub fn literal(text: &str) -> String {
    text.replace("{{", "{{ '{{' }}")
        .replace("{%", "{{ '{%' }}")
        .replace("{#", "{{ '{#' }}")
}

/// The template that reads the secret environment variable `env`: its value is never
/// written to disk.
pub fn secret_reference(env: &str) -> String {
    format!("{{{{ secret.{env} }}}}")
}

/// A JSON body's literal values of secret-named fields (`password`, `api_key`, …) replaced by
/// what `reference` makes of the field's name; values that are templates already stay.
pub fn replace_secret_fields(value: &mut serde_json::Value, reference: &mut dyn FnMut(&str) -> String) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            for (field, inner) in map.iter_mut() {
                match inner {
                    Value::String(text) if looks_secret(field) && !text.is_empty() && !text.contains("{{") => {
                        *text = reference(field);
                    }
                    other => replace_secret_fields(other, reference),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| replace_secret_fields(i, reference)),
        _ => {}
    }
}

/// Whether a header (lower case) carries credentials, so its literal value becomes a secret.
pub fn is_credential_header(lower: &str) -> bool {
    lower == "authorization" || lower == "cookie" || looks_secret(lower) || lower.contains("api-key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_dynamic_variables_become_templates() {
        let mut vars = Variables::default();
        vars.defined.insert("base-url".into(), "base_url".into());
        vars.defined.insert("api.version".into(), "api_version".into());
        let local = BTreeMap::from([("token".to_owned(), "token".to_owned())]);
        let text =
            "{{base-url}}/v{{api.version}}/x?id={{$guid}}&t={{$timestamp}}&n={{$randomColor}}&u={{user}}&a={{token}}";
        assert_eq!(
            vars.convert(text, &local),
            "{{ base_url }}/v{{ api_version }}/x?id={{ uuid() }}&t={{ timestamp() }}&n={{ env.RANDOMCOLOR }}&u={{ env.USER }}&a={{ token }}"
        );
        assert!(vars.undefined.contains("user") && vars.dynamic_unmapped.contains("$randomColor"));
        assert_eq!(
            vars.convert("$filter={% x %} {# y", &local),
            "$filter={{ '{%' }} x %} {{ '{#' }} y"
        );
        assert_eq!(vars.convert("a {{ b", &local), "a {{ '{{' }} b");
    }

    #[test]
    fn names_are_template_variables() {
        assert_eq!(variable_name("base-url"), "base_url");
        assert_eq!(variable_name("1st"), "v_1st");
        assert_eq!(variable_name("env"), "env_var");
        assert_eq!(env_name("client-secret"), "CLIENT_SECRET");
        assert!(looks_secret("clientSecret") && looks_secret("access_token") && !looks_secret("baseUrl"));
        assert!(looks_secret("adminpw") && looks_secret("X-Session") && looks_secret("sessionCookie"));
        assert_eq!(env_name("1stUserId"), "V_1STUSERID");
    }
}
