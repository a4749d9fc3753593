//! The terminal: a line per scenario in input order, failures with their snippets, a
//! summary, and progress on stderr that never blocks the run: a bar on a terminal, or
//! (asked for with `--progress always` where stderr is a log) a line every few seconds.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::diag::Palette;
use crate::event::{Event, ScenarioResult, Status, Summary};
use crate::redact::Redactor;
use crate::report::Reporter;
use crate::report::exchange_text::step_exchange;
use crate::report::file::WriteError;
use crate::report::render::{cleanup_not_run, headline, step_problem};
use crate::source::SourceMap;
use crate::text::printable_line;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    Off,
    /// A bar redrawn in place: stderr is a terminal.
    Bar,
    /// A plain line now and then: stderr is a file or a CI log, where a bar cannot redraw.
    Lines,
}

/// The least time between two progress lines.
const PROGRESS_LINE_EVERY: Duration = Duration::from_secs(2);

/// Requests per second over the last few seconds, so the figure follows the run as it
/// slows down or speeds up rather than averaging from its start.
#[derive(Debug, Default)]
struct RecentRate {
    /// The count at the start of the current window, and when that was.
    window_start: Option<(u64, std::time::Instant)>,
    rate: f64,
}

impl RecentRate {
    /// The window a rate is measured over before it starts again.
    const WINDOW: Duration = Duration::from_secs(3);

    fn update(&mut self, sent: u64, now: std::time::Instant) -> f64 {
        let Some((start_count, start)) = self.window_start else {
            self.window_start = Some((sent, now));
            return self.rate;
        };
        let seconds = now.duration_since(start).as_secs_f64();
        if seconds >= 0.5 {
            // Until a window is full, the rate covers all of it so far.
            self.rate = sent.saturating_sub(start_count) as f64 / seconds;
        }
        if seconds >= Self::WINDOW.as_secs_f64() {
            self.window_start = Some((sent, now));
        }
        self.rate
    }
}

/// The most failed steps the recap at the end lists.
const RECAP_LINES: usize = 50;

/// A profile's token that could not be had, and what it stopped.
struct TokenFailure {
    /// The error as the first step met it, with its hint.
    error: String,
    steps: usize,
    scenarios: usize,
    last_scenario: Option<usize>,
    /// Whether the error has been printed in full.
    shown: bool,
}

pub struct TerminalReporter {
    sources: Arc<SourceMap>,
    redactor: Redactor,
    palette: Palette,
    bar: Option<ProgressBar>,
    /// In `Progress::Lines`: when the last line was written (`None`: none yet).
    lines: Option<Option<std::time::Instant>>,
    total: usize,
    done: usize,
    running: Vec<(usize, String)>,
    failures: usize,
    /// One line per failed step, for the recap at the end.
    recap: Vec<String>,
    failed_steps: usize,
    /// Profiles whose token could not be had: the error (with its hint), and how many steps
    /// in how many scenarios it stopped. Said in full once, then named in one line.
    no_token: std::collections::BTreeMap<String, TokenFailure>,
    /// Requests sent so far, as the runner last said (`Event::Progress`); shown as a rate.
    requests_sent: u64,
    rate: RecentRate,
    out: Box<dyn std::io::Write + Send>,
    /// `-v`: each step's exchange; `-vv`: with bodies.
    verbosity: u8,
}

