//! Which scenarios a run takes: `--tag`, `--name` globs and `--shard`.

use crate::scenario::model::Scenario;
use crate::scenario::validate::PlanOptions;

pub fn selected(scenario: &Scenario, options: &PlanOptions) -> bool {
    let tag_ok = options.tags.is_empty() || options.tags.iter().any(|t| scenario.tags.contains(t));
    let name_ok = options.name_globs.is_empty()
        || options
            .name_globs
            .iter()
            .any(|g| glob_matches(&g.to_lowercase(), &scenario.name.value.to_lowercase()));
    let shard_ok = options.shard.is_none_or(|s| s.contains(&scenario.path));
    tag_ok && name_ok && shard_ok
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
