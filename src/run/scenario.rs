//! One scenario: its steps in order, later steps skipped after a failure, `finally` steps
//! always run. Step results are recorded as they finish, so an interrupted run keeps them.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::event::{Phase, ProblemKind, ScenarioResult, Status, StepProblem, StepResult};
use crate::plan::Role;
use crate::run::runtime::Runtime;
use crate::run::step::{INTERRUPTED, run_step};
use crate::scenario::model::{Scenario, Step};
use crate::scenario::templates::step_templates;
use crate::template::{Context, value_of};

/// Step results so far, shared with the scheduler.
pub type StepLog = Arc<Mutex<Vec<StepResult>>>;

/// Runs scenario `index`, and again up to `retries` times while it fails (unless the run is
/// stopping): one that passes on a later try is flaky, and says what failed first.
pub async fn run_with_retries(rt: Arc<Runtime>, index: usize, log: StepLog, retries: u32) -> ScenarioResult {
    let mut first_failure: Option<String> = None;
    let mut tries = 1;
    loop {
        let mut result = run_scenario(rt.clone(), index, log.clone()).await;
        let failed = matches!(result.status, Status::Failed | Status::Error);
        if !failed || tries > retries || rt.is_stopping() {
            result.tries = tries;
            result.flaky = first_failure.filter(|_| !failed);
            return result;
        }
        first_failure.get_or_insert_with(|| failure_words(&result));
        log.lock().unwrap_or_else(|e| e.into_inner()).clear();
        tries += 1;
    }
}

/// "step `read`: status: expected 200, actual 503": the first failed step of a try.
fn failure_words(result: &ScenarioResult) -> String {
    let failed = result
        .steps
        .iter()
        .find(|s| matches!(s.status, Status::Failed | Status::Error));
    match failed {
        Some(step) => {
            let words = match (step.failures.first(), &step.error) {
                (Some(f), _) => format!("{}: expected {}, actual {}", f.message, f.expected, f.actual),
                (None, Some(e)) => e.message.lines().next().unwrap_or_default().to_owned(),
                (None, None) => "it failed".to_owned(),
            };
            format!("step `{}`: {words}", step.name)
        }
        None => result.skip_reason.clone().unwrap_or_else(|| "it failed".into()),
    }
}

pub async fn run_scenario(rt: Arc<Runtime>, index: usize, log: StepLog) -> ScenarioResult {
    let started = Instant::now();
    let Some(scenario) = rt.plan.scenario(index) else {
        return unreadable(&rt, index, started.elapsed());
    };
    let scenario = &*scenario;
    // Debug builds only: lets the tests see what a panic inside a scenario becomes.
    #[cfg(debug_assertions)]
    if std::env::var("K2CHECK_DEBUG_PANIC_IN").is_ok_and(|name| name == scenario.name.value) {
        panic!("a panic the tests asked for");
    }
    let stop_notice = rt.stop_notice();
    let record = |result: StepResult| log.lock().unwrap_or_else(|e| e.into_inner()).push(result);

    let mut ctx = rt.starting_context(index);
    // Each data row keeps snapshots of its own.
    let row = rt.plan.run(index).and_then(|(_, row)| row);
    let mut broken: Option<StepProblem> = None;
    for (name, node) in &scenario.vars {
        match rt.plan.engine.render_node(node, &ctx) {
            Ok(v) => ctx.insert(&name.value, value_of(&v)),
            Err(e) => {
                let message = format!("scenario variable `{}`: {e}", name.value);
                broken = Some(StepProblem::new(ProblemKind::Template, message));
                break;
            }
        }
    }

    let mut skip_reason: Option<String> = None;
    let mut cut_short = false;
    for step in &scenario.steps {
        if let Some(problem) = broken.take() {
            record(error_step(step, Phase::Main, problem));
            skip_reason = Some("an earlier step did not pass".into());
            continue;
        }
        if rt.is_stopping() && skip_reason.is_none() {
            cut_short = true;
            skip_reason = Some(INTERRUPTED.into());
        }
        if let Some(reason) = &skip_reason {
            record(skipped_step(step, Phase::Main, reason));
            continue;
        }
        let outcome = run_step(&rt, scenario, step, &ctx, (Phase::Main, row), &stop_notice).await;
        ctx.extend(outcome.captures.iter().map(|(k, v)| (k.clone(), value_of(v))));
        match outcome.result.status {
            Status::Passed => {}
            // Stopped while its request was in flight.
            Status::Interrupted | Status::Skipped => {
                cut_short = true;
                skip_reason = Some(INTERRUPTED.into());
            }
            _ => skip_reason = Some(format!("step `{}` did not pass", step.name)),
        }
        record(outcome.result);
    }
    // Clean-up runs on a stop signal too, until the grace period is over: test records,
    // workflow instances and users are not left behind.
    for step in &scenario.finally {
        if rt.is_aborting() {
            record(skipped_step(step, Phase::Finally, INTERRUPTED));
            continue;
        }
        // Clean-up of something never created has nothing to do.
        let missing = missing_captures(&rt, scenario, step, &ctx);
        if !missing.is_empty() {
            let reason = if cut_short {
                // Said plainly: something the scenario made may now be left behind.
                format!(
                    "needs {}, which the run was stopped before capturing; what earlier steps made may be left behind",
                    missing.join(", ")
                )
            } else {
                format!("needs {}, which no earlier step captured", missing.join(", "))
            };
            record(skipped_step(step, Phase::Finally, &reason));
            continue;
        }
        let outcome = run_step(&rt, scenario, step, &ctx, (Phase::Finally, row), &stop_notice).await;
        ctx.extend(outcome.captures.iter().map(|(k, v)| (k.clone(), value_of(v))));
        record(outcome.result);
    }
    if rt.plan.run(index).is_some_and(|(p, _)| p.role == Role::SetUp) {
        rt.keep_setup_values(&ctx);
    }
    let steps = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
    let name = rt.plan.run_name(index);
    let mut result = finish(&rt, index, name, scenario, steps, started.elapsed(), None);
    if cut_short && result.status == Status::Passed {
        result.status = Status::Interrupted;
        result.skip_reason = Some(INTERRUPTED.into());
    }
    result
}