impl TerminalReporter {
    pub fn new(
        sources: Arc<SourceMap>,
        redactor: Redactor,
        colour: bool,
        progress: Progress,
        out: Box<dyn std::io::Write + Send>,
    ) -> Self {
        let bar = (progress == Progress::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
            // `wide_msg` is cut to the terminal's width: the bar stays one line.
            let style = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} scenarios {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let palette = if colour { Palette::coloured() } else { Palette::plain() };
        TerminalReporter {
            sources,
            redactor,
            palette,
            bar,
            lines: (progress == Progress::Lines).then_some(None),
            total: 0,
            done: 0,
            running: Vec::new(),
            failures: 0,
            recap: Vec::new(),
            failed_steps: 0,
            no_token: Default::default(),
            requests_sent: 0,
            rate: RecentRate::default(),
            out,
            verbosity: 0,
        }
    }

    /// Shows each step's exchange with its scenario (`-v`), bodies too from `-vv`.
    pub fn verbose(mut self, verbosity: u8) -> Self {
        self.verbosity = verbosity;
        self
    }
}

impl Reporter for TerminalReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted(start) => {
                let total = start.total;
                self.total = total;
                if let Some(bar) = &self.bar {
                    bar.set_length(total as u64);
                }
                let env = (start.environment)
                    .as_deref()
                    .map(|e| format!(" in environment `{e}`"))
                    .unwrap_or_default();
                let to = match start.hosts.as_slice() {
                    [] => String::new(),
                    hosts => format!(", sending to {}", hosts.join(", ")),
                };
                let note = start.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
                self.print(&format!("running {total} scenario{}{env}{to}{note}\n", plural(total)));
            }
            Event::AuthExchange(step) => {
                if self.verbosity > 0 {
                    let text = step_exchange(step, self.verbosity > 1);
                    self.print(&text);
                }
            }
            Event::ScenarioStarted { index, name } => {
                self.running.push((*index, name.clone()));
                self.update_message();
            }
            Event::ScenarioEnded { index, .. } => {
                // Done, though its result may wait for earlier scenarios: no longer running.
                self.running.retain(|(i, _)| i != index);
                self.update_message();
            }
            Event::ScenarioFinished(result) => {
                self.running.retain(|(i, _)| *i != result.index);
                self.remember_failures(result);
                if matches!(result.status, Status::Failed | Status::Error) {
                    self.failures += 1;
                }
                let text = self.scenario_text(result);
                self.print(&text);
                self.done += 1;
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.update_message();
                self.progress_line();
            }
            Event::Progress { requests_sent } => {
                self.requests_sent = *requests_sent;
                self.update_message();
                self.progress_line();
            }
            Event::RunFinished(summary) => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                let mut text = self.recap_text();
                text.push_str(&self.summary_text(summary));
                self.print(&text);
            }
        }
    }

    /// The terminal has nothing left to write: every line went out as it came.
    fn finish(&mut self) -> Result<(), WriteError> {
        Ok(())
    }
}

impl TerminalReporter {
    fn update_message(&mut self) {
        if self.bar.is_none() {
            return;
        }
        let message = self.progress_message();
        if let Some(bar) = &self.bar {
            bar.set_message(message);
        }
    }

