//! The state of planning as it goes, phase by phase: the environment's variables looked up
//! and rendered, the auth profiles rendered, the set-up and teardown checked, and each
//! scenario checked and planned as it is decoded.

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
use crate::plan::run_plan::{DEFAULT_TIMEOUT, Plan, PlanOptions, Variables};
use crate::plan::suite_steps::{captured_names, refuse_shadowing, setup_scenario, teardown_scenario};
use crate::plan::validator::Validator;
use crate::plan::{hosts, url_shape, writes};
use crate::scenario::model::{AuthKind, AuthProfile, Scenario, Spanned, Suite};
use crate::scenario::templates::{profile_templates, step_templates};
use crate::source::{FileId, SourceMap, Span};
use crate::template::{BUILTIN_NAMES, Context, value_of};
use crate::yaml::Node;

/// What planning knows as it goes: the environment chosen, the names every template may
/// use, what each variable and profile reads, and the problems found so far (in `v`).
pub(super) struct Planning<'s> {
    pub(super) options: &'s PlanOptions,
    /// The environment chosen, if any.
    pub(super) environment: Option<String>,
    pub(super) v: Validator,
    /// Suite variables, then the environment's: both may use env.*, secret.* and earlier ones.
    pub(super) all_vars: Vec<&'s (Spanned<String>, Node)>,
    /// The auth profiles of the suite and the environment (the environment's win).
    pub(super) profiles_src: BTreeMap<String, &'s AuthProfile>,
    /// The name of a read-only environment (`writes: false`).
    pub(super) read_only: Option<String>,
    /// Under `--mock`, the only origin anything is sent to.
    pub(super) mock_url: Option<url::Url>,
    pub(super) known: BTreeSet<String>,
    pub(super) used: Vec<(String, Span)>,
    pub(super) env_values: BTreeMap<String, Value>,
    pub(super) secret_values: BTreeMap<String, Value>,
    /// Noting what each variable and profile reads as it renders: only the branch taken.
    pub(super) env_reads: Arc<Tracked>,
    pub(super) secret_reads: Arc<Tracked>,
    pub(super) needs: Needs,
    pub(super) context: Context,
    pub(super) profiles: BTreeMap<String, Credentials>,
    pub(super) url_texts: Vec<String>,
    /// Variables that render to a URL that cannot be meant, reported once each.
    pub(super) malformed_urls: Vec<String>,
    /// What the suite's set-up captures: names every scenario and the teardown may read.
    pub(super) setup_captures: Vec<String>,
}

impl<'s> Planning<'s> {
    pub(super) fn new(v: Validator, suite: &'s Suite, environment: Option<&str>, options: &'s PlanOptions) -> Self {
        let env_def = environment.and_then(|name| suite.environments.iter().find(|e| e.name.value == name));
        // The environment's own `writes:`, else the suite default; the name when read-only.
        let read_only = env_def
            .and_then(|e| e.writes)
            .or(suite.defaults.writes)
            .is_some_and(|writes| !writes)
            .then(|| environment.unwrap_or_default().to_owned());
        let mut all_vars: Vec<&(Spanned<String>, Node)> = suite.vars.iter().collect();
        let mut profiles_src: BTreeMap<String, &AuthProfile> = BTreeMap::new();
        for p in suite.auth.iter() {
            profiles_src.insert(p.name.value.clone(), p);
        }
        if let Some(env) = env_def {
            all_vars.extend(env.vars.iter());
            for p in &env.auth {
                profiles_src.insert(p.name.value.clone(), p);
            }
        }
        let mock_url = (options.mock.as_ref())
            .and_then(|m| m.get("url"))
            .and_then(|u| u.as_str())
            .and_then(|u| url::Url::parse(u).ok());
        let mut known: BTreeSet<String> = BUILTIN_NAMES.iter().map(|s| s.to_string()).collect();
        known.extend(v.engine.global_names().map(str::to_owned));
        if options.mock.is_none() {
            known.remove("mock");
        }
        Planning {
            options,
            environment: environment.map(str::to_owned),
            v,
            all_vars,
            profiles_src,
            read_only,
            mock_url,
            known,
            used: Vec::new(),
            env_values: BTreeMap::new(),
            secret_values: BTreeMap::new(),
            env_reads: Tracked::new(BTreeMap::new()),
            secret_reads: Tracked::new(BTreeMap::new()),
            needs: Needs::default(),
            context: Context::new(BTreeMap::new()),
            profiles: BTreeMap::new(),
            url_texts: Vec::new(),
            malformed_urls: Vec::new(),
            setup_captures: Vec::new(),
        }
    }

