//! Typed reading of YAML nodes with diagnostics collected, not returned: a decoder keeps
//! going after a problem so that `validate` reports every problem in one pass.

use std::time::Duration;

use crate::diag::{Diagnostic, did_you_mean};
use crate::scenario::model::{Spanned, Template};
use crate::yaml::{Node, NodeKind};

/// The known keys of a mapping, taken one by one; unknown and duplicate keys are reported.
pub struct Fields<'n> {
    entries: Vec<(&'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    pub fn take(&mut self, key: &str) -> Option<&'n Node> {
        let index = self.entries.iter().position(|(k, _)| k.as_scalar() == Some(key))?;
        Some(self.entries.remove(index).1)
    }

    pub fn take_with_key(&mut self, key: &str) -> Option<(&'n Node, &'n Node)> {
        let index = self.entries.iter().position(|(k, _)| k.as_scalar() == Some(key))?;
        Some(self.entries.remove(index))
    }
}

#[derive(Default)]
pub struct Reader {
    pub diags: Vec<Diagnostic>,
}

impl Reader {
    pub fn error(&mut self, diag: Diagnostic) {
        self.diags.push(diag);
    }

    fn expected(&mut self, node: &Node, what: &str) {
        self.error(
            Diagnostic::error(format!("expected {what}, found {}", node.type_name()), node.span)
                .with_label(format!("expected {what}")),
        );
    }

    /// A mapping with only the `allowed` keys. `what` names it in messages ("a step").
    pub fn fields<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> Option<Fields<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.expected(node, &format!("{what} (a mapping)"));
            return None;
        };
        let mut kept: Vec<(&Node, &Node)> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let name = key.as_scalar().unwrap_or_default();
            if kept.iter().any(|(k, _)| k.as_scalar() == Some(name)) {
                self.error(Diagnostic::error(format!("duplicate key `{name}`"), key.span).with_label("written twice"));
            } else if allowed.contains(&name) {
                kept.push((key, value));
            } else {
                let mut diag = Diagnostic::error(format!("unknown key `{name}` in {what}"), key.span);
                diag = match did_you_mean(name, allowed.iter().copied()) {
                    Some(close) => diag.with_label(format!("did you mean `{close}`?")),
                    None => diag.with_label("unknown key"),
                };
                self.error(diag.with_help(format!("{what} takes: {}", allowed.join(", "))));
            }
        }
        Some(Fields { entries: kept })
    }

    /// A mapping whose keys are names chosen by the user.
    pub fn entries<'n>(&mut self, node: &'n Node, what: &str) -> Vec<(Spanned<String>, &'n Node)> {
        match &node.kind {
            NodeKind::Map(entries) => {
                // A set, not a list: a mapping of 40,000 variables is read in linear time.
                let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::with_capacity(entries.len());
                let mut out = Vec::with_capacity(entries.len());
                for (key, value) in entries {
                    let name = key.as_scalar().unwrap_or_default();
                    if !seen.insert(name) {
                        self.error(Diagnostic::error(format!("duplicate key `{name}`"), key.span));
                        continue;
                    }
                    out.push((
                        Spanned {
                            value: name.to_owned(),
                            span: key.span,
                        },
                        value,
                    ));
                }
                out
            }
            _ if node.is_null() => Vec::new(),
            _ => {
                self.expected(node, &format!("{what} (a mapping)"));
                Vec::new()
            }
        }
    }

    pub fn list<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match &node.kind {
            NodeKind::Seq(items) => items,
            _ if node.is_null() => &[],
            _ => {
                self.expected(node, &format!("{what} (a list)"));
                &[]
            }
        }
    }

    /// A scalar as a string; numbers and booleans are taken as written.
    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar { text, .. } if !node.is_null() => Some(text.clone()),
            _ => {
                self.expected(node, what);
                None
            }
        }
    }

    pub fn spanned_string(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        self.string(node, what).map(|value| Spanned { value, span: node.span })
    }

    pub fn template(&mut self, node: &Node, what: &str) -> Option<Template> {
        self.string(node, what).map(|text| Template { text, span: node.span })
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match node.to_json() {
            serde_json::Value::Bool(b) if matches!(node.kind, NodeKind::Scalar { plain: true, .. }) => Some(b),
            _ => {
                self.expected(node, &format!("{what} (true or false)"));
                None
            }
        }
    }

    pub fn u32(&mut self, node: &Node, what: &str) -> Option<u32> {
        match node.to_json().as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) if matches!(node.kind, NodeKind::Scalar { plain: true, .. }) => Some(n),
            _ => {
                self.expected(node, &format!("{what} (a whole number)"));
                None
            }
        }
    }

    pub fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.string(node, what)?;
        match parse_duration(&text) {
            Some(d) => Some(d),
            None => {
                self.error(
                    Diagnostic::error(format!("invalid duration `{text}` for {what}"), node.span)
                        .with_label("not a duration")
                        .with_help("write a number and a unit: 250ms, 2s, 1.5s, 5m, 1h"),
                );
                None
            }
        }
    }

    pub fn string_list(&mut self, node: &Node, what: &str) -> Vec<String> {
        if let NodeKind::Scalar { .. } = node.kind {
            return self.string(node, what).into_iter().collect();
        }
        let items = self.list(node, what);
        items.iter().filter_map(|item| self.string(item, what)).collect()
    }
}

/// Parses `250ms`, `2s`, `1.5s`, `5m`, `1h`. A bare number is refused: its unit would be a guess.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "s" | "sec" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(seconds).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_need_a_unit() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("2 weeks"), None);
        assert_eq!(parse_duration("-1s"), None);
    }
}
