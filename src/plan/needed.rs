//! Which environment variables a run needs: exactly those that the selected scenarios read,
//! directly or through suite variables, and those of the auth profiles they use. A tenant
//! without SCIM leaves `K2_SCIM_TOKEN` unset and deselects the `scim` scenarios;
//! `k2check token k2` needs only the `k2` profile's variables.

use std::collections::{BTreeMap, BTreeSet};

/// What each suite variable and each profile reads, and what the selection uses.
#[derive(Default)]
pub struct Needs {
    /// Suite or environment variable -> (the variables it names, the `env.`/`secret.` names it reads).
    pub vars: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    /// Profile -> the same.
    pub profiles: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>,
    /// Variables the selected scenarios name.
    pub used_vars: BTreeSet<String>,
    /// Profiles the selected scenarios use.
    pub used_profiles: BTreeSet<String>,
    /// `env.`/`secret.` names the selected scenarios read themselves.
    pub used_env: BTreeSet<String>,
    /// Variable (or `auth.PROFILE`) -> the environment variables its rendering looked up:
    /// the branch taken only.
    pub read: BTreeMap<String, BTreeSet<String>>,
    /// Steps that write their own `Authorization` header where a profile would apply: where
    /// the header is, and the profile left out.
    pub own_authorization: Vec<(Option<crate::source::Span>, String)>,
}

impl Needs {
    /// Every environment variable the selection needs, through variables and profiles. A
    /// variable or profile that rendered without some of its environment variables (they
    /// sit in a branch not taken: `{% if env.K2_TOKEN_URL is defined %}…{% else %}…`) does
    /// not need them; `rendered` says which did.
    pub fn environment_variables(&self, rendered: impl Fn(&str) -> bool) -> BTreeSet<String> {
        let mut needed = self.used_env.clone();
        // (variable, whether what names it rendered): a variable that did not render, named
        // by one that did, sat in a branch not taken and is not needed.
        let mut pending: Vec<(String, bool)> = self.used_vars.iter().map(|v| (v.clone(), false)).collect();
        for profile in &self.used_profiles {
            let Some((vars, env)) = self.profiles.get(profile) else {
                continue;
            };
            let key = format!("auth.{profile}");
            let done = rendered(&key);
            pending.extend(vars.iter().map(|v| (v.clone(), done)));
            if done {
                needed.extend(self.read.get(&key).into_iter().flatten().cloned());
            } else {
                needed.extend(env.iter().cloned());
            }
        }
        let mut seen = BTreeSet::new();
        while let Some((var, named_by_rendered)) = pending.pop() {
            let done = rendered(&var);
            if (named_by_rendered && !done) || !seen.insert(var.clone()) {
                continue;
            }
            let Some((vars, env)) = self.vars.get(&var) else {
                continue;
            };
            pending.extend(vars.iter().map(|v| (v.clone(), done)));
            if done {
                needed.extend(self.read.get(&var).into_iter().flatten().cloned());
            } else {
                needed.extend(env.iter().cloned());
            }
        }
        needed
    }
}

/// Splits the names a template uses into variables (their roots) and environment variables
/// (`env.X` and `secret.X` give `X`).
pub fn split_names<'a>(names: impl IntoIterator<Item = &'a String>) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut vars, mut env) = (BTreeSet::new(), BTreeSet::new());
    for name in names {
        if let Some(rest) = name.strip_prefix("env.").or_else(|| name.strip_prefix("secret.")) {
            env.insert(rest.split('.').next().unwrap_or(rest).to_owned());
        } else {
            vars.insert(name.split('.').next().unwrap_or(name).to_owned());
        }
    }
    (vars, env)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_what_the_selection_reads_is_needed() {
        let mut needs = Needs::default();
        needs.vars.insert("api".into(), (set(&[]), set(&["K2_HOST"])));
        needs.vars.insert("scim".into(), (set(&[]), set(&["K2_SCIM_TOKEN"])));
        needs.vars.insert("base".into(), (set(&["api"]), set(&[])));
        needs
            .profiles
            .insert("k2".into(), (set(&[]), set(&["K2_CLIENT_ID", "K2_CLIENT_SECRET"])));
        needs
            .profiles
            .insert("admin".into(), (set(&[]), set(&["K2_USER", "K2_PASSWORD"])));
        needs.used_vars = set(&["base"]);
        needs.used_profiles = set(&["k2"]);
        assert_eq!(
            needs.environment_variables(|_| false),
            set(&["K2_CLIENT_ID", "K2_CLIENT_SECRET", "K2_HOST"])
        );
        // What rendered does not need what it would read in a branch it did not take.
        assert_eq!(
            needs.environment_variables(|name| name == "api"),
            set(&["K2_CLIENT_ID", "K2_CLIENT_SECRET"])
        );
        assert_eq!(needs.environment_variables(|name| name == "auth.k2"), set(&["K2_HOST"]));
    }

    #[test]
    fn names_split_into_variables_and_environment() {
        let names = set(&["env.K2_HOST", "secret.K2_SECRET", "api", "mock.url"]);
        let (vars, env) = split_names(&names);
        assert_eq!(vars, set(&["api", "mock"]));
        assert_eq!(env, set(&["K2_HOST", "K2_SECRET"]));
    }
}
