//! A Postman collection's items as steps: folders walked in document order, auth inherited
//! as Postman inherits it, URLs and bodies as Postman sends them.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::import::postman_auth::{Auth, Profiles, block_kind};
use crate::import::postman_scripts::{Translated, translate};
use crate::import::postman_vars::{
    Variables, is_credential_header, looks_secret, replace_secret_fields, variable_name,
};

/// One request, converted.
#[derive(Debug)]
pub struct ImportedStep {
    pub name: String,
    pub description: Option<String>,
    pub auth: Auth,
    /// `request:` as a mapping (method, url, headers, json/form/body).
    pub request: Map<String, Value>,
    pub tests: Translated,
    /// Postman variable name → template variable captured here.
    pub captures: Vec<(String, String, String)>,
    /// Comments to put above the step, each a reason with what was kept.
    pub notes: Vec<String>,
    pub warnings: Vec<String>,
    /// A client-credentials token request sent as a plain form.
    pub token_request: bool,
    /// The K2 step (`odata`, `scim`, `workflow`) that sends exactly this request, if any.
    pub k2: Option<(&'static str, Value)>,
}

/// A top-level folder (or the collection's own top-level requests): one scenario file.
#[derive(Debug)]
pub struct Group {
    pub name: String,
    pub description: Option<String>,
    pub auth: Auth,
    pub steps: Vec<ImportedStep>,
    /// Scripts of the collection and of folders, which Postman runs around every request in
    /// them: kept as comments at the top of the scenario.
    pub notes: Vec<String>,
}

/// Turns a collection's top-level items into groups as they come: a folder is a group at
/// once; the requests at the top level form one group after the folders.
pub struct GroupWalker {
    collection_auth: Auth,
    collection_scripts: Vec<String>,
    top_level: Group,
    /// The top-level requests, converted after the folders (as Postman lists them).
    top_level_requests: Vec<Value>,
}

impl GroupWalker {
    /// `collection` holds the collection's members but its items.
    pub fn new(collection: &Value, profiles: &mut Profiles, vars: &mut Variables) -> Self {
        let collection_name = text_at(collection, &["info", "name"]).unwrap_or_else(|| "Imported collection".into());
        let collection_auth = effective(None, collection.get("auth"), profiles, vars);
        let collection_scripts = folder_scripts(collection, "the collection");
        GroupWalker {
            top_level: Group {
                name: collection_name,
                description: description(collection.get("info")),
                auth: collection_auth.clone(),
                steps: Vec::new(),
                notes: collection_scripts.clone(),
            },
            collection_auth,
            collection_scripts,
            top_level_requests: Vec::new(),
        }
    }

    /// A top-level item: a folder's group (none for an empty folder); a request waits.
    pub fn item(&mut self, item: Value, profiles: &mut Profiles, vars: &mut Variables) -> Option<Group> {
        if !is_folder(&item) {
            if item.get("request").is_some() {
                self.top_level_requests.push(item);
            }
            return None;
        }
        let auth = effective(Some(&self.collection_auth), item.get("auth"), profiles, vars);
        let name = text_at(&item, &["name"]).unwrap_or_else(|| "Folder".into());
        let mut notes = self.collection_scripts.clone();
        notes.extend(folder_scripts(&item, &format!("the folder `{name}`")));
        let mut group = Group {
            name,
            description: description(Some(&item)),
            auth: auth.clone(),
            steps: Vec::new(),
            notes,
        };
        let mut locals = BTreeMap::new();
        walk(&item, &auth, &[], profiles, vars, &mut locals, &mut group);
        // An empty folder gives nothing.
        (!group.steps.is_empty()).then_some(group)
    }