/// The result of scenario `index`, named as planned (a data row's run carries its row).
pub fn finish(
    rt: &Runtime,
    index: usize,
    name: String,
    scenario: &Scenario,
    steps: Vec<StepResult>,
    duration: std::time::Duration,
    skip_reason: Option<String>,
) -> ScenarioResult {
    let status = if skip_reason.is_some() && steps.iter().all(|s| s.status == Status::Skipped) {
        Status::Skipped
    } else {
        steps
            .iter()
            .map(|s| s.status)
            .find(|s| matches!(s, Status::Failed | Status::Error))
            .unwrap_or(Status::Passed)
    };
    ScenarioResult {
        name,
        file: scenario.path.display().to_string(),
        tags: scenario.tags.clone(),
        status,
        steps,
        duration,
        skip_reason,
        ..placed(rt, index)
    }
}

pub fn skipped_step(step: &Step, phase: Phase, reason: &str) -> StepResult {
    StepResult {
        name: step.name.clone(),
        description: step.description.clone(),
        phase,
        span: step.span,
        status: Status::Skipped,
        attempts: 0,
        duration: Default::default(),
        request: None,
        response: None,
        failures: Vec::new(),
        error: None,
        no_token: None,
        skip_reason: Some(reason.to_owned()),
        resends: 0,
        captured: Vec::new(),
        follow_ups: Vec::new(),
        follow_ups_left_out: 0,
        notes: Vec::new(),
    }
}

fn error_step(step: &Step, phase: Phase, problem: StepProblem) -> StepResult {
    StepResult {
        status: Status::Error,
        error: Some(problem),
        skip_reason: None,
        ..skipped_step(step, phase, "")
    }
}

/// A scenario whose run ended in a panic: an error that says so, never a pass or a skip.
pub fn internal_error(rt: &Runtime, index: usize, done: Vec<StepResult>, words: &str) -> ScenarioResult {
    let message = format!("internal error: k2check stopped this scenario ({words}); please report it");
    let Some(scenario) = rt.plan.scenario(index) else {
        return unreadable(rt, index, Default::default());
    };
    let mut result = all_skipped(rt, index, &scenario, "k2check stopped this scenario", done);
    match result.steps.iter_mut().find(|s| s.status == Status::Skipped) {
        Some(step) => {
            step.status = Status::Error;
            step.error = Some(StepProblem::new(ProblemKind::Internal, message.clone()));
            step.skip_reason = None;
        }
        None => result.skip_reason = Some(message.clone()),
    }
    result.status = Status::Error;
    result.skip_reason = Some(message);
    result
}