    /// Every env.X / secret.X the variables and profiles use, looked up; what each of them
    /// names; and the context every template starts from.
    pub(super) fn look_up_environment_variables(&mut self) {
        for (_, node) in &self.all_vars {
            self.v.collect_node_names(node, &mut self.used);
        }
        for profile in self.profiles_src.values() {
            for t in profile_templates(&profile.kind) {
                self.v.collect_names(t, &mut self.used);
            }
        }
        self.v
            .lookup_all(&self.used, &mut self.env_values, &mut self.secret_values);
        for (name, node) in &self.all_vars {
            let names = self.v.names_in_node(node);
            self.needs.vars.insert(name.value.clone(), split_names(&names));
        }
        for (name, profile) in &self.profiles_src {
            let names = self.v.names_in(profile_templates(&profile.kind).into_iter().cloned());
            self.needs.profiles.insert(name.clone(), split_names(&names));
        }
        if let Some(profile) = &self.options.only_profile {
            self.needs.used_profiles.insert(profile.clone());
        }
        self.env_reads = Tracked::new(self.env_values.clone());
        self.secret_reads = Tracked::new(self.secret_values.clone());
        let mut values: BTreeMap<String, Value> = BTreeMap::new();
        let run = serde_json::json!({ "id": self.options.run_id, "env": self.environment });
        values.insert("run".into(), value_of(run));
        if let Some(mock) = &self.options.mock {
            values.insert("mock".into(), value_of(mock));
        }
        values.insert("env".into(), Value::from_dyn_object(self.env_reads.clone()));
        values.insert("secret".into(), Value::from_dyn_object(self.secret_reads.clone()));
        self.context = Context::new(values);
    }

    /// The environment variables rendering looked up since the last call.
    pub(super) fn take_reads(&self) -> BTreeSet<String> {
        let mut read = self.env_reads.take_seen();
        read.append(&mut self.secret_reads.take_seen());
        read
    }

    /// Values from the command line first (the suite's variables may use them; a blank one
    /// is no value), then each suite and environment variable, rendered in order.
    pub(super) fn render_variables(&mut self) {
        let (overrides, blank): (Vec<_>, Vec<_>) =
            (self.options.overrides.iter()).partition(|(_, v)| !v.trim().is_empty());
        for (name, _) in blank {
            self.v.diags.push(Diagnostic::warning(
                format!("`{name}` is given blank (--var or --vars-file): a blank value counts as not set"),
                None,
            ));
        }
        for (name, value) in &overrides {
            self.url_texts.push(value.clone());
            self.context.insert(name, Value::from(value.clone()));
            self.known.insert(name.clone());
        }
        for (name, node) in self.all_vars.clone() {
            self.v.check_node(node, &self.known);
            if !overrides.iter().any(|(n, _)| *n == name.value) {
                self.render_variable(&name.value, node);
            }
            self.known.insert(name.value.clone());
        }
    }

    pub(super) fn render_variable(&mut self, name: &str, node: &Node) {
        let rendered = self.v.engine.render_node(node, &self.context);
        let reads = self.take_reads();
        self.needs.read.insert(name.to_owned(), reads);
        match rendered {
            Ok(value) => {
                if let serde_json::Value::String(text) = &value
                    && let Some(shape) = url_shape::malformed(text, node.as_scalar().unwrap_or_default())
                {
                    self.malformed_urls.push(text.trim().to_owned());
                    let reads = self
                        .needs
                        .vars
                        .get(name)
                        .map(|(_, env)| env.iter().cloned().collect::<Vec<_>>());
                    self.v.diags.push(url_shape::diagnostic(
                        name,
                        shape,
                        node.span,
                        &reads.unwrap_or_default(),
                        &self.env_values,
                        &self.secret_values,
                    ));
                }
                hosts::strings(&value, &mut self.url_texts);
                self.context.insert(name, value_of(&value));
            }
            Err(e) if !self.v.missing_env.is_empty() => drop(e),
            Err(e) => (self.v.diags).push(Diagnostic::error(format!("cannot render `{name}`: {e}"), node.span)),
        }
    }