    /// The requests at the top level, one scenario after the folders (sharing its captures).
    pub fn finish(mut self, profiles: &mut Profiles, vars: &mut Variables) -> Option<Group> {
        let mut locals = BTreeMap::new();
        for item in &self.top_level_requests {
            let step = request_step(item, &self.collection_auth, &[], profiles, vars, &mut locals);
            self.top_level.steps.push(step);
        }
        (!self.top_level.steps.is_empty()).then_some(self.top_level)
    }
}

fn is_folder(item: &Value) -> bool {
    item.get("item").is_some_and(Value::is_array)
}

/// A block's auth, or the one it inherits.
fn effective(inherited: Option<&Auth>, block: Option<&Value>, profiles: &mut Profiles, vars: &mut Variables) -> Auth {
    match (block_kind(block), block) {
        (Some(_), Some(block)) => profiles.convert(block, vars),
        _ => inherited.cloned().unwrap_or(Auth::None),
    }
}

fn walk(
    folder: &Value,
    auth: &Auth,
    path: &[String],
    profiles: &mut Profiles,
    vars: &mut Variables,
    locals: &mut BTreeMap<String, String>,
    group: &mut Group,
) {
    for item in folder.get("item").and_then(Value::as_array).into_iter().flatten() {
        if is_folder(item) {
            let inner = effective(Some(auth), item.get("auth"), profiles, vars);
            let mut inner_path = path.to_vec();
            inner_path.push(text_at(item, &["name"]).unwrap_or_default());
            group.notes.extend(folder_scripts(
                item,
                &format!("the folder `{}`", inner_path.join(" / ")),
            ));
            walk(item, &inner, &inner_path, profiles, vars, locals, group);
        } else if item.get("request").is_some() {
            group.steps.push(request_step(item, auth, path, profiles, vars, locals));
        }
    }
}

/// The scripts of a collection or folder, each as a note saying whose it is.
fn folder_scripts(holder: &Value, whose: &str) -> Vec<String> {
    holder
        .get("event")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|event| {
            let script = script_text(event);
            let listen = event.get("listen").and_then(Value::as_str).unwrap_or("test");
            let when = if listen == "prerequest" { "before" } else { "after" };
            (!script.trim().is_empty()).then(|| {
                format!("Postman runs this script of {whose} {when} every request in it; kept as written (not run):\n{script}")
            })
        })
        .collect()
}

fn request_step(
    item: &Value,
    inherited: &Auth,
    path: &[String],
    profiles: &mut Profiles,
    vars: &mut Variables,
    locals: &mut BTreeMap<String, String>,
) -> ImportedStep {
    let request = item.get("request").cloned().unwrap_or(Value::Null);
    // v2 allows a request to be just its URL.
    let request = match request {
        Value::String(url) => json!({ "url": url }),
        other => other,
    };
    let name = text_at(item, &["name"]).unwrap_or_else(|| "request".into());
    let name = match path.is_empty() {
        true => name,
        false => format!("{} / {name}", path.join(" / ")),
    };
    let mut step = ImportedStep {
        name,
        description: description(Some(&request)).or_else(|| description(Some(item))),
        auth: effective(Some(inherited), request.get("auth"), profiles, vars),
        request: Map::new(),
        tests: Translated::default(),
        captures: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
        token_request: false,
        k2: None,
    };
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    if !crate::scenario::decode_request::METHODS.contains(&method.as_str()) {
        step.warnings.push(format!(
            "step `{}`: k2check does not send {method} requests; `validate` says so until the step is changed",
            step.name
        ));
    }
    let url = build_url(request.get("url"));
    for empty in empty_path_variables(request.get("url")) {
        step.warnings.push(format!(
            "step `{}`: the path variable `:{empty}` is empty in Postman, so the URL has an empty segment",
            step.name
        ));
    }
    let headers = request_headers(&request, &mut step, vars, locals);
    let url = secret_url_parts(&url, vars);
    let url = vars.convert(&url, locals);
    if let Auth::Unsupported(what) = &step.auth {
        step.notes.push(format!(
            "Postman sends {what} here; k2check cannot, so this step goes without credentials."
        ));
        step.warnings.push(format!(
            "{what} is not supported: step `{}` sends no credentials",
            step.name
        ));
    }
    step.request.insert("method".into(), Value::String(method));
    step.request.insert("url".into(), Value::String(url));
    if !headers.is_empty() {
        step.request.insert("headers".into(), Value::Object(headers));
    }
    body(&request, &mut step, vars, locals);
    for event in item.get("event").and_then(Value::as_array).into_iter().flatten() {
        take_script(event, &mut step);
    }
    for (postman_name, path) in &step.tests.captures {
        let name = variable_name(postman_name);
        locals.insert(postman_name.clone(), name.clone());
        step.captures.push((postman_name.clone(), name, path.clone()));
    }
    step
}

