//! The events a run produces: the only contract between the runner and the reporters.

use std::sync::Arc;
use std::time::Duration;

use crate::source::Span;

#[derive(Debug, Clone)]
pub enum Event {
    RunStarted {
        total: usize,
        environment: Option<String>,
        /// The origins the run sends to.
        hosts: Vec<String>,
        /// Said with the first line (e.g. that `K2CHECK_ENV` was ignored under `--mock`).
        note: Option<String>,
        run_id: String,
    },
    ScenarioStarted {
        index: usize,
        name: String,
    },
    /// A scenario's run is over; its result follows as `ScenarioFinished` once every earlier
    /// scenario's has (reports keep input order).
    ScenarioEnded {
        index: usize,
        /// When it ended: with its result's duration, where it lies on the run's timeline.
        at: std::time::Instant,
    },
    ScenarioFinished(Arc<ScenarioResult>),
    /// A discovery or token request an auth profile made, as a step (named for the profile,
    /// placed at it), when the run records exchanges.
    AuthExchange(Arc<StepResult>),
    /// How many requests the run has sent so far: every `PROGRESS_EVERY` while it goes on,
    /// so progress moves when no scenario has finished lately.
    Progress {
        requests_sent: u64,
    },
    RunFinished(Summary),
}

/// How often the runner says how far it is (`Event::Progress`).
pub const PROGRESS_EVERY: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Passed,
    /// An assertion did not hold.
    Failed,
    /// The step could not be carried out: transport, auth or template problem.
    Error,
    Skipped,
    /// A scenario cut short by a stop signal: started, not finished, nothing failed.
    Interrupted,
}

impl Status {
    pub fn word(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Failed => "failed",
            Status::Error => "error",
            Status::Skipped => "skipped",
            Status::Interrupted => "interrupted",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Main,
    Finally,
}

#[derive(Debug, Clone)]
pub struct ScenarioResult {
    pub index: usize,
    pub name: String,
    pub file: String,
    pub tags: Vec<String>,
    pub status: Status,
    pub steps: Vec<StepResult>,
    pub duration: Duration,
    /// Why the scenario did not run (fail-fast, interrupted), when it did not.
    pub skip_reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StepResult {
    pub name: String,
    /// The step's `description:`, shown with its failures and in the HTML report.
    pub description: Option<String>,
    pub phase: Phase,
    pub span: Span,
    pub status: Status,
    pub attempts: u32,
    pub duration: Duration,
    pub request: Option<RequestLine>,
    pub response: Option<ResponseSummary>,
    pub failures: Vec<AssertionFailure>,
    pub error: Option<String>,
    /// The auth profile whose token could not be had, when that is the step's error: one
    /// cause, reported once for every step it stopped.
    pub no_token: Option<String>,
    pub skip_reason: Option<String>,
    /// Retries after 429/503 with Retry-After, and after a refused token.
    pub resends: u32,
    /// What the step captured, masked; recorded only when the run records exchanges
    /// (`--verbose`, `--html`).
    pub captured: Vec<(String, String)>,
    /// The requests the step sent after its first (next pages, a task list polled again),
    /// when the run records exchanges; at most `run::recording::MAX_FOLLOW_UPS`.
    pub follow_ups: Vec<FollowUp>,
    /// How many more it sent than `follow_ups` holds.
    pub follow_ups_left_out: usize,
}

/// A request a step sent after its first, and its answer.
#[derive(Debug, Clone)]
pub struct FollowUp {
    pub request: RequestLine,
    pub response: ResponseSummary,
}

#[derive(Debug, Clone)]
pub struct RequestLine {
    pub method: String,
    pub url: String,
    /// Masked headers and body, when the run records exchanges.
    pub detail: Option<Box<MessageDetail>>,
}

#[derive(Debug, Clone)]
pub struct ResponseSummary {
    pub status: u16,
    /// The start of the body, lossily decoded; kept only for failed steps.
    pub excerpt: Option<String>,
    /// Masked headers and body (pretty JSON, cut), when the run records exchanges.
    pub detail: Option<Box<MessageDetail>>,
    /// How long the answer took.
    pub time: Option<Duration>,
}

/// Headers and body of a request or a response, masked and cut for reports.
#[derive(Debug, Clone, Default)]
pub struct MessageDetail {
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct AssertionFailure {
    pub span: Span,
    pub message: String,
    pub expected: String,
    pub actual: String,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    /// Scenarios cut short by a stop signal.
    pub interrupted_scenarios: usize,
    pub steps: usize,
    pub duration: Duration,
    pub interrupted: bool,
}
