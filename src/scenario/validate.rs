//! From loaded files to a plan: the environment chosen, names resolved, every template,
//! JSONPath and schema checked, and the scenarios selected. Nothing is sent before this
//! succeeds, and it reports every problem it finds, not the first.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use minijinja::Value;

use crate::auth::Credentials;
use crate::diag::{Diagnostic, did_you_mean};
use crate::redact::Redactor;
use crate::scenario::load::{Loaded, decode_each};
use crate::scenario::model::{
    AuthKind, AuthProfile, AuthRef, CaptureSource, Follow, Scenario, Spanned, Step, Suite, Template, Tls,
};
use crate::scenario::planned::{KEEP_DECODED_BYTES, PlannedScenario};
use crate::scenario::select::selected;
use crate::scenario::templates::{for_each_template, profile_templates, step_templates};
use crate::source::{SourceMap, Span};
use crate::template::{BUILTIN_NAMES, Context, TemplateEngine};
use crate::yaml::Node;

/// How long a request may take when neither the step nor the suite says.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// `--env NAME`.
    pub environment: Option<String>,
    /// Set by `--mock`: what the scenarios see as `mock.*` (url, tenant, …).
    pub mock: Option<serde_json::Value>,
    pub tags: Vec<String>,
    pub name_globs: Vec<String>,
    pub shard: Option<crate::scenario::shard::Shard>,
    pub run_id: String,
}

/// A validated run, ready to execute.
pub struct Plan {
    pub run_id: String,
    pub warnings: Vec<Diagnostic>,
    pub sources: Arc<SourceMap>,
    pub environment: Option<String>,
    pub timeout: Duration,
    pub tls: Tls,
    pub limits: crate::scenario::model::Limits,
    pub profiles: BTreeMap<String, Credentials>,
    pub default_auth: Option<String>,
    pub context: Context,
    pub scenarios: Vec<PlannedScenario>,
    pub schemas: HashMap<PathBuf, Arc<jsonschema::Validator>>,
    pub redactor: Redactor,
    pub engine: Arc<TemplateEngine>,
    pub paths: crate::expect::paths::JsonPaths,
}

/// Why a plan could not be made: every problem, with what is needed to show them safely.
impl Plan {
    /// The decoded scenario at `index`.
    pub fn scenario(&self, index: usize) -> Option<Arc<Scenario>> {
        self.scenarios.get(index)?.get(&self.sources)
    }
}

pub struct PlanError {
    pub sources: Arc<SourceMap>,
    pub diagnostics: Vec<Diagnostic>,
    pub redactor: Redactor,
}

pub fn plan(loaded: Loaded, options: &PlanOptions) -> Result<Plan, PlanError> {
    let Loaded {
        sources,
        suite,
        scenario_files,
        mut diagnostics,
    } = loaded;
    let mut v = Validator {
        names: HashMap::new(),
        engine: TemplateEngine::new(),
        diags: Vec::new(),
        missing_env: BTreeSet::new(),
        redactor: Redactor::default(),
        schemas: HashMap::new(),
        paths: Default::default(),
    };
    let suite = suite.unwrap_or_else(|| Suite {
        file: crate::source::FileId(u32::MAX),
        dir: PathBuf::from("."),
        defaults: Default::default(),
        vars: Vec::new(),
        tls: Tls::default(),
        limits: Default::default(),
        auth: Vec::new(),
        environments: Vec::new(),
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

    // The names every template may use before scenario variables are added.
    let mut context_values: BTreeMap<String, Value> = BTreeMap::new();
    context_values.insert(
        "run".into(),
        Value::from_serialize(serde_json::json!({
            "id": options.run_id,
            "env": environment,
        })),
    );
    if let Some(mock) = &options.mock {
        context_values.insert("mock".into(), Value::from_serialize(mock));
    }
    let mut known: BTreeSet<String> = BUILTIN_NAMES.iter().map(|s| s.to_string()).collect();
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
    context_values.insert("env".into(), Value::from(env_values.clone()));
    context_values.insert("secret".into(), Value::from(secret_values.clone()));

    let mut context = Context::new(context_values);
    for (name, node) in all_vars {
        v.check_node(node, &known);
        match v.engine.render_node(node, &context) {
            Ok(value) => context = context.with(&name.value, Value::from_serialize(&value)),
            Err(e) if !v.missing_env.is_empty() => drop(e),
            Err(e) => v.diags.push(Diagnostic::error(
                format!("cannot render `{}`: {e}", name.value),
                node.span,
            )),
        }
        known.insert(name.value.clone());
    }

    // Auth profiles, rendered now so their secrets are known before anything is printed.
    let mut profiles = BTreeMap::new();
    for (name, profile) in &profiles_src {
        for t in profile_templates(&profile.kind) {
            v.check_template(t, &known);
        }
        if v.missing_env.is_empty() {
            if let Some(creds) = v.render_profile(profile, &context) {
                profiles.insert(name.clone(), creds);
            }
        }
    }
    let default_auth = suite.defaults.auth.as_ref().map(|a| a.value.clone());
    if let Some(a) = &suite.defaults.auth {
        v.check_profile_ref(&AuthRef::Profile(a.value.clone()), a.span, &profiles_src);
    }

    let mut names_seen: HashMap<String, Span> = HashMap::new();
    let mut planned: Vec<PlannedScenario> = Vec::new();
    // Decided before decoding, so a large suite never holds more than the files in flight.
    let source_bytes: usize = scenario_files.iter().map(|&f| sources.get(f).text.len()).sum();
    let keeping = source_bytes <= KEEP_DECODED_BYTES;
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
        v.check_scenario(&scenario, &known, &profiles_src);
        if selected(&scenario, options) {
            planned.push(PlannedScenario::new(scenario, keeping));
        }
    });
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
    Ok(Plan {
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
        scenarios: planned,
        schemas: v.schemas,
        redactor: v.redactor,
        engine: Arc::new(v.engine),
        paths: v.paths,
    })
}

