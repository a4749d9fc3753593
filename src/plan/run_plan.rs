//! A validated run, ready to execute, and what planning needs to make one.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::Credentials;
use crate::diag::Diagnostic;
use crate::plan::planned::PlannedScenario;
use crate::plan::rows::DataRow;
use crate::plan::selection::Selection;
use crate::plan::suite_steps::Role;
use crate::redact::Redactor;
use crate::scenario::model::{Limits, Scenario, Tls};
use crate::source::SourceMap;
use crate::template::{Context, TemplateEngine};

/// How long a request may take when neither the step nor the suite says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// `--env NAME`.
    pub environment: Option<String>,
    /// Set by `--mock`: what the scenarios see as `mock.*` (url, tenant, …).
    pub mock: Option<serde_json::Value>,
    pub selection: Selection,
    pub run_id: String,
    /// `k2check token PROFILE`: only this profile's variables are needed, none of the
    /// scenarios'.
    pub only_profile: Option<String>,
    /// `--var NAME=VALUE` and `--vars-file`: these win over the suite's and the environment's
    /// variables of the same name (later ones over earlier ones).
    pub overrides: Vec<(String, String)>,
    /// The `.env` file beside `k2check.yaml`: read where the process environment lacks a name.
    pub dotenv: crate::dotenv::DotEnv,
    /// `k2check list`: an unset variable is a warning (the list says which are missing).
    pub missing_variables_are_warnings: bool,
}

/// A validated run, ready to execute.
pub struct Plan {
    pub run_id: String,
    /// The suite's folder (`.` without a `k2check.yaml`): report names are relative to it.
    pub root: std::path::PathBuf,
    /// The part of the selection this run takes (`--shard`).
    pub shard: Option<crate::plan::Shard>,
    /// Names the whole selection, before sharding: the parts of one run share it (`merge`).
    pub selection_id: String,
    pub variables: Variables,
    /// The origins the run will send to (variables that are URLs, token endpoints).
    pub hosts: Vec<String>,
    /// Said on the run's first line (e.g. that `K2CHECK_ENV` was ignored under `--mock`).
    pub note: Option<String>,
    pub warnings: Vec<Diagnostic>,
    pub sources: Arc<SourceMap>,
    pub environment: Option<String>,
    pub timeout: Duration,
    pub tls: Tls,
    pub limits: Limits,
    pub profiles: BTreeMap<String, Credentials>,
    pub default_auth: Option<String>,
    /// The suite's `defaults.redact`, applied to every snapshot before its own.
    pub redact: Vec<crate::scenario::model::Redaction>,
    /// The folder below `__snapshots__` this run's snapshots are in: its environment's name
    /// under `snapshots: by_environment`.
    pub snapshot_environment: Option<String>,
    pub context: Context,
    /// The planned scenarios; a scenario with data rows is one of them and makes a run per
    /// row. Runs are numbered across all of them (`run_count`, `run`).
    pub scenarios: Vec<PlannedScenario>,
    /// The number of the first run of each planned scenario (`run_starts[i]` for
    /// `scenarios[i]`), so a run's scenario is found by a binary search.
    pub run_starts: Vec<usize>,
    pub schemas: HashMap<PathBuf, Arc<jsonschema::Validator>>,
    pub redactor: Redactor,
    pub engine: Arc<TemplateEngine>,
    pub paths: crate::expect::paths::JsonPaths,
    /// What the suite's set-up captures: the teardown skips a step needing one never made.
    pub setup_captures: Vec<String>,
    /// Where each auth profile is defined: its discovery and token exchanges are shown there.
    pub profile_spans: BTreeMap<String, crate::source::Span>,
    /// Under `--mock`, the mock's URL: no request goes to any other origin.
    pub confined_to: Option<url::Url>,
}

impl Plan {
    /// How many runs the plan makes: one per scenario, one per data row.
    pub fn run_count(&self) -> usize {
        match (self.scenarios.last(), self.run_starts.last()) {
            (Some(last), Some(start)) => start + last.runs(),
            _ => 0,
        }
    }

    /// The planned scenario of run `index`, and its row number (from 1) when it has rows.
    pub fn run(&self, index: usize) -> Option<(&PlannedScenario, Option<usize>)> {
        let at = self
            .run_starts
            .partition_point(|&start| start <= index)
            .checked_sub(1)?;
        let planned = self.scenarios.get(at)?;
        let offset = index - self.run_starts[at];
        match &planned.rows {
            Some(rows) if offset < rows.count => Some((planned, Some(offset + 1))),
            None if offset == 0 => Some((planned, None)),
            _ => None,
        }
    }

    /// The name of run `index`: the scenario's, with its row (`name [row 3: alice]`).
    /// A scenario file's path from the suite's folder, with `/`: the same wherever k2check
    /// is run from (a CI's JUnit history keys on it).
    pub fn suite_path(&self, path: &std::path::Path) -> String {
        let full = |p: &std::path::Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let (path_full, root_full) = (full(path), full(&self.root));
        let relative = path_full.strip_prefix(&root_full).unwrap_or(path);
        let parts: Vec<String> = relative
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    }

    pub fn run_name(&self, index: usize) -> String {
        match self.run(index) {
            Some((planned, Some(number))) => match self.data_row(planned, number) {
                Some(row) => row.scenario_name(&planned.name),
                None => format!("{} [row {number}]", planned.name),
            },
            Some((planned, None)) => planned.name.clone(),
            None => String::new(),
        }
    }

    fn data_row(&self, planned: &PlannedScenario, number: usize) -> Option<DataRow> {
        let rows = planned.rows.as_ref()?;
        rows.row(number, &self.sources, &self.engine, &self.context).ok()
    }

    /// The decoded scenario of run `index`.
    pub fn scenario(&self, index: usize) -> Option<Arc<Scenario>> {
        self.run(index)?.0.get(&self.sources)
    }

    /// The set-up, when the suite has one and a scenario was selected: always the first.
    pub fn setup_index(&self) -> Option<usize> {
        self.scenarios.first().filter(|s| s.role == Role::SetUp).map(|_| 0)
    }

    /// The teardown, when the suite has one and a scenario was selected: always the last.
    pub fn teardown_index(&self) -> Option<usize> {
        let last = self.scenarios.last()?;
        (last.role == Role::TearDown).then(|| self.run_count() - 1)
    }

    /// What the templates of run `index` start from: the suite's values, and its data row's
    /// fields when it runs for one (before the scenario's own `vars`, which may use them).
    pub fn starting_context(&self, index: usize) -> Context {
        let mut ctx = self.context.clone();
        if let Some((planned, Some(number))) = self.run(index)
            && let Some(row) = self.data_row(planned, number)
        {
            row.add_to(&mut ctx);
        }
        ctx
    }
}

/// Why a plan could not be made: every problem, with what is needed to show them safely.
pub struct PlanError {
    pub sources: Arc<SourceMap>,
    pub diagnostics: Vec<Diagnostic>,
    pub redactor: Redactor,
}

/// The environment variables a selection reads (`k2check list`), and which are not set.
#[derive(Debug, Clone, Default)]
pub struct Variables {
    pub needed: Vec<String>,
    pub missing: Vec<String>,
    /// Those of `missing` that are set but blank: where each was set.
    pub blank: BTreeMap<String, String>,
}
