//! `k2check.yaml` from its YAML tree.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::scenario::decode_scenario::{decode_steps, decode_vars};
use crate::scenario::fields::Reader;
use crate::scenario::model::{
    AuthKind, AuthProfile, ClientAuthStyle, ClientCredentials, Defaults, Environment, Limits, Spanned, Suite,
    SuiteSteps, Tls, parse_rate,
};
use crate::source::FileId;
use crate::yaml::Node;

pub const SUITE_KEYS: &[&str] = &[
    "defaults",
    "vars",
    "tls",
    "limits",
    "auth",
    "environments",
    "setup",
    "teardown",
];
pub const LIMITS_KEYS: &[&str] = &["per_host", "rate", "retry_budget", "max_retry_wait"];
pub const DEFAULTS_KEYS: &[&str] = &["timeout", "auth", "environment", "writes", "redact", "snapshots"];
pub const TLS_KEYS: &[&str] = &["ca_file", "client_cert", "client_key", "insecure"];
pub const ENVIRONMENT_KEYS: &[&str] = &["vars", "auth", "writes"];
pub const AUTH_TYPES: &[&str] = &["none", "basic", "bearer", "api_key", "client_credentials"];
pub const BASIC_KEYS: &[&str] = &["type", "username", "password"];
pub const BEARER_KEYS: &[&str] = &["type", "token"];
pub const API_KEY_KEYS: &[&str] = &["type", "name", "value", "in"];
pub const CLIENT_CREDENTIALS_KEYS: &[&str] = &[
    "type",
    "token_url",
    "issuer",
    "client_id",
    "client_secret",
    "scope",
    "audience",
    "client_auth",
    "timeout",
];

pub fn decode_suite(r: &mut Reader, file: FileId, dir: &Path, root: &Node) -> Suite {
    let mut suite = Suite {
        file,
        dir: dir.to_path_buf(),
        defaults: Defaults::default(),
        vars: Vec::new(),
        tls: Tls::default(),
        limits: Limits::default(),
        auth: Vec::new(),
        environments: Vec::new(),
        setup: None,
        teardown: None,
    };
    if root.is_null() {
        return suite;
    }
    let Some(mut f) = r.fields(root, "k2check.yaml", SUITE_KEYS) else {
        return suite;
    };
    if let Some(node) = f.take("defaults") {
        suite.defaults = decode_defaults(r, node);
    }
    if let Some(node) = f.take("vars") {
        suite.vars = decode_vars(r, node);
    }
    if let Some(node) = f.take("tls") {
        suite.tls = decode_tls(r, dir, node);
    }
    if let Some(node) = f.take("limits") {
        suite.limits = decode_limits(r, node);
    }
    if let Some(node) = f.take("auth") {
        suite.auth = decode_profiles(r, node);
    }
    let suite_steps = |r: &mut Reader, node: &Node| SuiteSteps {
        span: node.span,
        steps: decode_steps(r, node),
    };
    suite.setup = f.take("setup").map(|n| suite_steps(r, n));
    suite.teardown = f.take("teardown").map(|n| suite_steps(r, n));
    if let Some(node) = f.take("environments") {
        for (name, env) in r.entries(node, "environments") {
            let mut environment = Environment {
                name,
                vars: Vec::new(),
                auth: Vec::new(),
                writes: None,
            };
            if let Some(mut ef) = r.fields(env, "an environment", ENVIRONMENT_KEYS) {
                if let Some(v) = ef.take("vars") {
                    environment.vars = decode_vars(r, v);
                }
                if let Some(a) = ef.take("auth") {
                    environment.auth = decode_profiles(r, a);
                }
                if let Some(w) = ef.take("writes") {
                    environment.writes = r.bool(w, "`writes` (true or false)");
                }
            }
            suite.environments.push(environment);
        }
    }
    suite
}

fn decode_defaults(r: &mut Reader, node: &Node) -> Defaults {
    let mut defaults = Defaults::default();
    if let Some(mut f) = r.fields(node, "defaults", DEFAULTS_KEYS) {
        defaults.timeout = f.take("timeout").and_then(|n| r.duration(n, "timeout"));
        defaults.auth = f.take("auth").and_then(|n| r.spanned_string(n, "an auth profile name"));
        defaults.environment = f
            .take("environment")
            .and_then(|n| r.spanned_string(n, "an environment name"));
        if let Some(w) = f.take("writes") {
            defaults.writes = r.bool(w, "`writes` (true or false)");
        }
        if let Some(n) = f.take("redact") {
            defaults.redact = crate::scenario::decode_expect::decode_redactions(r, n);
        }
        if let Some(n) = f.take("snapshots") {
            match n.as_scalar() {
                Some("by_environment") => defaults.snapshots_by_environment = true,
                Some("shared") => {}
                _ => r.error(
                    Diagnostic::error("`snapshots` is `by_environment` or `shared`", n.span)
                        .with_help("by_environment keeps each environment's snapshots in __snapshots__/<environment>/"),
                ),
            }
        }
    }
    defaults
}

