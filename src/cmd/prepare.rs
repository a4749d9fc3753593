//! What `run`, `validate` and `token` share: start the mock if asked, load, validate, and
//! print every problem (secrets masked) before anything is sent.

use std::io::Write as _;
use std::path::PathBuf;

use crate::cli::SuiteArgs;
use crate::cmd::error::{CommandError, Kind};
use crate::diag::{Palette, render};
use crate::mock::{MockConfig, MockData, MockServer};
use crate::plan::{Plan, PlanError, PlanOptions, Selection};
use crate::scenario;

pub struct Prepared {
    pub plan: Plan,
    /// Kept alive for the run; dropped, it stops.
    pub mock: Option<MockServer>,
}

/// The paths a command reads: those given; else `./scenarios`; else the folder of the nearest
/// `k2check.yaml` at or above here. Never every YAML file under an unrelated folder (a
/// repository's CI files, a home folder).
pub fn default_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if !paths.is_empty() {
        return Ok(paths.to_vec());
    }
    let scenarios = PathBuf::from("scenarios");
    if scenarios.is_dir() {
        return Ok(vec![scenarios]);
    }
    match crate::scenario::load::find_suite_file(std::path::Path::new(".")) {
        Some(suite) => Ok(vec![suite.parent().map_or_else(
            || PathBuf::from("."),
            |d| {
                if d.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    d.to_path_buf()
                }
            },
        )]),
        None => Err(
            "no k2check.yaml here or in a folder above, and no ./scenarios folder: nothing to run\n\
             hint: pass the suite's folder (k2check run path/to/suite), or start a suite with a k2check.yaml \
             next to your scenario files (see the README, \"A scenario\")"
                .into(),
        ),
    }
}

/// What a command prepares the suite for, which decides what must be set.
pub enum Purpose {
    /// `run` and `validate`: every variable the selection reads.
    Run,
    /// `token PROFILE`: only that profile's variables.
    Token(String),
    /// `list`: nothing; unset variables are listed, not refused.
    List,
}

/// Loads and plans the suite for `purpose`.
pub async fn prepare(args: &SuiteArgs, selection: Selection, purpose: Purpose) -> Result<Prepared, CommandError> {
    let (only_profile, missing_variables_are_warnings) = match purpose {
        Purpose::Run => (None, false),
        Purpose::Token(profile) => (Some(profile), false),
        Purpose::List => (None, true),
    };
    let mock = if args.mock {
        let config = MockConfig {
            data: MockData {
                alternative_forms: args.mock_alternatives,
                ..MockData::default()
            },
            ..MockConfig::default()
        };
        match MockServer::start(config).await {
            Ok(server) => Some(server),
            Err(e) => {
                return Err(CommandError::incomplete(format!(
                    "cannot start the mock K2 environment: {e}"
                )));
            }
        }
    } else {
        None
    };
    let paths = default_paths(&args.paths).map_err(CommandError::invalid)?;
    let loaded = tokio::task::spawn_blocking(move || scenario::load(&paths))
        .await
        .unwrap_or_default();
    let text: usize = loaded.scenario_files.iter().map(|&f| loaded.sources.len(f)).sum();
    if text > crate::plan::KEEP_DECODED_BYTES {
        super::allocator::release_freed_memory_promptly();
    }
    let (environment, note) = args.environment();
    let overrides =
        super::outside_values::overrides(&args.vars, args.vars_file.as_deref()).map_err(CommandError::invalid)?;
    let dotenv =
        match super::outside_values::suite_dotenv(loaded.suite.as_ref().map(|s| s.dir.join("k2check.yaml")).as_deref())
        {
            Ok(dotenv) => dotenv,
            Err(message) => {
                return Err(CommandError::invalid(format!("{message}; nothing was sent")));
            }
        };
    let options = PlanOptions {
        environment,
        mock: mock.as_ref().map(MockServer::template_vars),
        selection,
        run_id: new_run_id(),
        only_profile,
        overrides,
        dotenv,
        missing_variables_are_warnings,
    };
    match crate::plan::plan(loaded, &options) {
        Ok(mut plan) => {
            print_diagnostics(&plan.warnings, &plan.sources, &plan.redactor);
            plan.note = note;
            Ok(Prepared { plan, mock })
        }
        Err(PlanError {
            sources,
            diagnostics,
            redactor,
            ..
        }) => {
            print_diagnostics(&diagnostics, &sources, &redactor);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            Err(CommandError::summary(
                Kind::Invalid,
                format!(
                    "{errors} problem{} found; nothing was sent",
                    if errors == 1 { "" } else { "s" }
                ),
            ))
        }
    }
}

pub fn print_diagnostics(
    diagnostics: &[crate::diag::Diagnostic],
    sources: &crate::source::SourceMap,
    redactor: &crate::redact::Redactor,
) {
    let palette = if stderr_colour() {
        Palette::coloured()
    } else {
        Palette::plain()
    };
    let mut stderr = std::io::stderr().lock();
    for diag in diagnostics {
        let text = render(diag, sources, &palette);
        let _ = writeln!(stderr, "{}", redactor.redact(&text));
    }
}

pub fn stderr_colour() -> bool {
    anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never
}

/// A short id for this run, for folios and names that must not collide between runs.
pub(crate) fn new_run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_owned()
}
