//! `k2check snapshots review [PATH]`: each snapshot a run left for review (`*.json.new` in a
//! `__snapshots__` folder) shown as a diff against the stored one, then accepted (it replaces
//! the stored file) or rejected (it is deleted). It asks on a terminal; elsewhere
//! `--accept-all` or `--reject-all` says what to do with all of them.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::Path;

use serde_json::Value;

use crate::cli::{ReviewArgs, SnapshotsCommand};
use crate::cmd::error::{CommandError, CommandResult};
use crate::event::Change;
use crate::exit;
use crate::snapshot::{accepted_path, differences, is_surface, metadata_drift, pending_snapshots};

/// How many change lines a review shows for one snapshot.
const SHOWN_CHANGES: usize = 40;

pub fn snapshots(command: SnapshotsCommand) -> CommandResult {
    match command {
        SnapshotsCommand::Review(args) => review(&args),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Choice {
    Accept,
    Reject,
    Skip,
    /// Accept this one and every one after it.
    AcceptRest,
}

fn review(args: &ReviewArgs) -> CommandResult {
    if !args.path.is_dir() {
        return Err(CommandError::invalid(format!("{}: not a folder", args.path.display())));
    }
    let pending = pending_snapshots(&args.path);
    if pending.is_empty() {
        crate::outln!("No snapshot is waiting for review below {}.", args.path.display());
        return Ok(exit::OK);
    }
    let fixed = match (args.accept_all, args.reject_all) {
        (true, _) => Some(Choice::Accept),
        (_, true) => Some(Choice::Reject),
        _ if std::io::stdin().is_terminal() => None,
        _ => {
            return Err(CommandError::invalid(format!(
                "{} snapshot{} waiting for review, and no terminal to ask on: give --accept-all or --reject-all",
                pending.len(),
                if pending.len() == 1 { " is" } else { "s are" }
            )));
        }
    };
    let (mut accepted, mut rejected, mut skipped) = (0, 0, 0);
    let mut rest = fixed;
    let stdin = std::io::stdin();
    let mut answers = stdin.lock().lines();
    for path in &pending {
        crate::out!("{}", review_text(path));
        let choice = match rest {
            Some(choice) => choice,
            None => ask(&mut answers),
        };
        if choice == Choice::AcceptRest {
            rest = Some(Choice::Accept);
        }
        match choice {
            Choice::Accept | Choice::AcceptRest => {
                let target = accepted_path(path);
                std::fs::rename(path, &target)
                    .map_err(|e| CommandError::failed(format!("{}: {e}", target.display())))?;
                crate::outln!("accepted: {}", target.display());
                accepted += 1;
            }
            Choice::Reject => {
                std::fs::remove_file(path).map_err(|e| CommandError::failed(format!("{}: {e}", path.display())))?;
                crate::outln!("rejected: {}", path.display());
                rejected += 1;
            }
            Choice::Skip => skipped += 1,
        }
    }
    crate::outln!("{accepted} accepted, {rejected} rejected, {skipped} left for later");
    Ok(exit::OK)
}

/// Asks until it has an answer; the end of input leaves the rest for later.
fn ask(answers: &mut impl Iterator<Item = std::io::Result<String>>) -> Choice {
    loop {
        // Not `eprint!`, which panics when stderr is closed.
        let prompt = "accept this snapshot? [a]ccept, [r]eject, [s]kip, accept [A]ll the rest: ";
        let _ = write!(std::io::stderr(), "{prompt}");
        let _ = std::io::stderr().flush();
        let Some(Ok(answer)) = answers.next() else {
            return Choice::Skip;
        };
        match answer.trim() {
            "a" | "accept" | "y" | "yes" => return Choice::Accept,
            "r" | "reject" | "n" | "no" => return Choice::Reject,
            "s" | "skip" | "" => return Choice::Skip,
            "A" | "all" => return Choice::AcceptRest,
            _ => continue,
        }
    }
}

/// The pending snapshot's place and how it differs from the stored one.
fn review_text(pending: &Path) -> String {
    let target = accepted_path(pending);
    let read = |path: &Path| {
        crate::input_file::read_text(path, "snapshot", 64 << 20)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    };
    let new = read(pending);
    let mut text = format!("\n{}\n", target.display());
    match (read(&target), new) {
        (_, None) => text.push_str("  the pending file is not JSON\n"),
        (None, Some(_)) => text.push_str("  new: no snapshot is stored yet\n"),
        (Some(stored), Some(new)) => {
            let changes = if is_surface(&stored) && is_surface(&new) {
                metadata_drift(&stored, &new)
            } else {
                differences(&stored, &new, false)
            };
            if changes.is_empty() {
                text.push_str("  the same as the stored one\n");
            }
            for change in changes.iter().take(SHOWN_CHANGES) {
                text.push_str(&format!("  {}\n", crate::text::printable_line(&Change::line(change))));
            }
            if changes.len() > SHOWN_CHANGES {
                text.push_str(&format!("  … and {} more\n", changes.len() - SHOWN_CHANGES));
            }
        }
    }
    text
}
