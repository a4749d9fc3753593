//! A curl command line as one k2check step. Credentials in it become `secret.` references;
//! Basic credentials (`-u`) become an auth profile to add to `k2check.yaml`.

use serde_json::{Map, Value, json};

use crate::encoding::form_urlencoded;
use crate::import::postman_vars::{
    env_name, is_credential_header, literal, looks_secret, replace_secret_fields, secret_reference,
};
use crate::import::shell_words::split;
use crate::import::yaml_text::value;

/// The step, what to add to `k2check.yaml`, and what the user must know.
#[derive(Debug, Default)]
pub struct CurlStep {
    /// The step as a YAML list item (`- name: …`), indented for a `steps:` list.
    pub yaml: String,
    /// An auth profile to add under `auth:` in `k2check.yaml`, for `-u`.
    pub profile: Option<String>,
    /// Environment variables the step reads.
    pub environment: Vec<String>,
    pub warnings: Vec<String>,
}

/// What the suite a step goes to tells the conversion (`--to` a file in a suite).
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// The step's name (default: method and path).
    pub name: Option<String>,
    /// Keep the headers a browser adds (`sec-ch-*`, `user-agent`, …).
    pub keep_headers: bool,
    /// The origins the suite's `api` variable has in its environments: a URL on one is
    /// written as `{{ api }}/…`.
    pub api_origins: Vec<String>,
    /// The suite's default auth profile: a pasted `Authorization` gives way to it.
    pub default_profile: Option<String>,
}

/// Headers a browser adds by itself, which say nothing about the API call.
fn is_browser_noise(lower: &str) -> bool {
    lower.starts_with("sec-ch-")
        || lower.starts_with("sec-fetch-")
        || matches!(
            lower,
            "user-agent"
                | "accept-language"
                | "priority"
                | "referer"
                | "origin"
                | "dnt"
                | "accept-encoding"
                | "cache-control"
                | "pragma"
                | "connection"
                | "upgrade-insecure-requests"
        )
}

#[derive(Default)]
struct Parsed {
    method: Option<String>,
    url: Option<String>,
    headers: Vec<(String, String)>,
    data: Vec<String>,
    json: bool,
    get: bool,
    user: Option<String>,
    follow: bool,
}

/// Why a command line is not a step.
#[derive(Debug, thiserror::Error)]
pub enum CurlError {
    #[error("the curl command is empty")]
    Empty,
    #[error("this is not a curl command: it starts with `{0}`")]
    NotCurl(String),
    /// Its words (quotes, escapes) or options cannot be read.
    #[error("{0}")]
    Unreadable(String),
}

impl From<String> for CurlError {
    fn from(words: String) -> Self {
        CurlError::Unreadable(words)
    }
}

impl From<&str> for CurlError {
    fn from(words: &str) -> Self {
        CurlError::Unreadable(words.to_owned())
    }
}

