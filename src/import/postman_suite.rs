//! A converted collection as a suite folder: `k2check.yaml`, one scenario file per top-level
//! folder, `.env.example`, and the import report.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::import::k2_steps::k2_step;
use crate::import::postman_auth::{Auth, Profiles};
use crate::import::postman_items::{Group, GroupWalker, ImportedStep, text_at};
use crate::import::postman_stream::{read_header, read_items};
use crate::import::postman_vars::{Variables, env_name, looks_secret, secret_sources, variable_name};
use crate::import::yaml_text::{comment, quoted, scalar, value};

/// A file to write, its path relative to the output folder.
pub struct OutFile {
    pub path: String,
    pub text: String,
}

/// What the import did, per file and for the whole collection.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub collection: String,
    pub format: String,
    pub environment: String,
    pub files: Vec<FileReport>,
    pub auth_profiles: Vec<String>,
    pub unsupported_auth: Vec<String>,
    pub undefined_variables: Vec<String>,
    pub dynamic_variables_without_equivalent: Vec<String>,
    pub environment_variables: Vec<String>,
    pub token_requests: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct FileReport {
    pub file: String,
    pub scenario: String,
    pub requests: usize,
    pub steps: usize,
    pub assertions: usize,
    pub captures: usize,
    /// Steps written as `odata:`, `scim:` or `workflow:` (each sends what Postman sent).
    pub k2_steps: usize,
    pub kept_as_comments: usize,
}

/// Why a file is not a collection, with the JSON error's place when it is not JSON.
#[derive(Debug)]
pub struct NotACollection {
    pub message: String,
    pub line: Option<(usize, usize)>,
}

/// Why an import did not finish: the input is not a collection, or a file could not be
/// written.
#[derive(Debug)]
pub enum ImportError {
    NotACollection(NotACollection),
    Write(String),
}

impl From<NotACollection> for ImportError {
    fn from(e: NotACollection) -> Self {
        ImportError::NotACollection(e)
    }
}

/// Opens the collection for one more pass over it.
pub type Open<'a> = &'a dyn Fn() -> std::io::Result<Box<dyn std::io::Read>>;

/// Converts a collection (and optionally a Postman environment) into suite files, each handed
/// to `write` as soon as it is made: the scenario files one folder at a time, `k2check.yaml`
/// and `.env.example` last. The collection is read twice from `open` and never held whole.
pub fn convert(
    open: Open,
    environment_text: Option<&str>,
    write: &mut dyn FnMut(OutFile) -> Result<(), String>,
) -> Result<ImportReport, ImportError> {
    let not_json = |e: serde_json::Error| NotACollection {
        message: format!("the collection is not JSON: {e}"),
        line: Some((e.line(), e.column())),
    };
    let unreadable = |e: std::io::Error| NotACollection {
        message: format!("cannot read the collection: {e}"),
        line: None,
    };
    // First pass: what the conversion needs before any item, and the variables secret
    // fields take, wherever they are.
    let mut taken_by_secret_fields = BTreeSet::new();
    let header = read_header(open().map_err(unreadable)?, &mut |item| {
        taken_by_secret_fields.extend(secret_sources(item));
    })
    .map_err(not_json)?;
    let mut collection = Value::Object(header.members);
    taken_by_secret_fields.extend(secret_sources(&collection));
    if header.item_is_list
        && let Some(map) = collection.as_object_mut()
    {
        map.insert("item".into(), Value::Array(Vec::new()));
    }
    let format = collection_format(&collection)?;
    let (environment, environment_name) = read_environment(environment_text)?;

    let mut vars = Variables::default();
    let mut definitions = define_variables(&collection, environment.as_ref(), &taken_by_secret_fields, &mut vars);
    let mut profiles = Profiles::default();
    let mut walker = GroupWalker::new(&collection, &mut profiles, &mut vars);
    let collection_name = text_at(&collection, &["info", "name"]).unwrap_or_else(|| "Imported collection".into());
    let mut report = ImportReport {
        collection: collection_name.clone(),
        format,
        environment: environment_name.clone(),
        files: Vec::new(),
        auth_profiles: Vec::new(),
        unsupported_auth: Vec::new(),
        undefined_variables: Vec::new(),
        dynamic_variables_without_equivalent: Vec::new(),
        environment_variables: Vec::new(),
        token_requests: Vec::new(),
        warnings: Vec::new(),
    };
    let mut scenario_files = ScenarioFiles {
        collection: &collection_name,
        stems: BTreeSet::from(["k2check".to_owned()]),
        names: BTreeSet::new(),
        failed: None,
    };
    // Second pass: each top-level folder converted, written and dropped.
    read_items(open().map_err(unreadable)?, &mut |item| {
        if let Some(mut group) = walker.item(item, &mut profiles, &mut vars) {
            choose_k2_steps(std::slice::from_mut(&mut group), &mut definitions);
            scenario_files.write(&group, &mut report, write);
        }
    })
    .map_err(not_json)?;
    if let Some(mut group) = walker.finish(&mut profiles, &mut vars) {
        choose_k2_steps(std::slice::from_mut(&mut group), &mut definitions);
        scenario_files.write(&group, &mut report, write);
    }
    if let Some(failed) = scenario_files.failed {
        return Err(ImportError::Write(failed));
    }
    complete_report(&mut report, &profiles, &vars);
    write(OutFile {
        path: "k2check.yaml".into(),
        text: suite_file(&report, &profiles, &environment_name, &definitions),
    })
    .map_err(ImportError::Write)?;
    write(OutFile {
        path: ".env.example".into(),
        text: env_example(&vars),
    })
    .map_err(ImportError::Write)?;
    Ok(report)
}

