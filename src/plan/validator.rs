//! What planning keeps while it checks: the diagnostics so far, the secrets found, the
//! compiled JSONPaths and schemas. Its checks live in the files named for them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

use crate::diag::{Diagnostic, did_you_mean};
use crate::redact::Redactor;
use crate::scenario::model::{AuthProfile, AuthRef, CaptureSource, Follow, Scenario, Step, Template, WORKFLOW_ID};
use crate::scenario::templates::{for_each_template, step_templates};
use crate::source::Span;
use crate::template::TemplateEngine;
use crate::yaml::Node;

/// The names a template uses, or why it does not parse.
type NamesUsed = Result<BTreeSet<String>, crate::template::TemplateError>;

pub(super) struct Validator {
    pub(super) engine: TemplateEngine,
    /// Names each distinct template text uses: suites repeat the same templates a lot.
    pub(super) names: HashMap<String, Rc<NamesUsed>>,
    pub(super) diags: Vec<Diagnostic>,
    /// Environment variables read and not set: where first read, and whether as a secret.
    /// Reported at the end, only those the selection needs.
    pub(super) missing_env: BTreeMap<String, (Span, bool)>,
    /// The suite's `.env` file, under the process environment.
    pub(super) dotenv: crate::dotenv::DotEnv,
    /// Environment variables set but blank, which count as not set: where each was set.
    pub(super) blank_env: BTreeMap<String, String>,
    /// Environment variables some template reads without a `default` to fall back on.
    pub(super) required_env: BTreeSet<String>,
    pub(super) redactor: Redactor,
    pub(super) schemas: HashMap<PathBuf, Arc<jsonschema::Validator>>,
    /// Every static JSONPath, compiled once here and handed to the run.
    pub(super) paths: crate::expect::paths::JsonPaths,
}

impl Validator {
    pub(super) fn new() -> Self {
        Validator {
            names: HashMap::new(),
            engine: TemplateEngine::new(),
            diags: Vec::new(),
            missing_env: BTreeMap::new(),
            required_env: BTreeSet::new(),
            dotenv: Default::default(),
            blank_env: BTreeMap::new(),
            redactor: Redactor::default(),
            schemas: HashMap::new(),
            paths: Default::default(),
        }
    }

    pub(super) fn names_used(&mut self, text: &str) -> Rc<NamesUsed> {
        if let Some(found) = self.names.get(text) {
            return found.clone();
        }
        let found = Rc::new(self.engine.names_used(text));
        self.names.insert(text.to_owned(), found.clone());
        found
    }

