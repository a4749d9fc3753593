//! From loaded files to a plan: the environment chosen, names resolved, every template,
//! JSONPath and schema checked, and the scenarios selected. Nothing is sent before this
//! succeeds, and it reports every problem it finds, not the first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use minijinja::Value;

use crate::auth::Credentials;
use crate::diag::Diagnostic;
use crate::plan::needed::{Needs, split_names};
use crate::plan::planned::{KEEP_DECODED_BYTES, PlannedScenario};
use crate::plan::reads::Tracked;
use crate::plan::rows::{check_row_names, forget_row_files_as_scenarios, read_rows, row_file};
use crate::plan::run_plan::{DEFAULT_TIMEOUT, Plan, PlanError, PlanOptions, Variables};
use crate::plan::suite_steps::{Role, captured_names, refuse_shadowing, setup_scenario, teardown_scenario};
use crate::plan::validator::Validator;
use crate::plan::{hosts, url_shape, writes};
use crate::scenario::load::{Loaded, decode_each};
use crate::scenario::model::{AuthKind, AuthProfile, AuthRef, Scenario, Spanned, Suite, Tls};
use crate::scenario::templates::{profile_templates, step_templates};
use crate::source::{SourceMap, Span};
use crate::template::{BUILTIN_NAMES, Context, value_of};
use crate::yaml::Node;

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
        diagnostics.push(
            Diagnostic::warning("no k2check.yaml at or above these scenarios", None).with_help(
                "environments, auth profiles and variables such as `api` come from a k2check.yaml in the suite's \
                 folder; start one there (see the README, \"A scenario\")",
            ),
        );
    }
    let suite = suite.unwrap_or_else(|| Suite {
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
    });

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
    let env_def = environment
        .as_ref()
        .and_then(|name| suite.environments.iter().find(|e| &e.name.value == name));
    // The environment's own `writes:`, else the suite default; the name when read-only.
    let read_only = env_def
        .and_then(|e| e.writes)
        .or(suite.defaults.writes)
        .is_some_and(|writes| !writes)
        .then(|| environment.clone().unwrap_or_default());

    // The names every template may use before scenario variables are added.
    let mut context_values: BTreeMap<String, Value> = BTreeMap::new();
    context_values.insert(
        "run".into(),
        value_of(serde_json::json!({
            "id": options.run_id,
            "env": environment,
        })),
    );
    if let Some(mock) = &options.mock {
        context_values.insert("mock".into(), value_of(mock));
    }
    // Under `--mock`, the only origin anything is sent to.
    let mock_url = options
        .mock
        .as_ref()
        .and_then(|m| m.get("url"))
        .and_then(|u| u.as_str())
        .and_then(|u| url::Url::parse(u).ok());
    let mut known: BTreeSet<String> = BUILTIN_NAMES.iter().map(|s| s.to_string()).collect();
    known.extend(v.engine.global_names().map(str::to_owned));
    if options.mock.is_none() {
        known.remove("mock");
    }

    // Suite variables, then the environment's: both may use env.*, secret.* and earlier ones.
    let mut env_values = BTreeMap::new();
    let mut secret_values = BTreeMap::new();
    let mut all_vars: Vec<&(Spanned<String>, Node)> = suite.vars.iter().collect();
    if let Some(env) = env_def {
        all_vars.extend(env.vars.iter());
    }
    let mut profiles_src: BTreeMap<String, &AuthProfile> = BTreeMap::new();
    for p in suite
        .auth
        .iter()
        .chain(env_def.map(|e| e.auth.as_slice()).unwrap_or_default())
    {
        profiles_src.insert(p.name.value.clone(), p);
    }

    // First pass: every env.X / secret.X the selected configuration and scenarios use.
    let mut used: Vec<(String, Span)> = Vec::new();
    for (_, node) in &all_vars {
        v.collect_node_names(node, &mut used);
    }
    for profile in profiles_src.values() {
        for t in profile_templates(&profile.kind) {
            v.collect_names(t, &mut used);
        }
    }
    v.lookup_all(&used, &mut env_values, &mut secret_values);
    let mut needs = Needs::default();
    for (name, node) in &all_vars {
        let names = v.names_in_node(node);
        needs.vars.insert(name.value.clone(), split_names(&names));
    }
    for (name, profile) in &profiles_src {
        let names = v.names_in(profile_templates(&profile.kind).into_iter().cloned());
        needs.profiles.insert(name.clone(), split_names(&names));
    }
    if let Some(profile) = &options.only_profile {
        needs.used_profiles.insert(profile.clone());
    }
    // Noting what each variable and profile reads as it renders: only the branch taken.
    let env_reads = Tracked::new(env_values.clone());
    let secret_reads = Tracked::new(secret_values.clone());
    context_values.insert("env".into(), Value::from_dyn_object(env_reads.clone()));
    context_values.insert("secret".into(), Value::from_dyn_object(secret_reads.clone()));
    let take_reads = || {
        let mut read = env_reads.take_seen();
        read.append(&mut secret_reads.take_seen());
        read
    };

    let mut url_texts: Vec<String> = Vec::new();
    // Variables that render to a URL that cannot be meant, reported once each.
    let mut malformed_urls: Vec<String> = Vec::new();
    let mut context = Context::new(context_values);
    // Values from the command line first: the suite's variables may use them.
    // As with environment variables, a blank value is no value.
    let (overrides, blank): (Vec<_>, Vec<_>) = options.overrides.iter().partition(|(_, v)| !v.trim().is_empty());
    for (name, _) in blank {
        v.diags.push(Diagnostic::warning(
            format!("`{name}` is given blank (--var or --vars-file): a blank value counts as not set"),
            None,
        ));
    }
    for (name, value) in &overrides {
        url_texts.push(value.clone());
        context.insert(name, Value::from(value.clone()));
        known.insert(name.clone());
    }
    for (name, node) in all_vars {
        v.check_node(node, &known);
        if overrides.iter().any(|(n, _)| *n == name.value) {
            known.insert(name.value.clone());
            continue;
        }
        let rendered = v.engine.render_node(node, &context);
        needs.read.insert(name.value.clone(), take_reads());
        match rendered {
            Ok(value) => {
                if let serde_json::Value::String(text) = &value
                    && let Some(shape) = url_shape::malformed(text, node.as_scalar().unwrap_or_default())
                {
                    malformed_urls.push(text.trim().to_owned());
                    let reads = needs
                        .vars
                        .get(&name.value)
                        .map(|(_, env)| env.iter().cloned().collect::<Vec<_>>());
                    v.diags.push(url_shape::diagnostic(
                        &name.value,
                        shape,
                        node.span,
                        &reads.unwrap_or_default(),
                        &env_values,
                        &secret_values,
                    ));
                }
                hosts::strings(&value, &mut url_texts);
                context.insert(&name.value, value_of(&value));
            }
            Err(e) if !v.missing_env.is_empty() => drop(e),
            Err(e) => v.diags.push(Diagnostic::error(
                format!("cannot render `{}`: {e}", name.value),
                node.span,
            )),
        }
        known.insert(name.value.clone());
    }

    // Auth profiles, rendered now so their secrets are known before anything is printed. A
    // profile whose variables are not set is left out; it is an error only if it is used.
    let mut profiles = BTreeMap::new();
    for (name, profile) in &profiles_src {
        for t in profile_templates(&profile.kind) {
            v.check_template(t, &known);
        }
        let lacks_variables = needs.profiles.get(name).is_some_and(|(vars, env)| {
            env.iter().any(|e| v.missing_env.contains_key(e)) || vars.iter().any(|var| !context.contains(var))
        });
        let before = v.diags.len();
        let rendered = v.render_profile(profile, &context);
        needs.read.insert(format!("auth.{name}"), take_reads());
        if v.diags.len() > before && lacks_variables {
            // Unset variables: the profile is left out, an error only if it is used.
            v.diags.truncate(before);
            continue;
        }
        if let Some(creds) = rendered {
            if let Some(mock) = &mock_url {
                v.refuse_other_profile_origins(&hosts::profile_urls(&creds), profile.name.span, mock);
            }
            if let (Credentials::ClientCredentials(cc), AuthKind::ClientCredentials(written)) = (&creds, &profile.kind)
            {
                let urls = [(&cc.token_url, &written.token_url), (&cc.issuer, &written.issuer)];
                for (rendered, template) in urls {
                    let (Some(rendered), Some(template)) = (rendered, template) else {
                        continue;
                    };
                    // Made of a variable already reported: one cause, one report.
                    let reported = malformed_urls.iter().any(|u| rendered.trim().starts_with(u.as_str()));
                    if let Some(shape) = url_shape::malformed(rendered, &template.text)
                        && !reported
                    {
                        let reads: Vec<String> = needs
                            .profiles
                            .get(name)
                            .map(|(_, env)| env.iter().cloned().collect())
                            .unwrap_or_default();
                        v.diags.push(url_shape::diagnostic(
                            &format!("auth.{name}"),
                            shape,
                            template.span,
                            &reads,
                            &env_values,
                            &secret_values,
                        ));
                    }
                }
            }
            if let Credentials::ClientCredentials(cc) = &creds
                && cc.token_url.is_none()
                && cc.issuer.is_none()
            {
                v.diags.push(Diagnostic::error(
                    format!("auth profile `{name}` has neither a token_url nor an issuer (both are empty)"),
                    profile.name.span,
                ));
            }
            profiles.insert(name.clone(), creds);
        }
    }
    let default_auth = suite.defaults.auth.as_ref().map(|a| a.value.clone());
    if let Some(a) = &suite.defaults.auth {
        v.check_profile_ref(&AuthRef::Profile(a.value.clone()), a.span, &profiles_src);
    }

    // The suite's set-up and teardown, checked first: the set-up's captures are names every
    // scenario (and the teardown) may read.
    let setup = setup_scenario(&suite, &sources);
    let teardown = teardown_scenario(&suite, &sources);
    if let Some(setup) = &setup {
        v.check_scenario(setup, &known, &profiles_src);
    }
    // What the set-up and teardown read is read as a scenario's is: one resolution for
    // every step, wherever it stands.
    for steps in [&setup, &teardown].into_iter().flatten() {
        used.clear();
        v.collect_scenario_names(steps, &mut used);
        v.lookup_all(&used, &mut env_values, &mut secret_values);
    }
    let setup_captures = setup.as_ref().map(captured_names).unwrap_or_default();
    known.extend(setup_captures.iter().cloned());
    if let Some(teardown) = &teardown {
        v.check_scenario(teardown, &known, &profiles_src);
    }

    let mut names_seen: HashMap<String, Span> = HashMap::new();
    let mut planned: Vec<PlannedScenario> = Vec::new();
    // Decided before decoding, so a large suite never holds more than the files in flight.
    let source_bytes: usize = scenario_files.iter().map(|&f| sources.len(f)).sum();
    let keeping = source_bytes <= KEEP_DECODED_BYTES;
    // Row files are read while `sources` is lent to the decoding, and join it afterwards.
    let mut row_files = SourceMap::after(&sources);
    let mut unselected_row_files: Vec<PathBuf> = Vec::new();
    // Scenarios are decoded (on another thread) and checked one at a time, never all held
    // at once, so a suite of any size is validated in the memory of a few files.
    decode_each(&scenario_files, &sources, |scenario, mut diags| {
        diagnostics.append(&mut diags);
        let Some(scenario) = scenario else {
            return;
        };
        used.clear();
        v.collect_scenario_names(&scenario, &mut used);
        v.lookup_all(&used, &mut env_values, &mut secret_values);
        if let Some(first) = names_seen.get(&scenario.name.value) {
            v.diags.push(
                Diagnostic::error(
                    format!("two scenarios are named `{}`", scenario.name.value),
                    scenario.name.span,
                )
                .with_help(format!("the other is at {}", sources.location(*first))),
            );
        } else {
            names_seen.insert(scenario.name.value.clone(), scenario.name.span);
        }
        if !options.selection.takes(&scenario) {
            // A run needs only what it selects: a scenario left out is not checked (`validate`
            // selects every one). Its YAML row file is still data, not a scenario.
            unselected_row_files.extend(row_file(&scenario));
            return;
        }
        let rows = read_rows(&scenario, &sources, &mut row_files, &mut v.diags);
        match &rows {
            Some(rows) => {
                let mut with_fields = known.clone();
                with_fields.extend(rows.field_names());
                if let Some(template) = &scenario.row_name {
                    v.check_template(template, &with_fields);
                }
                v.check_scenario(&scenario, &with_fields, &profiles_src);
            }
            None => v.check_scenario(&scenario, &known, &profiles_src),
        }
        v.diags.extend(refuse_shadowing(&scenario, &setup_captures));
        if options.only_profile.is_none() {
            note_needs(&mut v, &scenario, default_auth.as_deref(), &mut needs);
        }
        if let Some(mock) = &mock_url {
            v.refuse_other_origins(&scenario, &context, mock);
        }
        if let Some(environment) = &read_only {
            v.diags.extend(writes::refuse_writes(&scenario, environment));
        }
        match rows {
            Some(rows) => {
                check_row_names(&rows, &row_files, &v.engine, &context, &mut v.diags);
                planned.push(PlannedScenario::with_rows(scenario, keeping, &sources, rows));
            }
            None => planned.push(PlannedScenario::new(scenario, keeping, &sources)),
        }
    });
    forget_row_files_as_scenarios(
        row_files
            .files()
            .map(|(_, p)| p)
            .chain(unselected_row_files.iter().map(PathBuf::as_path)),
        &sources,
        &mut diagnostics,
    );
    // Set-up and teardown run when some scenario does.
    if !planned.is_empty() {
        for (scenario, role) in [(setup, Role::SetUp), (teardown, Role::TearDown)] {
            let Some(scenario) = scenario else { continue };
            if options.only_profile.is_none() {
                note_needs(&mut v, &scenario, default_auth.as_deref(), &mut needs);
            }
            if let Some(environment) = &read_only {
                v.diags.extend(writes::refuse_writes(&scenario, environment));
            }
            if let Some(mock) = &mock_url {
                v.refuse_other_origins(&scenario, &context, mock);
            }
            let planned_steps = PlannedScenario::suite_steps(scenario, role, &sources);
            match role {
                Role::SetUp => planned.insert(0, planned_steps),
                _ => planned.push(planned_steps),
            }
        }
    }
    sources.append(row_files);
    let rendered = |name: &str| match name.strip_prefix("auth.") {
        Some(profile) => profiles.contains_key(profile),
        None => context.contains(name),
    };
    let missing_needed = needs.environment_variables(rendered);
    v.report_missing(&missing_needed, options.missing_variables_are_warnings);
    if let Some(note) = own_authorization_note(&needs.own_authorization) {
        v.diags.push(note);
    }
    let mut variables = Variables {
        needed: needs
            .environment_variables(rendered)
            .into_iter()
            .filter(|var| v.required_env.contains(var) || !v.missing_env.contains_key(var))
            .collect(),
        missing: missing_needed
            .into_iter()
            .filter(|var| v.missing_env.contains_key(var) && v.required_env.contains(var))
            .collect(),
        blank: BTreeMap::new(),
    };
    variables.blank = v
        .blank_env
        .iter()
        .filter(|(var, _)| variables.missing.contains(var))
        .map(|(var, place)| (var.clone(), place.clone()))
        .collect();
    // Scenarios may use environment variables the suite does not: make them visible too.
    let context = context
        .with("env", Value::from(env_values))
        .with("secret", Value::from(secret_values));
    diagnostics.append(&mut v.diags);
    let sources = Arc::new(sources);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(PlanError {
            sources,
            diagnostics,
            redactor: v.redactor,
        });
    }
    if let Some(mock) = &options.mock {
        hosts::strings(mock, &mut url_texts);
        // The mock's own address is what a mock run sends to; the rest are its names.
        url_texts.retain(|u| {
            mock.get("url")
                .and_then(|m| m.as_str())
                .is_some_and(|m| u.starts_with(m))
        });
    }
    let mut urls: Vec<&str> = url_texts.iter().map(String::as_str).collect();
    urls.extend(profiles.values().flat_map(hosts::profile_urls));
    Ok(Plan {
        variables,
        hosts: hosts::origins(urls),
        note: None,
        run_id: options.run_id.clone(),
        warnings: diagnostics,
        sources,
        environment,
        timeout: suite.defaults.timeout.unwrap_or(DEFAULT_TIMEOUT),
        tls: suite.tls,
        limits: suite.limits,
        profiles,
        default_auth,
        context,
        run_starts: planned
            .iter()
            .scan(0, |next, p| {
                let start = *next;
                *next += p.runs();
                Some(start)
            })
            .collect(),
        scenarios: planned,
        schemas: v.schemas,
        redactor: v.redactor,
        engine: Arc::new(v.engine),
        paths: v.paths,
        setup_captures,
        confined_to: mock_url,
        profile_spans: profiles_src
            .iter()
            .map(|(name, p)| (name.clone(), p.name.span))
            .collect(),
    })
}