/// The names a template uses, or why it does not parse.
type NamesUsed = Result<BTreeSet<String>, crate::template::TemplateError>;

struct Validator {
    engine: TemplateEngine,
    /// Names each distinct template text uses: suites repeat the same templates a lot.
    names: HashMap<String, Rc<NamesUsed>>,
    diags: Vec<Diagnostic>,
    missing_env: BTreeSet<String>,
    redactor: Redactor,
    schemas: HashMap<PathBuf, Arc<jsonschema::Validator>>,
    /// Every static JSONPath, compiled once here and handed to the run.
    paths: crate::expect::paths::JsonPaths,
}

impl Validator {
    fn names_used(&mut self, text: &str) -> Rc<NamesUsed> {
        if let Some(found) = self.names.get(text) {
            return found.clone();
        }
        let found = Rc::new(self.engine.names_used(text));
        self.names.insert(text.to_owned(), found.clone());
        found
    }

    fn choose_environment(&mut self, suite: &Suite, options: &PlanOptions) -> Option<String> {
        let names: Vec<&str> = suite.environments.iter().map(|e| e.name.value.as_str()).collect();
        let wanted = match (&options.environment, &options.mock) {
            (Some(name), _) => Some(name.clone()),
            (None, Some(_)) => Some("mock".to_owned()),
            (None, None) => suite.defaults.environment.as_ref().map(|e| e.value.clone()),
        };
        let Some(wanted) = wanted.or_else(|| (names.len() == 1).then(|| names[0].to_owned())) else {
            if names.len() > 1 {
                self.diags.push(
                    Diagnostic::error("this suite has several environments: which one?", None).with_help(format!(
                        "pass --env NAME (one of: {}), or --mock; or set defaults.environment in k2check.yaml",
                        names.join(", ")
                    )),
                );
            }
            return None;
        };
        if options.mock.is_some() && options.environment.is_none() && !names.contains(&"mock") && !names.is_empty() {
            self.diags.push(
                Diagnostic::error("`--mock` runs the environment `mock`, and this suite has none", None).with_help(
                    format!(
                        "add an environment `mock` to k2check.yaml, or pass --env with one of: {}",
                        names.join(", ")
                    ),
                ),
            );
            return None;
        }
        if !names.is_empty() && !names.contains(&wanted.as_str()) {
            let mut diag = Diagnostic::error(format!("unknown environment `{wanted}`"), None);
            if let Some(close) = did_you_mean(&wanted, names.iter().copied()) {
                diag = diag.with_help(format!("did you mean `{close}`? environments: {}", names.join(", ")));
            } else {
                diag = diag.with_help(format!("environments: {}", names.join(", ")));
            }
            self.diags.push(diag);
            return None;
        }
        (!names.is_empty()).then_some(wanted)
    }