    /// Auth profiles, rendered now so their secrets are known before anything is printed. A
    /// profile whose variables are not set is left out; it is an error only if it is used.
    pub(super) fn render_profiles(&mut self) {
        for (name, profile) in self.profiles_src.clone() {
            for t in profile_templates(&profile.kind) {
                self.v.check_template(t, &self.known);
            }
            let lacks_variables = self.needs.profiles.get(&name).is_some_and(|(vars, env)| {
                env.iter().any(|e| self.v.missing_env.contains_key(e))
                    || vars.iter().any(|var| !self.context.contains(var))
            });
            let before = self.v.diags.len();
            let rendered = self.v.render_profile(profile, &self.context);
            let reads = self.take_reads();
            self.needs.read.insert(format!("auth.{name}"), reads);
            if self.v.diags.len() > before && lacks_variables {
                // Unset variables: the profile is left out, an error only if it is used.
                self.v.diags.truncate(before);
                continue;
            }
            if let Some(creds) = rendered {
                self.check_profile(&name, profile, &creds);
                self.profiles.insert(name, creds);
            }
        }
    }

    /// A rendered profile's URLs: to the mock only under `--mock`, of a shape someone meant,
    /// and at least one of token_url and issuer.
    pub(super) fn check_profile(&mut self, name: &str, profile: &AuthProfile, creds: &Credentials) {
        if let Some(mock) = &self.mock_url {
            self.v
                .refuse_other_profile_origins(&hosts::profile_urls(creds), profile.name.span, mock);
        }
        let (Credentials::ClientCredentials(cc), AuthKind::ClientCredentials(written)) = (creds, &profile.kind) else {
            return;
        };
        let urls = [(&cc.token_url, &written.token_url), (&cc.issuer, &written.issuer)];
        for (rendered, template) in urls {
            let (Some(rendered), Some(template)) = (rendered, template) else {
                continue;
            };
            // Made of a variable already reported: one cause, one report.
            let reported = self
                .malformed_urls
                .iter()
                .any(|u| rendered.trim().starts_with(u.as_str()));
            if let Some(shape) = url_shape::malformed(rendered, &template.text)
                && !reported
            {
                let reads: Vec<String> = (self.needs.profiles.get(name))
                    .map(|(_, env)| env.iter().cloned().collect())
                    .unwrap_or_default();
                self.v.diags.push(url_shape::diagnostic(
                    &format!("auth.{name}"),
                    shape,
                    template.span,
                    &reads,
                    &self.env_values,
                    &self.secret_values,
                ));
            }
        }
        if cc.token_url.is_none() && cc.issuer.is_none() {
            self.v.diags.push(Diagnostic::error(
                format!("auth profile `{name}` has neither a token_url nor an issuer (both are empty)"),
                profile.name.span,
            ));
        }
    }

    /// The suite's set-up and teardown, checked first: the set-up's captures are names every
    /// scenario (and the teardown) may read. What they read is read as a scenario's is.
    pub(super) fn check_suite_steps(
        &mut self,
        suite: &Suite,
        sources: &SourceMap,
    ) -> (Option<Scenario>, Option<Scenario>) {
        let setup = setup_scenario(suite, sources);
        let teardown = teardown_scenario(suite, sources);
        self.v.check_redactions(&suite.defaults.redact);
        if let Some(setup) = &setup {
            self.v.check_scenario(setup, &self.known, &self.profiles_src);
        }
        for steps in [&setup, &teardown].into_iter().flatten() {
            self.look_up_names_of(steps);
        }
        self.setup_captures = setup.as_ref().map(captured_names).unwrap_or_default();
        self.known.extend(self.setup_captures.iter().cloned());
        if let Some(teardown) = &teardown {
            self.v.check_scenario(teardown, &self.known, &self.profiles_src);
        }
        (setup, teardown)
    }

