//! Runs the scenarios of a plan: up to `jobs` at once, each scenario's steps in order,
//! results sent as events in input order whatever finishes first.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

use crate::event::{Event, ScenarioResult, Status, Summary};
use crate::run::runtime::Runtime;
use crate::run::scenario::{StepLog, all_skipped, run_scenario};

#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub jobs: usize,
    pub fail_fast: bool,
}

/// Runs every scenario and returns the summary; `interrupt` resolving stops the run.
pub async fn execute(
    rt: Arc<Runtime>,
    schedule: Schedule,
    events: mpsc::UnboundedSender<Event>,
    interrupt: impl std::future::Future<Output = ()>,
) -> Summary {
    let started = Instant::now();
    let total = rt.plan.scenarios.len();
    let _ = events.send(Event::RunStarted {
        total,
        environment: rt.plan.environment.clone(),
        run_id: rt.plan.run_id.clone(),
    });
    let semaphore = Arc::new(Semaphore::new(schedule.jobs.max(1)));
    let logs: Vec<StepLog> = (0..total).map(|_| Arc::new(Mutex::new(Vec::new()))).collect();
    let mut results: BTreeMap<usize, Arc<ScenarioResult>> = BTreeMap::new();
    let mut next_to_send = 0;
    let mut tasks: JoinSet<ScenarioResult> = JoinSet::new();
    let mut next_to_start = 0;
    let mut failed_seen = false;
    let mut interrupted = false;
    tokio::pin!(interrupt);

    let mut publish = |results: &mut BTreeMap<usize, Arc<ScenarioResult>>, result: ScenarioResult| {
        results.insert(result.index, Arc::new(result));
        while let Some(r) = results.get(&next_to_send) {
            let _ = events.send(Event::ScenarioFinished(r.clone()));
            next_to_send += 1;
        }
    };

    loop {
        let can_start = next_to_start < total && !(schedule.fail_fast && failed_seen);
        if !can_start && tasks.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            () = &mut interrupt, if !interrupted => {
                interrupted = true;
                rt.stop();
                tasks.abort_all();
            }
            permit = semaphore.clone().acquire_owned(), if can_start && !interrupted => {
                let Ok(permit) = permit else { break };
                let index = next_to_start;
                next_to_start += 1;
                let _ = events.send(Event::ScenarioStarted { index, name: rt.plan.scenarios[index].name.value.clone() });
                let (rt, log) = (rt.clone(), logs[index].clone());
                tasks.spawn(async move {
                    let result = run_scenario(rt, index, log).await;
                    drop(permit);
                    result
                });
            }
            joined = tasks.join_next(), if !tasks.is_empty() => {
                if let Some(Ok(result)) = joined {
                    failed_seen |= matches!(result.status, Status::Failed | Status::Error);
                    publish(&mut results, result);
                }
            }
            else => break,
        }
        if interrupted && tasks.is_empty() {
            break;
        }
    }

    // Scenarios that did not finish: interrupted ones keep the steps they completed.
    for (index, log) in logs.iter().enumerate() {
        if results.contains_key(&index) {
            continue;
        }
        let scenario = &rt.plan.scenarios[index];
        let done = std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()));
        let reason = if interrupted {
            "the run was interrupted"
        } else {
            "--fail-fast: an earlier scenario failed"
        };
        publish(&mut results, all_skipped(index, scenario, reason, done));
    }

    let mut summary = Summary {
        duration: started.elapsed(),
        interrupted,
        ..Summary::default()
    };
    for result in results.values() {
        summary.steps += result.steps.len();
        match result.status {
            Status::Passed => summary.passed += 1,
            Status::Failed => summary.failed += 1,
            Status::Error => summary.errors += 1,
            Status::Skipped => summary.skipped += 1,
        }
    }
    let _ = events.send(Event::RunFinished(summary.clone()));
    summary
}
