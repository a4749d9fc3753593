//! JUnit XML: a `<testsuite>` per scenario, a `<testcase>` per step. Valid against the
//! Jenkins xunit-plugin schema (junit-10.xsd), the strictest that CI systems read.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use crate::diag::Palette;
use crate::event::{Event, Phase, ScenarioResult, Status};
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
    /// Each finished scenario's `<testsuite>`, already written: a passed step costs the
    /// one line it takes in the report, not its whole result.
    suites: Vec<(usize, String)>,
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
            suites: Vec::new(),
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

    fn render(&mut self) -> String {
        self.suites.sort_by_key(|(index, _)| *index);
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"k2check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
            self.totals.tests,
            self.totals.failures,
            self.totals.errors,
            seconds(self.duration)
        );
        for (_, suite) in &self.suites {
            out.push_str(suite);
        }
        out.push_str("</testsuites>\n");
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
            self.attr(&scenario.file)
        );
        let mut properties = vec![("tags", scenario.tags.join(","))];
        if let Some(env) = &self.environment {
            properties.push(("environment", env.clone()));
        }
        if let Some(shard) = &self.shard {
            properties.push(("shard", shard.clone()));
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
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                self.attr(&name),
                self.attr(&scenario.file),
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
                        ">\n      <failure type=\"assertion\" message=\"{}\">{}</failure>\n    </testcase>",
                        self.attr(&headline(step)),
                        self.content(&body)
                    );
                }
                Status::Error => {
                    let body = step_problem(step, &self.sources, &Palette::plain());
                    let _ = writeln!(
                        out,
                        ">\n      <error type=\"error\" message=\"{}\">{}</error>\n    </testcase>",
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
            Event::RunStarted { environment, .. } => self.environment = environment.clone(),
            Event::ScenarioStarted { .. } | Event::ScenarioEnded { .. } => {}
            Event::ScenarioFinished(result) => {
                let suite = self.render_suite(result);
                self.totals.tests += result.steps.len();
                self.totals.failures += result.steps.iter().filter(|s| s.status == Status::Failed).count();
                self.totals.errors += result.steps.iter().filter(|s| s.status == Status::Error).count();
                self.suites.push((result.index, suite));
            }
            Event::RunFinished(summary) => self.duration = summary.duration,
            // Not a test case: the steps that needed the token carry its failure.
            Event::AuthExchange(_) => {}
        }
    }

    fn ready(&self) -> Result<(), WriteError> {
        self.file.ready()
    }

    fn finish(&mut self) -> Result<(), WriteError> {
        let xml = self.render();
        self.file.write(xml.as_bytes());
        self.file.commit()
    }
}

/// Seconds with at most three decimals, as the schema's SUREFIRE_TIME pattern allows.
fn seconds(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}
