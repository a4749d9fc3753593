//! `k2check merge PART.jsonl…`: one run's reports from its parts' JSON reports, written whole
//! or not at all; the exit code as one run's (1 when a scenario failed), 2 when the reports are
//! not the parts of one run (a part missing or twice, a scenario twice, another selection).

use std::sync::Arc;

use crate::cli::MergeArgs;
use crate::cmd::error::{CommandError, CommandResult, Kind};
use crate::event::{Event, RunStart};
use crate::exit;
use crate::merge::{PartReport, Places, combine, read_part};
use crate::report::terminal::Progress;
use crate::report::{FanOut, HtmlReporter, JsonReporter, JunitReporter, TerminalReporter};

/// The most one part's report may hold.
const MAX_REPORT_BYTES: u64 = 1 << 30;

pub fn merge(args: MergeArgs) -> CommandResult {
    let mut texts = Vec::new();
    for path in &args.reports {
        let text = crate::input_file::read_text(path, "JSON report", MAX_REPORT_BYTES)
            .map_err(|e| CommandError::invalid(format!("{}: {e}", path.display())))?;
        texts.push(text);
    }
    let places = Places::of(&texts);
    let parts: Vec<PartReport> = args
        .reports
        .iter()
        .zip(&texts)
        .map(|(path, text)| read_part(&path.display().to_string(), text, &places))
        .collect::<Result<_, _>>()
        .map_err(CommandError::invalid)?;
    let selection = parts.first().and_then(|p| p.selection.clone()).unwrap_or_default();
    let merged = combine(parts).map_err(|e| CommandError::invalid(format!("{e}; nothing was written")))?;
    let sources = Arc::new(places.sources);
    let redactor = crate::redact::Redactor::default();
    let mut reporters = FanOut::default();
    let stdout = Box::new(std::io::stdout());
    reporters.push(Box::new(TerminalReporter::new(
        sources.clone(),
        redactor.clone(),
        false,
        Progress::Off,
        stdout,
    )));
    if let Some(path) = &args.junit {
        reporters.push(Box::new(JunitReporter::new(
            path,
            sources.clone(),
            redactor.clone(),
            None,
        )));
    }
    if let Some(path) = &args.json {
        reporters.push(Box::new(JsonReporter::new(path, sources.clone(), redactor.clone())));
    }
    if let Some(path) = &args.html {
        reporters.push(Box::new(HtmlReporter::new(path, sources.clone(), redactor.clone())));
    }
    if let Some(error) = CommandError::all(Kind::Invalid, reporters.ready().into_iter().map(|p| p.to_string())) {
        return Err(error);
    }
    reporters.on_event(&Event::RunStarted(RunStart {
        total: merged.scenarios.len(),
        environment: merged.environment.clone(),
        hosts: merged.hosts.clone(),
        note: Some(format!("merged from {} reports", args.reports.len())),
        run_id: format!("merged-{selection}"),
        shard: None,
        selection,
    }));
    let failed = merged.summary.failed + merged.summary.errors > 0;
    // Each scenario ended when its part said, from the start of the merged run: the HTML
    // timeline draws each part's lanes apart.
    let started = std::time::Instant::now();
    for (scenario, ended) in merged.scenarios {
        if let Some(ms) = ended {
            let at = started + std::time::Duration::from_millis(ms);
            reporters.on_event(&Event::ScenarioEnded {
                index: scenario.index,
                at,
            });
        }
        reporters.on_event(&Event::ScenarioFinished(Arc::new(scenario)));
    }
    reporters.on_event(&Event::RunFinished(merged.summary));
    let problems = reporters.finish().into_iter().map(|p| p.to_string());
    if let Some(error) = CommandError::all(Kind::Incomplete, problems) {
        return Err(error);
    }
    Ok(if failed { exit::FAILED } else { exit::OK })
}
