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

/// Whether a variable holds a secret, by its Postman type or its name.
pub fn looks_secret(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        "secret",
        "password",
        "passwd",
        "pwd",
        "token",
        "apikey",
        "api_key",
        "api-key",
        "credential",
        "private",
    ]
    .iter()
    .any(|w| lower.contains(w))
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

/// An environment variable's name for a Postman name: `base-url` → `BASE_URL`.
pub fn env_name(name: &str) -> String {
    let upper = variable_name(name).to_ascii_uppercase();
    let name: String = upper.trim_start_matches("V_").chars().take(64).collect();
    match name.trim_matches('_') {
        "" => "POSTMAN_VARIABLE".to_owned(),
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
        format!("env.{env}")
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
    }
}