    /// Syntax, and every name it uses defined (`known` plus the dotted env/secret names).
    pub(super) fn check_template(&mut self, t: &Template, known: &BTreeSet<String>) {
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
                        None => {
                            let globals: Vec<&str> = self.engine.global_names().collect();
                            let defined = nearest_defined(root, known, &globals);
                            let listed = if defined.is_empty() {
                                String::new()
                            } else {
                                format!(" (defined here: {})", defined.join(", "))
                            };
                            diag.with_help(format!(
                                "define it in `vars`, capture it in an earlier step, or use env.NAME / secret.NAME{listed}"
                            ))
                        }
                    };
                    self.diags.push(diag);
                }
            }
        }
    }

    /// Every name the templates use (`env.K2_HOST`, `api`, `mock.url`), as far as they parse.
    pub(super) fn names_in(&mut self, templates: impl IntoIterator<Item = Template>) -> BTreeSet<String> {
        let mut all = BTreeSet::new();
        for t in templates {
            if let Ok(names) = &*self.names_used(&t.text) {
                all.extend(names.iter().cloned());
            }
        }
        all
    }

    /// The names a YAML value's templates use.
    pub(super) fn names_in_node(&mut self, node: &Node) -> BTreeSet<String> {
        let mut templates = Vec::new();
        for_each_template(node, &mut |t| templates.push(t));
        self.names_in(templates)
    }

    /// A diagnostic for each variable `needed` holds that is not set.
    pub(super) fn report_missing(&mut self, needed: &BTreeSet<String>, as_warnings: bool) {
        for (var, (span, secret)) in &self.missing_env {
            if !needed.contains(var) || !self.required_env.contains(var) {
                continue;
            }
            let kind = if *secret { "secret" } else { "env" };
            let message = match self.blank_env.get(var) {
                Some(place) => {
                    format!("environment variable `{var}` is blank ({place}): a blank value counts as not set")
                }
                None => format!("environment variable `{var}` is not set"),
            };
            let diag = if as_warnings {
                Diagnostic::warning(message, *span)
            } else {
                Diagnostic::error(message, *span)
            };
            self.diags.push(
                diag.with_label(format!("`{kind}.{var}` is used here"))
                    .with_help(format!("export {var}=… before running")),
            );
        }
    }

    pub(super) fn check_node(&mut self, node: &Node, known: &BTreeSet<String>) {
        for_each_template(node, &mut |t| self.check_template(&t, known));
    }

    pub(super) fn check_profile_ref(&mut self, auth: &AuthRef, span: Span, profiles: &BTreeMap<String, &AuthProfile>) {
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

    pub(super) fn check_scenario(
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
        self.check_snapshot_names(scenario);
        for step in &scenario.finally {
            self.check_step(scenario, step, &known, profiles);
            known.extend(step.capture.iter().map(|c| c.name.value.clone()));
        }
    }

    pub(super) fn check_step(
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
            with_workflow_id.insert(WORKFLOW_ID.into());
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
        if let Some(snapshot) = &step.expect.snapshot {
            self.check_redactions(&snapshot.redact);
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

    /// Two snapshots of one scenario would share a file, each overwriting the other's answer.
    fn check_snapshot_names(&mut self, scenario: &Scenario) {
        let mut seen: BTreeMap<std::path::PathBuf, &str> = BTreeMap::new();
        for step in scenario.steps.iter().chain(&scenario.finally) {
            let Some(snapshot) = &step.expect.snapshot else {
                continue;
            };
            let name = snapshot.name.as_ref().map_or(step.name.as_str(), |n| n.value.as_str());
            let path = crate::snapshot::snapshot_path(&scenario.path, None, name, None);
            match seen.get(&path) {
                Some(first) => self.diags.push(
                    Diagnostic::error(
                        format!("a second snapshot named `{name}` in this scenario"),
                        snapshot.span,
                    )
                    .with_label(format!("step `{first}` keeps one of this name"))
                    .with_help("give each its own `name:` (or give the steps different names)"),
                ),
                None => {
                    seen.insert(path, &step.name);
                }
            }
        }
    }

    /// Redactions' JSONPaths are checked like the assertions' (invalid ones are errors here).
    pub(super) fn check_redactions(&mut self, redactions: &[crate::scenario::model::Redaction]) {
        for redaction in redactions {
            self.check_jsonpath(&redaction.path);
        }
    }

    pub(super) fn check_jsonpath(&mut self, path: &Template) {
        if !path.is_static() {
            return;
        }
        // `.length` is no JSONPath; `.count` and `.size` are, once written as calls.
        let called = path.text.ends_with("()");
        let trimmed = path.text.trim_end_matches("()");
        let suspect = [".length", ".count", ".size"]
            .iter()
            .find(|p| trimmed.ends_with(*p) && (called || **p == ".length"));
        if let Some(property) = suspect {
            let list = &trimmed[..trimmed.len() - property.len()];
            self.diags.push(
                Diagnostic::warning(
                    format!(
                        "JSONPath has no `{property}`: `{}` looks for a member named `{}`",
                        path.text,
                        &property[1..]
                    ),
                    path.span,
                )
                .with_help(format!(
                    "to count the items, write `\"{list}\": {{ count: 3 }}` (or `length` for a string)"
                )),
            );
        }
        if let Err(e) = self.paths.parse(&path.text) {
            self.diags.push(
                Diagnostic::error(format!("invalid JSONPath `{}`", path.text), path.span)
                    .with_label(e)
                    .with_help("JSONPath (RFC 9535) starts with `$`, e.g. `$.value[0].ID` or `$.tasks[?@.workflowInstanceID == 5]`"),
            );
        }
    }
}

/// Up to five names a template may use here, the closest to `wanted` first, leaving out what
/// every template has (the built-ins and minijinja's own functions).
fn nearest_defined(wanted: &str, known: &BTreeSet<String>, globals: &[&str]) -> Vec<String> {
    let builtin = |name: &str| {
        crate::template::BUILTIN_NAMES.contains(&name) || globals.contains(&name) || name.starts_with("__")
    };
    let mut names: Vec<(usize, &String)> = known
        .iter()
        .filter(|n| !builtin(n))
        .map(|n| (strsim::levenshtein(wanted, n), n))
        .collect();
    names.sort();
    names.into_iter().take(5).map(|(_, n)| format!("`{n}`")).collect()
}