/// The request's headers as the step sends them: those Postman leaves out (disabled), that
/// HTTP cannot carry, or that the auth profile sends itself, are left out with a warning.
fn request_headers(
    request: &Value,
    step: &mut ImportedStep,
    vars: &mut Variables,
    locals: &BTreeMap<String, String>,
) -> Map<String, Value> {
    let mut headers = Map::new();
    for header in header_list(request.get("header")) {
        let header = &header;
        if is_disabled(header) {
            continue;
        }
        let (Some(key), value) = (
            text_at(header, &["key"]),
            text_at(header, &["value"]).unwrap_or_default(),
        ) else {
            continue;
        };
        if ::http::HeaderName::from_bytes(key.as_bytes()).is_err() {
            step.warnings.push(format!(
                "step `{}`: the header name `{key}` is not valid HTTP; left out",
                step.name
            ));
            continue;
        }
        // The profile sends its own: a literal one Postman would replace is not kept.
        if key.eq_ignore_ascii_case("authorization") && matches!(step.auth, Auth::Profile(_)) {
            step.warnings.push(format!(
                "step `{}`: its `Authorization` header is left out: the auth profile sends the credentials",
                step.name
            ));
            continue;
        }
        let value = header_value(&key, &value, vars, locals);
        headers.insert(key, Value::String(value));
    }
    headers
}

/// A test script becomes the step's checks and captures (what cannot be translated is kept
/// whole as a comment); a pre-request script is kept as a comment.
fn take_script(event: &Value, step: &mut ImportedStep) {
    let script = script_text(event);
    if script.trim().is_empty() {
        return;
    }
    match event.get("listen").and_then(Value::as_str) {
        Some("test") => {
            let tests = translate(&script);
            // One warning a script, not one a statement.
            if let Some(first) = tests.kept.first() {
                let n = tests.kept.len();
                step.warnings.push(format!(
                    "step `{}`: {n} statement{} of its test script not translated (the first: {}); the script is kept whole as a comment",
                    step.name,
                    if n == 1 { "" } else { "s" },
                    first_line(first)
                ));
            }
            for (name, condition) in &tests.conditional {
                step.warnings.push(format!(
                    "step `{}`: `{name}` is captured every time; Postman sets it only if ({condition})",
                    step.name
                ));
            }
            step.tests = tests;
        }
        _ => {
            step.notes.push(format!(
                "Postman pre-request script, kept as written (not run):\n{script}"
            ));
            step.warnings.push(format!(
                "step `{}`: its pre-request script is kept as a comment",
                step.name
            ));
        }
    }
}

/// Headers: a list of `{ key, value }`, or (allowed by the schema) one `Key: value` string
/// a line.
fn header_list(headers: Option<&Value>) -> Vec<Value> {
    match headers {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::String(text)) => text
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(k, v)| json!({ "key": k.trim(), "value": v.trim() }))
            .collect(),
        _ => Vec::new(),
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    crate::text::cut(line, 100)
}

