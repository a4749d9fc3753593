//! Runs the scenarios of a plan: up to `jobs` at once, each scenario's steps in order,
//! results sent as events in input order whatever finishes first. Finished results are
//! handed to the reporters and not kept here, so memory does not grow with the run.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::event::{Event, RunStart, ScenarioResult, Status, Summary};
use crate::plan::DECODED_IN_FLIGHT_BYTES;
use crate::run::runtime::Runtime;
use crate::run::scenario::{StepLog, all_skipped, internal_error, interrupted_in_flight, run_scenario};
use crate::run::step::INTERRUPTED;

#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub jobs: usize,
    pub fail_fast: bool,
    /// After a stop request, how long `finally:` steps of started scenarios may still run.
    pub grace: std::time::Duration,
}

/// Sends results in input order, holding back only those that finished early.
struct InOrder {
    events: std::sync::mpsc::Sender<Event>,
    waiting: BTreeMap<usize, ScenarioResult>,
    next: usize,
    done: Vec<bool>,
    summary: Summary,
}

impl InOrder {
    fn publish(&mut self, result: ScenarioResult) {
        self.done[result.index] = true;
        self.waiting.insert(result.index, result);
        while let Some(result) = self.waiting.remove(&self.next) {
            // The steps that ran: skipped ones (after a failure, --fail-fast, a stop) did not.
            self.summary.steps += result.steps.iter().filter(|s| s.status != Status::Skipped).count();
            match result.status {
                Status::Passed => self.summary.passed += 1,
                Status::Failed => self.summary.failed += 1,
                Status::Error => self.summary.errors += 1,
                Status::Skipped => self.summary.skipped += 1,
                Status::Interrupted => self.summary.interrupted_scenarios += 1,
            }
            let _ = self.events.send(Event::ScenarioFinished(Arc::new(result)));
            self.next += 1;
        }
    }
}

/// How long aborted scenarios have to end before the reports are written without them: a
/// task busy on the CPU (a schema check of a large body) only sees its abort when it yields.
const ABORT_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// A job slot and the scenario's room in the decoded budget, both held while it runs.
/// Dropped while waiting (another branch of the scheduler won), neither is kept.
async fn admit(
    jobs: &Arc<Semaphore>,
    decoded: &Arc<Semaphore>,
    rt: &Runtime,
    index: usize,
) -> Option<(OwnedSemaphorePermit, Option<OwnedSemaphorePermit>)> {
    let job = jobs.clone().acquire_owned().await.ok()?;
    let weight = rt.plan.run(index).map_or(0, |(s, _)| s.in_flight_weight());
    let room = match weight {
        0 => None,
        weight => Some(decoded.clone().acquire_many_owned(weight).await.ok()?),
    };
    Some((job, room))
}

/// Why the scenarios do not run when the suite's set-up did not pass.
fn setup_failure(result: &ScenarioResult) -> String {
    match result
        .steps
        .iter()
        .find(|s| matches!(s.status, Status::Failed | Status::Error))
    {
        Some(step) => format!("the suite's set-up did not pass (step `{}`)", step.name),
        None => "the suite's set-up did not pass".into(),
    }
}

/// The profiles' discovery and token exchanges since the last call, as events, when the run
/// records exchanges.
fn send_auth_exchanges(rt: &Runtime, events: &std::sync::mpsc::Sender<Event>) {
    let Some(recording) = rt.recording else { return };
    for raw in rt.auth.take_exchanges() {
        let Some(span) = rt.plan.profile_spans.get(&raw.profile).copied() else {
            continue;
        };
        let step = recording.auth_exchange(&raw, span, &rt.plan.redactor);
        let _ = events.send(Event::AuthExchange(Arc::new(step)));
    }
}

/// Says how many requests were sent, every `PROGRESS_EVERY` until the run is over (the task
/// is aborted then).
async fn say_progress(rt: Arc<Runtime>, events: std::sync::mpsc::Sender<Event>) {
    let every_so_often = crate::event::PROGRESS_EVERY;
    // The first is due one period in: a run that ends sooner says nothing of its progress.
    let mut every = tokio::time::interval_at(tokio::time::Instant::now() + every_so_often, every_so_often);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        let requests_sent = rt.gate.requests_sent();
        if events.send(Event::Progress { requests_sent }).is_err() {
            return;
        }
    }
}

