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
use crate::run::scenario::{StepLog, all_skipped, internal_error, interrupted_in_flight, run_with_retries};
use crate::run::step::INTERRUPTED;

#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub jobs: usize,
    pub fail_fast: bool,
    /// `--retries`: how many more tries a failed scenario gets.
    pub retries: u32,
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
    fn new(events: std::sync::mpsc::Sender<Event>, total: usize) -> Self {
        InOrder {
            events,
            waiting: BTreeMap::new(),
            next: 0,
            done: vec![false; total],
            summary: Summary::default(),
        }
    }

    fn publish(&mut self, result: ScenarioResult) {
        self.done[result.index] = true;
        self.waiting.insert(result.index, result);
        while let Some(result) = self.waiting.remove(&self.next) {
            // The steps that ran: skipped ones (after a failure, --fail-fast, a stop) did not.
            self.summary.steps += result.steps.iter().filter(|s| s.status != Status::Skipped).count();
            match result.status {
                Status::Passed => {
                    self.summary.passed += 1;
                    self.summary.flaky += usize::from(result.flaky.is_some());
                }
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

/// Runs scenario `index`, giving its job slot back the moment it ends.
async fn start(
    rt: Arc<Runtime>,
    (index, retries): (usize, u32),
    log: StepLog,
    permit: (OwnedSemaphorePermit, Option<OwnedSemaphorePermit>),
) -> (ScenarioResult, Instant) {
    let result = run_with_retries(rt, index, log, retries).await;
    let ended = Instant::now();
    drop(permit);
    (result, ended)
}

type Joined = Option<Result<(tokio::task::Id, (ScenarioResult, Instant)), tokio::task::JoinError>>;

/// The result of a scenario's task that ended; a task that panicked is its scenario as an
/// error that says so (a bug in k2check is never a pass). `None` for a task aborted.
fn joined_result(
    rt: &Runtime,
    joined: Joined,
    task_scenarios: &mut HashMap<tokio::task::Id, usize>,
    running: &HashMap<usize, (StepLog, Instant)>,
) -> Option<(ScenarioResult, Instant)> {
    match joined? {
        Ok((id, done)) => {
            task_scenarios.remove(&id);
            Some(done)
        }
        Err(e) if e.is_panic() => {
            let index = task_scenarios.remove(&e.id())?;
            let done = running.get(&index).map(|(log, _)| take_log(log)).unwrap_or_default();
            Some((
                internal_error(rt, index, done, &panic_words(e.into_panic())),
                Instant::now(),
            ))
        }
        Err(_) => None,
    }
}

/// The steps a scenario has completed so far.
fn take_log(log: &StepLog) -> Vec<crate::event::StepResult> {
    std::mem::take(&mut *log.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Every scenario that did not finish: those under way when the run stopped keep the steps
/// they completed; those never started are skipped, with why.
fn publish_unfinished(
    rt: &Runtime,
    out: &mut InOrder,
    mut running: HashMap<usize, (StepLog, Instant)>,
    reason: &str,
    interrupted: bool,
) {
    for index in 0..out.done.len() {
        if out.done[index] {
            continue;
        }
        let under_way = running.remove(&index);
        let Some(scenario) = rt.plan.scenario(index) else {
            out.publish(crate::run::scenario::unreadable(rt, index, Default::default()));
            continue;
        };
        let done = under_way.as_ref().map(|(log, _)| take_log(log)).unwrap_or_default();
        match under_way.map(|(_, at)| at) {
            Some(at) if interrupted => {
                out.publish(interrupted_in_flight(rt, index, &scenario, done, at.elapsed()));
            }
            _ => out.publish(all_skipped(rt, index, &scenario, reason, done)),
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

/// Where the run stands: what has started, whether a scenario failed, whether it was asked
/// to stop; and from that, what may start next.
struct Course {
    total: usize,
    next_to_start: usize,
    fail_fast: bool,
    failed_seen: bool,
    interrupted: bool,
    aborted: bool,
    setup: Option<usize>,
    teardown: Option<usize>,
    /// Why the scenarios after a failed set-up do not run.
    setup_failed: Option<String>,
}

impl Course {
    fn new(rt: &Runtime, schedule: Schedule) -> Self {
        Course {
            total: rt.plan.run_count(),
            next_to_start: 0,
            fail_fast: schedule.fail_fast,
            failed_seen: false,
            interrupted: false,
            aborted: false,
            setup: rt.plan.setup_index(),
            teardown: rt.plan.teardown_index(),
            setup_failed: None,
        }
    }

    fn can_start(&self, done: &[bool], tasks_running: bool) -> bool {
        let setup_running = self.setup.is_some_and(|i| self.next_to_start > i && !done[i]);
        match self.next_to_start {
            n if n >= self.total => false,
            // The teardown runs last, after a failure and on a stop too, while clean-up may.
            n if Some(n) == self.teardown => !tasks_running && !self.aborted,
            _ => {
                let fail_fast_stop = self.fail_fast && self.failed_seen;
                !(self.interrupted || setup_running || self.setup_failed.is_some() || fail_fast_stop)
            }
        }
    }

    /// Nothing can start and nothing runs: the teardown is next if it is still to run
    /// (what did not start is reported as skipped), else the run is over.
    fn skip_to_teardown(&mut self) -> bool {
        match self.teardown {
            Some(t) if self.next_to_start < t && !self.aborted => {
                self.next_to_start = t;
                true
            }
            _ => false,
        }
    }

    fn note(&mut self, result: &ScenarioResult) {
        if Some(result.index) == self.setup && result.status != Status::Passed {
            self.setup_failed = Some(setup_failure(result));
        } else {
            self.failed_seen |= matches!(result.status, Status::Failed | Status::Error);
        }
    }

    /// A stopped run ends once its scenarios have, unless the teardown is still to run.
    fn stopped_and_done(&self, tasks_running: bool) -> bool {
        let teardown_waits = self.teardown.is_some_and(|t| self.next_to_start <= t) && !self.aborted;
        self.interrupted && !tasks_running && !teardown_waits
    }

    /// Why a scenario that never started did not.
    fn unfinished_reason(&self) -> &str {
        match (&self.setup_failed, self.interrupted) {
            (_, true) => INTERRUPTED,
            (Some(reason), false) => reason.as_str(),
            (None, false) => "--fail-fast: an earlier scenario failed",
        }
    }
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
    let _ = events.send(Event::RunStarted(run_start(&rt)));
    // The loop below is one `select!` over stops, the grace period, a free job slot and a
    // finished scenario: its arms share the state they change, so it stays in one piece.
    let progress = tokio::spawn(say_progress(rt.clone(), events.clone()));
    let semaphore = Arc::new(Semaphore::new(schedule.jobs.max(1)));
    // Scenarios decoded again when they start also wait for room in this budget.
    let decoded = Arc::new(Semaphore::new(DECODED_IN_FLIGHT_BYTES));
    // The runs under way: each one's steps so far and when it started. Only those: a run of a
    // million data rows keeps nothing of the ones that are over.
    let mut running: HashMap<usize, (StepLog, Instant)> = HashMap::new();
    let mut out = InOrder::new(events.clone(), total);
    // Each result with when its scenario ended, taken before its job slot is given back.
    let mut tasks: JoinSet<(ScenarioResult, Instant)> = JoinSet::new();
    // Which scenario each task runs, to report a task that panicked as that scenario.
    let mut task_scenarios: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut course = Course::new(&rt, schedule);
    let mut stops_open = true;
    let grace = tokio::time::sleep(std::time::Duration::MAX / 4);
    tokio::pin!(grace);

    loop {
        let can_start = course.can_start(&out.done, !tasks.is_empty());
        if !can_start && tasks.is_empty() {
            if course.skip_to_teardown() {
                continue;
            }
            break;
        }
        tokio::select! {
            biased;
            stop = stops.recv(), if stops_open && !course.aborted => {
                if stop.is_none() {
                    // Nobody can ask any more.
                    stops_open = false;
                    continue;
                }
                let wait = if course.interrupted { ABORT_WAIT } else { schedule.grace };
                stop_or_abort(&rt, &mut course, &mut tasks);
                grace.as_mut().reset(tokio::time::Instant::now() + wait);
            }
            () = &mut grace, if course.interrupted => {
                if course.aborted {
                    // A task busy on the CPU has not seen its abort: report without it.
                    break;
                }
                stop_or_abort(&rt, &mut course, &mut tasks);
                grace.as_mut().reset(tokio::time::Instant::now() + ABORT_WAIT);
            }
            permit = admit(&semaphore, &decoded, &rt, course.next_to_start), if can_start => {
                let Some(permit) = permit else { break };
                let index = course.next_to_start;
                course.next_to_start += 1;
                let log: StepLog = Arc::new(Mutex::new(Vec::new()));
                running.insert(index, (log.clone(), Instant::now()));
                let _ = events.send(Event::ScenarioStarted { index, name: rt.plan.run_name(index) });
                let task = tasks.spawn(start(rt.clone(), (index, schedule.retries), log, permit));
                task_scenarios.insert(task.id(), index);
            }
            joined = tasks.join_next_with_id(), if !tasks.is_empty() => {
                let Some((result, ended)) = joined_result(&rt, joined, &mut task_scenarios, &running) else {
                    continue;
                };
                running.remove(&result.index);
                course.note(&result);
                send_auth_exchanges(&rt, &events);
                let _ = events.send(Event::ScenarioEnded { index: result.index, at: ended });
                out.publish(result);
            }
            else => break,
        }
        if course.stopped_and_done(!tasks.is_empty()) {
            break;
        }
    }

    publish_unfinished(&rt, &mut out, running, course.unfinished_reason(), course.interrupted);
    progress.abort();
    send_auth_exchanges(&rt, &events);
    let summary = Summary {
        duration: started.elapsed(),
        interrupted: course.interrupted,
        ..out.summary
    };
    let _ = events.send(Event::RunFinished(summary.clone()));
    summary
}

/// What the run is about to do, for the reporters' first lines.
fn run_start(rt: &Runtime) -> RunStart {
    RunStart {
        total: rt.plan.run_count(),
        environment: rt.plan.environment.clone(),
        hosts: rt.plan.hosts.clone(),
        note: rt.plan.note.clone(),
        run_id: rt.plan.run_id.clone(),
        shard: rt.plan.shard.map(|s| s.to_string()),
        selection: rt.plan.selection_id.clone(),
    }
}

/// The first stop: no scenario starts and main steps give up. The next (a second signal, or
/// the grace period over): every task is aborted.
fn stop_or_abort(rt: &Runtime, course: &mut Course, tasks: &mut JoinSet<(ScenarioResult, Instant)>) {
    if course.interrupted {
        course.aborted = true;
        rt.abort();
        tasks.abort_all();
    } else {
        course.interrupted = true;
        rt.stop();
    }
}
