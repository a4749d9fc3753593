//! `--shard I/N` and `--shard auto`: a split of the selected scenarios that each of N CI jobs
//! runs one part of. Parts are balanced by the work in them (steps times data rows, or the
//! last run's durations when `--durations` gives them), never by file count alone; every
//! machine splits the same selection the same way, so each scenario is in exactly one part.

use std::collections::HashMap;

use crate::plan::planned::PlannedScenario;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

/// What `--shard` says: a part, or `auto` (the CI's own position and total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardArg {
    Auto,
    Fixed(Shard),
}

impl ShardArg {
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "auto" => Ok(ShardArg::Auto),
            _ => Shard::parse(text).map(ShardArg::Fixed),
        }
    }
}

/// Each CI's variables for a job's position and the job count, and whether the position
/// counts from 0 (then one is added).
const CI_VARIABLES: &[(&str, &str, &str, bool)] = &[
    ("k2check", "K2CHECK_SHARD_INDEX", "K2CHECK_SHARD_TOTAL", false),
    ("GitLab", "CI_NODE_INDEX", "CI_NODE_TOTAL", false),
    (
        "Azure Pipelines",
        "SYSTEM_JOBPOSITIONINPHASE",
        "SYSTEM_TOTALJOBSINPHASE",
        false,
    ),
    (
        "Buildkite",
        "BUILDKITE_PARALLEL_JOB",
        "BUILDKITE_PARALLEL_JOB_COUNT",
        true,
    ),
    ("Kubernetes", "JOB_COMPLETION_INDEX", "K2CHECK_SHARD_TOTAL", true),
    ("CircleCI", "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", true),
];

impl Shard {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not I/N (e.g. 1/3) or auto"))?;
        let index: u32 = i.trim().parse().map_err(|_| format!("`{i}` is not a shard number"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("`{n}` is not a shard count"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {index}/{count}: I runs from 1 to N"));
        }
        Ok(Shard { index, count })
    }

    /// The part this CI job is, from the first CI whose variables are set (`lookup` reads the
    /// environment); an error names what was looked for.
    pub fn from_ci(lookup: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        for (ci, index_var, total_var, zero_based) in CI_VARIABLES {
            let (Some(index), Some(total)) = (lookup(index_var), lookup(total_var)) else {
                continue;
            };
            let number = |name: &str, text: &str| {
                (text.trim().parse::<u32>()).map_err(|_| format!("--shard auto: {name}={text} is not a number ({ci})"))
            };
            let index = number(index_var, &index)? + u32::from(*zero_based);
            let count = number(total_var, &total)?;
            return Shard::parse(&format!("{index}/{count}")).map_err(|e| format!("--shard auto ({ci}): {e}"));
        }
        let looked: Vec<String> = CI_VARIABLES
            .iter()
            .map(|(ci, i, n, _)| format!("{ci} {i}/{n}"))
            .collect();
        Err(format!(
            "--shard auto: no CI says which part this job is (looked for {}); give --shard I/N",
            looked.join(", ")
        ))
    }

    /// This part's scenarios, in input order. Each goes, heaviest first (ties in input order),
    /// to the part with the least work so far (ties to the lowest part): the longest
    /// processing time rule, the same on every machine.
    pub fn take(self, planned: Vec<PlannedScenario>, durations: &HashMap<String, u64>) -> Vec<PlannedScenario> {
        let weights: Vec<u64> = planned.iter().map(|p| weight(p, durations)).collect();
        let mut order: Vec<usize> = (0..planned.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(weights[i]));
        let mut loads = vec![0u64; self.count as usize];
        let mut part = vec![0usize; planned.len()];
        for i in order {
            let lightest = (0..loads.len()).min_by_key(|&p| (loads[p], p)).unwrap_or(0);
            loads[lightest] += weights[i];
            part[i] = lightest;
        }
        let mine = (self.index - 1) as usize;
        planned
            .into_iter()
            .zip(part)
            .filter(|(_, p)| *p == mine)
            .map(|(s, _)| s)
            .collect()
    }
}

/// A scenario's work: its last run's milliseconds when known, else its steps times its runs
/// (a step counts as 100 ms, so known and estimated scenarios weigh alike).
fn weight(planned: &PlannedScenario, durations: &HashMap<String, u64>) -> u64 {
    match durations.get(&planned.name) {
        Some(ms) => (*ms).max(1),
        None => (planned.steps.max(1) * planned.runs()) as u64 * 100,
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_i_over_n_and_auto() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(ShardArg::parse("auto"), Ok(ShardArg::Auto));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn auto_reads_each_ci_and_counts_from_one() {
        let cases: &[(&[(&str, &str)], u32)] = &[
            (&[("CI_NODE_INDEX", "2"), ("CI_NODE_TOTAL", "3")], 2),
            (
                &[("SYSTEM_JOBPOSITIONINPHASE", "3"), ("SYSTEM_TOTALJOBSINPHASE", "3")],
                3,
            ),
            (
                &[("BUILDKITE_PARALLEL_JOB", "0"), ("BUILDKITE_PARALLEL_JOB_COUNT", "3")],
                1,
            ),
            (&[("JOB_COMPLETION_INDEX", "1"), ("K2CHECK_SHARD_TOTAL", "3")], 2),
            (&[("CIRCLE_NODE_INDEX", "2"), ("CIRCLE_NODE_TOTAL", "3")], 3),
            (&[("K2CHECK_SHARD_INDEX", "1"), ("K2CHECK_SHARD_TOTAL", "3")], 1),
        ];
        for (vars, index) in cases {
            let lookup = |name: &str| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string());
            assert_eq!(
                Shard::from_ci(lookup),
                Ok(Shard {
                    index: *index,
                    count: 3
                }),
                "{vars:?}"
            );
        }
        let none = Shard::from_ci(|_| None).unwrap_err();
        assert!(
            none.contains("CI_NODE_INDEX") && none.contains("give --shard I/N"),
            "{none}"
        );
        let beyond = Shard::from_ci(|n| match n {
            "CIRCLE_NODE_INDEX" => Some("3".into()),
            "CIRCLE_NODE_TOTAL" => Some("3".into()),
            _ => None,
        });
        assert!(beyond.is_err(), "a 0-based index of 3 of 3 is out of range");
    }
}
