//! What to do when a K2 API refuses a step's credentials (401 or 403), or a token endpoint
//! answers with an OAuth error: added to the failed status assertion, so the report says the
//! fix and not only the code.

use crate::auth::Credentials;
use crate::auth::error::oauth_hint;
use crate::expect::Response;
use crate::plan::Plan;
use crate::run::resolve::ResolvedRequest;

/// The OAuth error codes of RFC 6749 §5.2 that a token endpoint answers with.
const OAUTH_ERRORS: [&str; 6] = [
    "invalid_client",
    "invalid_scope",
    "unauthorized_client",
    "invalid_grant",
    "unsupported_grant_type",
    "invalid_request",
];

/// A hint for a refusal answered to a step sent with `profile`, or `None`.
pub fn refusal_hint(
    plan: &Plan,
    profile: Option<&str>,
    request: &ResolvedRequest,
    response: &Response,
) -> Option<String> {
    // A step that asks for a token itself (the starter suite's token check) gets the hint a
    // profile's failed token gets, whatever its status.
    if let Some(hint) = oauth_error_hint(request, response) {
        return Some(hint);
    }
    if !matches!(response.status, 401 | 403) {
        return None;
    }
    let url = request.url.as_str();
    let credentials = profile.and_then(|p| plan.profiles.get(p));
    let challenge = response.header("www-authenticate").unwrap_or_default();
    let is_scim = url.contains("/scim/");
    let scope_holder = |wanted: &str| {
        plan.profiles.iter().find_map(|(name, c)| match c {
            Credentials::ClientCredentials(cc) if cc.scope.split_whitespace().any(|s| s == wanted) => {
                Some(name.clone())
            }
            _ => None,
        })
    };
    match credentials {
        Some(Credentials::Basic { .. }) if response.status == 401 => Some(
            "the API refused Basic authentication: check the user name and password; an account with \
             multi-factor authentication (MFA) cannot use Basic at all, so use a client-credentials profile"
                .into(),
        ),
        Some(Credentials::ClientCredentials(cc)) if is_scim && !cc.scope.contains("scim") => {
            let wanted = "https://scim.onk2.com/write";
            Some(match scope_holder(wanted) {
                Some(other) => format!("SCIM needs a token for `{wanted}`: use `auth: {other}` on this step"),
                None => format!("SCIM needs a token for `{wanted}`: add a profile with that scope"),
            })
        }
        Some(_) if challenge.contains("insufficient_scope") => {
            let wanted = challenge
                .split("scope=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_owned();
            Some(match scope_holder(&wanted) {
                Some(other) if !wanted.is_empty() => {
                    format!("the token lacks the scope `{wanted}`; profile `{other}` asks for it: use `auth: {other}`")
                }
                _ => {
                    format!("the token lacks the scope `{wanted}` this call needs; ask for it in the profile's `scope`")
                }
            })
        }
        None if response.status == 401 && !sends_credentials(request) => {
            Some("the step sent no credentials: give it an `auth:` profile".into())
        }
        _ => None,
    }
}

/// The hint for a body that is an OAuth error (`{"error": "invalid_client", …}`, or an Entra
/// `AADSTS` code in its description).
fn oauth_error_hint(request: &ResolvedRequest, response: &Response) -> Option<String> {
    if response.status < 400 || memchr::memmem::find(&response.body, b"error").is_none() {
        return None;
    }
    let json = response.json().ok()?;
    let error = json.get("error").and_then(|e| e.as_str()).unwrap_or_default();
    let description = json
        .get("error_description")
        .and_then(|e| e.as_str())
        .unwrap_or_default();
    if !OAUTH_ERRORS.contains(&error) && !description.contains("AADSTS") {
        return None;
    }
    let requested = form_value(request, "scope").unwrap_or_default();
    oauth_hint(error, description, &requested, &[])
}

/// Whether the request carries credentials of its own: an `Authorization` header, or a
/// client secret or assertion in its form.
fn sends_credentials(request: &ResolvedRequest) -> bool {
    request
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        || form_value(request, "client_secret").is_some()
        || form_value(request, "client_assertion").is_some()
}

/// A field of the request's form body, decoded.
fn form_value(request: &ResolvedRequest, field: &str) -> Option<String> {
    let body = request.body.as_deref()?;
    url::form_urlencoded::parse(body)
        .find(|(name, _)| name == field)
        .map(|(_, value)| value.into_owned())
}
