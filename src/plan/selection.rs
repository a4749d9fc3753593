//! Which scenarios a run takes: `--tag` and `--name` globs, all of them at once (`--shard`
//! splits what they take: `shard.rs`, once every scenario is known).

use crate::plan::shard::Shard;
use crate::scenario::model::Scenario;

#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--tag`: a scenario with any of these tags (none given: every scenario).
    pub tags: Vec<String>,
    /// `--skip-tag`: no scenario with any of these tags (a tenant without SCIM: `scim`).
    pub skip_tags: Vec<String>,
    /// `--name`: a scenario whose name matches any of these globs, ignoring case.
    pub names: Vec<String>,
    /// `--shard I/N` (or `auto`, resolved): this part of the selected scenarios.
    pub shard: Option<Shard>,
    /// `--durations`: each scenario's milliseconds in an earlier run, to balance the parts by.
    pub durations: std::collections::HashMap<String, u64>,
}

impl Selection {
    pub fn takes(&self, scenario: &Scenario) -> bool {
        let tag_ok = (self.tags.is_empty() || self.tags.iter().any(|t| scenario.tags.contains(t)))
            && !self.skip_tags.iter().any(|t| scenario.tags.contains(t));
        let name_ok = self.names.is_empty()
            || self
                .names
                .iter()
                .any(|g| glob_matches(&g.to_lowercase(), &scenario.name.value.to_lowercase()));
        tag_ok && name_ok
    }
}

/// `*` any run of characters, `?` one character; everything else literal.
pub fn glob_matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names() {
        assert!(glob_matches("odata*", "odata paging"));
        assert!(glob_matches("*paging", "odata paging"));
        assert!(glob_matches("o?ata*", "odata"));
        assert!(!glob_matches("odata", "odata paging"));
        assert!(glob_matches("*", ""));
    }
}
