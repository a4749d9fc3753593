//! `k2check list`: the scenarios a run would take (after `--tag`, `--skip-tag`, `--name`,
//! `--shard`), with file, tags and step count; with an environment, also the environment
//! variables they read and which are not set. `--json` for scripts.

use serde_json::json;

use crate::cli::ListArgs;
use crate::cmd::prepare::{Purpose, prepare};
use crate::exit;

pub async fn list(args: ListArgs) -> u8 {
    let prepared = match prepare(&args.suite, args.select.selection(), Purpose::List).await {
        Ok(p) => p,
        Err(code) => return code,
    };
    let plan = &prepared.plan;
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
    let mut text = String::new();
    for row in &rows {
        let tags: Vec<&str> = row["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t.as_str())
            .collect();
        text.push_str(&format!(
            "{}  ({}, {} step{}{})\n",
            row["name"].as_str().unwrap_or_default(),
            row["file"].as_str().unwrap_or_default(),
            row["steps"],
            if row["steps"] == 1 { "" } else { "s" },
            if tags.is_empty() {
                String::new()
            } else {
                format!(", tags: {}", tags.join(", "))
            }
        ));
    }
    text.push_str(&format!(
        "{} scenario{}\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    ));
    if let Some(environment) = &plan.environment {
        let needed = &plan.variables.needed;
        let missing = &plan.variables.missing;
        text.push_str(&format!(
            "environment `{environment}` reads: {}\n",
            if needed.is_empty() {
                "no environment variables".into()
            } else {
                needed.join(", ")
            }
        ));
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
    }
    crate::out!("{}", crate::text::printable(&text));
    exit::OK
}
