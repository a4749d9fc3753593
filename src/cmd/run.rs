//! `k2check run`: validate, then execute and report.

use std::io::IsTerminal as _;
use std::sync::Arc;

use minijinja::Value;

use crate::cli::{RunArgs, When};
use crate::cmd::error::{CommandError, CommandResult, Kind};
use crate::cmd::prepare::{Purpose, prepare};
use crate::cmd::selection::selection;
use crate::cmd::signals;
use crate::event::{Event, Summary};
use crate::exit;
use crate::http::Client;
use crate::plan::{Plan, Shard};
use crate::report::terminal::Progress;
use crate::report::{FanOut, HtmlReporter, JsonReporter, JunitReporter, TerminalReporter};
use crate::run::resolve::resolve;
use crate::run::{Recording, Runtime, Schedule, execute};
use crate::scenario::model::Follow;

pub async fn run(args: RunArgs) -> CommandResult {
    let selection = selection(&args.select)?;
    let shard = selection.shard;
    let prepared = prepare(&args.suite, selection, Purpose::Run).await?;
    let mut plan = prepared.plan;
    if let Some(rate) = args.rate {
        plan.limits.rate = Some(rate);
    }
    if plan.run_count() == 0 && shard.is_some() {
        // With few scenarios some parts are empty; that is no mistake of the user's. Its
        // reports are still written (empty), so none from an earlier run survives.
        crate::outln!(
            "shard {}: no scenario falls in this part",
            shard.map(|s| s.to_string()).unwrap_or_default()
        );
    } else if plan.run_count() == 0 {
        return Err(CommandError::invalid(
            "no scenario selected (check the paths, --tag and --name)",
        ));
    }
    if args.dry_run {
        crate::out!("{}", plan.redactor.redact(&dry_run(&plan)));
        return Ok(exit::OK);
    }
    if let Some(problem) = same_report_twice(&args) {
        return Err(CommandError::invalid(format!("{problem}; nothing was sent")));
    }
    let client = Client::for_run(&plan.tls, plan.confined_to.as_ref()).map_err(CommandError::invalid)?;
    let plan = Arc::new(plan);
    let verbosity = args.verbosity();
    let mut runtime = Runtime::new(plan.clone(), client);
    runtime.update_snapshots = args.update_snapshots();
    if verbosity > 0 || args.html.is_some() {
        runtime.recording = Some(Recording {
            body_limit: args.body_limit,
        });
        runtime.auth.record_exchanges();
    }
    let rt = Arc::new(runtime);
    let mut reporters = reporters(&args, &plan, shard);
    let unwritable = reporters.ready().into_iter().map(|p| format!("{p}; nothing was sent"));
    if let Some(error) = CommandError::all(Kind::Invalid, unwritable) {
        return Err(error);
    }

    // The single reporter thread: the only place that prints during a run.
    let (tx, rx) = std::sync::mpsc::channel::<Event>();
    let reporter = std::thread::spawn(move || {
        for event in rx {
            reporters.on_event(&event);
        }
        reporters
            .finish()
            .into_iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    });

    let schedule = Schedule {
        jobs: usize::from(args.jobs),
        fail_fast: args.fail_fast,
        retries: args.retries,
        grace: args.grace,
    };
    let (stops, first_signal) = signals::listen();
    let summary = execute(rt, schedule, tx, stops).await;
    let problems = reporter
        .join()
        .unwrap_or_else(|_| vec!["the reporter stopped unexpectedly".into()]);
    drop(prepared.mock);
    drop_in_background(plan);
    let code = match first_signal.exit_code() {
        Some(code) if summary.interrupted => code,
        _ => exit_code(&summary),
    };
    match CommandError::all(Kind::Incomplete, problems) {
        // A report not written makes the run incomplete, unless a signal stopped it.
        Some(error) if summary.interrupted => Err(error.exiting_with(code)),
        Some(error) => Err(error),
        None => Ok(code),
    }
}

/// The terminal, and each report the flags ask for, fed the same events.
fn reporters(args: &RunArgs, plan: &Plan, shard: Option<Shard>) -> FanOut {
    let (sources, redactor, verbosity) = (&plan.sources, &plan.redactor, args.verbosity());
    let mut reporters = FanOut::default();
    let stdout = Box::new(std::io::stdout());
    let terminal = TerminalReporter::new(sources.clone(), redactor.clone(), colour(args), progress(args), stdout);
    reporters.push(Box::new(terminal.verbose(verbosity)));
    if let Some(path) = &args.junit {
        let shard = shard.map(|s| s.to_string());
        reporters.push(Box::new(JunitReporter::new(
            path,
            sources.clone(),
            redactor.clone(),
            shard,
        )));
    }
    if let Some(path) = &args.json {
        let json = JsonReporter::new(path, sources.clone(), redactor.clone());
        reporters.push(Box::new(json.verbose(verbosity)));
    }
    if let Some(path) = &args.html {
        reporters.push(Box::new(HtmlReporter::new(path, sources.clone(), redactor.clone())));
    }
    reporters
}

