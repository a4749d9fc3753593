//! JUnit XML: a `<testsuite>` per scenario, a `<testcase>` per step. Valid against the
//! Jenkins xunit-plugin schema (junit-10.xsd), the strictest that CI systems read.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::Palette;
use crate::event::{Event, Phase, ScenarioResult, Status, Summary};
use crate::redact::Redactor;
use crate::report::file::{WriteError, write_atomically};
use crate::report::render::{headline, step_problem};
use crate::report::xml::{escape, escape_attr};
use crate::source::SourceMap;

pub struct JunitReporter {
    path: PathBuf,
    sources: Arc<SourceMap>,
    redactor: Redactor,
    environment: Option<String>,
    /// Names the shard in every suite when the run is one part of several.
    shard: Option<String>,
    scenarios: Vec<Arc<ScenarioResult>>,
    summary: Summary,
}

impl JunitReporter {
    pub fn new(path: PathBuf, sources: Arc<SourceMap>, redactor: Redactor, shard: Option<String>) -> Self {
        JunitReporter {
            path,
            sources,
            redactor,
            environment: None,
            shard,
            scenarios: Vec::new(),
            summary: Summary::default(),
        }
    }

    pub fn on_event(&mut self, event: &Event) {
        match event {
            Event::RunStarted { environment, .. } => self.environment = environment.clone(),
            Event::ScenarioStarted { .. } => {}
            Event::ScenarioFinished(result) => self.scenarios.push(result.clone()),
            Event::RunFinished(summary) => self.summary = summary.clone(),
        }
    }

    pub fn finish(&mut self) -> Result<(), WriteError> {
        let xml = self.render();
        write_atomically(&self.path, self.redactor.redact(&xml).as_bytes())
    }

    pub fn render(&self) -> String {
        let mut scenarios = self.scenarios.clone();
        scenarios.sort_by_key(|s| s.index);
        let count = |status: Status| {
            scenarios
                .iter()
                .flat_map(|s| &s.steps)
                .filter(|s| s.status == status)
                .count()
        };
        let tests: usize = scenarios.iter().map(|s| s.steps.len()).sum();
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"k2check\" tests=\"{tests}\" failures=\"{}\" errors=\"{}\" time=\"{}\">",
            count(Status::Failed),
            count(Status::Error),
            seconds(self.summary.duration)
        );
        for scenario in &scenarios {
            self.render_suite(&mut out, scenario);
        }
        out.push_str("</testsuites>\n");
        out
    }

    fn render_suite(&self, out: &mut String, scenario: &ScenarioResult) {
        let count = |status: Status| scenario.steps.iter().filter(|s| s.status == status).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" file=\"{}\">",
            escape_attr(&scenario.name),
            scenario.steps.len(),
            count(Status::Failed),
            count(Status::Error),
            count(Status::Skipped),
            seconds(scenario.duration),
            escape_attr(&scenario.file)
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
            let _ = writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                escape_attr(&value)
            );
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
                escape_attr(&name),
                escape_attr(&scenario.file),
                seconds(step.duration)
            );
            let body = step_problem(step, &self.sources, &Palette::plain());
            let message = escape_attr(&headline(step));
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
                    let _ = writeln!(
                        out,
                        ">\n      <failure type=\"assertion\" message=\"{message}\">{}</failure>\n    </testcase>",
                        escape(&body)
                    );
                }
                Status::Error => {
                    let _ = writeln!(
                        out,
                        ">\n      <error type=\"error\" message=\"{message}\">{}</error>\n    </testcase>",
                        escape(&body)
                    );
                }
                Status::Skipped => {
                    let _ = writeln!(out, ">\n      <skipped message=\"{message}\"/>\n    </testcase>");
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
}

/// Seconds with at most three decimals, as the schema's SUREFIRE_TIME pattern allows.
fn seconds(d: std::time::Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}
