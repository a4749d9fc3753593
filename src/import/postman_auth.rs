//! Postman `auth` blocks as k2check auth profiles: inherited as Postman inherits them,
//! deduplicated, secrets never written to disk.

use serde_json::Value;

use crate::import::postman_vars::Variables;

/// What a request's effective auth is.
#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// `noauth`: nothing is sent.
    None,
    /// A profile of `k2check.yaml`, by name.
    Profile(String),
    /// A kind k2check cannot send (digest, OAuth 1.0, other OAuth 2.0 grants …).
    Unsupported(String),
}

/// A profile as written in `k2check.yaml`: its name and its fields in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub name: String,
    pub fields: Vec<(String, String)>,
    /// The grant's token URL was on login.onk2.com: the issuer form is used.
    pub k2_issuer: bool,
}

/// The profiles met so far, each distinct one once.
#[derive(Debug, Default)]
pub struct Profiles {
    pub list: Vec<Profile>,
    /// For each profile: the Postman block it came from, to find it again.
    seen: Vec<Value>,
    pub unsupported: Vec<String>,
    /// What the import report says of the blocks (an empty API key).
    pub warnings: Vec<String>,
}

/// One parameter of an auth block: v2.1 lists `{ key, value }`, v2.0 has an object.
fn param(block: &Value, kind: &str, key: &str) -> Option<String> {
    let params = block.get(kind)?;
    let value = match params {
        Value::Array(items) => items
            .iter()
            .find(|p| p.get("key").and_then(Value::as_str) == Some(key))?
            .get("value")?,
        Value::Object(map) => map.get(key)?,
        _ => return None,
    };
    Some(match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// A block as its kind and its parameters by name, whichever shape it was written in.
fn normalized(block: &Value) -> Value {
    let kind = block.get("type").and_then(Value::as_str).unwrap_or_default();
    let params: std::collections::BTreeMap<String, Value> = match block.get(kind) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|p| {
                Some((
                    p.get("key")?.as_str()?.to_owned(),
                    p.get("value").cloned().unwrap_or(Value::Null),
                ))
            })
            .collect(),
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Default::default(),
    };
    serde_json::json!({ "type": kind, "params": params })
}

/// An OAuth 2.0 block's extra token request parameters: its `audience`, and the names of
/// the others, which k2check does not send.
fn token_request_params(block: &Value) -> (Option<String>, Vec<String>) {
    let Some(Value::Array(extra)) = param_value(block, "oauth2", "tokenRequestParams") else {
        return (None, Vec::new());
    };
    let mut audience = None;
    let mut others = Vec::new();
    for entry in &extra {
        if entry.get("enabled").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        let key = entry.get("key").and_then(Value::as_str).unwrap_or_default();
        match key {
            "audience" => audience = entry.get("value").and_then(Value::as_str).map(str::to_owned),
            "" => {}
            other => others.push(format!("`{other}`")),
        }
    }
    (audience, others)
}

/// A parameter's value as it is (a list, an object), not as text.
fn param_value(block: &Value, kind: &str, key: &str) -> Option<Value> {
    match block.get(kind)? {
        Value::Array(items) => items
            .iter()
            .find(|p| p.get("key").and_then(Value::as_str) == Some(key))?
            .get("value")
            .cloned(),
        Value::Object(map) => map.get(key).cloned(),
        _ => None,
    }
}

/// The auth a block asks for; `None` when it inherits (absent, `inherit`, `null`).
pub fn block_kind(block: Option<&Value>) -> Option<&str> {
    let kind = block?.get("type")?.as_str()?;
    (kind != "inherit").then_some(kind)
}

