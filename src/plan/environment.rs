//! The environment a run uses, and the process environment variables (`env.X`,
//! `secret.X`) its templates read: each read once, secrets registered for masking as read.

use std::collections::BTreeMap;

use minijinja::Value;

use crate::diag::{Diagnostic, did_you_mean};
use crate::plan::run_plan::PlanOptions;
use crate::plan::validator::Validator;
use crate::scenario::model::{Scenario, Suite, Template};
use crate::scenario::templates::{for_each_template, step_templates};
use crate::source::Span;
use crate::yaml::Node;

impl Validator {
    pub(super) fn choose_environment(&mut self, suite: &Suite, options: &PlanOptions) -> Option<String> {
        let names: Vec<&str> = suite.environments.iter().map(|e| e.name.value.as_str()).collect();
        let wanted = match (&options.environment, &options.mock) {
            (Some(name), _) => Some(name.clone()),
            (None, Some(_)) => Some("mock".to_owned()),
            (None, None) => suite.defaults.environment.as_ref().map(|e| e.value.clone()),
        };
        let Some(wanted) = wanted.or_else(|| (names.len() == 1).then(|| names[0].to_owned())) else {
            if names.len() > 1 {
                self.diags.push(
                    Diagnostic::error("this suite has several environments: which one?", None).with_help(format!(
                        "pass --env NAME (one of: {}), or --mock; or set defaults.environment in k2check.yaml",
                        names.join(", ")
                    )),
                );
            }
            return None;
        };
        if options.mock.is_some() && options.environment.is_none() && !names.contains(&"mock") && !names.is_empty() {
            self.diags.push(
                Diagnostic::error("`--mock` runs the environment `mock`, and this suite has none", None).with_help(
                    format!(
                        "add an environment `mock` to k2check.yaml, or pass --env with one of: {}",
                        names.join(", ")
                    ),
                ),
            );
            return None;
        }
        if names.is_empty() && options.environment.is_some() {
            // Never silently ignored, misspelled or not.
            let why = if suite.file.0 == u32::MAX {
                "no k2check.yaml was found at or above the scenarios, so there are no environments"
            } else {
                "k2check.yaml defines no environments"
            };
            self.diags.push(
                Diagnostic::error(format!("unknown environment `{wanted}`"), None)
                    .with_help(format!("{why}; define it under `environments:` in k2check.yaml")),
            );
            return None;
        }
        if !names.is_empty() && !names.contains(&wanted.as_str()) {
            let mut diag = Diagnostic::error(format!("unknown environment `{wanted}`"), None);
            if let Some(close) = did_you_mean(&wanted, names.iter().copied()) {
                diag = diag.with_help(format!("did you mean `{close}`? environments: {}", names.join(", ")));
            } else {
                diag = diag.with_help(format!("environments: {}", names.join(", ")));
            }
            self.diags.push(diag);
            return None;
        }
        (!names.is_empty()).then_some(wanted)
    }

    pub(super) fn lookup_env(&mut self, var: &str, span: Span, secret: bool, into: &mut BTreeMap<String, Value>) {
        let var = var.split('.').next().unwrap_or(var);
        if into.contains_key(var) || self.missing_env.contains_key(var) {
            return;
        }
        // The process environment wins over the suite's `.env` file. A blank value counts as
        // not set (a copied `.env.example` with one line filled): where it was set is kept
        // for the message.
        let from_shell = std::env::var(var).ok();
        let from_file = || self.dotenv.get(var).map(str::to_owned);
        let value = match from_shell {
            Some(value) if value.trim().is_empty() => {
                self.blank_env
                    .insert(var.to_owned(), "set blank in the environment".into());
                from_file().filter(|v| !v.trim().is_empty())
            }
            Some(value) => Some(value),
            None => from_file(),
        };
        let value = match value {
            Some(value) if value.trim().is_empty() => {
                if let Some(place) = self.dotenv.place(var) {
                    self.blank_env.insert(var.to_owned(), format!("set blank at {place}"));
                }
                None
            }
            Some(value) => {
                self.blank_env.remove(var);
                Some(value)
            }
            None => None,
        };
        match value.ok_or(()) {
            Ok(value) => {
                if secret {
                    self.redactor.add(&value);
                }
                into.insert(var.to_owned(), Value::from(value));
            }
            // Reported at the end, if the selection needs it.
            Err(_) => {
                self.missing_env.insert(var.to_owned(), (span, secret));
            }
        }
    }

    /// The `env.X` and `secret.X` names a template uses.
    pub(super) fn collect_names(&mut self, t: &Template, used: &mut Vec<(String, Span)>) {
        if let Ok(names) = &*self.names_used(&t.text) {
            for name in names
                .iter()
                .filter(|n| n.starts_with("env.") || n.starts_with("secret."))
            {
                if !is_optional(&t.text, name) {
                    let var = name.split('.').nth(1).unwrap_or_default();
                    self.required_env.insert(var.to_owned());
                }
                used.push((name.clone(), t.span));
            }
        }
    }

    pub(super) fn lookup_all(
        &mut self,
        used: &[(String, Span)],
        env: &mut BTreeMap<String, Value>,
        secrets: &mut BTreeMap<String, Value>,
    ) {
        for (name, span) in used {
            if let Some(var) = name.strip_prefix("env.") {
                self.lookup_env(var, *span, false, env);
            } else if let Some(var) = name.strip_prefix("secret.") {
                self.lookup_env(var, *span, true, secrets);
            }
        }
    }

    pub(super) fn collect_node_names(&mut self, node: &Node, used: &mut Vec<(String, Span)>) {
        for_each_template(node, &mut |t| self.collect_names(&t, used));
    }

    pub(super) fn collect_scenario_names(&mut self, scenario: &Scenario, used: &mut Vec<(String, Span)>) {
        for (_, node) in &scenario.vars {
            self.collect_node_names(node, used);
        }
        for step in scenario.steps.iter().chain(&scenario.finally) {
            for t in step_templates(step) {
                self.collect_names(&t, used);
            }
        }
    }
}

/// Whether a template reads `name` (`env.K2_ISSUER`) only in a way that allows it unset:
/// `env.K2_ISSUER | default(…)`, or anywhere once it tests `env.K2_ISSUER is defined` (the
/// test guards the uses; a use outside it fails when rendered, and is reported then).
fn is_optional(text: &str, name: &str) -> bool {
    if text.contains(&format!("{name} is defined")) || text.contains(&format!("{name} is not defined")) {
        return true;
    }
    let mut rest = text;
    let mut seen = false;
    while let Some(at) = rest.find(name) {
        let after = rest[at + name.len()..].trim_start();
        let guarded = after.starts_with("| default")
            || after.starts_with("|default")
            || after.starts_with("is defined")
            || after.starts_with("is not defined");
        if !guarded && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            return false;
        }
        seen |= guarded;
        rest = &rest[at + name.len()..];
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::is_optional;

    #[test]
    fn a_variable_with_a_default_is_optional_and_one_used_bare_is_not() {
        assert!(is_optional(
            "{{ env.K2_ISSUER | default('https://x') }}",
            "env.K2_ISSUER"
        ));
        assert!(is_optional(
            "{% if env.X is defined %}{{ env.X | default('') }}{% endif %}",
            "env.X"
        ));
        assert!(!is_optional("{{ env.K2_ISSUER }}", "env.K2_ISSUER"));
        assert!(!is_optional("{{ env.X | default('a') }}/{{ env.X }}", "env.X"));
        assert!(!is_optional("{{ env.K2_ISSUER_2 | default('') }}", "env.K2_ISSUER"));
    }
}