    pub(super) fn look_up_names_of(&mut self, scenario: &Scenario) {
        self.used.clear();
        self.v.collect_scenario_names(scenario, &mut self.used);
        self.v
            .lookup_all(&self.used, &mut self.env_values, &mut self.secret_values);
    }

    /// One decoded scenario: checked if selected, and planned with its data rows.
    pub(super) fn take_scenario(&mut self, scenario: Scenario, sources: &SourceMap, intake: &mut Intake) {
        self.look_up_names_of(&scenario);
        if let Some(first) = intake.names_seen.get(&scenario.name.value) {
            self.v.diags.push(
                Diagnostic::error(
                    format!("two scenarios are named `{}`", scenario.name.value),
                    scenario.name.span,
                )
                .with_help(format!("the other is at {}", sources.location(*first))),
            );
        } else {
            intake
                .names_seen
                .insert(scenario.name.value.clone(), scenario.name.span);
        }
        if !self.options.selection.takes(&scenario) {
            // A run needs only what it selects: a scenario left out is not checked (`validate`
            // selects every one). Its YAML row file is still data, not a scenario.
            intake.unselected_row_files.extend(row_file(&scenario));
            return;
        }
        let rows = read_rows(&scenario, sources, &mut intake.row_files, &mut self.v.diags);
        match &rows {
            Some(rows) => {
                let mut with_fields = self.known.clone();
                with_fields.extend(rows.field_names());
                if let Some(template) = &scenario.row_name {
                    self.v.check_template(template, &with_fields);
                }
                self.v.check_scenario(&scenario, &with_fields, &self.profiles_src);
            }
            None => self.v.check_scenario(&scenario, &self.known, &self.profiles_src),
        }
        self.v.diags.extend(refuse_shadowing(&scenario, &intake.setup_captures));
        self.check_scenario_sends(&scenario, intake.default_auth.as_deref());
        let keeping = intake.keeping;
        match rows {
            Some(rows) => {
                check_row_names(
                    &rows,
                    &intake.row_files,
                    &self.v.engine,
                    &self.context,
                    &mut self.v.diags,
                );
                (intake.planned).push(PlannedScenario::with_rows(scenario, keeping, sources, rows));
            }
            None => intake.planned.push(PlannedScenario::new(scenario, keeping, sources)),
        }
    }

    /// What a planned scenario (or set-up, or teardown) will send: the profiles and names it
    /// needs, nowhere but the mock under `--mock`, no write to a read-only environment.
    pub(super) fn check_scenario_sends(&mut self, scenario: &Scenario, default_auth: Option<&str>) {
        if self.options.only_profile.is_none() {
            note_needs(&mut self.v, scenario, default_auth, &mut self.needs);
        }
        if let Some(mock) = &self.mock_url {
            self.v.refuse_other_origins(scenario, &self.context, mock);
        }
        if let Some(environment) = &self.read_only {
            self.v.diags.extend(writes::refuse_writes(scenario, environment));
        }
    }

    /// The environment variables the selection reads, those of them not set (an error, or a
    /// warning for `list`), and where a blank one was set.
    pub(super) fn variables(&mut self) -> Variables {
        let rendered = |name: &str| match name.strip_prefix("auth.") {
            Some(profile) => self.profiles.contains_key(profile),
            None => self.context.contains(name),
        };
        let missing_needed = self.needs.environment_variables(rendered);
        let needed = self.needs.environment_variables(rendered);
        self.v
            .report_missing(&missing_needed, self.options.missing_variables_are_warnings);
        if let Some(note) = own_authorization_note(&self.needs.own_authorization) {
            self.v.diags.push(note);
        }
        let v = &self.v;
        let missing: Vec<String> = missing_needed
            .into_iter()
            .filter(|var| v.missing_env.contains_key(var) && v.required_env.contains(var))
            .collect();
        Variables {
            needed: needed
                .into_iter()
                .filter(|var| v.required_env.contains(var) || !v.missing_env.contains_key(var))
                .collect(),
            blank: (v.blank_env.iter())
                .filter(|(var, _)| missing.contains(var))
                .map(|(var, place)| (var.clone(), place.clone()))
                .collect(),
            missing,
        }
    }