impl Profiles {
    /// The effective auth of a block that does not inherit.
    pub fn convert(&mut self, block: &Value, vars: &mut Variables) -> Auth {
        let kind = block.get("type").and_then(Value::as_str).unwrap_or("noauth");
        let p = |key: &str| param(block, kind, key).unwrap_or_default();
        let no_locals = Default::default();
        let text = |t: &str, vars: &mut Variables| vars.convert(t, &no_locals);
        match kind {
            "noauth" => Auth::None,
            "apikey" => {
                let (key, value, place) = (p("key"), p("value"), p("in"));
                let place = if place == "query" { "query" } else { "header" };
                if value.trim().is_empty() || key.trim().is_empty() {
                    let what = if key.trim().is_empty() { "name" } else { "value" };
                    self.warnings.push(format!(
                        "an API key block has an empty {what} in Postman: set it before running the suite"
                    ));
                }
                self.profile(block, "apikey", |name| {
                    vec![
                        ("type".into(), "api_key".into()),
                        ("name".into(), text(&key, vars)),
                        ("value".into(), secret(&value, name, "KEY", vars)),
                        ("in".into(), place.into()),
                    ]
                })
            }
            "basic" => {
                let (user, password) = (p("username"), p("password"));
                self.profile(block, "basic", |name| {
                    vec![
                        ("type".into(), "basic".into()),
                        ("username".into(), text(&user, vars)),
                        ("password".into(), secret(&password, name, "PASSWORD", vars)),
                    ]
                })
            }
            "bearer" => {
                let token = p("token");
                self.profile(block, "bearer", |name| {
                    vec![
                        ("type".into(), "bearer".into()),
                        ("token".into(), secret(&token, name, "TOKEN", vars)),
                    ]
                })
            }
            "oauth2" => {
                let grant = param(block, kind, "grant_type");
                // A token pasted into the block, with no grant to fetch another: a bearer token.
                let token = p("accessToken");
                if grant.is_none() && !token.trim().is_empty() {
                    return self.profile(block, "bearer", |name| {
                        vec![
                            ("type".into(), "bearer".into()),
                            ("token".into(), secret(&token, name, "TOKEN", vars)),
                        ]
                    });
                }
                let grant = grant.unwrap_or_else(|| "authorization_code".into());
                if grant != "client_credentials" {
                    return self.unsupported(format!("OAuth 2.0 with the `{grant}` grant"));
                }
                let token_url = p("accessTokenUrl");
                let (client_id, client_secret, scope) = (p("clientId"), p("clientSecret"), p("scope"));
                let in_body = p("client_authentication") == "body";
                let issuer = k2_issuer(&token_url);
                let (audience, unmapped) = token_request_params(block);
                self.oauth2_warnings(&p("addTokenTo"), &p("headerPrefix"), &unmapped);
                self.profile(block, "oauth2", |name| {
                    let mut fields = vec![("type".to_owned(), "client_credentials".to_owned())];
                    match &issuer {
                        Some(issuer) => fields.push(("issuer".into(), text(issuer, vars))),
                        None => fields.push(("token_url".into(), text(&token_url, vars))),
                    }
                    fields.push(("client_id".into(), text(&client_id, vars)));
                    fields.push((
                        "client_secret".into(),
                        secret(&client_secret, name, "CLIENT_SECRET", vars),
                    ));
                    if !scope.is_empty() {
                        fields.push(("scope".into(), text(&scope, vars)));
                    }
                    if let Some(audience) = &audience {
                        fields.push(("audience".into(), text(audience, vars)));
                    }
                    fields.push(("client_auth".into(), if in_body { "body" } else { "basic" }.into()));
                    fields
                })
            }
            other => self.unsupported(match other {
                "digest" => "Digest auth".to_owned(),
                "oauth1" => "OAuth 1.0".to_owned(),
                "ntlm" => "NTLM".to_owned(),
                "awsv4" => "AWS Signature".to_owned(),
                "hawk" => "Hawk".to_owned(),
                other => format!("`{other}` auth"),
            }),
        }
    }

    /// What an OAuth 2.0 block asks that a `client_credentials` profile does not do.
    fn oauth2_warnings(&mut self, add_token_to: &str, header_prefix: &str, unmapped: &[String]) {
        if add_token_to == "queryParams" {
            self.warn(
                "an OAuth 2.0 block adds its token to the query; k2check sends it in the Authorization header".into(),
            );
        }
        if !header_prefix.trim().is_empty() && header_prefix.trim() != "Bearer" {
            self.warn(format!(
                "an OAuth 2.0 block prefixes its token with `{}`; k2check sends `Bearer`",
                header_prefix.trim()
            ));
        }
        if !unmapped.is_empty() {
            self.warn(format!(
                "an OAuth 2.0 block sends more in its token request ({}); k2check sends only `audience` of them",
                unmapped.join(", ")
            ));
        }
    }

    fn warn(&mut self, warning: String) {
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
    }

    fn unsupported(&mut self, what: String) -> Auth {
        if !self.unsupported.contains(&what) {
            self.unsupported.push(what.clone());
        }
        Auth::Unsupported(what)
    }

    /// The profile for a block: blocks that say the same (in the v2.0 or the v2.1 shape)
    /// give one profile; blocks that differ in anything give two.
    fn profile(&mut self, block: &Value, base: &str, fields: impl FnOnce(&str) -> Vec<(String, String)>) -> Auth {
        let block = &normalized(block);
        if let Some(i) = self.seen.iter().position(|b| b == block) {
            return Auth::Profile(self.list[i].name.clone());
        }
        let taken = |n: &str| self.list.iter().any(|p| p.name == n);
        let mut name = base.to_owned();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        let fields = fields(&name);
        let k2_issuer = fields.iter().any(|(k, _)| k == "issuer");
        self.list.push(Profile {
            name: name.clone(),
            fields,
            k2_issuer,
        });
        self.seen.push(block.clone());
        Auth::Profile(name)
    }
}

/// A secret field: a `{{variable}}` stays one; a literal is replaced by `secret.NAME`, read
/// from the environment, so the value is never written to disk.
fn secret(value: &str, profile: &str, what: &str, vars: &mut Variables) -> String {
    let trimmed = value.trim();
    if trimmed.starts_with("{{") && trimmed.ends_with("}}") && trimmed.matches("{{").count() == 1 {
        return vars.convert(trimmed, &Default::default());
    }
    vars.secret(&format!("{profile}_{what}"))
}

