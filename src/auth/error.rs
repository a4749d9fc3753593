//! Why a profile produced no credentials, with a hint for the usual causes.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    pub profile: String,
    pub endpoint: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "auth profile `{}`", self.profile)?;
        if let Some(endpoint) = &self.endpoint {
            write!(f, " ({endpoint})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\nhint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {}

/// The hint for an OAuth error code (RFC 6749 §5.2) or an Entra error in its description.
pub fn oauth_hint(error: &str, description: &str, requested: &str, scopes_supported: &[String]) -> Option<String> {
    if description.contains("AADSTS90094") {
        return Some(
            "the grant needs an administrator's consent: a tenant admin must run Setup AAD Consent \
             (Management > Integration > APIs), with MFA off while consenting"
                .into(),
        );
    }
    Some(match error {
        "invalid_client" => "the client id is unknown or the secret does not match the hash given to Nintex at \
             onboarding; compare `k2check secret-hash` of your secret with the hash you sent"
            .into(),
        "invalid_scope" if scopes_supported.is_empty() => {
            "the client may not request this scope; K2 APIs use `https://api.k2.com/`, SCIM uses \
             `https://scim.onk2.com/write`"
                .into()
        }
        "invalid_scope"
            if requested
                .split_whitespace()
                .all(|s| scopes_supported.iter().any(|o| o == s)) =>
        {
            format!(
                "the server offers `{requested}`, but this client is not allowed it: the scopes a client may \
             request are granted when it is onboarded; ask Nintex support (or whoever registered the \
             client) to grant it"
            )
        }
        "invalid_scope" => format!(
            "the discovery document offers these scopes: {}",
            scopes_supported.join(", ")
        ),
        "unauthorized_client" => "this client may not use the client-credentials grant; ask Nintex support".into(),
        "unsupported_grant_type" => "the token endpoint does not accept client_credentials here; check the URL".into(),
        "invalid_request" => "the token endpoint rejected the request's form; check client_auth (body or basic)".into(),
        _ => return None,
    })
}