fn colour(args: &RunArgs) -> bool {
    match args.color {
        When::Always => true,
        When::Never => false,
        When::Auto => anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never,
    }
}

/// A bar on a terminal; lines in a log only when asked for; nothing in CI unless asked.
fn progress(args: &RunArgs) -> Progress {
    let on_terminal = std::io::stderr().is_terminal();
    match args.progress {
        When::Always if on_terminal => Progress::Bar,
        When::Always => Progress::Lines,
        When::Never => Progress::Off,
        When::Auto if on_terminal && std::env::var_os("CI").is_none() => Progress::Bar,
        When::Auto => Progress::Off,
    }
}

/// Two report flags naming one file: one report would overwrite the other.
fn same_report_twice(args: &RunArgs) -> Option<String> {
    let named = [("--junit", &args.junit), ("--json", &args.json), ("--html", &args.html)];
    let given: Vec<(&str, &std::path::PathBuf)> = named
        .into_iter()
        .filter_map(|(flag, path)| path.as_ref().map(|p| (flag, p)))
        .collect();
    let same = |a: &std::path::Path, b: &std::path::Path| {
        let full = |p: &std::path::Path| std::fs::canonicalize(p).or_else(|_| std::path::absolute(p)).ok();
        a == b || full(a).is_some_and(|x| Some(x) == full(b))
    };
    for (i, (flag, path)) in given.iter().enumerate() {
        if let Some((other, _)) = given[i + 1..].iter().find(|(_, p)| same(path, p)) {
            return Some(format!(
                "{flag} and {other} name the same file, {}: give each report its own",
                path.display()
            ));
        }
    }
    None
}

/// Frees a large value on a thread of its own: a plan holds thousands of small allocations,
/// and the exit that follows need not wait for them to be freed one by one.
fn drop_in_background<T: Send + 'static>(value: T) {
    // Should the thread not start, the closure and the value are dropped here instead.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

fn exit_code(summary: &Summary) -> u8 {
    if summary.interrupted {
        exit::INTERRUPTED
    } else if summary.failed + summary.errors > 0 {
        exit::FAILED
    } else {
        exit::OK
    }
}

/// Every request the run would send, rendered; captures show as `<name>`.
fn dry_run(plan: &Plan) -> String {
    let mut out = String::new();
    for index in 0..plan.run_count() {
        let (Some((planned, _)), Some(scenario)) = (plan.run(index), plan.scenario(index)) else {
            continue;
        };
        out.push_str(&format!("# {} ({})\n", plan.run_name(index), scenario.path.display()));
        let mut ctx = plan.starting_context(index);
        // The set-up's captures, as placeholders like every capture here.
        if planned.role != crate::plan::Role::SetUp {
            ctx.extend(
                plan.setup_captures
                    .iter()
                    .map(|n| (n.clone(), Value::from(format!("<{n}>")))),
            );
        }
        for (name, node) in &scenario.vars {
            if let Ok(v) = plan.engine.render_node(node, &ctx) {
                ctx.insert(&name.value, crate::template::value_of(&v));
            }
        }
        for step in scenario.steps.iter().chain(&scenario.finally) {
            if let Follow::WorkflowByName { name } = &step.follow {
                let placeholder = format!("<id of workflow {}>", name.text);
                ctx.insert(crate::scenario::model::WORKFLOW_ID, Value::from(placeholder));
            }
            match resolve(&step.request, &plan.engine, &ctx, plan.timeout) {
                Ok(r) => {
                    out.push_str(&format!("{} {}\n", r.method, crate::redact::url_for_display(&r.url)));
                    let profile = step.profile(&scenario, plan.default_auth.as_deref());
                    let shown = profile.and_then(|p| {
                        plan.profiles
                            .get(p)
                            .map(|c| c.shown(p))
                            .unwrap_or_else(|| Some(("authorization".into(), format!("<auth profile {p}>"))))
                    });
                    if let Some((name, filled)) = shown {
                        out.push_str(&format!("{name}: {filled}\n"));
                    }
                    for (name, value) in &r.headers {
                        out.push_str(&format!("{name}: {value}\n"));
                    }
                    if let Some(body) = &r.body {
                        out.push_str(&String::from_utf8_lossy(body));
                        out.push('\n');
                    }
                }
                Err(e) => out.push_str(&format!("# step `{}`: {e}\n", step.name)),
            }
            out.push('\n');
            for c in &step.capture {
                ctx.insert(&c.name.value, Value::from(format!("<{}>", c.name.value)));
            }
        }
    }
    out
}