    /// The plan, once every check has passed.
    pub(super) fn into_plan(
        mut self,
        suite: &Suite,
        sources: Arc<SourceMap>,
        warnings: Vec<Diagnostic>,
        planned: Vec<PlannedScenario>,
        variables: Variables,
    ) -> Plan {
        let hosts = self.hosts();
        let Planning {
            options,
            environment,
            v,
            profiles,
            profiles_src,
            context,
            env_values,
            secret_values,
            mock_url,
            setup_captures,
            ..
        } = self;
        // Scenarios may use environment variables the suite does not: make them visible too.
        let context = context
            .with("env", Value::from(env_values))
            .with("secret", Value::from(secret_values));
        Plan {
            root: suite.dir.clone(),
            snapshot_environment: environment.clone().filter(|_| suite.defaults.snapshots_by_environment),
            shard: None,
            selection_id: String::new(),
            variables,
            hosts,
            note: None,
            run_id: options.run_id.clone(),
            warnings,
            sources,
            environment,
            timeout: suite.defaults.timeout.unwrap_or(DEFAULT_TIMEOUT),
            tls: suite.tls.clone(),
            limits: suite.limits,
            profiles,
            default_auth: suite.defaults.auth.as_ref().map(|a| a.value.clone()),
            redact: suite.defaults.redact.clone(),
            context,
            run_starts: run_starts(&planned),
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
        }
    }

    /// The origins the run sends to: variables that are URLs, and the profiles' endpoints.
    pub(super) fn hosts(&mut self) -> Vec<String> {
        if let Some(mock) = &self.options.mock {
            hosts::strings(mock, &mut self.url_texts);
            // The mock's own address is what a mock run sends to; the rest are its names.
            let mock_url = mock.get("url").and_then(|m| m.as_str());
            self.url_texts.retain(|u| mock_url.is_some_and(|m| u.starts_with(m)));
        }
        let mut urls: Vec<&str> = self.url_texts.iter().map(String::as_str).collect();
        urls.extend(self.profiles.values().flat_map(hosts::profile_urls));
        hosts::origins(urls)
    }
}

/// The scenarios as they are decoded: planned, their names, their data rows.
pub(super) struct Intake {
    pub(super) planned: Vec<PlannedScenario>,
    pub(super) names_seen: HashMap<String, Span>,
    /// Decided before decoding, so a large suite never holds more than the files in flight.
    pub(super) keeping: bool,
    /// Row files are read while `sources` is lent to the decoding, and join it afterwards.
    pub(super) row_files: SourceMap,
    pub(super) unselected_row_files: Vec<PathBuf>,
    pub(super) default_auth: Option<String>,
    pub(super) setup_captures: Vec<String>,
}

impl Intake {
    pub(super) fn new(
        files: &[FileId],
        sources: &SourceMap,
        default_auth: Option<&str>,
        setup_captures: Vec<String>,
    ) -> Self {
        let source_bytes: usize = files.iter().map(|&f| sources.len(f)).sum();
        Intake {
            planned: Vec::new(),
            names_seen: HashMap::new(),
            keeping: source_bytes <= KEEP_DECODED_BYTES,
            row_files: SourceMap::after(sources),
            unselected_row_files: Vec::new(),
            default_auth: default_auth.map(str::to_owned),
            setup_captures,
        }
    }

    /// The planned scenarios and the row files read (to join the sources); a YAML row file that is data, not a scenario, is no longer reported as one.
    pub(super) fn finish(
        self,
        sources: &SourceMap,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> (Vec<PlannedScenario>, SourceMap) {
        let left_out = self.row_files.files().map(|(_, path)| path);
        let left_out = left_out.chain(self.unselected_row_files.iter().map(PathBuf::as_path));
        forget_row_files_as_scenarios(left_out, sources, diagnostics);
        (self.planned, self.row_files)
    }
}

/// The number of the first run of each planned scenario (`Plan::run_starts`).
fn run_starts(planned: &[PlannedScenario]) -> Vec<usize> {
    planned
        .iter()
        .scan(0, |next, p| {
            let start = *next;
            *next += p.runs();
            Some(start)
        })
        .collect()
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
