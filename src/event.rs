//! The events a run produces: the only contract between the runner and the reporters.

use std::sync::Arc;
use std::time::Duration;

use crate::source::Span;

#[derive(Debug, Clone)]
pub enum Event {
    RunStarted(RunStart),
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

/// What a run is about to do.
#[derive(Debug, Clone)]
pub struct RunStart {
    /// How many runs of scenarios it makes (a scenario with data rows makes one a row).
    pub total: usize,
    pub environment: Option<String>,
    /// The origins the run sends to.
    pub hosts: Vec<String>,
    /// Said with the first line (e.g. that `K2CHECK_ENV` was ignored under `--mock`).
    pub note: Option<String>,
    pub run_id: String,
    /// `--shard`, as `I/N`.
    pub shard: Option<String>,
    /// Names the whole selection, before sharding (`Plan::selection_id`).
    pub selection: String,
}

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
    /// The file from the suite's folder, `/`-separated: what JUnit names the tests by.
    pub suite_path: String,
    /// The data row a row's run is of (1-based).
    pub row: Option<usize>,
    /// `scenario`, or the suite's `setup` or `teardown`.
    pub role: &'static str,
    /// The part of a sharded run it was in, when reports were merged (`I/N`).
    pub shard: Option<String>,
    /// How many times it ran (`--retries`): 1 unless an earlier try failed.
    pub tries: u32,
    /// It passed on a later try after failing: what the first try's first failure was.
    pub flaky: Option<String>,
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
    /// Why the step could not be carried out, when its status is `Error`.
    pub error: Option<StepProblem>,
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
    /// What the step did besides checking, said with its result (a snapshot written).
    pub notes: Vec<String>,
}

impl StepResult {
    /// What kind of problem the step had, when it failed or could not be carried out: its
    /// error's, else its first failure's.
    pub fn problem_kind(&self) -> Option<ProblemKind> {
        match self.status {
            Status::Error => Some(self.error.as_ref().map_or(ProblemKind::Internal, |e| e.kind)),
            Status::Failed => Some(self.failures.first().map_or(ProblemKind::Assertion, |f| f.kind)),
            _ => None,
        }
    }
}

/// Why a step could not be carried out: its kind, and the words for a person.
#[derive(Debug, Clone)]
pub struct StepProblem {
    pub kind: ProblemKind,
    pub message: String,
}

impl StepProblem {
    pub fn new(kind: ProblemKind, message: impl Into<String>) -> Self {
        StepProblem {
            kind,
            message: message.into(),
        }
    }
}

/// What went wrong with a step that did not pass. Reports name it (JUnit `type=`, the JSON
/// report's `kind`, a label in the HTML report) so a timeout is told from a TLS failure
/// without reading the words, and hints hang on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// A check did not hold (status, JSON, header, schema, a K2 check).
    Assertion,
    /// A capture found nothing to capture.
    Capture,
    /// The answer is not the stored snapshot, or no snapshot is stored yet.
    Snapshot,
    /// A template could not be rendered: an undefined name, a failing filter.
    Template,
    /// The step's auth profile could not get a token (discovery or the token request).
    Token,
    /// The exchange took longer than the step's timeout.
    Timeout,
    /// No connection: refused, unknown host, unreachable proxy.
    Connect,
    /// The connection was made and the TLS handshake failed.
    Tls,
    /// The request could not be put on the wire, or the connection broke before an answer.
    Send,
    /// The answer came but not whole.
    Read,
    /// The answer is larger than k2check reads.
    BodyTooLarge,
    /// More redirects than k2check follows.
    Redirects,
    /// Not sent: another origin under `--mock`, or the step's credentials to another origin.
    RefusedOrigin,
    /// A later page, a polled task list or a workflow looked up did not hold what it should.
    FollowUp,
    /// k2check itself stopped the step (please report it).
    Internal,
}

impl ProblemKind {
    /// The kind a report names (`merge` reads reports back).
    pub fn from_word(word: &str) -> Option<ProblemKind> {
        ProblemKind::ALL.into_iter().find(|k| k.word() == word)
    }

    pub fn word(self) -> &'static str {
        match self {
            ProblemKind::Assertion => "assertion",
            ProblemKind::Capture => "capture",
            ProblemKind::Snapshot => "snapshot",
            ProblemKind::Template => "template",
            ProblemKind::Token => "token",
            ProblemKind::Timeout => "timeout",
            ProblemKind::Connect => "connect",
            ProblemKind::Tls => "tls",
            ProblemKind::Send => "send",
            ProblemKind::Read => "read",
            ProblemKind::BodyTooLarge => "body_too_large",
            ProblemKind::Redirects => "redirects",
            ProblemKind::RefusedOrigin => "refused_origin",
            ProblemKind::FollowUp => "follow_up",
            ProblemKind::Internal => "internal",
        }
    }

    /// Every kind: the report schema lists each (a test compares them).
    pub const ALL: [ProblemKind; 15] = [
        ProblemKind::Assertion,
        ProblemKind::Capture,
        ProblemKind::Snapshot,
        ProblemKind::Template,
        ProblemKind::Token,
        ProblemKind::Timeout,
        ProblemKind::Connect,
        ProblemKind::Tls,
        ProblemKind::Send,
        ProblemKind::Read,
        ProblemKind::BodyTooLarge,
        ProblemKind::Redirects,
        ProblemKind::RefusedOrigin,
        ProblemKind::FollowUp,
        ProblemKind::Internal,
    ];
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
    /// `Assertion`, or `Capture` for a capture that found nothing.
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    pub expected: String,
    pub actual: String,
    /// For a snapshot that differs: where, by JSONPath.
    pub diff: Option<Box<SnapshotDiff>>,
}

/// How an answer differs from its stored snapshot: the first changes, and how many more.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotDiff {
    pub changes: Vec<Change>,
    pub left_out: usize,
}

/// One difference at a JSONPath: a value (or, in shape mode, a type) that changed, a member
/// or item that was removed, or one that was added. Values are compact JSON, masked; in shape
/// mode, type names.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: String,
    /// What the snapshot holds there; `None` when the answer added it.
    pub stored: Option<String>,
    /// What the answer holds there; `None` when the answer no longer has it.
    pub received: Option<String>,
    /// The JSON type of what was added (`number`, `object` …), for the line that says so.
    pub added_type: Option<String>,
}

impl Change {
    /// `$.value[0].Salary: 100 → "100"`, `$.dataFields.Reason: removed`,
    /// `$.value[*].Bonus: added (number)`.
    pub fn line(&self) -> String {
        match (&self.stored, &self.received) {
            (Some(stored), Some(received)) => format!("{}: {stored} → {received}", self.path),
            (Some(_), None) => format!("{}: removed", self.path),
            (None, _) => format!(
                "{}: added ({})",
                self.path,
                self.added_type.as_deref().unwrap_or("value")
            ),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub passed: usize,
    /// Of those passed, how many only on a later try (`--retries`).
    pub flaky: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
    /// Scenarios cut short by a stop signal.
    pub interrupted_scenarios: usize,
    pub steps: usize,
    pub duration: Duration,
    pub interrupted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_schema_lists_every_problem_kind() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json");
        let schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let listed: Vec<&str> = schema["$defs"]["problem_kind"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let words: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.word()).collect();
        assert_eq!(listed, words);
    }
}