/// The Postman environment, when one is given, and the name of the suite's environment.
fn read_environment(text: Option<&str>) -> Result<(Option<Value>, String), ImportError> {
    let environment = text.map(|t| parse(t, "the environment")).transpose()?;
    if let Some(env) = &environment
        && !env.get("values").is_some_and(Value::is_array)
    {
        return Err(NotACollection {
            message: "the environment file has no `values` list: is it a Postman environment export?".into(),
            line: None,
        }
        .into());
    }
    let name = environment
        .as_ref()
        .and_then(|e| text_at(e, &["name"]))
        .map(|n| slug(&n))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "imported".into());
    Ok((environment, name))
}

/// What the report says once every item is converted: the profiles, what could not be
/// brought over, and the variables the suite reads.
fn complete_report(report: &mut ImportReport, profiles: &Profiles, vars: &Variables) {
    report.auth_profiles = profiles.list.iter().map(|p| p.name.clone()).collect();
    report.unsupported_auth = profiles.unsupported.clone();
    report.dynamic_variables_without_equivalent = vars.dynamic_unmapped.iter().cloned().collect();
    let mut warnings = profiles.warnings.clone();
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    report.undefined_variables = vars
        .undefined
        .iter()
        .map(|n| {
            let kind = if looks_secret(n) { "secret" } else { "env" };
            format!("{n} → {kind}.{}", env_name(n))
        })
        .collect();
    report.environment_variables = vars.environment.iter().cloned().collect();
}

/// Names the scenario files as they are made, and hands each to the writer.
struct ScenarioFiles<'a> {
    collection: &'a str,
    stems: BTreeSet<String>,
    names: BTreeSet<String>,
    /// The first file that could not be written: nothing more is written after it.
    failed: Option<String>,
}

impl ScenarioFiles<'_> {
    fn write(
        &mut self,
        group: &Group,
        report: &mut ImportReport,
        write: &mut dyn FnMut(OutFile) -> Result<(), String>,
    ) {
        if self.failed.is_some() {
            return;
        }
        let stem = unique(&slug(&group.name), &mut self.stems, "-");
        let name = unique(&group.name, &mut self.names, " ");
        let path = format!("{stem}.yaml");
        let file = OutFile {
            path: path.clone(),
            text: scenario_file(self.collection, &name, group),
        };
        if let Err(e) = write(file) {
            self.failed = Some(e);
            return;
        }
        report.files.push(file_report(&path, &name, group));
        for note in &group.notes {
            let first = note.lines().next().unwrap_or_default();
            report.warnings.push(format!("{path}: {first}"));
        }
        for step in &group.steps {
            report.warnings.extend(step.warnings.iter().cloned());
            if step.token_request {
                let url = step.request.get("url").and_then(Value::as_str).unwrap_or_default();
                report.token_requests.push(format!(
                    "`{}` fetches a client-credentials token itself; a `client_credentials` profile (token_url: {url}) \
                     would fetch and cache it for every request",
                    step.name
                ));
            }
        }
    }
}