/// Converts a curl command line.
pub fn convert(command: &str, options: &Options) -> Result<CurlStep, CurlError> {
    let words = split(command.trim()).map_err(CurlError::Unreadable)?;
    let mut words = words.into_iter().peekable();
    match words.next().as_deref() {
        Some("curl") | Some("curl.exe") => {}
        Some(other) => return Err(CurlError::NotCurl(other.to_owned())),
        None => return Err(CurlError::Empty),
    }
    let mut p = Parsed::default();
    let mut out = CurlStep::default();
    while let Some(word) = words.next() {
        let (flag, attached) = split_flag(&word);
        let mut value = |what: &str| -> Result<String, String> {
            match &attached {
                Some(v) => Ok(v.clone()),
                None => words.next().ok_or_else(|| format!("`{flag}` needs {what}")),
            }
        };
        match flag.as_str() {
            "-X" | "--request" => p.method = Some(value("a method")?.to_ascii_uppercase()),
            "-H" | "--header" => {
                let header = value("a header")?;
                let (k, v) = header.split_once(':').ok_or_else(|| format!("`{header}` is not a `Name: value` header"))?;
                p.headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
            "-d" | "--data" | "--data-binary" | "--data-ascii" | "--json" | "--data-urlencode" => {
                let data = value("data")?;
                p.json |= flag == "--json";
                // `@file` reads a file curl has and the import does not: said, not guessed.
                let from_file = match flag.as_str() {
                    "--data-urlencode" => data.split_once('=').map_or(data.as_str(), |(_, v)| v).starts_with('@')
                        || (!data.contains('=') && data.starts_with('@')),
                    _ => data.starts_with('@'),
                };
                if from_file {
                    out.warnings.push(format!(
                        "`{flag} {data}` sends a file's content; it is not imported: add the body to the step by hand"
                    ));
                } else if flag == "--data-urlencode" {
                    p.data.push(urlencode_data(&data));
                } else {
                    p.data.push(data);
                }
            }
            "--data-raw" => p.data.push(value("data")?),
            "-F" | "--form" | "--form-string" => {
                let field = value("a form field")?;
                out.warnings.push(format!(
                    "`{flag} {field}` is a multipart form field; k2check sends no multipart body, so it is left out"
                ));
            }
            "-T" | "--upload-file" | "-x" | "--proxy" | "-c" | "--cookie-jar" | "--cacert" | "--cert" | "--key"
            | "--resolve" | "--retry" | "--limit-rate" | "-r" | "--range" | "-K" | "--config" => {
                let taken = value("a value")?;
                out.warnings.push(format!("`{flag} {taken}` is not translated; left out"));
            }
            "-u" | "--user" => p.user = Some(value("user:password")?),
            "-G" | "--get" => p.get = true,
            "-L" | "--location" => p.follow = true,
            "-I" | "--head" => p.method = Some("HEAD".into()),
            "--url" => p.url = Some(value("a URL")?),
            "-A" | "--user-agent" => p.headers.push(("User-Agent".into(), value("a user agent")?)),
            "-e" | "--referer" => p.headers.push(("Referer".into(), value("a referer")?)),
            "-b" | "--cookie" => p.headers.push(("Cookie".into(), value("cookies")?)),
            "-k" | "--insecure" => out.warnings.push(
                "`-k` turns TLS verification off for curl; k2check keeps it on (set `tls.insecure: true` in k2check.yaml only for a test tenant)".into(),
            ),
            "--compressed" | "-s" | "--silent" | "-S" | "--show-error" | "-v" | "--verbose" | "-i" | "--include"
            | "-f" | "--fail" | "-sS" | "-Ss" => {}
            "-o" | "--output" | "-m" | "--max-time" | "--connect-timeout" | "-w" | "--write-out" => {
                let _ = value("a value")?;
            }
            f if f.starts_with('-') && f.len() > 1 => out.warnings.push(format!("`{f}` is not translated; left out")),
            _ => p.url = Some(word.clone()),
        }
    }
    let url = p.url.clone().ok_or("the curl command has no URL")?;
    Ok(build(p, url, options, out)?)
}

/// `-XPOST`, `-H'a: b'` and `--request=POST` carry their value.
fn split_flag(word: &str) -> (String, Option<String>) {
    if let Some((flag, v)) = word.split_once('=').filter(|(f, _)| f.starts_with("--")) {
        return (flag.to_owned(), Some(v.to_owned()));
    }
    let takes_value = [
        "-X", "-H", "-d", "-u", "-A", "-e", "-b", "-o", "-m", "-w", "-F", "-T", "-x", "-c", "-r", "-K",
    ];
    match takes_value
        .iter()
        .find(|f| word.starts_with(**f) && word.len() > 2 && !word.starts_with("--"))
    {
        Some(flag) => ((*flag).to_owned(), Some(word[2..].to_owned())),
        None => (word.to_owned(), None),
    }
}

/// `--data-urlencode`: `name=value` encodes the value; `=value` and `value` encode it all.
fn urlencode_data(text: &str) -> String {
    match text.split_once('=') {
        Some(("", v)) => form_urlencoded(v),
        Some((name, v)) => format!("{name}={}", form_urlencoded(v)),
        None => form_urlencoded(text),
    }
}

fn build(p: Parsed, url: String, options: &Options, mut out: CurlStep) -> Result<CurlStep, String> {
    let name = options.name.as_deref();
    let data = p.data.join("&");
    let mut url = url;
    if p.get && !data.is_empty() {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&data);
    }
    let method = p
        .method
        .clone()
        .unwrap_or_else(|| if data.is_empty() || p.get { "GET" } else { "POST" }.into());
    let url = on_api(&secret_query(&url, &mut out), &options.api_origins);
    let mut request = Map::new();
    if method != "GET" {
        request.insert("method".into(), json!(method));
    }
    request.insert("url".into(), json!(url));
    let content_type = p
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase());
    let (mut headers, own_credentials) = step_headers(&p, options, &mut out);
    if !p.get && !data.is_empty() {
        add_body(&p, &data, content_type.as_deref(), &mut request, &mut headers, &mut out);
    }
    if !headers.is_empty() {
        request.insert("headers".into(), Value::Object(headers));
    }
    if p.follow {
        request.insert("follow_redirects".into(), json!(true));
    }
    let mut step = Map::new();
    let path = url::Url::parse(&url)
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|_| url.clone());
    step.insert(
        "name".into(),
        json!(name.map(str::to_owned).unwrap_or_else(|| format!("{method} {path}"))),
    );
    if let Some(user) = &p.user {
        let (username, _) = user.split_once(':').unwrap_or((user, ""));
        out.environment.push("CURL_PASSWORD".into());
        out.profile = Some(format!(
            "  curl:\n    type: basic\n    username: {}\n    password: \"{{{{ secret.CURL_PASSWORD }}}}\"\n",
            crate::import::yaml_text::scalar(username)
        ));
        step.insert("auth".into(), json!("curl"));
    } else if own_credentials {
        step.insert("auth".into(), json!("none"));
    }
    step.insert("request".into(), Value::Object(request));
    // A pasted call was made to succeed: the written step says so.
    step.insert("expect".into(), json!({ "status": "2xx" }));
    let body = value(&Value::Object(step), 4);
    out.yaml = format!("  - {}\n", body.trim_start_matches('\n').trim_start());
    out.environment.sort();
    out.environment.dedup();
    Ok(out)
}

