//! A step's `snapshot:` check: the answer made into its snapshot (the JSON body or the
//! normalized `$metadata`, redacted, secrets masked, as a shape when asked), compared with the
//! stored file; a new or changed answer is written for review (`.json.new`) and fails the
//! step, or with `--update-snapshots` is stored and passes with a note.

use std::path::Path;

use serde_json::Value;

use crate::event::{AssertionFailure, Change, ProblemKind, SnapshotDiff};
use crate::expect::paths::JsonPaths;
use crate::redact::Redactor;
use crate::scenario::model::{Redaction, SnapshotCheck, SnapshotForm};
use crate::snapshot::diff::differences;
use crate::snapshot::redaction::redact;
use crate::snapshot::shape::shape_of;
use crate::snapshot::store::{pending_path, read_stored, remove_pending, snapshot_path, snapshot_text, write};
use crate::snapshot::surface::{metadata_drift, normalized_metadata};

/// How many changes a failure lists; the rest are counted.
const MAX_CHANGES: usize = 20;

/// Where the check runs and how it treats a difference.
pub struct SnapshotScope<'a> {
    pub scenario: &'a Path,
    pub step: &'a str,
    /// The data row (from 1), when the scenario has rows: each row has its own snapshot.
    pub row: Option<usize>,
    /// Under `snapshots: by_environment`, the run's environment.
    pub environment: Option<&'a str>,
    /// `--update-snapshots`: a new or changed answer is stored, and the step passes.
    pub update: bool,
    /// The suite's `defaults.redact`, applied before the step's own.
    pub defaults: &'a [Redaction],
    /// The entity sets a `$metadata` snapshot keeps, rendered (all when empty).
    pub sets: &'a [String],
    pub paths: &'a JsonPaths,
    pub redactor: &'a Redactor,
}

pub enum SnapshotVerdict {
    Same,
    /// Stored under `--update-snapshots`: the note says which file.
    Written(String),
    Failed(AssertionFailure),
}

pub fn check_snapshot(check: &SnapshotCheck, body: &[u8], scope: &SnapshotScope) -> SnapshotVerdict {
    let name = check.name.as_ref().map_or(scope.step, |n| n.value.as_str());
    let path = snapshot_path(scope.scenario, scope.environment, name, scope.row);
    let shown = shown_path(&path);
    let fail = |expected: String, actual: String, diff: Option<Box<SnapshotDiff>>| {
        SnapshotVerdict::Failed(AssertionFailure {
            kind: ProblemKind::Snapshot,
            span: check.span,
            message: format!("snapshot {shown}"),
            expected,
            actual,
            diff,
        })
    };
    let received = match snapshot_of(check, body, scope) {
        Ok(value) => value,
        Err(why) => return fail("an answer to keep as a snapshot".into(), why, None),
    };
    let text = snapshot_text(&received);
    let folder = scope.scenario.parent().unwrap_or(Path::new("."));
    let stored = match read_stored(&path) {
        Ok(stored) => stored,
        Err(why) => return fail("a readable snapshot".into(), why, None),
    };
    let stored = match stored.map(|t| serde_json::from_str::<Value>(&t)) {
        None => None,
        Some(Ok(value)) => Some(value),
        Some(Err(e)) => {
            if !scope.update {
                return fail(
                    "a snapshot in JSON".into(),
                    format!("{}: not JSON: {e}", path.display()),
                    None,
                );
            }
            None
        }
    };
    if stored.as_ref() == Some(&received) {
        remove_pending(&path);
        return SnapshotVerdict::Same;
    }
    if scope.update {
        let verb = if stored.is_some() { "updated" } else { "wrote" };
        return match write(folder, &path, &text) {
            Ok(()) => {
                remove_pending(&path);
                SnapshotVerdict::Written(format!("{verb} snapshot {shown}"))
            }
            Err(why) => fail("the snapshot written".into(), why, None),
        };
    }
    let pending = pending_path(&path);
    let kept = match write(folder, &pending, &text) {
        Ok(()) => format!("the answer is in {shown}.new"),
        Err(why) => format!("its answer could not be kept: {why}"),
    };
    let review = "review it with `k2check snapshots review`, or run with --update-snapshots";
    let Some(stored) = stored else {
        return fail("a stored snapshot".into(), format!("none yet; {kept}: {review}"), None);
    };
    let mut changes = match check.form {
        SnapshotForm::Metadata { .. } => metadata_drift(&stored, &received),
        SnapshotForm::Body => differences(&stored, &received, check.shape),
    };
    // A surface can change where K2 words do not reach (an entity type's namespace): then by
    // JSONPath.
    if changes.is_empty() {
        changes = differences(&stored, &received, false);
    }
    let summary = summary(&changes);
    let left_out = changes.len().saturating_sub(MAX_CHANGES);
    let changes: Vec<Change> = changes.into_iter().take(MAX_CHANGES).collect();
    fail(
        format!("the answer stored in {shown}"),
        format!("{summary}; {kept}: {review}"),
        Some(Box::new(SnapshotDiff { changes, left_out })),
    )
}

/// "2 differences: $.a: 1 → 2; …", the first few lines for the one-line views.
fn summary(changes: &[Change]) -> String {
    let first: Vec<String> = changes.iter().take(3).map(Change::line).collect();
    let more = changes.len().saturating_sub(first.len());
    let mut text = format!(
        "{} difference{}: {}",
        changes.len(),
        if changes.len() == 1 { "" } else { "s" },
        first.join("; ")
    );
    if more > 0 {
        text.push_str(&format!("; {more} more"));
    }
    text
}

/// The answer as its snapshot: parsed, redacted, masked, and made a shape when asked.
fn snapshot_of(check: &SnapshotCheck, body: &[u8], scope: &SnapshotScope) -> Result<Value, String> {
    let mut value = match &check.form {
        SnapshotForm::Body => serde_json::from_slice::<Value>(body)
            .map_err(|e| format!("the answer is not JSON ({e}); a snapshot keeps a JSON answer"))?,
        SnapshotForm::Metadata { .. } => normalized_metadata(&String::from_utf8_lossy(body), scope.sets)?,
    };
    redact(&mut value, scope.defaults, scope.paths)?;
    redact(&mut value, &check.redact, scope.paths)?;
    // A secret an answer echoes never reaches a file.
    let value = scope.redactor.redact_json(&value);
    Ok(if check.shape { shape_of(&value) } else { value })
}

/// The snapshot's path as the scenario's was given (from the working folder, when that was
/// relative), with `/`: a path the user can open or `git add` as it is.
fn shown_path(path: &Path) -> String {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
