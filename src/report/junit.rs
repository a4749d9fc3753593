//! JUnit XML: a `<testsuite>` per scenario, a `<testcase>` per step. Valid against the
//! Jenkins xunit-plugin schema (junit-10.xsd), the strictest that CI systems read.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use crate::diag::Palette;
use crate::event::{Event, Phase, ProblemKind, ScenarioResult, Status, StepResult};
use crate::redact::Redactor;
use crate::report::Reporter;
use crate::report::file::{PendingFile, WriteError};
use crate::report::render::{headline, step_problem};
use crate::report::xml::{escape, escape_attr};
use crate::source::SourceMap;

pub struct JunitReporter {
    file: PendingFile,
    sources: Arc<SourceMap>,
    redactor: Redactor,
    environment: Option<String>,
    /// Names the shard in every suite when the run is one part of several.
    shard: Option<String>,
    /// The finished scenarios' `<testsuite>`s, already written (they come in input order),
    /// in memory up to `SPILL_BYTES` and then in a temporary file: the totals go first in
    /// the report and are known only at the end, and a run of a million steps must not hold
    /// its whole report until then.
    suites: Spill,
    totals: Totals,
    duration: std::time::Duration,
}

#[derive(Default)]
struct Totals {
    tests: usize,
    failures: usize,
    errors: usize,
}

impl JunitReporter {
    pub fn new(path: &Path, sources: Arc<SourceMap>, redactor: Redactor, shard: Option<String>) -> Self {
        JunitReporter {
            file: PendingFile::create(path),
            sources,
            redactor,
            environment: None,
            shard,
            suites: Spill::default(),
            totals: Totals::default(),
            duration: Default::default(),
        }
    }

    /// Text for an XML attribute: masked first, then escaped, so escaping cannot hide a secret.
    fn attr(&self, text: &str) -> String {
        escape_attr(&self.redactor.redact(text))
    }

    /// Text for XML content, masked then escaped.
    fn content(&self, text: &str) -> String {
        escape(&self.redactor.redact(text))
    }

    fn header(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"k2check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
            self.totals.tests,
            self.totals.failures,
            self.totals.errors,
            seconds(self.duration)
        );
        out
    }

    fn render_suite(&self, scenario: &ScenarioResult) -> String {
        let mut out = String::new();
        let count = |status: Status| scenario.steps.iter().filter(|s| s.status == status).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" file=\"{}\">",
            self.attr(&scenario.name),
            scenario.steps.len(),
            count(Status::Failed),
            count(Status::Error),
            count(Status::Skipped),
            seconds(scenario.duration),
            self.attr(&scenario.suite_path)
        );
        let mut properties = vec![("tags", scenario.tags.join(","))];
        if let Some(env) = &self.environment {
            properties.push(("environment", env.clone()));
        }
        if let Some(shard) = &self.shard {
            properties.push(("shard", shard.clone()));
        }
        if scenario.tries > 1 {
            properties.push(("tries", scenario.tries.to_string()));
        }
        if let Some(first) = &scenario.flaky {
            let words = format!("passed on try {}; try 1 failed at {first}", scenario.tries);
            properties.push(("flaky", words));
        }
        out.push_str("    <properties>\n");
        for (name, value) in properties {
            let _ = writeln!(out, "      <property name=\"{name}\" value=\"{}\"/>", self.attr(&value));
        }
        out.push_str("    </properties>\n");
        for step in &scenario.steps {
            let name = match step.phase {
                Phase::Main => step.name.clone(),
                Phase::Finally => format!("finally: {}", step.name),
            };
            // A data row's runs share the file and the steps: the row keeps each test apart.
            let name = match scenario.row {
                Some(row) => format!("{name} [row {row}]"),
                None => name,
            };
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                self.attr(&name),
                self.attr(&scenario.suite_path),
                seconds(step.duration)
            );
            match step.status {
                Status::Passed if step.attempts > 1 => {
                    let _ = writeln!(
                        out,
                        ">\n      <flakyFailure type=\"retry\" message=\"passed on attempt {}\"/>\n    </testcase>",
                        step.attempts
                    );
                }
                Status::Passed if step.resends > 0 => {
                    let _ = writeln!(
                        out,
                        ">\n      <system-out>resent {} time{} (429/503 Retry-After or a refused token)</system-out>\n    </testcase>",
                        step.resends,
                        if step.resends == 1 { "" } else { "s" }
                    );
                }
                Status::Passed => out.push_str("/>\n"),
                Status::Failed => {
                    let body = step_problem(step, &self.sources, &Palette::plain());
                    let _ = writeln!(
                        out,
                        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                        kind_word(step),
                        self.attr(&headline(step)),
                        self.content(&body)
                    );
                }
                Status::Error => {
                    let body = step_problem(step, &self.sources, &Palette::plain());
                    let _ = writeln!(
                        out,
                        ">\n      <error type=\"{}\" message=\"{}\">{}</error>\n    </testcase>",
                        kind_word(step),
                        self.attr(&headline(step)),
                        self.content(&body)
                    );
                }
                Status::Skipped | Status::Interrupted => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        self.attr(&headline(step))
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
        out
    }
}

