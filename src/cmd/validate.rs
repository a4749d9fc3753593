//! `k2check validate`: every problem, nothing sent. Without `--env` (or `--mock`), a suite
//! with several environments is checked in each of them, every problem labelled with its
//! environment. The `tls:` files are read as a run would read them.

use crate::cli::SuiteArgs;
use crate::cmd::error::{CommandError, CommandResult, Kind};
use crate::cmd::prepare::{Purpose, default_paths, new_run_id, prepare, print_diagnostics};
use crate::diag::{Diagnostic, Severity};
use crate::exit;
use crate::http::Client;
use crate::mock::{MockConfig, MockServer};
use crate::plan::{PlanError, PlanOptions, Selection};

pub async fn validate(args: SuiteArgs) -> CommandResult {
    let (environment, _) = args.environment();
    if environment.is_none() && !args.mock {
        if let Some(code) = validate_every_environment(&args).await {
            return code;
        }
    }
    let prepared = prepare(&args, Selection::default(), Purpose::Run).await?;
    Client::new(&prepared.plan.tls).map_err(CommandError::invalid)?;
    let n = prepared.plan.run_count();
    crate::outln!("{n} scenario{} valid", if n == 1 { "" } else { "s" });
    Ok(exit::OK)
}

/// Checks the suite in each of its environments when it has several and none is chosen;
/// `None` when there is only one (or none) to check, which `prepare` does as usual.
async fn validate_every_environment(args: &SuiteArgs) -> Option<CommandResult> {
    let paths = default_paths(&args.paths).ok()?;
    let probe_paths = paths.clone();
    let names: Vec<String> = tokio::task::spawn_blocking(move || crate::scenario::load(&probe_paths))
        .await
        .ok()?
        .suite?
        .environments
        .iter()
        .map(|e| e.name.value.clone())
        .collect();
    if names.len() < 2 {
        return None;
    }
    let mut errors = 0;
    let mut scenarios = 0;
    for name in &names {
        // The `mock` environment reads `mock.*`: the mock is started for it, on loopback.
        let mock = match name.as_str() {
            "mock" => MockServer::start(MockConfig::default()).await.ok(),
            _ => None,
        };
        let options = PlanOptions {
            environment: Some(name.clone()),
            mock: mock.as_ref().map(MockServer::template_vars),
            selection: Selection::default(),
            run_id: new_run_id(),
            only_profile: None,
            overrides: Vec::new(),
            dotenv: Default::default(),
            missing_variables_are_warnings: false,
        };
        let paths = paths.clone();
        let loaded = tokio::task::spawn_blocking(move || crate::scenario::load(&paths))
            .await
            .unwrap_or_default();
        let (mut diagnostics, sources, redactor, tls) = match crate::plan::plan(loaded, &options) {
            Ok(plan) => {
                scenarios = scenarios.max(plan.run_count());
                (plan.warnings, plan.sources, plan.redactor, Some(plan.tls))
            }
            Err(PlanError {
                sources,
                diagnostics,
                redactor,
                ..
            }) => (diagnostics, sources, redactor, None),
        };
        for diag in &mut diagnostics {
            label(diag, name);
        }
        if let Some(Err(e)) = tls.as_ref().map(Client::new) {
            diagnostics.push(Diagnostic::error(format!("environment `{name}`: {e}"), None));
        }
        errors += diagnostics.iter().filter(|d| d.is_error()).count();
        print_diagnostics(&diagnostics, &sources, &redactor);
    }
    if errors > 0 {
        return Some(Err(CommandError::summary(
            Kind::Invalid,
            format!(
                "{errors} problem{} found in {} environments; nothing was sent",
                if errors == 1 { "" } else { "s" },
                names.len()
            ),
        )));
    }
    crate::outln!(
        "{scenarios} scenario{} valid in every environment ({})",
        if scenarios == 1 { "" } else { "s" },
        names.join(", ")
    );
    Some(Ok(exit::OK))
}

/// Names the environment in a problem. A variable that is not set on this machine is a
/// warning here: it is a problem only where that environment runs.
fn label(diag: &mut Diagnostic, environment: &str) {
    diag.message = format!("environment `{environment}`: {}", diag.message);
    if diag.message.contains("environment variable `") && diag.message.ends_with("is not set") {
        diag.severity = Severity::Warning;
    }
}