fn decode_limits(r: &mut Reader, node: &Node) -> Limits {
    let mut limits = Limits::default();
    let Some(mut f) = r.fields(node, "limits", LIMITS_KEYS) else {
        return limits;
    };
    if let Some(n) = f.take("per_host") {
        limits.per_host = r.u32(n, "per_host").filter(|p| *p > 0).unwrap_or(limits.per_host);
    }
    if let Some(n) = f.take("rate") {
        let text = r.string(n, "a rate").unwrap_or_default();
        match parse_rate(&text) {
            Some(rate) => limits.rate = Some(rate),
            None => r.error(
                Diagnostic::error(format!("invalid rate `{text}`"), n.span)
                    .with_help("write requests per second, minute or hour, between 1/h and 1000000/s: 20/s, 300/m"),
            ),
        }
    }
    if let Some(n) = f.take("retry_budget") {
        limits.retry_budget = r.u32(n, "retry_budget").unwrap_or(limits.retry_budget);
    }
    if let Some(n) = f.take("max_retry_wait") {
        limits.max_retry_wait = r.duration(n, "max_retry_wait").unwrap_or(limits.max_retry_wait);
    }
    limits
}

fn decode_tls(r: &mut Reader, dir: &Path, node: &Node) -> Tls {
    let mut tls = Tls::default();
    let Some(mut f) = r.fields(node, "tls", TLS_KEYS) else {
        return tls;
    };
    let mut path = |r: &mut Reader, key: &str| {
        f.take(key)
            .and_then(|n| r.spanned_string(n, "a file path"))
            .map(|s| Spanned {
                value: dir.join(&s.value),
                span: s.span,
            })
    };
    tls.ca_file = path(r, "ca_file");
    tls.client_cert = path(r, "client_cert");
    tls.client_key = path(r, "client_key");
    if let Some(n) = f.take("insecure") {
        tls.insecure = r.bool(n, "insecure").unwrap_or(false);
        if tls.insecure {
            r.error(
                Diagnostic::warning("TLS certificates will not be verified", n.span)
                    .with_label("anyone on the path can read credentials")
                    .with_help("use tls.ca_file for a private CA instead"),
            );
        }
    }
    tls
}

fn decode_profiles(r: &mut Reader, node: &Node) -> Vec<AuthProfile> {
    let mut profiles = Vec::new();
    for (name, value) in r.entries(node, "auth profiles") {
        if let Some(kind) = decode_auth_kind(r, value) {
            profiles.push(AuthProfile { name, kind });
        }
    }
    profiles
}

