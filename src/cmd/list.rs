//! `k2check list`: the scenarios a run would take (after `--tag`, `--skip-tag`, `--name`,
//! `--shard`), with file, tags and step count; with an environment, also the environment
//! variables they read and which are not set. `--json` for scripts. A suite of several
//! environments is listed without one too: the variables then wait for `--env`.

use std::io::Write as _;

use serde_json::{Value, json};

use crate::cli::ListArgs;
use crate::cmd::error::{CommandError, CommandResult, Kind};
use crate::cmd::prepare::{Purpose, default_paths, prepare, print_diagnostics};
use crate::cmd::selection::selection;
use crate::diag::Diagnostic;
use crate::exit;
use crate::plan::Plan;

pub async fn list(args: ListArgs) -> CommandResult {
    if let Some(code) = list_without_environment(&args).await {
        return code;
    }
    let prepared = prepare(&args.suite, selection(&args.select)?, Purpose::List).await?;
    let plan = &prepared.plan;
    // Written as it is made, a run at a time: a million data rows are never held at once.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let total = plan.run_count();
    if args.json {
        let _ = write!(out, "{{\"environment\":{},\"scenarios\":[", json!(plan.environment));
        for index in 0..total {
            let Some(row) = run_row(plan, index) else { continue };
            let separator = if index == 0 { "" } else { "," };
            let _ = write!(out, "{separator}{}", crate::text::printable(&row.to_string()));
        }
        let variables = json!({
            "needed": plan.variables.needed,
            "missing": plan.variables.missing,
            "blank": plan.variables.blank,
        });
        let _ = writeln!(
            out,
            "],\"variables\":{}}}",
            crate::text::printable(&variables.to_string())
        );
        return Ok(exit::OK);
    }
    for index in 0..total {
        if let Some(row) = run_row(plan, index) {
            let _ = write!(out, "{}", crate::text::printable(&scenario_line(&row)));
        }
    }
    let _ = writeln!(out, "{total} scenario{}", if total == 1 { "" } else { "s" });
    if let Some(environment) = &plan.environment {
        let _ = write!(out, "{}", crate::text::printable(&variable_lines(plan, environment)));
    }
    Ok(exit::OK)
}

/// Run `index` as a row of the listing: name, file, tags, steps.
fn run_row(plan: &Plan, index: usize) -> Option<Value> {
    let scenario = plan.scenario(index)?;
    Some(json!({
        "name": plan.run_name(index),
        "file": scenario.path.display().to_string(),
        "tags": scenario.tags,
        "steps": scenario.steps.len() + scenario.finally.len(),
    }))
}

/// With no environment named in a suite of several, the selected scenarios as written: no
/// environment's variables are checked, so none is needed. `None` when an environment is
/// named (or the suite has one), which `prepare` lists with its variables.
async fn list_without_environment(args: &ListArgs) -> Option<CommandResult> {
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
    // A part of a shard is balanced by the planned runs (data rows included): planned in an
    // environment, as a run plans it.
    if environments.len() < 2 || args.select.shard.is_some() {
        return None;
    }
    let Ok(selection) = selection(&args.select) else {
        return None;
    };
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
        return Some(Err(CommandError::in_diagnostics(Kind::Invalid)));
    }
    if args.json {
        let out = json!({ "environment": null, "environments": environments, "scenarios": rows });
        crate::outln!("{}", crate::text::printable(&out.to_string()));
        return Some(Ok(exit::OK));
    }
    let mut text = scenario_lines(&rows);
    text.push_str(&format!(
        "environments: {}; pass --env NAME to see the variables each reads\n",
        environments.join(", ")
    ));
    crate::out!("{}", crate::text::printable(&text));
    Some(Ok(exit::OK))
}

fn scenario_lines(rows: &[Value]) -> String {
    let mut text: String = rows.iter().map(scenario_line).collect();
    text.push_str(&format!(
        "{} scenario{}\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    text
}

/// One scenario (or data row's run) as a line: name, file, steps, tags.
fn scenario_line(row: &Value) -> String {
    let tags: Vec<&str> = row["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t.as_str())
        .collect();
    format!(
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
    )
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