/// The headers the step sends: a browser's own left out (unless kept), credentials as
/// secrets, a pasted credential left to the suite's profile when it has one. Also whether
/// the step carries credentials of its own (`auth: none`).
fn step_headers(p: &Parsed, options: &Options, out: &mut CurlStep) -> (Map<String, Value>, bool) {
    let mut headers = Map::new();
    let mut dropped = Vec::new();
    // A pasted credential is the step's own (`auth: none`), unless the suite has a profile.
    let mut own_credentials = false;
    for (k, v) in &p.headers {
        let lower = k.to_ascii_lowercase();
        if !options.keep_headers && is_browser_noise(&lower) {
            dropped.push(k.clone());
            continue;
        }
        let pasted = lower == "authorization" || lower == "cookie";
        if pasted && let Some(profile) = &options.default_profile {
            out.warnings.push(format!(
                "the pasted `{k}` header is left out: the suite's auth profile `{profile}` sends the credentials"
            ));
            continue;
        }
        own_credentials |= pasted;
        let v = if is_credential_header(&lower) {
            secret_header(&lower, v, out)
        } else {
            v.clone()
        };
        headers.insert(k.clone(), Value::String(v));
    }
    if !dropped.is_empty() {
        out.warnings.push(format!(
            "left out the headers a browser adds ({}); --keep-headers keeps them",
            dropped.join(", ")
        ));
    }
    (headers, own_credentials)
}

/// The data sent: `json:` when it is JSON, `form:` when it is a form, else the body as
/// written; secret fields as secrets, and no content type the step's key implies.
fn add_body(
    p: &Parsed,
    data: &str,
    content_type: Option<&str>,
    request: &mut Map<String, Value>,
    headers: &mut Map<String, Value>,
    out: &mut CurlStep,
) {
    let is_json = p.json || content_type.is_some_and(|c| c.contains("json"));
    let is_form = !is_json && content_type.is_none_or(|c| c.contains("x-www-form-urlencoded"));
    match (is_json, serde_json::from_str::<Value>(data)) {
        (true, Ok(mut parsed)) => {
            replace_secret_fields(&mut parsed, &mut |field| secret_ref(field, out));
            request.insert("json".into(), parsed);
            if p.json {
                headers.entry("Accept").or_insert(json!("application/json"));
            }
            // What `json:` sends by itself needs no header; anything more (a charset) is kept.
            headers.retain(|k, v| !(k.eq_ignore_ascii_case("content-type") && v == "application/json"));
        }
        _ if is_form && form_fields(data).is_some() => {
            let mut form = Map::new();
            for (k, v) in form_fields(data).unwrap_or_default() {
                let v = if looks_secret(&k) { secret_ref(&k, out) } else { v };
                form.insert(k, Value::String(v));
            }
            headers
                .retain(|k, v| !(k.eq_ignore_ascii_case("content-type") && v == "application/x-www-form-urlencoded"));
            request.insert("form".into(), Value::Object(form));
        }
        _ => {
            request.insert("body".into(), Value::String(literal(data)));
            if content_type.is_none() {
                headers.insert("Content-Type".into(), json!("application/x-www-form-urlencoded"));
            }
        }
    }
}

