//! The scenarios of a plan. A small suite keeps its decoded scenarios; a large one keeps only
//! their validated text and decodes each again when it starts, so memory follows the
//! scenarios in flight rather than the size of the suite.

use std::path::PathBuf;
use std::sync::Arc;

use crate::plan::rows::RowSet;
use crate::plan::suite_steps::Role;
use crate::scenario::fields::Reader;
use crate::scenario::load::decode_file;
use crate::scenario::model::Scenario;
use crate::source::{FileId, SourceMap};

/// Suites with more scenario text than this (about 13,000 steps of a typical shape) are
/// decoded again per scenario instead of kept: decoded, a step takes some ten times the
/// memory of its text.
pub const KEEP_DECODED_BYTES: usize = 2 << 20;

/// How much scenario text that is decoded again when it starts may be running at once. A
/// decoded step takes some ten times its text: this bounds the memory of a run whose
/// scenarios are very long (20 of 5,000 steps) whatever `--jobs` asks.
pub const DECODED_IN_FLIGHT_BYTES: usize = 3 << 20;

pub struct PlannedScenario {
    pub name: String,
    pub path: PathBuf,
    file: FileId,
    kept: Option<Arc<Scenario>>,
    /// Its data rows, when the scenario has `rows:`: one run each.
    pub rows: Option<Arc<RowSet>>,
    pub role: Role,
    /// Its steps, `finally:` ones included: what `--shard` balances.
    pub steps: usize,
    /// Its file from the suite's folder (`Plan::suite_path`), worked out once for all its runs.
    pub suite_path: String,
    /// The text decoded again when the scenario starts; 0 when it is kept decoded.
    text_bytes: usize,
}

impl PlannedScenario {
    pub fn new(scenario: Scenario, keep: bool, sources: &SourceMap) -> Self {
        let text_bytes = if keep { 0 } else { sources.len(scenario.file) };
        let steps = scenario.steps.len() + scenario.finally.len();
        PlannedScenario {
            name: scenario.name.value.clone(),
            path: scenario.path.clone(),
            file: scenario.file,
            kept: keep.then(|| Arc::new(scenario)),
            rows: None,
            role: Role::Scenario,
            steps,
            suite_path: String::new(),
            text_bytes,
        }
    }

    /// The suite's set-up or teardown: always kept decoded (its text is `k2check.yaml`).
    pub fn suite_steps(scenario: Scenario, role: Role, sources: &SourceMap) -> Self {
        PlannedScenario {
            role,
            ..PlannedScenario::new(scenario, true, sources)
        }
    }

    /// A scenario run once per data row, each run named after its row when it starts.
    pub fn with_rows(scenario: Scenario, keep: bool, sources: &SourceMap, rows: RowSet) -> Self {
        PlannedScenario {
            rows: Some(Arc::new(rows)),
            ..PlannedScenario::new(scenario, keep, sources)
        }
    }

    /// How many runs it makes: one, or one per data row.
    pub fn runs(&self) -> usize {
        self.rows.as_ref().map_or(1, |r| r.count)
    }

    /// Its share of `DECODED_IN_FLIGHT_BYTES` while it runs (a scenario larger than the
    /// whole budget takes all of it, and runs alone among those decoded again).
    pub fn in_flight_weight(&self) -> u32 {
        self.text_bytes.min(DECODED_IN_FLIGHT_BYTES) as u32
    }

    /// Whether the decoded scenario is held, rather than decoded again when it starts.
    #[cfg(test)]
    pub fn is_kept(&self) -> bool {
        self.kept.is_some()
    }

    /// The decoded scenario, decoded again from its validated text when it was not kept;
    /// `None` only if that text no longer decodes, which would be a bug.
    pub fn get(&self, sources: &SourceMap) -> Option<Arc<Scenario>> {
        if let Some(kept) = &self.kept {
            return Some(kept.clone());
        }
        let mut reader = Reader::default();
        let scenario = decode_file(self.file, sources, &mut reader)?;
        reader.diags.is_empty().then(|| Arc::new(scenario))
    }
}