/// `https://login.onk2.com/{tenant}` for a K2 Cloud token URL, whose issuer discovery knows.
fn k2_issuer(token_url: &str) -> Option<String> {
    let rest = token_url.strip_prefix("https://login.onk2.com/")?;
    let (tenant, path) = rest.split_once('/')?;
    let variable = tenant.starts_with("{{") && tenant.ends_with("}}") && tenant.matches("{{").count() == 1;
    let plain = !tenant.is_empty() && (variable || tenant.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    (plain && path == "connect/token").then(|| format!("https://login.onk2.com/{tenant}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn v20_and_v21_shapes_give_one_profile_and_no_secret() {
        let mut profiles = Profiles::default();
        let mut vars = Variables::default();
        let v21 = json!({"type": "basic", "basic": [{"key": "password", "value": "hunter2"}, {"key": "username", "value": "ann"}]});
        let v20 = json!({"type": "basic", "basic": {"username": "ann", "password": "hunter2"}});
        assert_eq!(profiles.convert(&v21, &mut vars), Auth::Profile("basic".into()));
        assert_eq!(profiles.convert(&v21.clone(), &mut vars), Auth::Profile("basic".into()));
        // The same block in the v2.0 shape is the same profile.
        assert_eq!(profiles.convert(&v20, &mut vars), Auth::Profile("basic".into()));
        let other = json!({"type": "basic", "basic": {"username": "bob", "password": "hunter2"}});
        assert_eq!(profiles.convert(&other, &mut vars), Auth::Profile("basic_2".into()));
        let written = format!("{:?}", profiles.list);
        assert!(
            !written.contains("hunter2") && written.contains("secret.BASIC_PASSWORD"),
            "{written}"
        );
    }

    #[test]
    fn client_credentials_on_k2_cloud_use_the_issuer_and_other_grants_are_unsupported() {
        let mut profiles = Profiles::default();
        let mut vars = Variables::default();
        let cc = json!({"type": "oauth2", "oauth2": [
            {"key": "grant_type", "value": "client_credentials"},
            {"key": "accessTokenUrl", "value": "https://login.onk2.com/7f3c-1/connect/token"},
            {"key": "clientId", "value": "idt.cc.x"}, {"key": "clientSecret", "value": "{{client_secret}}"},
            {"key": "scope", "value": "https://api.k2.com/"}, {"key": "client_authentication", "value": "body"}]});
        assert_eq!(profiles.convert(&cc, &mut vars), Auth::Profile("oauth2".into()));
        let fields = &profiles.list[0].fields;
        assert!(
            fields.contains(&("issuer".into(), "https://login.onk2.com/7f3c-1".into())),
            "{fields:?}"
        );
        assert!(fields.contains(&("client_auth".into(), "body".into())), "{fields:?}");
        let code = json!({"type": "oauth2", "oauth2": [{"key": "grant_type", "value": "authorization_code"}]});
        assert!(matches!(profiles.convert(&code, &mut vars), Auth::Unsupported(_)));
        assert!(matches!(
            profiles.convert(&json!({"type": "digest"}), &mut vars),
            Auth::Unsupported(_)
        ));
        assert_eq!(profiles.unsupported.len(), 2);
    }

    #[test]
    fn oauth2_options_map_or_warn_and_a_token_only_block_is_a_bearer_token() {
        let mut profiles = Profiles::default();
        let mut vars = Variables::default();
        let cc = |prefix: &str| {
            json!({"type": "oauth2", "oauth2": [
                {"key": "grant_type", "value": "client_credentials"},
                {"key": "accessTokenUrl", "value": "https://idp/token"},
                {"key": "clientId", "value": "id"}, {"key": "clientSecret", "value": "{{cs}}"},
                {"key": "addTokenTo", "value": "queryParams"},
                {"key": "headerPrefix", "value": prefix},
                {"key": "tokenRequestParams", "value": [
                    {"key": "audience", "value": "https://api", "enabled": true},
                    {"key": "resource", "value": "x", "enabled": true}]}]})
        };
        assert_eq!(
            profiles.convert(&cc("Token"), &mut vars),
            Auth::Profile("oauth2".into())
        );
        // Differing only in what a profile does not hold: still two profiles.
        assert_eq!(
            profiles.convert(&cc("JWT"), &mut vars),
            Auth::Profile("oauth2_2".into())
        );
        assert!(
            profiles.list[0]
                .fields
                .contains(&("audience".into(), "https://api".into()))
        );
        let warnings = profiles.warnings.join("\n");
        assert!(warnings.contains("adds its token to the query"), "{warnings}");
        assert!(warnings.contains("prefixes its token with `Token`"), "{warnings}");
        assert!(warnings.contains("`resource`"), "{warnings}");
        let token_only = json!({"type": "oauth2", "oauth2": [{"key": "accessToken", "value": "eyJ-pasted"}]});
        assert_eq!(profiles.convert(&token_only, &mut vars), Auth::Profile("bearer".into()));
        let written = format!("{:?}", profiles.list);
        assert!(
            !written.contains("eyJ-pasted") && written.contains("secret."),
            "{written}"
        );
    }
}