/// A URL with its literal secrets as `{{name}}` references to secrets: the password of a
/// `user:password@` and the value of a secret-named query parameter (`api_key=…`).
fn secret_url_parts(url: &str, vars: &mut Variables) -> String {
    let mut url = url.to_owned();
    if let Some(scheme_end) = url.find("://").map(|i| i + 3) {
        let authority_end = url[scheme_end..]
            .find(['/', '?', '#'])
            .map_or(url.len(), |i| scheme_end + i);
        if let Some(at) = url[scheme_end..authority_end].rfind('@').map(|i| scheme_end + i)
            && let Some(colon) = url[scheme_end..at].find(':').map(|i| scheme_end + i)
            && !url[colon + 1..at].contains("{{")
        {
            url.replace_range(colon + 1..at, &format!("{{{{{}}}}}", vars.secret_name("url_password")));
        }
    }
    let Some((base, query)) = url.split_once('?') else {
        return url;
    };
    let (query, fragment) = match query.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (query, None),
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if looks_secret(name) && !value.is_empty() && !value.contains("{{") => {
                format!("{name}={{{{{}}}}}", vars.secret_name(&format!("query_{name}")))
            }
            _ => pair.to_owned(),
        })
        .collect();
    let mut out = format!("{base}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// A JSON body with the literal values of secret-named fields as secret references (named
/// for where they stood, never shared with a variable of that name), and a string that is
/// one template kept a string (`"{{$timestamp}}"` is text in Postman).
fn secret_json_fields(value: &mut Value, vars: &mut Variables) {
    replace_secret_fields(value, &mut |field| vars.secret(&format!("body_{field}")));
    templates_stay_text(value);
}

fn templates_stay_text(value: &mut Value) {
    match value {
        Value::Object(map) => map.values_mut().for_each(templates_stay_text),
        Value::Array(items) => items.iter_mut().for_each(templates_stay_text),
        Value::String(text) => {
            // An environment variable is text already; a function or a suite variable may
            // render as a number.
            if let Some(expression) = text.strip_prefix("{{ ").and_then(|t| t.strip_suffix(" }}"))
                && !expression.contains("}}")
                && !expression.starts_with("env.")
                && !expression.starts_with("secret.")
            {
                *text = format!("{{{{ {expression} | string }}}}");
            }
        }
        _ => {}
    }
}

/// A header's value; a literal credential becomes a `secret.` reference.
fn header_value(key: &str, value: &str, vars: &mut Variables, locals: &BTreeMap<String, String>) -> String {
    let lower = key.to_ascii_lowercase();
    if !is_credential_header(&lower) || value.contains("{{") || value.trim().is_empty() {
        return vars.convert(value, locals);
    }
    // Keep the scheme readable: `Bearer {{ secret.AUTHORIZATION }}`.
    let (scheme, _) = value
        .split_once(' ')
        .filter(|(s, _)| ["Bearer", "Basic", "Token"].contains(s))
        .unwrap_or(("", ""));
    let secret = vars.secret(&lower);
    match scheme {
        "" => secret,
        scheme => format!("{scheme} {secret}"),
    }
}

fn body(request: &Value, step: &mut ImportedStep, vars: &mut Variables, locals: &BTreeMap<String, String>) {
    let Some(body) = request.get("body").filter(|b| !b.is_null()) else {
        return;
    };
    if body.get("disabled").and_then(Value::as_bool) == Some(true) {
        return;
    }
    let mode = body.get("mode").and_then(Value::as_str).unwrap_or("raw");
    match mode {
        "raw" => {
            let raw = text_at(body, &["raw"]).unwrap_or_default();
            if raw.is_empty() {
                return;
            }
            let language = text_at(body, &["options", "raw", "language"]).unwrap_or_else(|| "text".into());
            let converted = vars.convert(&raw, locals);
            match (language.as_str(), serde_json::from_str::<Value>(&converted)) {
                ("json", Ok(mut parsed)) => {
                    secret_json_fields(&mut parsed, vars);
                    step.request.insert("json".into(), parsed);
                }
                _ => {
                    let content_type = match language.as_str() {
                        "json" => "application/json",
                        "xml" => "application/xml",
                        "html" => "text/html",
                        "javascript" => "application/javascript",
                        _ => "text/plain",
                    };
                    add_header_if_missing(step, "Content-Type", content_type);
                    step.request.insert("body".into(), Value::String(converted));
                }
            }
        }
        "urlencoded" => {
            let mut form = Map::new();
            for field in body.get("urlencoded").and_then(Value::as_array).into_iter().flatten() {
                if is_disabled(field) {
                    continue;
                }
                let key = text_at(field, &["key"]).unwrap_or_default();
                let value = text_at(field, &["value"]).unwrap_or_default();
                let value = match looks_secret(&key) && !value.contains("{{") && !value.is_empty() {
                    true => vars.secret(&key),
                    false => vars.convert(&value, locals),
                };
                if key == "grant_type" && value == "client_credentials" {
                    step.token_request = true;
                }
                form.insert(key, Value::String(value));
            }
            step.request.insert("form".into(), Value::Object(form));
        }
        "graphql" => {
            let query = text_at(body, &["graphql", "query"]).unwrap_or_default();
            let variables = text_at(body, &["graphql", "variables"]).unwrap_or_default();
            let variables = match variables.trim() {
                "" => json!({}),
                text => serde_json::from_str(&vars.convert(text, locals))
                    .unwrap_or(Value::String(vars.convert(text, locals))),
            };
            step.request.insert(
                "json".into(),
                json!({ "query": vars.convert(&query, locals), "variables": variables }),
            );
        }
        other => {
            let what = match other {
                "formdata" => "a multipart form (formdata)",
                "file" => "a file as the body",
                _ => "a body of an unknown mode",
            };
            // Fields named, values of secret-named ones never written.
            let mut shown = body.get(other).cloned().unwrap_or(Value::Null);
            mask_secret_entries(&mut shown);
            let kept = serde_json::to_string_pretty(&shown).unwrap_or_default();
            step.notes.push(format!(
                "Postman sends {what} here; k2check sends no body. As Postman has it:\n{kept}"
            ));
            step.warnings.push(format!(
                "step `{}`: {what} is not sent by k2check; kept as a comment",
                step.name
            ));
        }
    }
}

/// `{key, value}` entries (and plain fields) whose name looks secret, their values as `***`.
fn mask_secret_entries(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(mask_secret_entries),
        Value::Object(map) => {
            let secret_entry = map.get("key").and_then(Value::as_str).is_some_and(looks_secret);
            for (field, inner) in map.iter_mut() {
                let hide = (secret_entry && field == "value") || (field != "key" && looks_secret(field));
                match inner {
                    Value::String(text) if hide && !text.is_empty() => *text = crate::redact::MASK.into(),
                    other => mask_secret_entries(other),
                }
            }
        }
        _ => {}
    }
}