/// `a=1&b=x%20y` as fields with their values decoded; `None` when it is not such a form.
fn form_fields(data: &str) -> Option<Vec<(String, String)>> {
    data.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8()
                    .ok()
                    .map(|c| c.into_owned())
            };
            Some((decode(k)?, literal(&decode(v)?)))
        })
        .collect()
}

/// A credential header as a `secret.` reference, its scheme kept readable.
fn secret_header(name: &str, value: &str, out: &mut CurlStep) -> String {
    let reference = secret_ref(name, out);
    match value.split_once(' ') {
        Some((scheme @ ("Bearer" | "Basic" | "Token" | "Digest"), _)) => format!("{scheme} {reference}"),
        _ => reference,
    }
}

fn secret_ref(name: &str, out: &mut CurlStep) -> String {
    let env = env_name(name);
    let reference = secret_reference(&env);
    out.environment.push(env);
    reference
}

/// A URL on one of the suite's `api` origins, written on `{{ api }}`.
fn on_api(url: &str, api_origins: &[String]) -> String {
    for origin in api_origins {
        if let Some(rest) = url.strip_prefix(origin.as_str())
            && (rest.is_empty() || rest.starts_with(['/', '?', '#']))
        {
            return format!("{{{{ api }}}}{rest}");
        }
    }
    url.to_owned()
}

/// A query parameter named like a secret gets a `secret.` reference as its value.
fn secret_query(url: &str, out: &mut CurlStep) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return literal(url);
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if looks_secret(k) => format!("{k}={}", secret_ref(k, out)),
            _ => literal(pair),
        })
        .collect();
    format!("{}?{}", literal(base), pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_copied_post_with_a_bearer_token_becomes_a_step_without_the_token() {
        let step = convert(
            "curl 'https://acme.onk2.com/api/workflow/v1/workflows/3/instances' -H 'Authorization: Bearer eyJhbGciOi.secret' -H 'content-type: application/json' --data-raw '{\"folio\":\"x\"}'",
            &Options::default(),
        )
        .unwrap();
        assert!(!step.yaml.contains("eyJhbGciOi"), "{}", step.yaml);
        assert!(step.yaml.contains("Bearer {{ secret.AUTHORIZATION }}"), "{}", step.yaml);
        assert!(
            step.yaml.contains("method: POST") && step.yaml.contains("folio: x"),
            "{}",
            step.yaml
        );
        assert_eq!(step.environment, vec!["AUTHORIZATION"]);
    }

    #[test]
    fn forms_users_gets_and_flags() {
        let step = convert(
            "curl -u 'DENALLIX\\admin:K2pass!' -G https://x/api -d '$top=5' -k",
            &Options::default(),
        )
        .unwrap();
        assert!(step.yaml.contains("url: \"https://x/api?$top=5\""), "{}", step.yaml);
        assert!(
            step.yaml.contains("auth: curl") && !step.yaml.contains("K2pass"),
            "{}",
            step.yaml
        );
        assert!(
            step.profile
                .as_deref()
                .is_some_and(|p| p.contains("secret.CURL_PASSWORD") && !p.contains("K2pass"))
        );
        assert_eq!(step.warnings.len(), 1);
        let token = convert(
            "curl -X POST https://login.onk2.com/t/connect/token -d grant_type=client_credentials -d client_id=idt.cc.x --data-urlencode 'client_secret=s3cr3t value'",
            &Options {
                name: Some("token".into()),
                ..Options::default()
            },
        )
        .unwrap();
        assert!(
            token.yaml.contains("client_secret: \"{{ secret.CLIENT_SECRET }}\""),
            "{}",
            token.yaml
        );
        assert!(!token.yaml.contains("s3cr3t"), "{}", token.yaml);
        assert!(convert("wget https://x", &Options::default()).is_err());
        assert!(convert("curl -H", &Options::default()).is_err());
    }
}
