//! Read-only environments: with `writes: false`, no selected step may change the tenant.

use crate::diag::Diagnostic;
use crate::scenario::model::{Body, Scenario, Step};

/// Whether a step would change the tenant: a POST, PUT, PATCH or DELETE (which is what
/// `workflow:` starts and actions and SCIM create, replace, patch and delete expand to),
/// except an OAuth token request (a form with `grant_type`), which changes nothing.
pub fn changes_the_tenant(step: &Step) -> bool {
    let method = step.request.method.value.to_ascii_uppercase();
    if !matches!(method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
        return false;
    }
    let token_request = matches!(&step.request.body, Some(Body::Form(fields)) if fields.iter().any(|(name, _)| name.value == "grant_type"));
    !token_request
}

/// A diagnostic for each step of `scenario` that would change the tenant.
pub fn refuse_writes(scenario: &Scenario, environment: &str) -> Vec<Diagnostic> {
    scenario
        .steps
        .iter()
        .chain(&scenario.finally)
        .filter(|step| changes_the_tenant(step))
        .map(|step| {
            Diagnostic::error(
                format!(
                    "step `{}` would change the tenant ({}), and environment `{environment}` is read-only",
                    step.name,
                    step.request.method.value.to_ascii_uppercase()
                ),
                step.span,
            )
            .with_label("a write")
            .with_help(
                "leave this scenario out (--tag, --name), or set `writes: true` on the environment in k2check.yaml",
            )
        })
        .collect()
}
