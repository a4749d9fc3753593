//! From loaded files to a plan: the environment chosen, names resolved, every template,
//! JSONPath and schema checked, and the scenarios selected. Nothing is sent before this
//! succeeds, and it reports every problem it finds, not the first.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::plan::planned::PlannedScenario;
use crate::plan::planning::{Intake, Planning};
use crate::plan::run_plan::{Plan, PlanError, PlanOptions};
use crate::plan::suite_steps::Role;
use crate::plan::validator::Validator;
use crate::scenario::load::{Loaded, decode_each};
use crate::scenario::model::{AuthRef, Suite, Tls};

/// Plans a loaded suite: every phase below adds its problems, and the plan is refused at the
/// end if any is an error, so a user sees them all at once.
pub fn plan(loaded: Loaded, options: &PlanOptions) -> Result<Plan, PlanError> {
    let Loaded {
        mut sources,
        suite,
        scenario_files,
        mut diagnostics,
    } = loaded;
    let mut v = Validator::new();
    v.dotenv = options.dotenv.clone();
    if suite.is_none() && !scenario_files.is_empty() {
        diagnostics.push(no_suite_file());
    }
    let suite = suite.unwrap_or_else(empty_suite);
    let environment = v.choose_environment(&suite, options);
    if environment.is_none() && (suite.environments.len() > 1 || v.diags.iter().any(Diagnostic::is_error)) {
        // Without its environment every template of a suite would be reported undefined:
        // say the one thing that is wrong.
        diagnostics.append(&mut v.diags);
        return Err(PlanError {
            sources: Arc::new(sources),
            diagnostics,
            redactor: v.redactor,
        });
    }
    let mut p = Planning::new(v, &suite, environment.as_deref(), options);
    p.look_up_environment_variables();
    p.render_variables();
    p.render_profiles();
    let default_auth = suite.defaults.auth.as_ref().map(|a| a.value.clone());
    if let Some(a) = &suite.defaults.auth {
        p.v.check_profile_ref(&AuthRef::Profile(a.value.clone()), a.span, &p.profiles_src);
    }
    let (setup, teardown) = p.check_suite_steps(&suite, &sources);
    let mut intake = Intake::new(
        &scenario_files,
        &sources,
        default_auth.as_deref(),
        p.setup_captures.clone(),
    );
    decode_each(&scenario_files, &sources, |scenario, mut diags| {
        diagnostics.append(&mut diags);
        if let Some(scenario) = scenario {
            p.take_scenario(scenario, &sources, &mut intake);
        }
    });
    let (mut planned, row_files) = intake.finish(&sources, &mut diagnostics);
    let selection_id = selection_id(&planned);
    if let Some(shard) = options.selection.shard {
        planned = shard.take(planned, &options.selection.durations);
    }
    // Set-up and teardown run when some scenario does.
    if !planned.is_empty() {
        for (scenario, role) in [(setup, Role::SetUp), (teardown, Role::TearDown)] {
            let Some(scenario) = scenario else { continue };
            p.check_scenario_sends(&scenario, default_auth.as_deref());
            let planned_steps = PlannedScenario::suite_steps(scenario, role, &sources);
            match role {
                Role::SetUp => planned.insert(0, planned_steps),
                _ => planned.push(planned_steps),
            }
        }
    }
    sources.append(row_files);
    let variables = p.variables();
    diagnostics.append(&mut p.v.diags);
    let sources = Arc::new(sources);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(PlanError {
            sources,
            diagnostics,
            redactor: p.v.redactor,
        });
    }
    let mut plan = p.into_plan(&suite, sources, diagnostics, planned, variables);
    plan.shard = options.selection.shard;
    let suite_paths: Vec<String> = plan.scenarios.iter().map(|s| plan.suite_path(&s.path)).collect();
    for (planned, path) in plan.scenarios.iter_mut().zip(suite_paths) {
        planned.suite_path = path;
    }
    plan.selection_id = selection_id;
    Ok(plan)
}

fn no_suite_file() -> Diagnostic {
    Diagnostic::warning("no k2check.yaml at or above these scenarios", None).with_help(
        "environments, auth profiles and variables such as `api` come from a k2check.yaml in the suite's \
         folder; start one there (see the README, \"A scenario\")",
    )
}

/// The suite of scenarios found with no `k2check.yaml`: nothing but defaults.
fn empty_suite() -> Suite {
    Suite {
        file: crate::source::FileId(u32::MAX),
        dir: PathBuf::from("."),
        defaults: Default::default(),
        vars: Vec::new(),
        tls: Tls::default(),
        limits: Default::default(),
        auth: Vec::new(),
        environments: Vec::new(),
        setup: None,
        teardown: None,
    }
}

/// FNV-1a of the selected scenarios' names in order: the same for every part of one sharded run.
fn selection_id(planned: &[PlannedScenario]) -> String {
    let hash = planned
        .iter()
        .flat_map(|p| p.name.bytes().chain([b'\n']))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{hash:016x}")
}