fn add_header_if_missing(step: &mut ImportedStep, name: &str, value: &str) {
    let headers = step
        .request
        .entry("headers")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(map) = headers
        && !map.keys().any(|k| k.eq_ignore_ascii_case(name))
    {
        map.insert(name.into(), Value::String(value.into()));
    }
}

/// The `:name` path variables a URL's parts leave empty.
fn empty_path_variables(url: Option<&Value>) -> Vec<String> {
    url.and_then(|u| u.get("variable"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| text_at(v, &["value"]).is_none_or(|value| value.trim().is_empty()))
        .filter_map(|v| text_at(v, &["key"]))
        .collect()
}

/// The URL Postman sends: from its parts when it has them (disabled query parameters left
/// out, `:name` path variables filled in), else as written.
pub fn build_url(url: Option<&Value>) -> String {
    let Some(url) = url else { return String::new() };
    if let Value::String(raw) = url {
        return raw.clone();
    }
    let raw = text_at(url, &["raw"]).unwrap_or_default();
    let Some(host) = url.get("host") else {
        return raw;
    };
    let host = match host {
        Value::Array(parts) => parts.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("."),
        other => other.as_str().unwrap_or_default().to_owned(),
    };
    let variables: BTreeMap<String, String> = url
        .get("variable")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| Some((text_at(v, &["key"])?, text_at(v, &["value"]).unwrap_or_default())))
        .collect();
    let segment = |s: &str| match s.strip_prefix(':').and_then(|name| variables.get(name)) {
        Some(value) if !value.is_empty() => value.clone(),
        _ => s.to_owned(),
    };
    let path = match url.get("path") {
        Some(Value::Array(parts)) => parts
            .iter()
            .map(|p| {
                p.as_str()
                    .map(segment)
                    .unwrap_or_else(|| text_at(p, &["value"]).unwrap_or_default())
            })
            .collect::<Vec<_>>()
            .join("/"),
        Some(Value::String(p)) => p
            .trim_start_matches('/')
            .split('/')
            .map(segment)
            .collect::<Vec<_>>()
            .join("/"),
        _ => String::new(),
    };
    let mut out = String::new();
    if let Some(protocol) = text_at(url, &["protocol"]) {
        out.push_str(&format!("{protocol}://"));
    } else if raw.contains("://") {
        out.push_str(raw.split("://").next().unwrap_or("https"));
        out.push_str("://");
    }
    out.push_str(&host);
    if let Some(port) = text_at(url, &["port"]) {
        out.push_str(&format!(":{port}"));
    }
    if !path.is_empty() {
        out.push('/');
        out.push_str(&path);
    }
    let query: Vec<String> = url
        .get("query")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|q| !is_disabled(q))
        .filter_map(|q| {
            let key = text_at(q, &["key"])?;
            Some(match q.get("value") {
                Some(Value::Null) | None => key,
                Some(_) => format!("{key}={}", text_at(q, &["value"]).unwrap_or_default()),
            })
        })
        .collect();
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query.join("&"));
    }
    if !out.contains("://") && !out.starts_with("{{") {
        // Postman sends a URL written without a scheme over http.
        out.insert_str(0, "http://");
    }
    out
}

