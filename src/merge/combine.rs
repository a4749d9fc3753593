//! The parts put together: every part of one run (the same selection and environment, each
//! part once, none missing), each scenario once, in input order; the suite's set-up first and
//! its teardown last, as each part ran them.

use crate::event::{ScenarioResult, Status, Summary};
use crate::merge::read::PartReport;

/// Why the reports are not the parts of one run.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    #[error("no report to merge")]
    Nothing,
    #[error("{0} is not a whole report (no run_finished line)")]
    NotWhole(String),
    #[error("{0} and {1} are not parts of one run: their environment or selection differ")]
    NotOneRun(String, String),
    #[error("these reports are not parts of a sharded run (their run_started has no shard)")]
    NotSharded,
    #[error("the reports are not all parts of one run of {0} shards")]
    OtherCounts(u32),
    #[error("shard {0}/{1} is missing")]
    Missing(u32, u32),
    #[error("shard {0}/{1} is in more than one report: {2}")]
    PartTwice(u32, u32, String),
    #[error("`{0}` is in more than one report")]
    ScenarioTwice(String),
}

pub struct Merged {
    pub environment: Option<String>,
    pub hosts: Vec<String>,
    /// Each scenario, with when it ended from its part's start, when known.
    pub scenarios: Vec<(ScenarioResult, Option<u64>)>,
    pub summary: Summary,
}

/// The run the parts make, or why they do not make one (exit 2).
pub fn combine(parts: Vec<PartReport>) -> Result<Merged, MergeError> {
    let first = parts.first().ok_or(MergeError::Nothing)?;
    if let Some(unfinished) = parts.iter().find(|p| !p.finished) {
        return Err(MergeError::NotWhole(unfinished.name.clone()));
    }
    for part in &parts[1..] {
        if part.environment != first.environment || part.selection != first.selection {
            return Err(MergeError::NotOneRun(first.name.clone(), part.name.clone()));
        }
    }
    check_shards(&parts)?;
    let mut hosts: Vec<String> = parts.iter().flat_map(|p| p.hosts.clone()).collect();
    hosts.sort();
    hosts.dedup();
    let environment = first.environment.clone();
    let mut scenarios: Vec<(ScenarioResult, Option<u64>)> = Vec::new();
    for part in parts {
        for (scenario, ended) in part.scenarios {
            let twice = scenario.role == "scenario"
                && scenarios.iter().any(|(s, _)| {
                    s.role == "scenario"
                        && (&s.suite_path, s.row, &s.name) == (&scenario.suite_path, scenario.row, &scenario.name)
                });
            if twice {
                return Err(MergeError::ScenarioTwice(scenario.name.clone()));
            }
            scenarios.push((scenario, ended));
        }
    }
    // Input order: files in path order (a file's data rows in row order); set-up first and
    // teardown last. The sort is stable: each part's set-up and teardown keep their order.
    let rank = |s: &ScenarioResult| match s.role {
        "setup" => 0,
        "teardown" => 2,
        _ => 1,
    };
    scenarios.sort_by(|(a, _), (b, _)| (rank(a), &a.suite_path, a.row).cmp(&(rank(b), &b.suite_path, b.row)));
    for (index, (scenario, _)) in scenarios.iter_mut().enumerate() {
        scenario.index = index;
    }
    let summary = summary(scenarios.iter().map(|(s, _)| s));
    Ok(Merged {
        environment,
        hosts,
        scenarios,
        summary,
    })
}

/// Sharded parts: the same N, each part from 1 to N once.
fn check_shards(parts: &[PartReport]) -> Result<(), MergeError> {
    let shards: Vec<(u32, u32, &str)> = parts
        .iter()
        .filter_map(|p| {
            let shard = crate::plan::Shard::parse(p.shard.as_deref()?).ok()?;
            Some((shard.index, shard.count, p.name.as_str()))
        })
        .collect();
    let Some(&(_, count, _)) = shards.first() else {
        return match parts.len() {
            1 => Ok(()),
            _ => Err(MergeError::NotSharded),
        };
    };
    if shards.len() != parts.len() || shards.iter().any(|(_, n, _)| *n != count) {
        return Err(MergeError::OtherCounts(count));
    }
    for index in 1..=count {
        let with: Vec<&str> = shards
            .iter()
            .filter(|(i, _, _)| *i == index)
            .map(|(_, _, n)| *n)
            .collect();
        match with.as_slice() {
            [] => return Err(MergeError::Missing(index, count)),
            [_] => {}
            names => {
                return Err(MergeError::PartTwice(index, count, names.join(", ")));
            }
        }
    }
    Ok(())
}

fn summary<'a>(scenarios: impl Iterator<Item = &'a ScenarioResult>) -> Summary {
    let mut summary = Summary::default();
    for s in scenarios {
        summary.steps += s.steps.iter().filter(|st| st.status != Status::Skipped).count();
        summary.duration = summary.duration.max(s.duration);
        match s.status {
            Status::Passed => {
                summary.passed += 1;
                summary.flaky += usize::from(s.flaky.is_some());
            }
            Status::Failed => summary.failed += 1,
            Status::Error => summary.errors += 1,
            Status::Skipped => summary.skipped += 1,
            Status::Interrupted => summary.interrupted_scenarios += 1,
        }
    }
    summary
}