    fn lookup_env(&mut self, var: &str, span: Span, secret: bool, into: &mut BTreeMap<String, Value>) {
        let var = var.split('.').next().unwrap_or(var);
        if into.contains_key(var) || self.missing_env.contains(var) {
            return;
        }
        match std::env::var(var) {
            Ok(value) => {
                if secret {
                    self.redactor.add(&value);
                }
                into.insert(var.to_owned(), Value::from(value));
            }
            Err(_) => {
                self.missing_env.insert(var.to_owned());
                let kind = if secret { "secret" } else { "env" };
                self.diags.push(
                    Diagnostic::error(format!("environment variable `{var}` is not set"), span)
                        .with_label(format!("`{kind}.{var}` is used here"))
                        .with_help(format!("export {var}=… before running")),
                );
            }
        }
    }

    /// The `env.X` and `secret.X` names a template uses.
    fn collect_names(&mut self, t: &Template, used: &mut Vec<(String, Span)>) {
        if let Ok(names) = &*self.names_used(&t.text) {
            let outside = names
                .iter()
                .filter(|n| n.starts_with("env.") || n.starts_with("secret."));
            used.extend(outside.map(|n| (n.clone(), t.span)));
        }
    }

    fn lookup_all(
        &mut self,
        used: &[(String, Span)],
        env: &mut BTreeMap<String, Value>,
        secrets: &mut BTreeMap<String, Value>,
    ) {
        for (name, span) in used {
            if let Some(var) = name.strip_prefix("env.") {
                self.lookup_env(var, *span, false, env);
            } else if let Some(var) = name.strip_prefix("secret.") {
                self.lookup_env(var, *span, true, secrets);
            }
        }
    }

    fn collect_node_names(&mut self, node: &Node, used: &mut Vec<(String, Span)>) {
        for_each_template(node, &mut |t| self.collect_names(&t, used));
    }

    fn collect_scenario_names(&mut self, scenario: &Scenario, used: &mut Vec<(String, Span)>) {
        for (_, node) in &scenario.vars {
            self.collect_node_names(node, used);
        }
        for step in scenario.steps.iter().chain(&scenario.finally) {
            for t in step_templates(step) {
                self.collect_names(&t, used);
            }
        }
    }

    /// Syntax, and every name it uses defined (`known` plus the dotted env/secret names).
    fn check_template(&mut self, t: &Template, known: &BTreeSet<String>) {
        match &*self.names_used(&t.text) {
            Err(e) => self
                .diags
                .push(Diagnostic::error(format!("invalid template: {e}"), t.span)),
            Ok(names) => {
                for name in names {
                    let root = name.split('.').next().unwrap_or(name);
                    if known.contains(root) {
                        continue;
                    }
                    let mut diag = Diagnostic::error(format!("undefined variable `{root}`"), t.span)
                        .with_label("used in this template");
                    let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
                    diag = match did_you_mean(root, candidates.iter().copied()) {
                        Some(close) => diag.with_help(format!("did you mean `{close}`?")),
                        None if root == "mock" => diag.with_help("`mock.*` is defined only with --mock"),
                        None => diag.with_help(
                            "define it in `vars`, capture it in an earlier step, or use env.NAME / secret.NAME",
                        ),
                    };
                    self.diags.push(diag);
                }
            }
        }
    }

    fn check_node(&mut self, node: &Node, known: &BTreeSet<String>) {
        for_each_template(node, &mut |t| self.check_template(&t, known));
    }

    fn check_profile_ref(&mut self, auth: &AuthRef, span: Span, profiles: &BTreeMap<String, &AuthProfile>) {
        let AuthRef::Profile(name) = auth else { return };
        if profiles.contains_key(name) {
            return;
        }
        let mut diag = Diagnostic::error(format!("unknown auth profile `{name}`"), span);
        let names: Vec<&str> = profiles.keys().map(String::as_str).collect();
        diag = match did_you_mean(name, names.iter().copied()) {
            Some(close) => diag.with_label(format!("did you mean `{close}`?")),
            None if names.is_empty() => diag.with_help("define profiles under `auth:` in k2check.yaml"),
            None => diag.with_help(format!("profiles: {}, or `none`", names.join(", "))),
        };
        self.diags.push(diag);
    }