    /// In `Progress::Lines`, a line on stderr when the last is old enough.
    fn progress_line(&mut self) {
        let Some(last) = self.lines else { return };
        if last.is_some_and(|at| at.elapsed() < PROGRESS_LINE_EVERY) {
            return;
        }
        self.lines = Some(Some(std::time::Instant::now()));
        let message = self.progress_message();
        let line = format!("progress: {}/{} scenarios {message}\n", self.done, self.total);
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    /// Failures so far, the request rate and the scenarios running now, secrets masked.
    fn progress_message(&mut self) -> String {
        let names: Vec<String> = self
            .running
            .iter()
            .take(3)
            .map(|(_, n)| printable_line(n).into_owned())
            .collect();
        let more = self.running.len().saturating_sub(names.len());
        let rate = self.rate.update(self.requests_sent, std::time::Instant::now());
        let mut message = format!(
            "· {} failed · {rate:.0} req/s · running: {}",
            self.failures,
            names.join(", ")
        );
        if more > 0 {
            message.push_str(&format!(" +{more}"));
        }
        self.redactor.redact(&message).into_owned()
    }

    fn print(&mut self, text: &str) {
        let text = self.redactor.redact(text);
        let out = &mut self.out;
        let mut write = || {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        };
        match &self.bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn scenario_text(&mut self, result: &ScenarioResult) -> String {
        let p = &self.palette;
        let (word, style) = match result.status {
            Status::Passed if result.flaky.is_some() => ("FLAKY", p.warning),
            Status::Passed => ("PASS", anstyle::AnsiColor::Green.on_default().bold()),
            Status::Failed => ("FAIL", p.error),
            Status::Error => ("ERROR", p.error),
            Status::Skipped => ("SKIP", p.warning),
            Status::Interrupted => ("STOP", p.warning),
        };
        let style = if self.palette.emphasis == anstyle::Style::new() {
            anstyle::Style::new()
        } else {
            style
        };
        let steps = result.steps.len();
        let mut text = format!(
            "{style}{word:<5}{style:#} {} ({steps} step{}, {})",
            printable_line(&result.name),
            plural(steps),
            millis(result.duration)
        );
        if let Some(reason) = &result.skip_reason {
            text.push_str(&format!(": {}", printable_line(reason)));
        }
        if let Some(first) = &result.flaky {
            let first = printable_line(first);
            text.push_str(&format!(": passed on try {}; try 1 failed at {first}", result.tries));
        } else if result.tries > 1 {
            text.push_str(&format!(" (tried {} times)", result.tries));
        }
        text.push('\n');
        for step in &result.steps {
            for note in &step.notes {
                text.push_str(&format!(
                    "      note: {}: {}\n",
                    printable_line(&step.name),
                    printable_line(note)
                ));
            }
        }
        // Steps stopped by a token failure already shown: one line per profile.
        let mut no_token_here: Vec<(String, Vec<String>)> = Vec::new();
        for step in &result.steps {
            if self.verbosity > 0 {
                text.push_str(&step_exchange(step, self.verbosity > 1));
            }
            if let Some(profile) = &step.no_token
                && let Some(failure) = self.no_token.get_mut(profile)
            {
                if failure.shown {
                    let named = format!("`{}`", printable_line(&step.name));
                    match no_token_here.iter_mut().find(|(p, _)| p == profile) {
                        Some((_, steps)) => steps.push(named),
                        None => no_token_here.push((profile.clone(), vec![named])),
                    }
                    continue;
                }
                failure.shown = true;
            }
            if matches!(step.status, Status::Failed | Status::Error) {
                text.push_str(&format!(
                    "  step `{}`: {}\n",
                    printable_line(&step.name),
                    headline(step)
                ));
                if let Some(description) = &step.description {
                    text.push_str(&format!("    ({})\n", printable_line(description)));
                }
                for line in step_problem(step, &self.sources, p).lines() {
                    text.push_str("    ");
                    text.push_str(line);
                    text.push('\n');
                }
            }
            if step.status == Status::Interrupted {
                text.push_str(&format!(
                    "  step `{}`: stopped while it ran\n",
                    printable_line(&step.name)
                ));
            }
        }
        for (profile, steps) in no_token_here {
            text.push_str(&format!(
                "  no token from auth profile `{}` (why: above) for step{} {}\n",
                printable_line(&profile),
                plural(steps.len()),
                steps.join(", ")
            ));
        }
        for (step, reason) in cleanup_not_run(result) {
            text.push_str(&format!(
                "  clean-up `{}` did not run: {}\n",
                printable_line(&step.name),
                printable_line(reason)
            ));
        }
        text
    }

    /// Keeps one line per failed step for the recap at the end (the first `RECAP_LINES`).
    fn remember_failures(&mut self, result: &ScenarioResult) {
        for step in result
            .steps
            .iter()
            .filter(|s| matches!(s.status, Status::Failed | Status::Error))
        {
            self.failed_steps += 1;
            if let Some(profile) = &step.no_token {
                let failure = self.no_token.entry(profile.clone()).or_insert_with(|| TokenFailure {
                    error: step.error.as_ref().map(|e| e.message.clone()).unwrap_or_default(),
                    steps: 0,
                    scenarios: 0,
                    last_scenario: None,
                    shown: false,
                });
                failure.steps += 1;
                if failure.last_scenario != Some(result.index) {
                    failure.scenarios += 1;
                    failure.last_scenario = Some(result.index);
                }
                continue;
            }
            if self.recap.len() < RECAP_LINES {
                self.recap.push(format!(
                    "  {} › {} ({}): {}",
                    printable_line(&result.name),
                    printable_line(&step.name),
                    printable_line(&self.sources.location(step.span)),
                    crate::text::cut(&headline(step), 160)
                ));
            }
        }
    }

    /// The failed steps again, one line each, so the end of a long log says what to fix.
    fn recap_text(&self) -> String {
        if self.recap.is_empty() && self.no_token.is_empty() {
            return String::new();
        }
        let p = &self.palette;
        let mut text = format!("\n{}failed steps{:#} ({}):\n", p.error, p.error, self.failed_steps);
        // One cause, one entry: the hint whole, not cut to a line.
        for (profile, failure) in &self.no_token {
            let mut lines = failure.error.lines();
            let first = lines.next().unwrap_or_default();
            text.push_str(&format!(
                "  no token from auth profile `{}`, so {} step{} in {} scenario{} could not run: {}\n",
                printable_line(profile),
                failure.steps,
                plural(failure.steps),
                failure.scenarios,
                plural(failure.scenarios),
                printable_line(first.split_once("): ").map_or(first, |(_, why)| why))
            ));
            for more in lines {
                text.push_str(&format!("    {}\n", printable_line(more)));
            }
        }
        for line in &self.recap {
            text.push_str(line);
            text.push('\n');
        }
        let listed = self.recap.len() + self.no_token.values().map(|f| f.steps).sum::<usize>();
        if self.failed_steps > listed {
            text.push_str(&format!("  … and {} more\n", self.failed_steps - listed));
        }
        text
    }

    fn summary_text(&self, s: &Summary) -> String {
        let total = s.passed + s.failed + s.errors + s.skipped + s.interrupted_scenarios;
        let interrupted = match s.interrupted_scenarios {
            0 => String::new(),
            n => format!(", {n} interrupted"),
        };
        let flaky = match s.flaky {
            0 => String::new(),
            n => format!(" ({n} flaky)"),
        };
        let mut text = format!(
            "\n{total} scenario{}: {} passed{flaky}, {} failed, {} errors{interrupted}, {} skipped; {} step{} in {}\n",
            plural(total),
            s.passed,
            s.failed,
            s.errors,
            s.skipped,
            s.steps,
            plural(s.steps),
            millis(s.duration)
        );
        if s.interrupted {
            text.push_str("interrupted: unfinished steps are marked skipped\n");
        }
        text
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn millis(d: Duration) -> String {
    if d.as_secs() >= 10 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn the_rate_follows_the_last_few_seconds() {
        let mut rate = RecentRate::default();
        let t0 = Instant::now();
        let at = |s: f64| t0 + Duration::from_secs_f64(s);
        assert_eq!(rate.update(0, at(0.0)), 0.0);
        assert_eq!(rate.update(10, at(0.2)), 0.0, "too soon to say");
        assert_eq!(rate.update(100, at(1.0)), 100.0);
        assert_eq!(rate.update(300, at(3.0)), 100.0, "a full window, then a new one");
        assert_eq!(rate.update(1300, at(4.0)), 1000.0, "faster now: the old window is gone");
        assert_eq!(rate.update(1300, at(6.0)), 1000.0 / 3.0, "stalled: the rate falls");
    }

    #[test]
    fn a_scenario_that_ended_is_not_running_while_it_waits_for_file_order() {
        let mut terminal = TerminalReporter::new(
            Arc::new(SourceMap::default()),
            Redactor::default(),
            false,
            Progress::Lines,
            Box::new(std::io::sink()),
        );
        for (index, name) in ["first", "second", "third"].into_iter().enumerate() {
            terminal.on_event(&Event::ScenarioStarted {
                index,
                name: name.into(),
            });
        }
        terminal.on_event(&Event::ScenarioEnded {
            index: 1,
            at: std::time::Instant::now(),
        });
        let message = terminal.progress_message();
        assert!(message.ends_with("running: first, third"), "{message}");
    }
}
