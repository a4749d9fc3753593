//! What to do when a K2 API refuses a step's credentials (401 or 403): added to the failed
//! status assertion, so the report says the fix and not only the code.

use crate::auth::Credentials;
use crate::expect::Response;
use crate::plan::Plan;

/// A hint for a 401 or 403 answered to a step sent with `profile`, or `None`.
pub fn refusal_hint(plan: &Plan, profile: Option<&str>, url: &str, response: &Response) -> Option<String> {
    if !matches!(response.status, 401 | 403) {
        return None;
    }
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
        None if response.status == 401 => Some("the step sent no credentials: give it an `auth:` profile".into()),
        _ => None,
    }
}