fn is_disabled(entry: &Value) -> bool {
    entry.get("disabled").and_then(Value::as_bool) == Some(true)
        || entry.get("enabled").and_then(Value::as_bool) == Some(false)
}

/// A script's text: `exec` is a list of lines, or (v2.0) one string.
fn script_text(event: &Value) -> String {
    match event.get("script").and_then(|s| s.get("exec")) {
        Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n"),
        Some(Value::String(text)) => text.clone(),
        _ => String::new(),
    }
}

/// A description: a string, or `{ content }`.
fn description(of: Option<&Value>) -> Option<String> {
    let d = of?.get("description")?;
    let text = match d {
        Value::String(s) => s.clone(),
        other => text_at(other, &["content"])?,
    };
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// A value's text at a path of keys (strings as they are, numbers and booleans as written).
pub fn text_at(value: &Value, path: &[&str]) -> Option<String> {
    let mut v = value;
    for key in path {
        v = v.get(key)?;
    }
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_as_postman_sends_them() {
        let url = json!({
            "raw": "{{base}}/api/odatav4/v4/Emp/:id?$filter=Name eq 'x'&$top=5&off=1",
            "host": ["{{base}}"], "path": ["api", "odatav4", "v4", "Emp", ":id"],
            "query": [{"key": "$filter", "value": "Name eq 'x'"}, {"key": "$top", "value": "5"},
                      {"key": "off", "value": "1", "disabled": true}, {"key": "flag", "value": null}],
            "variable": [{"key": "id", "value": "42"}]
        });
        assert_eq!(
            build_url(Some(&url)),
            "{{base}}/api/odatav4/v4/Emp/42?$filter=Name eq 'x'&$top=5&flag"
        );
        let plain = json!({"protocol": "https", "host": ["example", "com"], "port": "8443", "path": ["a%20b"], "query": [{"key": "q", "value": "x%2Fy"}]});
        assert_eq!(build_url(Some(&plain)), "https://example.com:8443/a%20b?q=x%2Fy");
        assert_eq!(build_url(Some(&json!("https://x/y"))), "https://x/y");
        assert_eq!(build_url(Some(&json!({"host": ["x"], "path": "/a/b"}))), "http://x/a/b");
    }
}
