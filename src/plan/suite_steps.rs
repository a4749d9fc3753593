//! The suite's `setup:` and `teardown:` steps as scenarios of their own: checked like any
//! scenario, run first and last, and shown in every report under their own names.

use crate::diag::Diagnostic;
use crate::scenario::model::{Scenario, Spanned, Suite, SuiteSteps};
use crate::source::SourceMap;

pub const SETUP_NAME: &str = "suite set-up";
pub const TEARDOWN_NAME: &str = "suite teardown";

/// What a planned scenario is to the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Scenario,
    /// Runs alone before the others; its captures are every scenario's.
    SetUp,
    /// Runs after all the others, also after a failure and on a stop, as clean-up does.
    TearDown,
}

impl Role {
    /// As reports name it.
    pub fn word(self) -> &'static str {
        match self {
            Role::Scenario => "scenario",
            Role::SetUp => "setup",
            Role::TearDown => "teardown",
        }
    }
}

/// The set-up as a scenario of main steps: a failed step skips the rest, as in any scenario.
pub fn setup_scenario(suite: &Suite, sources: &SourceMap) -> Option<Scenario> {
    suite
        .setup
        .as_ref()
        .map(|s| scenario(suite, sources, SETUP_NAME, s, false))
}

/// The teardown as a scenario of clean-up steps: each runs whatever the others did, and one
/// that needs a set-up capture that was never made is skipped.
pub fn teardown_scenario(suite: &Suite, sources: &SourceMap) -> Option<Scenario> {
    suite
        .teardown
        .as_ref()
        .map(|s| scenario(suite, sources, TEARDOWN_NAME, s, true))
}

fn scenario(suite: &Suite, sources: &SourceMap, name: &str, steps: &SuiteSteps, clean_up: bool) -> Scenario {
    let (main, finally) = match clean_up {
        true => (Vec::new(), steps.steps.clone()),
        false => (steps.steps.clone(), Vec::new()),
    };
    Scenario {
        file: suite.file,
        path: sources.path(suite.file).to_path_buf(),
        name: Spanned {
            value: name.into(),
            span: steps.span,
        },
        description: None,
        tags: Vec::new(),
        auth: None,
        vars: Vec::new(),
        rows: None,
        row_name: None,
        steps: main,
        finally,
    }
}

/// The names the set-up captures.
pub fn captured_names(setup: &Scenario) -> Vec<String> {
    setup
        .steps
        .iter()
        .flat_map(|s| s.capture.iter().map(|c| c.name.value.clone()))
        .collect()
}

/// A scenario may read the set-up's captures, never set one: another scenario would see its
/// own value, or the set-up's, depending on which ran where.
pub fn refuse_shadowing(scenario: &Scenario, setup_captures: &[String]) -> Vec<Diagnostic> {
    let vars = scenario.vars.iter().map(|(name, _)| (&name.value, name.span));
    let captures = scenario
        .steps
        .iter()
        .chain(&scenario.finally)
        .flat_map(|s| s.capture.iter().map(|c| (&c.name.value, c.name.span)));
    vars.chain(captures)
        .filter(|(name, _)| setup_captures.contains(name))
        .map(|(name, span)| {
            Diagnostic::error(
                format!("`{name}` is captured by the suite's set-up: scenarios read it, never set it"),
                span,
            )
            .with_help("choose another name here")
        })
        .collect()
}