impl Reporter for JunitReporter {
    fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted(start) => self.environment = start.environment.clone(),
            Event::ScenarioStarted { .. } | Event::ScenarioEnded { .. } => {}
            Event::ScenarioFinished(result) => {
                let suite = self.render_suite(result);
                self.totals.tests += result.steps.len();
                self.totals.failures += result.steps.iter().filter(|s| s.status == Status::Failed).count();
                self.totals.errors += result.steps.iter().filter(|s| s.status == Status::Error).count();
                self.suites.push(&suite);
            }
            Event::RunFinished(summary) => self.duration = summary.duration,
            // Not a test case: the steps that needed the token carry its failure.
            Event::AuthExchange(_) | Event::Progress { .. } => {}
        }
    }

    fn ready(&self) -> Result<(), WriteError> {
        self.file.ready()
    }

    fn finish(&mut self) -> Result<(), WriteError> {
        let header = self.header();
        self.file.write(header.as_bytes());
        let file = &mut self.file;
        if let Err(source) = self.suites.drain_into(&mut |bytes| file.write(bytes)) {
            return Err(WriteError {
                path: std::env::temp_dir(),
                source,
            });
        }
        self.file.write(b"</testsuites>\n");
        self.file.commit()
    }
}

/// Past this much written text, the suites go to a temporary file.
const SPILL_BYTES: usize = 1 << 20;

/// Text kept in memory up to `SPILL_BYTES`, then appended to a temporary file (removed when
/// dropped).
#[derive(Default)]
struct Spill {
    memory: String,
    file: Option<(std::path::PathBuf, std::io::BufWriter<std::fs::File>)>,
    failed: Option<std::io::Error>,
}

impl Spill {
    fn push(&mut self, text: &str) {
        self.memory.push_str(text);
        if self.memory.len() >= SPILL_BYTES {
            self.spill();
        }
    }

    fn spill(&mut self) {
        use std::io::Write as _;
        if self.failed.is_some() {
            return;
        }
        if self.file.is_none() {
            let path = std::env::temp_dir().join(format!(
                "k2check-junit-{}-{}.part",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ));
            let opened = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path);
            match opened {
                Ok(f) => self.file = Some((path, std::io::BufWriter::new(f))),
                Err(e) => {
                    self.failed = Some(e);
                    return;
                }
            }
        }
        if let Some((_, out)) = &mut self.file
            && let Err(e) = out.write_all(self.memory.as_bytes())
        {
            self.failed = Some(e);
        }
        self.memory.clear();
    }

    /// Everything written, in order, handed to `sink` in pieces.
    fn drain_into(&mut self, sink: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        use std::io::{Read as _, Seek as _, Write as _};
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        if let Some((_, out)) = &mut self.file {
            out.flush()?;
            let file = out.get_mut();
            file.seek(std::io::SeekFrom::Start(0))?;
            let mut chunk = vec![0; 64 << 10];
            loop {
                let n = file.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                sink(&chunk[..n]);
            }
        }
        sink(self.memory.as_bytes());
        self.memory.clear();
        Ok(())
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some((path, _)) = self.file.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Seconds with at most three decimals, as the schema's SUREFIRE_TIME pattern allows.
fn seconds(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

/// JUnit's `type=` of a failure or an error: the step's problem kind.
fn kind_word(step: &StepResult) -> &'static str {
    step.problem_kind().map_or("error", ProblemKind::word)
}

#[cfg(test)]
mod tests {
    #[test]
    fn written_suites_come_back_whole_and_in_order_from_memory_and_from_disk() {
        let mut spill = super::Spill::default();
        let line = "x".repeat(1000) + "\n";
        for i in 0..3000 {
            spill.push(&format!("{i}:{line}"));
        }
        let path = spill.file.as_ref().map(|(p, _)| p.clone()).expect("spilled to a file");
        let mut back = Vec::new();
        spill.drain_into(&mut |bytes| back.extend_from_slice(bytes)).unwrap();
        let expected: String = (0..3000).map(|i| format!("{i}:{line}")).collect();
        assert_eq!(String::from_utf8(back).unwrap(), expected);
        drop(spill);
        assert!(!path.exists(), "the temporary file is removed");
    }
}