/// One arm per auth profile type, each reading that type's keys: long because it is the table
/// of the types, kept whole so a new type is added in one place (docs/architecture.md).
fn decode_auth_kind(r: &mut Reader, node: &Node) -> Option<AuthKind> {
    let kind_node = match &node.kind {
        crate::yaml::NodeKind::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some("type"))
            .map(|e| &e.1),
        _ => None,
    };
    let Some(kind_node) = kind_node else {
        r.error(
            Diagnostic::error("an auth profile needs a `type`", node.span)
                .with_help(format!("type is one of: {}", AUTH_TYPES.join(", "))),
        );
        return None;
    };
    let kind = r.string(kind_node, "an auth type")?;
    let missing = |r: &mut Reader, key: &str| {
        r.error(Diagnostic::error(
            format!("a `{kind}` auth profile needs `{key}`"),
            node.span,
        ));
    };
    match kind.as_str() {
        "none" => {
            r.fields(node, "a `none` auth profile", &["type"])?;
            Some(AuthKind::None)
        }
        "basic" => {
            let mut f = r.fields(node, "a `basic` auth profile", BASIC_KEYS)?;
            let username = f.take("username").and_then(|n| r.template(n, "a user name"));
            let password = f.take("password").and_then(|n| r.template(n, "a password"));
            if username.is_none() {
                missing(r, "username");
            }
            if password.is_none() {
                missing(r, "password");
            }
            Some(AuthKind::Basic {
                username: username?,
                password: password?,
            })
        }
        "bearer" => {
            let mut f = r.fields(node, "a `bearer` auth profile", BEARER_KEYS)?;
            let token = f.take("token").and_then(|n| r.template(n, "a token"));
            if token.is_none() {
                missing(r, "token");
            }
            Some(AuthKind::Bearer { token: token? })
        }
        "api_key" => {
            let mut f = r.fields(node, "an `api_key` auth profile", API_KEY_KEYS)?;
            let name = f.take("name").and_then(|n| r.template(n, "a header or parameter name"));
            let value = f.take("value").and_then(|n| r.template(n, "the key"));
            let in_query = match f.take("in") {
                None => false,
                Some(n) => match r.string(n, "`header` or `query`").as_deref() {
                    Some("header") => false,
                    Some("query") => true,
                    _ => {
                        r.error(
                            Diagnostic::error("`in` is `header` or `query`", n.span)
                                .with_help("in: header sends `name: value`; in: query adds `?name=value` to every URL"),
                        );
                        false
                    }
                },
            };
            if name.is_none() {
                missing(r, "name");
            }
            if value.is_none() {
                missing(r, "value");
            }
            Some(AuthKind::ApiKey {
                name: name?,
                value: value?,
                in_query,
            })
        }
        "client_credentials" => {
            let mut f = r.fields(node, "a `client_credentials` auth profile", CLIENT_CREDENTIALS_KEYS)?;
            let token_url = f.take("token_url").and_then(|n| r.template(n, "a URL"));
            let issuer = f.take("issuer").and_then(|n| r.template(n, "a URL"));
            if token_url.is_none() && issuer.is_none() {
                r.error(
                    Diagnostic::error(
                        "a `client_credentials` profile needs `token_url` or `issuer`",
                        node.span,
                    )
                    .with_help("`issuer` finds the token endpoint through /.well-known/openid-configuration"),
                );
            }
            let client_id = f.take("client_id").and_then(|n| r.template(n, "a client id"));
            let client_secret = f.take("client_secret").and_then(|n| r.template(n, "a client secret"));
            if client_id.is_none() {
                missing(r, "client_id");
            }
            if client_secret.is_none() {
                missing(r, "client_secret");
            }
            let scope = match f.take("scope") {
                Some(n) => {
                    let items: Vec<_> = match &n.kind {
                        crate::yaml::NodeKind::Seq(items) => items.iter().collect(),
                        _ => vec![n],
                    };
                    items.into_iter().filter_map(|i| r.template(i, "a scope")).collect()
                }
                None => Vec::new(),
            };
            let audience = f.take("audience").and_then(|n| r.template(n, "an audience"));
            let timeout = f.take("timeout").and_then(|n| r.duration(n, "timeout"));
            let client_auth = match f.take("client_auth") {
                None => ClientAuthStyle::Body,
                Some(n) => match r.string(n, "`body` or `basic`").as_deref() {
                    Some("body") => ClientAuthStyle::Body,
                    Some("basic") => ClientAuthStyle::Basic,
                    Some(other) => {
                        r.error(
                            Diagnostic::error(format!("unknown client_auth `{other}`"), n.span).with_help(
                                "client_auth is `body` (client_secret_post) or `basic` (client_secret_basic)",
                            ),
                        );
                        ClientAuthStyle::Body
                    }
                    None => ClientAuthStyle::Body,
                },
            };
            if token_url.is_none() && issuer.is_none() {
                return None;
            }
            Some(AuthKind::ClientCredentials(ClientCredentials {
                token_url,
                issuer,
                client_id: client_id?,
                client_secret: client_secret?,
                scope,
                audience,
                client_auth,
                timeout,
            }))
        }
        other => {
            let mut diag = Diagnostic::error(format!("unknown auth type `{other}`"), kind_node.span);
            if let Some(close) = crate::diag::did_you_mean(other, AUTH_TYPES.iter().copied()) {
                diag = diag.with_label(format!("did you mean `{close}`?"));
            }
            r.error(diag.with_help(format!("type is one of: {}", AUTH_TYPES.join(", "))));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_auth_type_is_decoded_and_documented() {
        use crate::scenario::model::AuthKind;
        // Exhaustive: a new variant does not compile until it has its name here.
        fn name(kind: &AuthKind) -> &'static str {
            match kind {
                AuthKind::None => "none",
                AuthKind::Basic { .. } => "basic",
                AuthKind::Bearer { .. } => "bearer",
                AuthKind::ApiKey { .. } => "api_key",
                AuthKind::ClientCredentials(_) => "client_credentials",
            }
        }
        let t = crate::scenario::model::Template {
            text: String::new(),
            span: crate::source::Span::new(crate::source::FileId(0), 0, 0),
        };
        let kinds = [
            AuthKind::None,
            AuthKind::Basic {
                username: t.clone(),
                password: t.clone(),
            },
            AuthKind::Bearer { token: t.clone() },
            AuthKind::ApiKey {
                name: t.clone(),
                value: t.clone(),
                in_query: false,
            },
        ];
        let mut names: Vec<&str> = kinds.iter().map(name).collect();
        names.push("client_credentials");
        let mut declared = AUTH_TYPES.to_vec();
        declared.sort_unstable();
        names.sort_unstable();
        assert_eq!(names, declared, "AUTH_TYPES and AuthKind differ");
        let readme = include_str!("../../README.md");
        let table = readme.split("### Auth profiles").nth(1).unwrap_or_default();
        let table = table.split("\n### ").next().unwrap_or_default();
        for name in AUTH_TYPES {
            assert!(
                table.contains(&format!("| `{name}` |")),
                "README's auth profile table has no `{name}`"
            );
        }
        let how_to = include_str!("../../docs/architecture.md");
        assert!(
            how_to.contains("**An auth profile type**"),
            "docs/architecture.md lost its how-to"
        );
    }
}
