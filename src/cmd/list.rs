//! `k2check list`: the scenarios a run would take (after `--tag`, `--skip-tag`, `--name`,
//! `--shard`), with file, tags and step count; with an environment, also the environment
//! variables they read and which are not set. `--json` for scripts. A suite of several
//! environments is listed without one too: the variables then wait for `--env`.

use serde_json::{Value, json};

use crate::cli::ListArgs;
use crate::cmd::prepare::{Purpose, default_paths, prepare, print_diagnostics};
use crate::diag::Diagnostic;
use crate::exit;
use crate::plan::Plan;

pub async fn list(args: ListArgs) -> u8 {
    if let Some(code) = list_without_environment(&args).await {
        return code;
    }
    let prepared = match prepare(&args.suite, args.select.selection(), Purpose::List).await {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = &prepared.plan;
    let rows = planned_rows(plan);
    if args.json {
        let out = json!({
            "environment": plan.environment,
            "scenarios": rows,
            "variables": {
                "needed": plan.variables.needed,
                "missing": plan.variables.missing,
                "blank": plan.variables.blank,
            },
        });
        crate::outln!("{}", crate::text::printable(&out.to_string()));
        return exit::OK;
    }
    let mut text = scenario_lines(&rows);
    if let Some(environment) = &plan.environment {
        text.push_str(&variable_lines(plan, environment));
    }
    crate::out!("{}", crate::text::printable(&text));
    exit::OK
}

/// The planned scenarios, one row each (a data row's run is its own).
fn planned_rows(plan: &Plan) -> Vec<Value> {
    let mut rows = Vec::new();
    for index in 0..plan.scenarios.len() {
        let Some(scenario) = plan.scenario(index) else { continue };
        rows.push(json!({
            "name": plan.scenarios[index].name,
            "file": scenario.path.display().to_string(),
            "tags": scenario.tags,
            "steps": scenario.steps.len() + scenario.finally.len(),
        }));
    }
    rows
}

/// With no environment named in a suite of several, the selected scenarios as written: no
/// environment's variables are checked, so none is needed. `None` when an environment is
/// named (or the suite has one), which `prepare` lists with its variables.
async fn list_without_environment(args: &ListArgs) -> Option<u8> {
    if args.suite.mock || args.suite.environment().0.is_some() {
        return None;
    }
    let paths = default_paths(&args.suite.paths).ok()?;
    let loaded = tokio::task::spawn_blocking(move || crate::scenario::load(&paths))
        .await
        .ok()?;
    let environments: Vec<String> = loaded
        .suite
        .as_ref()?
        .environments
        .iter()
        .map(|e| e.name.value.clone())
        .collect();
    if environments.len() < 2 {
        return None;
    }
    let selection = args.select.selection();
    let mut rows = Vec::new();
    let mut diagnostics = loaded.diagnostics;
    crate::scenario::load::decode_each(&loaded.scenario_files, &loaded.sources, |scenario, diags| {
        diagnostics.extend(diags);
        if let Some(scenario) = scenario.filter(|s| selection.takes(s)) {
            let rows_note = scenario.rows.is_some().then_some(true);
            rows.push(json!({
                "name": scenario.name.value,
                "file": scenario.path.display().to_string(),
                "tags": scenario.tags,
                "steps": scenario.steps.len() + scenario.finally.len(),
                "rows": rows_note,
            }));
        }
    });
    if diagnostics.iter().any(Diagnostic::is_error) {
        print_diagnostics(&diagnostics, &loaded.sources, &Default::default());
        return Some(exit::INVALID);
    }
    if args.json {
        let out = json!({ "environment": null, "environments": environments, "scenarios": rows });
        crate::outln!("{}", crate::text::printable(&out.to_string()));
        return Some(exit::OK);
    }
    let mut text = scenario_lines(&rows);
    text.push_str(&format!(
        "environments: {}; pass --env NAME to see the variables each reads\n",
        environments.join(", ")
    ));
    crate::out!("{}", crate::text::printable(&text));
    Some(exit::OK)
}

fn scenario_lines(rows: &[Value]) -> String {
    let mut text = String::new();
    for row in rows {
        let tags: Vec<&str> = row["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
            .collect();
        text.push_str(&format!(
            "{}  ({}, {} step{}{}{})\n",
            row["name"].as_str().unwrap_or_default(),
            row["file"].as_str().unwrap_or_default(),
            row["steps"],
            if row["steps"] == 1 { "" } else { "s" },
            if tags.is_empty() {
                String::new()
            } else {
                format!(", tags: {}", tags.join(", "))
            },
            if row["rows"] == true { ", once per data row" } else { "" }
        ));
    }
    text.push_str(&format!(
        "{} scenario{}\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    text
}

fn variable_lines(plan: &Plan, environment: &str) -> String {
    let needed = &plan.variables.needed;
    let missing = &plan.variables.missing;
    let mut text = format!(
        "environment `{environment}` reads: {}\n",
        if needed.is_empty() {
            "no environment variables".into()
        } else {
            needed.join(", ")
        }
    );
    if !missing.is_empty() {
        let named: Vec<String> = missing
            .iter()
            .map(|var| match plan.variables.blank.get(var) {
                Some(place) => format!("{var} ({place})"),
                None => var.clone(),
            })
            .collect();
        text.push_str(&format!("not set here: {}\n", named.join(", ")));
    }
    text
}