/// What a panic said, for the report.
fn panic_words(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Runs every scenario and returns the summary. The first message on `stops` stops the run:
/// no scenario starts, main steps give up, and `finally:` steps run within the grace period;
/// a second message (or the end of the grace period) ends those too.
pub async fn execute(
    rt: Arc<Runtime>,
    schedule: Schedule,
    events: std::sync::mpsc::Sender<Event>,
    mut stops: tokio::sync::mpsc::UnboundedReceiver<()>,
) -> Summary {
    let started = Instant::now();
    let total = rt.plan.run_count();
    let _ = events.send(Event::RunStarted(RunStart {
        total,
        environment: rt.plan.environment.clone(),
        hosts: rt.plan.hosts.clone(),
        note: rt.plan.note.clone(),
        run_id: rt.plan.run_id.clone(),
    }));
    let progress = tokio::spawn(say_progress(rt.clone(), events.clone()));
    let semaphore = Arc::new(Semaphore::new(schedule.jobs.max(1)));
    // Scenarios decoded again when they start also wait for room in this budget.
    let decoded = Arc::new(Semaphore::new(DECODED_IN_FLIGHT_BYTES));
    // The runs under way: each one's steps so far and when it started. Only those: a run of a
    // million data rows keeps nothing of the ones that are over.
    let mut running: HashMap<usize, (StepLog, Instant)> = HashMap::new();
    let mut out = InOrder {
        events: events.clone(),
        waiting: BTreeMap::new(),
        next: 0,
        done: vec![false; total],
        summary: Summary::default(),
    };
    // Each result with when its scenario ended, taken before its job slot is given back.
    let mut tasks: JoinSet<(ScenarioResult, Instant)> = JoinSet::new();
    // Which scenario each task runs, to report a task that panicked as that scenario.
    let mut task_scenarios: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut next_to_start = 0;
    let mut failed_seen = false;
    let mut interrupted = false;
    let mut aborted = false;
    let mut stops_open = true;
    let grace = tokio::time::sleep(std::time::Duration::MAX / 4);
    tokio::pin!(grace);

    let setup = rt.plan.setup_index();
    let teardown = rt.plan.teardown_index();
    // Why the scenarios after a failed set-up do not run.
    let mut setup_failed: Option<String> = None;

    loop {
        let setup_running = setup.is_some_and(|i| next_to_start > i && !out.done[i]);
        let can_start = match next_to_start {
            n if n >= total => false,
            // The teardown runs last, after a failure and on a stop too, while clean-up may.
            n if Some(n) == teardown => tasks.is_empty() && !aborted,
            _ => {
                let fail_fast_stop = schedule.fail_fast && failed_seen;
                !(interrupted || setup_running || setup_failed.is_some() || fail_fast_stop)
            }
        };
        if !can_start && tasks.is_empty() {
            match teardown {
                // What did not start is reported as skipped below; the teardown still runs.
                Some(t) if next_to_start < t && !aborted => {
                    next_to_start = t;
                    continue;
                }
                _ => break,
            }
        }
        tokio::select! {
            biased;
            stop = stops.recv(), if stops_open && !aborted => {
                if stop.is_none() {
                    // Nobody can ask any more.
                    stops_open = false;
                    continue;
                }
                if interrupted {
                    aborted = true;
                    rt.abort();
                    tasks.abort_all();
                    grace.as_mut().reset(tokio::time::Instant::now() + ABORT_WAIT);
                } else {
                    interrupted = true;
                    rt.stop();
                    grace.as_mut().reset(tokio::time::Instant::now() + schedule.grace);
                }
            }
            () = &mut grace, if interrupted => {
                if aborted {
                    // A task busy on the CPU has not seen its abort: report without it.
                    break;
                }
                aborted = true;
                rt.abort();
                tasks.abort_all();
                grace.as_mut().reset(tokio::time::Instant::now() + ABORT_WAIT);
            }
            permit = admit(&semaphore, &decoded, &rt, next_to_start), if can_start => {
                let Some(permit) = permit else { break };
                let index = next_to_start;
                next_to_start += 1;
                let name = rt.plan.run_name(index);
                let log: StepLog = Arc::new(Mutex::new(Vec::new()));
                running.insert(index, (log.clone(), Instant::now()));
                let _ = events.send(Event::ScenarioStarted { index, name });
                let rt = rt.clone();
                let task = tasks.spawn(async move {
                    let result = run_scenario(rt, index, log).await;
                    let ended = Instant::now();
                    drop(permit);
                    (result, ended)
                });
                task_scenarios.insert(task.id(), index);
            }
            joined = tasks.join_next_with_id(), if !tasks.is_empty() => {
                let (result, ended) = match joined {
                    Some(Ok((id, done))) => {
                        task_scenarios.remove(&id);
                        done
                    }
                    // A bug in k2check is never a pass: the scenario is an error that says so.
                    Some(Err(e)) if e.is_panic() => {
                        let Some(index) = task_scenarios.remove(&e.id()) else { continue };
                        let done = running
                            .get(&index)
                            .map(|(log, _)| std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner())))
                            .unwrap_or_default();
                        (internal_error(&rt, index, done, &panic_words(e.into_panic())), Instant::now())
                    }
                    _ => continue,
                };
                running.remove(&result.index);
                if Some(result.index) == setup && result.status != Status::Passed {
                    setup_failed = Some(setup_failure(&result));
                } else {
                    failed_seen |= matches!(result.status, Status::Failed | Status::Error);
                }
                send_auth_exchanges(&rt, &events);
                let _ = events.send(Event::ScenarioEnded {
                    index: result.index,
                    at: ended,
                });
                out.publish(result);
            }
            else => break,
        }
        let teardown_waits = teardown.is_some_and(|t| next_to_start <= t) && !aborted;
        if interrupted && tasks.is_empty() && !teardown_waits {
            break;
        }
    }

    // Scenarios that did not finish: interrupted ones keep the steps they completed.
    for index in 0..total {
        if out.done[index] {
            continue;
        }
        let under_way = running.remove(&index);
        let Some(scenario) = rt.plan.scenario(index) else {
            out.publish(crate::run::scenario::unreadable(&rt, index, Default::default()));
            continue;
        };
        let done = under_way
            .as_ref()
            .map(|(log, _)| std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default();
        let reason = match (&setup_failed, interrupted) {
            (_, true) => INTERRUPTED,
            (Some(reason), false) => reason.as_str(),
            (None, false) => "--fail-fast: an earlier scenario failed",
        };
        match under_way.map(|(_, at)| at) {
            Some(at) if interrupted => {
                out.publish(interrupted_in_flight(&rt, index, &scenario, done, at.elapsed()));
            }
            _ => out.publish(all_skipped(&rt, index, &scenario, reason, done)),
        }
    }

    progress.abort();
    send_auth_exchanges(&rt, &events);
    let summary = Summary {
        duration: started.elapsed(),
        interrupted,
        ..out.summary
    };
    let _ = events.send(Event::RunFinished(summary.clone()));
    summary
}
