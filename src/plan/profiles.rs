//! Auth profiles rendered into credentials, their secrets registered before anything prints.

use crate::auth::Credentials;
use crate::diag::Diagnostic;
use crate::plan::validator::Validator;
use crate::scenario::model::{AuthKind, AuthProfile, Template};
use crate::template::Context;

impl Validator {
    pub(super) fn render_profile(&mut self, profile: &AuthProfile, ctx: &Context) -> Option<Credentials> {
        let mut render = |t: &Template| match self.engine.render(&t.text, ctx) {
            Ok(s) => Some(s),
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(format!("cannot render: {e}"), t.span));
                None
            }
        };
        let creds = match &profile.kind {
            AuthKind::None => Credentials::None,
            AuthKind::Basic { username, password } => Credentials::Basic {
                username: render(username)?,
                password: render(password)?,
            },
            AuthKind::Bearer { token } => Credentials::Bearer { token: render(token)? },
            AuthKind::ApiKey { name, value, in_query } => Credentials::ApiKey(crate::auth::ApiKey {
                name: render(name)?,
                value: render(value)?,
                in_query: *in_query,
            }),
            AuthKind::ClientCredentials(cc) => {
                let scope: Vec<String> = cc.scope.iter().filter_map(&mut render).collect();
                Credentials::ClientCredentials(crate::auth::ClientCredentialsConfig {
                    profile: profile.name.value.clone(),
                    // Rendered empty is not set: a template may choose one or the other.
                    token_url: cc
                        .token_url
                        .as_ref()
                        .and_then(&mut render)
                        .filter(|u| !u.trim().is_empty()),
                    issuer: cc
                        .issuer
                        .as_ref()
                        .and_then(&mut render)
                        .filter(|u| !u.trim().is_empty()),
                    client_id: render(&cc.client_id)?,
                    client_secret: render(&cc.client_secret)?,
                    scope: scope.join(" "),
                    audience: cc.audience.as_ref().and_then(&mut render),
                    style: cc.client_auth,
                    timeout: cc.timeout,
                })
            }
        };
        creds.register_secrets(&self.redactor);
        Some(creds)
    }
}
