//! The selection flags of `run` and `list`, resolved: `--shard auto` from the CI's own
//! variables, `--durations` from an earlier run's JSON report.

use std::collections::HashMap;
use std::path::Path;

use crate::cli::SelectArgs;
use crate::cmd::error::CommandError;
use crate::plan::{Selection, Shard, ShardArg};

/// The most an earlier report read for its durations may hold.
const MAX_REPORT_BYTES: u64 = 1 << 30;

pub fn selection(args: &SelectArgs) -> Result<Selection, CommandError> {
    let shard = match args.shard {
        None => None,
        Some(ShardArg::Fixed(shard)) => Some(shard),
        Some(ShardArg::Auto) => {
            let lookup = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
            Some(Shard::from_ci(lookup).map_err(CommandError::invalid)?)
        }
    };
    let durations = match &args.durations {
        Some(path) => durations(path)?,
        None => HashMap::new(),
    };
    Ok(Selection {
        tags: args.tag.clone(),
        skip_tags: args.skip_tag.clone(),
        names: args.name.clone(),
        shard,
        durations,
    })
}

/// Each scenario's `duration_ms` in a JSON report (its `scenario` lines).
fn durations(path: &Path) -> Result<HashMap<String, u64>, CommandError> {
    let text = crate::input_file::read_text(path, "JSON report", MAX_REPORT_BYTES)
        .map_err(|e| CommandError::invalid(format!("--durations: {e}")))?;
    let mut found = HashMap::new();
    for line in text.lines().filter(|l| l.contains("\"scenario\"")) {
        let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if value["type"] != "scenario" {
            continue;
        }
        if let (Some(name), Some(ms)) = (value["name"].as_str(), value["duration_ms"].as_u64()) {
            found.insert(name.to_owned(), ms);
        }
    }
    if found.is_empty() {
        let shown = path.display();
        return Err(CommandError::invalid(format!(
            "--durations: {shown} holds no scenario durations (a k2check --json report?)"
        )));
    }
    Ok(found)
}
