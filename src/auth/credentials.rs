//! Resolved credentials of an auth profile: templates rendered, secrets registered.

use crate::redact::Redactor;
use crate::scenario::model::ClientAuthStyle;

/// One variant per profile `type`; `ClientCredentials` keeps the name of the OAuth grant
/// (RFC 6749 §4.4) rather than a shorter one that would say less.
#[derive(Debug, Clone)]
#[allow(clippy::enum_variant_names)]
pub enum Credentials {
    None,
    Basic { username: String, password: String },
    Bearer { token: String },
    ApiKey(ApiKey),
    ClientCredentials(ClientCredentialsConfig),
}

/// An API key and where it goes.
#[derive(Debug, Clone)]
pub struct ApiKey {
    pub name: String,
    pub value: String,
    /// As a query parameter of every URL, rather than a header.
    pub in_query: bool,
}

#[derive(Debug, Clone)]
pub struct ClientCredentialsConfig {
    pub profile: String,
    pub token_url: Option<String>,
    pub issuer: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated, as RFC 6749 sends it.
    pub scope: String,
    pub audience: Option<String>,
    pub style: ClientAuthStyle,
    /// For the discovery and token requests, when the profile sets one.
    pub timeout: Option<std::time::Duration>,
}

impl Credentials {
    /// How a request shows these credentials without their value: the header (or query
    /// parameter) they go in, and which profile fills it. `None` sends nothing.
    pub fn shown(&self, profile: &str) -> Option<(String, String)> {
        let filled = format!("<auth profile {profile}>");
        match self {
            Credentials::None => None,
            Credentials::ApiKey(key) if key.in_query => Some((format!("?{}", key.name), filled)),
            Credentials::ApiKey(key) => Some((key.name.to_ascii_lowercase(), filled)),
            _ => Some(("authorization".into(), filled)),
        }
    }

    /// Adds every secret these credentials hold, in every form it can take on the wire.
    pub fn register_secrets(&self, redactor: &Redactor) {
        match self {
            Credentials::None => {}
            Credentials::Basic { username, password } => redactor.add_basic(username, password),
            Credentials::Bearer { token } => redactor.add(token),
            Credentials::ApiKey(key) => {
                redactor.add(&key.value);
                redactor.add(&crate::encoding::form_urlencoded(&key.value));
            }
            Credentials::ClientCredentials(cc) => {
                redactor.add(&cc.client_secret);
                let user = crate::encoding::form_urlencoded(&cc.client_id);
                redactor.add_basic(&user, &crate::encoding::form_urlencoded(&cc.client_secret));
                redactor.add_basic(&cc.client_id, &cc.client_secret);
            }
        }
    }
}