/// Every step of a scenario that never started, marked with why.
pub fn all_skipped(
    rt: &Runtime,
    index: usize,
    scenario: &Scenario,
    reason: &str,
    done: Vec<StepResult>,
) -> ScenarioResult {
    all_skipped_after(rt, index, scenario, reason, done, None)
}

/// A scenario that was running when the run stopped (`ran_for` since it started): the step
/// it was on is interrupted, the rest did not run.
pub fn interrupted_in_flight(
    rt: &Runtime,
    index: usize,
    scenario: &Scenario,
    done: Vec<StepResult>,
    ran_for: std::time::Duration,
) -> ScenarioResult {
    all_skipped_after(rt, index, scenario, INTERRUPTED, done, Some(ran_for))
}

fn all_skipped_after(
    rt: &Runtime,
    index: usize,
    scenario: &Scenario,
    reason: &str,
    done: Vec<StepResult>,
    in_flight: Option<std::time::Duration>,
) -> ScenarioResult {
    let mut steps = done;
    let on = steps.len();
    let all: Vec<(&Step, Phase)> = scenario
        .steps
        .iter()
        .map(|s| (s, Phase::Main))
        .chain(scenario.finally.iter().map(|s| (s, Phase::Finally)))
        .collect();
    for (step, phase) in all.into_iter().skip(steps.len()) {
        steps.push(skipped_step(step, phase, reason));
    }
    if in_flight.is_some()
        && let Some(current) = steps.get_mut(on)
    {
        current.status = Status::Interrupted;
        current.skip_reason = Some("the run was stopped while this step ran".into());
    }
    let started_any = steps.iter().any(|s| s.status != Status::Skipped);
    let name = rt.plan.run_name(index);
    let mut result = finish(
        rt,
        index,
        name,
        scenario,
        steps,
        in_flight.unwrap_or_default(),
        Some(reason.to_owned()),
    );
    if reason == INTERRUPTED && started_any && result.status == Status::Passed {
        result.status = Status::Interrupted;
    }
    result
}

/// Captures of this scenario that a step uses and the context does not hold.
fn missing_captures(rt: &Runtime, scenario: &Scenario, step: &Step, ctx: &Context) -> Vec<String> {
    // The set-up's captures too: the teardown cleans up after it.
    let captured: Vec<&str> = scenario
        .steps
        .iter()
        .chain(&scenario.finally)
        .flat_map(|s| s.capture.iter().map(|c| c.name.value.as_str()))
        .chain(rt.plan.setup_captures.iter().map(String::as_str))
        .collect();
    let mut missing: Vec<String> = step_templates(step)
        .iter()
        .filter_map(|t| rt.plan.engine.names_used(&t.text).ok())
        .flatten()
        .map(|name| name.split('.').next().unwrap_or_default().to_owned())
        .filter(|root| captured.contains(&root.as_str()) && !ctx.contains(root))
        .map(|root| format!("`{root}`"))
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// Run `index` placed in the suite (its file from the suite's folder, its data row, its role:
/// a scenario, the set-up or the teardown), tried once, with nothing in it yet.
fn placed(rt: &Runtime, index: usize) -> ScenarioResult {
    let (suite_path, row, role) = match rt.plan.run(index) {
        Some((planned, row)) => (planned.suite_path.clone(), row, planned.role.word()),
        None => (String::new(), None, "scenario"),
    };
    ScenarioResult {
        index,
        name: String::new(),
        file: String::new(),
        suite_path,
        row,
        role,
        shard: None,
        tries: 1,
        flaky: None,
        tags: Vec::new(),
        status: Status::Passed,
        steps: Vec::new(),
        duration: std::time::Duration::ZERO,
        skip_reason: None,
    }
}

/// A scenario whose validated text did not decode again: reported as an error, never a panic.
pub fn unreadable(rt: &Runtime, index: usize, duration: std::time::Duration) -> ScenarioResult {
    ScenarioResult {
        name: rt.plan.run_name(index),
        file: rt
            .plan
            .run(index)
            .map(|(p, _)| p.path.display().to_string())
            .unwrap_or_default(),
        tags: Vec::new(),
        status: Status::Error,
        steps: Vec::new(),
        duration,
        skip_reason: Some("the scenario file could not be read again after validation".into()),
        ..placed(rt, index)
    }
}
