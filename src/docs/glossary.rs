//! What the variables a page uses stand for, in each environment of the suite: a reader of
//! `{{ employees }}` learns it is `EmployeeSample` on the mock and `$K2_EMPLOYEE_SMARTOBJECT`
//! on the tenant. A secret is named by where it comes from, never shown.

use std::collections::{BTreeMap, BTreeSet};

use crate::scenario::model::Suite;
use crate::yaml::Node;

/// Each variable's meaning per environment, the environments in the suite's order.
#[derive(Debug, Default, Clone)]
pub struct Glossary {
    pub environments: Vec<String>,
    entries: BTreeMap<String, Vec<String>>,
}

/// The rows of a page's variable table: (variable, its words in each environment).
pub type Rows = Vec<(String, Vec<String>)>;

impl Glossary {
    pub fn of(suite: &Suite) -> Glossary {
        let environments: Vec<String> = suite.environments.iter().map(|e| e.name.value.clone()).collect();
        let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (column, environment) in suite.environments.iter().enumerate() {
            // An environment's own value wins over the suite's.
            for (name, node) in suite.vars.iter().chain(&environment.vars) {
                let cells = entries
                    .entry(name.value.clone())
                    .or_insert_with(|| vec!["(not set)".to_owned(); environments.len()]);
                cells[column] = value_words(node);
            }
        }
        Glossary { environments, entries }
    }

    /// The rows for the variables `used` names that the suite defines.
    pub fn rows<'a>(&self, used: impl IntoIterator<Item = &'a String>) -> Rows {
        let used: BTreeSet<&String> = used.into_iter().collect();
        used.into_iter()
            .filter_map(|name| Some((name.clone(), self.entries.get(name)?.clone())))
            .collect()
    }
}

/// A variable's value in words, with `code` spans: a literal as it is, an environment
/// variable as `$NAME`, a secret as where it comes from, the mock's values as the mock's.
fn value_words(node: &Node) -> String {
    let Some(text) = node.as_scalar() else {
        return format!("`{}`", node.to_json());
    };
    let secrets = names_after(text, "secret.");
    if !secrets.is_empty() {
        let from: Vec<String> = secrets.iter().map(|s| format!("`{s}`")).collect();
        return format!("secret, from {}", from.join(", "));
    }
    let inner = text
        .trim()
        .strip_prefix("{{")
        .and_then(|t| t.strip_suffix("}}"))
        .map(str::trim);
    match inner {
        Some(expr) if is_name(expr, "env.") => format!("`${}`", &expr[4..]),
        Some(expr) if is_name(expr, "mock.") => format!("the mock's `{}`", &expr[5..]),
        _ => format!("`{text}`"),
    }
}

fn is_name(expr: &str, prefix: &str) -> bool {
    expr.strip_prefix(prefix)
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// The names written after `prefix` (`secret.K2_CLIENT_SECRET`), once each.
fn names_after(text: &str, prefix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in text.match_indices(prefix) {
        let name: String = text[at + prefix.len()..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str) -> Node {
        let source = crate::source::SourceFile::new("t.yaml".into(), format!("v: {text:?}\n"));
        let node = crate::yaml::parse(crate::source::FileId(0), &source).unwrap();
        match node.kind {
            crate::yaml::NodeKind::Map(mut entries) => entries.remove(0).1,
            _ => unreachable!("a mapping was written"),
        }
    }

    #[test]
    fn values_are_said_as_a_reader_needs_them() {
        assert_eq!(value_words(&scalar("EmployeeSample")), "`EmployeeSample`");
        assert_eq!(
            value_words(&scalar("{{ env.K2_EMPLOYEE_SMARTOBJECT }}")),
            "`$K2_EMPLOYEE_SMARTOBJECT`"
        );
        assert_eq!(
            value_words(&scalar("{{ secret.K2_CLIENT_SECRET }}")),
            "secret, from `K2_CLIENT_SECRET`"
        );
        assert_eq!(value_words(&scalar("{{ mock.url }}")), "the mock's `url`");
        assert_eq!(
            value_words(&scalar("https://{{ env.K2_HOST }}")),
            "`https://{{ env.K2_HOST }}`"
        );
    }
}
