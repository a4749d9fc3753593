//! What `k2check init` writes a suite for: the flags, and on a terminal the answers to what
//! they left out. Every value is checked here, so the files can quote it without escaping.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use crate::cli::{CiSystem, InitArgs};

/// The tenant's details; `None` is read from an environment variable at run time.
#[derive(Debug, Default)]
pub struct Answers {
    pub host: Option<String>,
    /// The API's URL, when it is not `https://HOST`.
    pub api_url: Option<String>,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub token_url: Option<String>,
    pub scim: bool,
    /// The Basic authentication check too.
    pub basic: bool,
    /// The whole library, not only the onboarding checks.
    pub library: bool,
    pub ci: Option<CiSystem>,
    /// `--shards N`: the CI file's parallel jobs.
    pub shards: Option<u32>,
}

/// The flags, checked; on a terminal (without `--no-input`) what they leave out is asked for.
/// The secret is never asked: it stays in `K2_CLIENT_SECRET`.
pub fn gather(args: &InitArgs) -> Result<Answers, String> {
    let mut answers = Answers {
        host: args
            .host
            .as_deref()
            .map(host)
            .transpose()
            .map_err(|e| format!("--host: {e}"))?,
        tenant: args
            .tenant
            .as_deref()
            .map(tenant)
            .transpose()
            .map_err(|e| format!("--tenant: {e}"))?,
        client_id: args
            .client_id
            .as_deref()
            .map(client_id)
            .transpose()
            .map_err(|e| format!("--client-id: {e}"))?,
        token_url: args
            .token_url
            .as_deref()
            .map(token_url)
            .transpose()
            .map_err(|e| format!("--token-url: {e}"))?,
        api_url: args
            .api_url
            .as_deref()
            .map(api_url)
            .transpose()
            .map_err(|e| format!("--api-url: {e}"))?,
        scim: args.scim,
        basic: args.basic,
        library: args.library,
        ci: args.ci,
        shards: args.shards,
    };
    let interactive = !args.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if interactive {
        ask_for_the_rest(&mut answers, args.scim)?;
    }
    Ok(answers)
}

fn ask_for_the_rest(answers: &mut Answers, scim_given: bool) -> Result<(), String> {
    crate::errln!("A few details of your tenant; press Enter to leave one to an environment variable.");
    if answers.host.is_none() {
        answers.host = ask("K2 host, e.g. acme.onk2.com [K2_HOST]: ", host)?;
    }
    if answers.tenant.is_none() && answers.token_url.is_none() {
        answers.tenant = ask(
            "Tenant id of https://login.onk2.com/{tenant}/connect/token [K2_TENANT_ID]: ",
            tenant,
        )?;
    }
    if answers.client_id.is_none() {
        answers.client_id = ask("Client id Nintex sent, idt.cc.… [K2_CLIENT_ID]: ", client_id)?;
    }
    if !scim_given {
        answers.scim = ask("Add SCIM checks? [y/N]: ", yes_or_no)?.unwrap_or(false);
    }
    Ok(())
}

/// Asks until the answer is empty (`None`) or valid.
fn ask<T>(prompt: &str, check: impl Fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    let stdin = std::io::stdin();
    loop {
        // Not `eprint!`, which panics when stderr is closed.
        let _ = write!(std::io::stderr(), "{prompt}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) => return Err("standard input ended before every question was answered".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("cannot read the answer: {e}")),
        }
        let line = line.trim();
        if line.is_empty() {
            return Ok(None);
        }
        match check(line) {
            Ok(value) => return Ok(Some(value)),
            Err(e) => crate::errln!("  {e}; try again, or press Enter to skip"),
        }
    }
}

fn yes_or_no(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(true),
        "n" | "no" => Ok(false),
        _ => Err("answer y or n".into()),
    }
}

/// An http(s) URL without a query, its trailing slash dropped.
pub fn api_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    match url::Url::parse(trimmed) {
        Ok(url)
            if matches!(url.scheme(), "http" | "https")
                && url.query().is_none()
                && !trimmed.contains(['"', '{', '}']) =>
        {
            Ok(trimmed.to_owned())
        }
        _ => Err(format!("`{text}` is not an http(s) URL")),
    }
}

/// A host name, with or without `https://` and a trailing slash, an optional port.
pub fn host(text: &str) -> Result<String, String> {
    let bare = text.trim().trim_start_matches("https://").trim_end_matches('/');
    if text.trim().starts_with("http://") {
        return Err("K2 answers on https only; give the host name, e.g. acme.onk2.com".into());
    }
    let parsed = url::Url::parse(&format!("https://{bare}/")).map_err(|_| format!("`{text}` is not a host name"))?;
    let named = parsed.host_str().is_some_and(|h| !h.is_empty());
    if !named || parsed.path() != "/" || parsed.query().is_some() || !parsed.username().is_empty() {
        return Err(format!("`{text}` is not a host name (e.g. acme.onk2.com)"));
    }
    Ok(bare.to_ascii_lowercase())
}

/// A tenant id: letters, digits and dashes (a GUID on K2 Cloud).
pub fn tenant(text: &str) -> Result<String, String> {
    let text = text.trim();
    let fits = !text.is_empty() && text.len() <= 100 && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    fits.then(|| text.to_owned())
        .ok_or_else(|| format!("`{text}` is not a tenant id (letters, digits and dashes, e.g. a GUID)"))
}

/// A client id: printable, no spaces, nothing YAML or a template would read differently.
pub fn client_id(text: &str) -> Result<String, String> {
    let text = text.trim();
    let fits = !text.is_empty()
        && text.len() <= 200
        && text
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\' | '{' | '}' | '%' | '#'));
    fits.then(|| text.to_owned())
        .ok_or_else(|| format!("`{text}` is not a client id (printable ASCII without spaces, quotes or braces)"))
}

/// An absolute `https` URL (`http` only on loopback, for a local identity provider).
pub fn token_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let parsed = url::Url::parse(text).map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    let loopback = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_fits = parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback);
    let plain = text
        .chars()
        .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '{' | '}'));
    if !scheme_fits || !plain || parsed.host_str().is_none() {
        return Err(format!(
            "`{text}` is not an https URL, e.g. https://login.onk2.com/{{tenant}}/connect/token"
        ));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_taken_as_people_paste_them() {
        assert_eq!(host("https://Acme.onk2.com/").as_deref(), Ok("acme.onk2.com"));
        assert_eq!(host("acme.onk2.com:8443").as_deref(), Ok("acme.onk2.com:8443"));
        for bad in [
            "http://acme.onk2.com",
            "acme.onk2.com/api",
            "",
            "a b",
            "user@acme",
            "{{ x }}",
        ] {
            assert!(host(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn values_that_yaml_or_a_template_would_read_differently_are_refused() {
        assert!(client_id("idt.cc.abc123").is_ok());
        for bad in ["idt cc", "a\"b", "{{ env.X }}", "a#b", ""] {
            assert!(client_id(bad).is_err(), "{bad}");
        }
        assert!(tenant("7f3c5a2e-1234-4bcd-9def-0123456789ab").is_ok());
        assert!(tenant("x/y").is_err());
        assert!(token_url("https://login.onk2.com/t/connect/token").is_ok());
        assert!(token_url("http://127.0.0.1:9/t/connect/token").is_ok());
        assert!(token_url("http://login.onk2.com/t").is_err());
        assert!(token_url("https://x/{{ a }}").is_err());
    }
}
