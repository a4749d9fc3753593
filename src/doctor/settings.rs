//! What `doctor` checks: the API's origin, the login server, the client, SCIM and Basic when
//! asked, each from a flag, else the same `K2_*` variable the scenario library reads.

use std::time::Duration;

/// The K2 scope of OData and Workflow.
pub const API_SCOPE: &str = "https://api.k2.com/";
/// SCIM's scope.
pub const SCIM_SCOPE: &str = "https://scim.onk2.com/write";

#[derive(Debug, Clone)]
pub struct Settings {
    /// `https://HOST`, or `--api-url`.
    pub api: String,
    /// The issuer whose discovery document names the token endpoint, when known.
    pub issuer: Option<String>,
    /// The token endpoint itself, when given (`K2_TOKEN_URL`): then discovery is not needed.
    pub token_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    /// The SCIM base URL, when SCIM is to be checked.
    pub scim: Option<String>,
    /// A Basic user and password, when Basic is to be checked.
    pub basic: Option<(String, String)>,
    /// Each request's bound.
    pub timeout: Duration,
}