/// One note for every step that writes its own `Authorization` header where a profile
/// would apply: the step's header is sent, the profile's is not.
fn own_authorization_note(steps: &[(Option<Span>, String)]) -> Option<Diagnostic> {
    let (span, profile) = steps.first()?;
    let more = match steps.len() {
        1 => String::new(),
        n => format!(" (and {} more step{})", n - 1, if n == 2 { "" } else { "s" }),
    };
    Some(
        Diagnostic::note(
            format!("this step writes its own `Authorization` header{more}: it is sent as written, and the auth profile `{profile}` is not"),
            *span,
        )
        .with_label("the step's own credentials")
        .with_help("to send the profile's credentials instead, remove the header; to say the step needs none, write `auth: none`"),
    )
}

/// What a selected scenario reads: the names in its templates, and the profiles its steps use.
fn note_needs(v: &mut Validator, scenario: &Scenario, default_auth: Option<&str>, needs: &mut Needs) {
    let mut names = BTreeSet::new();
    for (_, node) in &scenario.vars {
        names.extend(v.names_in_node(node));
    }
    for step in scenario.steps.iter().chain(&scenario.finally) {
        names.extend(v.names_in(step_templates(step)));
        needs
            .used_profiles
            .extend(step.profile(scenario, default_auth).map(str::to_owned));
        if step.own_authorization().is_some()
            && let Some(profile) = step.profile_ignoring_own_header(scenario, default_auth)
        {
            needs
                .own_authorization
                .push((step.own_authorization().map(|h| h.span), profile.to_owned()));
        }
    }
    let (vars, env) = split_names(&names);
    needs.used_vars.extend(vars);
    needs.used_env.extend(env);
}
