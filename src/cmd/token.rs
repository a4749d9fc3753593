//! `k2check token PROFILE`: does this client get a token, and what is in it?

use crate::auth::claims::jwt_claims;
use crate::auth::{Auth, Credentials};
use crate::cli::TokenArgs;
use crate::cmd::error::{CommandError, CommandResult};
use crate::cmd::prepare::{Purpose, prepare};
use crate::exit;
use crate::http::Client;
use crate::plan::Selection;
use crate::redact::MASK;

pub async fn token(args: TokenArgs) -> CommandResult {
    let prepared = prepare(&args.suite, Selection::default(), Purpose::Token(args.profile.clone())).await?;
    let plan = &prepared.plan;
    let Some(creds) = plan.profiles.get(&args.profile) else {
        let names: Vec<&str> = plan.profiles.keys().map(String::as_str).collect();
        return Err(CommandError::invalid(format!(
            "unknown auth profile `{}` (profiles: {})",
            args.profile,
            names.join(", ")
        )));
    };
    let Credentials::ClientCredentials(cc) = creds else {
        crate::outln!(
            "profile `{}` sends fixed credentials; there is no token to fetch",
            args.profile
        );
        return Ok(exit::OK);
    };
    let client = Client::for_run(&plan.tls, plan.confined_to.as_ref()).map_err(CommandError::invalid)?;
    let auth = Auth::new(
        plan.profiles.clone(),
        std::sync::Arc::new(client),
        plan.redactor.clone(),
        plan.timeout,
    );
    let token = match auth.token(cc).await {
        Ok(t) => t,
        Err(e) => {
            return Err(CommandError::failed(format!(
                "{}",
                plan.redactor.redact(&e.to_string())
            )));
        }
    };
    let mut out = format!("profile:    {}\n", args.profile);
    out.push_str(&format!("type:       {}\n", token.token_type));
    out.push_str(&format!(
        "scope:      {}\n",
        token.scope.as_deref().unwrap_or("(not stated)")
    ));
    match token.expires_in {
        Some(life) => out.push_str(&format!("expires in: {} s\n", life.as_secs())),
        None => out.push_str("expires in: (not stated)\n"),
    }
    if let Some(claims) = jwt_claims(&token.access_token) {
        out.push_str("claims:\n");
        let pretty = serde_json::to_string_pretty(&claims).unwrap_or_default();
        for line in pretty.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    // Everything above goes through the redactor; the token line only when asked.
    crate::out!("{}", crate::text::printable(&plan.redactor.redact(&out)));
    if args.show_token {
        crate::outln!("token:      {}", token.access_token);
    } else {
        crate::outln!("token:      {MASK} (--show-token prints it)");
    }
    Ok(exit::OK)
}