fn parse(text: &str, what: &str) -> Result<Value, NotACollection> {
    serde_json::from_str(text).map_err(|e| NotACollection {
        message: format!("{what} is not JSON: {e}"),
        line: Some((e.line(), e.column())),
    })
}

fn collection_format(collection: &Value) -> Result<String, NotACollection> {
    let refuse = |message: &str| NotACollection {
        message: message.into(),
        line: None,
    };
    if collection.get("requests").is_some() && collection.get("info").is_none() {
        return Err(refuse(
            "this is a Postman Collection v1; export it from Postman as v2.1 and import that",
        ));
    }
    let info = collection.get("info").filter(|i| i.is_object()).ok_or_else(|| {
        refuse("not a Postman collection: there is no `info` object (export the collection as v2.1 from Postman)")
    })?;
    if !collection.get("item").is_some_and(Value::is_array) {
        return Err(refuse("not a Postman collection: there is no `item` list"));
    }
    let schema = text_at(info, &["schema"]).unwrap_or_default();
    Ok(if schema.contains("v2.0") {
        "Postman Collection v2.0".into()
    } else {
        "Postman Collection v2.1".into()
    })
}

/// The collection's variables, then the environment's (which win, as in Postman), as the
/// environment's `vars`; secrets as `secret.NAME`, never their values.
fn define_variables(
    collection: &Value,
    environment: Option<&Value>,
    taken_by_secret_fields: &BTreeSet<String>,
    vars: &mut Variables,
) -> Map<String, Value> {
    let entries = |v: Option<&Value>, key: &str| -> Vec<Value> {
        v.and_then(|v| v.get(key))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let all: Vec<Value> = entries(Some(collection), "variable")
        .into_iter()
        .chain(entries(environment, "values"))
        .filter(|e| e.get("disabled").and_then(Value::as_bool) != Some(true))
        .filter(|e| e.get("enabled").and_then(Value::as_bool) != Some(false))
        .collect();
    // Every name first: a value may name a variable defined after it.
    for entry in &all {
        if let Some(key) = text_at(entry, &["key"]) {
            vars.defined.insert(key.clone(), variable_name(&key));
        }
    }
    let mut out = Map::new();
    for entry in &all {
        let Some(key) = text_at(entry, &["key"]) else { continue };
        let secret = text_at(entry, &["type"]).as_deref() == Some("secret")
            || looks_secret(&key)
            || taken_by_secret_fields.contains(&key);
        let value = match secret {
            true => vars.secret(&key),
            false => vars.convert(&text_at(entry, &["value"]).unwrap_or_default(), &Default::default()),
        };
        out.insert(variable_name(&key), Value::String(value));
    }
    dependencies_first(out)
}

/// Gives each step the K2 step that sends exactly its request. A workflow step reads `api`:
/// one alias `api: "{{ base }}"` is added when the collection has no `api` of its own.
fn choose_k2_steps(groups: &mut [Group], definitions: &mut Map<String, Value>) {
    for step in groups.iter_mut().flat_map(|g| g.steps.iter_mut()) {
        let Some(k2) = k2_step(&step.request) else { continue };
        if let Some(alias) = &k2.api_alias {
            match definitions.get("api").and_then(Value::as_str) {
                Some(existing) if existing == alias => {}
                Some(_) => continue,
                None => {
                    definitions.insert("api".into(), Value::String(alias.clone()));
                }
            }
        }
        step.k2 = Some((k2.key, k2.value));
    }
}

/// The variables reordered so each comes after those its value names: k2check renders them
/// in order, Postman when they are used. A cycle keeps its written order (and is reported
/// by `validate`).
fn dependencies_first(vars: Map<String, Value>) -> Map<String, Value> {
    let names_in = |text: &str| -> Vec<String> {
        text.split("{{ ")
            .skip(1)
            .filter_map(|rest| rest.split_once(" }}").map(|(name, _)| name.to_owned()))
            .filter(|name| vars.contains_key(name))
            .collect()
    };
    let mut pending: Vec<(String, Value)> = vars.clone().into_iter().collect();
    let mut out = Map::new();
    while !pending.is_empty() {
        let ready = pending.iter().position(|(_, v)| {
            names_in(v.as_str().unwrap_or_default())
                .iter()
                .all(|n| out.contains_key(n) || !pending.iter().any(|(p, _)| p == n))
        });
        let (name, value) = pending.remove(ready.unwrap_or(0));
        out.insert(name, value);
    }
    out
}

fn suite_file(
    report: &ImportReport,
    profiles: &Profiles,
    environment: &str,
    definitions: &Map<String, Value>,
) -> String {
    let mut text = format!(
        "# Imported by `k2check import postman` from {} ({}).\n\
         # Set the variables of .env.example, then: k2check validate . && k2check run . --dry-run\n",
        quoted(&report.collection),
        report.format
    );
    if !profiles.list.is_empty() || !profiles.unsupported.is_empty() {
        text.push_str("auth:\n");
        for profile in &profiles.list {
            if profile.k2_issuer {
                text.push_str("  # The token URL was on login.onk2.com: its issuer, whose discovery names it.\n");
            }
            text.push_str(&format!("  {}:\n", scalar(&profile.name)));
            for (key, v) in &profile.fields {
                text.push_str(&format!("    {key}: {}\n", scalar(v)));
            }
        }
        for what in &profiles.unsupported {
            text.push_str(&format!(
                "  # Not imported: {}, which k2check cannot send; the requests that use it go without credentials.\n",
                crate::text::printable_line(what)
            ));
        }
    }
    text.push_str(&format!("environments:\n  {}:\n    vars:", scalar(environment)));
    text.push_str(&value(&Value::Object(definitions.clone()), 6));
    text.push('\n');
    text
}

fn scenario_file(collection: &str, name: &str, group: &Group) -> String {
    let mut text = format!(
        "# Imported by `k2check import postman` from {}.\nname: {}\n",
        quoted(collection),
        scalar(name)
    );
    if let Some(d) = &group.description {
        text.push_str(&format!("description:{}\n", value(&Value::String(d.clone()), 2)));
    }
    for note in &group.notes {
        text.push_str(&comment(note, 0));
    }
    let scenario_auth = profile_of(&group.auth);
    if let Some(profile) = &scenario_auth {
        text.push_str(&format!("auth: {}\n", scalar(profile)));
    }
    text.push_str("steps:\n");
    for step in &group.steps {
        text.push_str(&step_text(step, scenario_auth.as_deref()));
    }
    text
}

fn profile_of(auth: &Auth) -> Option<String> {
    match auth {
        Auth::Profile(name) => Some(name.clone()),
        _ => None,
    }
}

fn step_text(step: &ImportedStep, scenario_auth: Option<&str>) -> String {
    let mut text = String::new();
    for note in &step.notes {
        text.push_str(&comment(note, 2));
    }
    let mut mapping = Map::new();
    mapping.insert("name".into(), Value::String(step.name.clone()));
    if let Some(d) = &step.description {
        mapping.insert("description".into(), Value::String(d.clone()));
    }
    let step_auth = profile_of(&step.auth);
    if step_auth.as_deref() != scenario_auth {
        mapping.insert("auth".into(), Value::String(step_auth.unwrap_or_else(|| "none".into())));
    }
    match &step.k2 {
        Some((key, value)) => {
            mapping.insert((*key).into(), value.clone());
        }
        None => {
            let mut request = step.request.clone();
            if request.get("method").and_then(Value::as_str) == Some("GET") {
                request.remove("method");
            }
            mapping.insert("request".into(), Value::Object(request));
        }
    }
    let expect = expectations(step);
    if !expect.is_empty() {
        mapping.insert("expect".into(), Value::Object(expect));
    }
    if !step.captures.is_empty() {
        let captures: Map<String, Value> = step
            .captures
            .iter()
            .map(|(_, name, path)| (name.clone(), json!({ "json": path })))
            .collect();
        mapping.insert("capture".into(), Value::Object(captures));
    }
    let body = value(&Value::Object(mapping), 4);
    // `- name: …` with the rest of the step under it.
    text.push_str(&format!("  - {}\n", body.trim_start_matches('\n').trim_start()));
    if !step.tests.kept.is_empty() {
        let n = step.tests.kept.len();
        text.push_str(&format!(
            "    # The Postman test script, kept whole: {n} statement{} of it {} not translated above.\n",
            if n == 1 { "" } else { "s" },
            if n == 1 { "is" } else { "are" }
        ));
        text.push_str(&comment(&step.tests.script, 6));
    }
    text
}

fn expectations(step: &ImportedStep) -> Map<String, Value> {
    let tests = &step.tests;
    let mut expect = Map::new();
    match tests.status.as_slice() {
        [] => {}
        [one] => {
            expect.insert("status".into(), json!(one));
        }
        many => {
            let mut codes = many.to_vec();
            codes.dedup();
            expect.insert("status".into(), json!(codes));
        }
    }
    if !tests.headers.is_empty() {
        let headers: Map<String, Value> = tests
            .headers
            .iter()
            .map(|h| (h.clone(), json!({ "exists": true })))
            .collect();
        expect.insert("headers".into(), Value::Object(headers));
    }
    match tests.body_contains.as_slice() {
        [] => {}
        [one] => {
            expect.insert("body".into(), json!({ "contains": one }));
        }
        [first, second, ..] => {
            expect.insert(
                "body".into(),
                json!({ "contains": first, "matches": regex::escape(second) }),
            );
        }
    }
    if !tests.json.is_empty() {
        let json: Map<String, Value> = tests
            .json
            .iter()
            .map(|(p, m)| (p.clone(), Value::Object(m.clone())))
            .collect();
        expect.insert("json".into(), Value::Object(json));
    }
    if let Some(ms) = tests.time_below_ms {
        expect.insert("time".into(), json!({ "lt": format!("{ms}ms") }));
    }
    expect
}

fn file_report(path: &str, name: &str, group: &Group) -> FileReport {
    FileReport {
        file: path.into(),
        scenario: name.into(),
        requests: group.steps.len(),
        steps: group.steps.len(),
        assertions: group.steps.iter().map(|s| s.tests.assertions).sum(),
        captures: group.steps.iter().map(|s| s.captures.len()).sum(),
        k2_steps: group.steps.iter().filter(|s| s.k2.is_some()).count(),
        kept_as_comments: group.notes.len()
            + group
                .steps
                .iter()
                .map(|s| s.tests.kept.len() + s.notes.len())
                .sum::<usize>(),
    }
}

fn env_example(vars: &Variables) -> String {
    let mut text = String::from(
        "# The environment variables the imported suite reads: secrets and variables Postman\n\
         # defined nowhere. Copy to .env (keep it out of git) or set them in your shell or CI.\n",
    );
    for name in &vars.environment {
        text.push_str(&format!("{name}=\n"));
    }
    text
}

/// A file name from a folder name: `User & Groups` → `user-groups`.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(60).collect::<String>();
    if out.is_empty() {
        return "requests".into();
    }
    // Windows cannot open a file named like a device, whatever its extension.
    let device = matches!(out.as_str(), "con" | "prn" | "aux" | "nul")
        || ((out.starts_with("com") || out.starts_with("lpt"))
            && out.len() == 4
            && out.ends_with(|c: char| c.is_ascii_digit()));
    if device { format!("{out}-requests") } else { out }
}

/// `base`, or `base{sep}2`, `base{sep}3` … when taken; records the one returned.
fn unique(base: &str, taken: &mut BTreeSet<String>, separator: &str) -> String {
    let mut candidate = base.to_owned();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = match separator {
            " " => format!("{base} ({n})"),
            _ => format!("{base}{separator}{n}"),
        };
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}