    fn render_profile(&mut self, profile: &AuthProfile, ctx: &Context) -> Option<Credentials> {
        let mut render = |t: &Template| match self.engine.render(&t.text, ctx) {
            Ok(s) => Some(s),
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(format!("cannot render: {e}"), t.span));
                None
            }
        };
        let creds = match &profile.kind {
            AuthKind::None => Credentials::None,
            AuthKind::Basic { username, password } => Credentials::Basic {
                username: render(username)?,
                password: render(password)?,
            },
            AuthKind::Bearer { token } => Credentials::Bearer { token: render(token)? },
            AuthKind::ClientCredentials(cc) => {
                let scope: Vec<String> = cc.scope.iter().filter_map(&mut render).collect();
                Credentials::ClientCredentials(crate::auth::ClientCredentialsConfig {
                    profile: profile.name.value.clone(),
                    token_url: cc.token_url.as_ref().and_then(&mut render),
                    issuer: cc.issuer.as_ref().and_then(&mut render),
                    client_id: render(&cc.client_id)?,
                    client_secret: render(&cc.client_secret)?,
                    scope: scope.join(" "),
                    audience: cc.audience.as_ref().and_then(&mut render),
                    style: cc.client_auth,
                    timeout: cc.timeout,
                })
            }
        };
        creds.register_secrets(&self.redactor);
        Some(creds)
    }

    fn check_scenario(
        &mut self,
        scenario: &Scenario,
        known: &BTreeSet<String>,
        profiles: &BTreeMap<String, &AuthProfile>,
    ) {
        let mut known = known.clone();
        if let Some(a) = &scenario.auth {
            self.check_profile_ref(&a.value, a.span, profiles);
        }
        for (name, node) in &scenario.vars {
            self.check_node(node, &known);
            known.insert(name.value.clone());
        }
        for step in &scenario.steps {
            self.check_step(scenario, step, &known, profiles);
            known.extend(step.capture.iter().map(|c| c.name.value.clone()));
        }
        for step in &scenario.finally {
            self.check_step(scenario, step, &known, profiles);
            known.extend(step.capture.iter().map(|c| c.name.value.clone()));
        }
    }

    fn check_step(
        &mut self,
        scenario: &Scenario,
        step: &Step,
        known: &BTreeSet<String>,
        profiles: &BTreeMap<String, &AuthProfile>,
    ) {
        // A workflow looked up by name adds its id for this step only.
        let mut with_workflow_id;
        let known = if matches!(step.follow, Follow::WorkflowByName { .. }) {
            with_workflow_id = known.clone();
            with_workflow_id.insert(crate::scenario::model::WORKFLOW_ID.into());
            &with_workflow_id
        } else {
            known
        };
        for t in step_templates(step) {
            self.check_template(&t, known);
        }
        if let Some(a) = &step.auth {
            self.check_profile_ref(&a.value, a.span, profiles);
        }
        for (path, _) in &step.expect.json {
            self.check_jsonpath(path);
        }
        for capture in &step.capture {
            if let CaptureSource::Json(path) = &capture.source {
                self.check_jsonpath(path);
            }
        }
        if let Some(schema) = &step.expect.schema {
            let dir = scenario.path.parent().unwrap_or(std::path::Path::new("."));
            self.load_schema(dir.join(&schema.value), schema.span);
        }
    }

    fn check_jsonpath(&mut self, path: &Template) {
        if !path.is_static() {
            return;
        }
        if let Err(e) = self.paths.parse(&path.text) {
            self.diags.push(
                Diagnostic::error(format!("invalid JSONPath `{}`", path.text), path.span)
                    .with_label(e)
                    .with_help("JSONPath (RFC 9535) starts with `$`, e.g. `$.value[0].ID` or `$.tasks[?@.workflowInstanceID == 5]`"),
            );
        }
    }

    fn load_schema(&mut self, path: PathBuf, span: Span) {
        if self.schemas.contains_key(&path) {
            return;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                self.diags.push(Diagnostic::error(
                    format!("cannot read JSON Schema {}: {e}", path.display()),
                    span,
                ));
                return;
            }
        };
        let schema: serde_json::Value = match serde_json::from_str(&text) {
            Ok(s) => s,
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(format!("{} is not JSON: {e}", path.display()), span));
                return;
            }
        };
        match jsonschema::validator_for(&schema) {
            Ok(validator) => {
                self.schemas.insert(path, Arc::new(validator));
            }
            Err(e) => self.diags.push(Diagnostic::error(
                format!("{} is not a valid JSON Schema: {e}", path.display()),
                span,
            )),
        }
    }
}
