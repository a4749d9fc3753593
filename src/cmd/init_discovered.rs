//! The scenarios `init --discover` writes from what the tenant exposes: a SmartObject read,
//! with the properties `$metadata` lists today and its whole surface as a snapshot (a later
//! change of the SmartObject fails the check, in K2 words); a workflow's definition and its
//! start schema as a snapshot; SCIM's users page by page. All read only. The snapshots are
//! written with the scenarios, so the suite guards the surface from its first run.

use std::collections::BTreeSet;

use crate::cmd::starter::StarterFile;
use crate::doctor::{SmartObject, Surface, Workflow};
use crate::expect::paths::JsonPaths;
use crate::import::yaml_text_scalar as scalar;
use crate::library::DEFAULT_REDACTIONS;
use crate::snapshot::{normalized_metadata, redact_pairs, snapshot_path, snapshot_text};

const HEADER: &str = "# yaml-language-server: $schema=../../scenario.schema.json\n";

pub fn discovered_files(surface: &Surface, scim: bool) -> Vec<StarterFile> {
    let mut taken = BTreeSet::new();
    let mut files = Vec::new();
    for object in &surface.smartobjects {
        let path = unique(&mut taken, "discovered/odata", &object.entity_set);
        if literal(&object.entity_set).is_some() {
            let sets = [object.entity_set.clone()];
            if let Ok(surface_now) = normalized_metadata(&surface.csdl, &sets) {
                files.push(snapshot(&path, surface.environment, SURFACE_STEP, &surface_now));
            }
        }
        files.push(StarterFile {
            path,
            text: smartobject(object),
        });
    }
    for workflow in &surface.workflows {
        let path = unique(&mut taken, "discovered/workflow", &workflow.name);
        if let Some(schema) = &workflow.schema {
            files.push(snapshot(&path, surface.environment, SCHEMA_STEP, schema));
        }
        files.push(StarterFile {
            path,
            text: workflow_file(workflow),
        });
    }
    if scim {
        let path = "discovered/scim/users.yaml";
        let mut text = format!(
            "{HEADER}name: SCIM users are listed, page by page\ntags: [discovered, scim]\nauth: scim\nsteps:\n  \
             - name: every page of users\n    scim: {{ list: Users, pages: all }}\n    expect:\n      status: 200\n"
        );
        // What SCIM says it supports, kept as snapshots when it answered now.
        for (endpoint, answer) in [
            ("Schemas", &surface.scim_schemas),
            ("ResourceTypes", &surface.scim_resource_types),
        ] {
            if let Some(answer) = answer {
                text.push_str(&format!(
                    "  - name: {endpoint}\n    scim: {{ get: {endpoint} }}\n    expect: {{ status: 200, snapshot: true }}\n"
                ));
                files.push(snapshot(path, surface.environment, endpoint, answer));
            }
        }
        files.push(StarterFile {
            path: path.into(),
            text,
        });
    }
    files
}

/// The steps whose answers are kept as snapshots.
const SURFACE_STEP: &str = "its surface";
const SCHEMA_STEP: &str = "its start schema";

/// The snapshot a written scenario's step compares with, as a run would store it: with the
/// suite's default redactions applied.
fn snapshot(scenario: &str, environment: &str, step: &str, value: &serde_json::Value) -> StarterFile {
    let path = snapshot_path(std::path::Path::new(scenario), Some(environment), step, None);
    let mut value = value.clone();
    // The library's paths are valid JSONPaths (its suite file is checked like any).
    let _ = redact_pairs(&mut value, DEFAULT_REDACTIONS.iter().copied(), &JsonPaths::default());
    StarterFile {
        path: path.to_string_lossy().replace('\\', "/"),
        text: snapshot_text(&value),
    }
}

/// `folder/name.yaml`, the name made a file name, unique among those written.
fn unique(taken: &mut BTreeSet<String>, folder: &str, name: &str) -> String {
    let slug: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-').to_owned();
    let slug = if slug.is_empty() { "unnamed".to_owned() } else { slug };
    let mut path = format!("{folder}/{slug}.yaml");
    let mut n = 2;
    while !taken.insert(path.clone()) {
        path = format!("{folder}/{slug}-{n}.yaml");
        n += 1;
    }
    path
}

/// A name as text a template would not read: `{{` and `{%` are left out of expectations.
fn literal(text: &str) -> Option<String> {
    (!text.contains("{{") && !text.contains("{%") && !text.contains("{#")).then(|| scalar(text))
}

fn smartobject(object: &SmartObject) -> String {
    let set = scalar(&object.entity_set);
    let mut text = format!(
        "{HEADER}name: {}\ndescription: Written by `k2check init --discover`; a change of the SmartObject's \
         properties fails the second step.\ntags: [discovered, odata]\nsteps:\n  - name: one record\n    \
         odata: {{ set: {set}, top: 1 }}\n    expect:\n      status: 200\n      json:\n        $.value: {{ type: array }}\n",
        scalar(&format!(
            "SmartObject {}: a record, and its properties in $metadata",
            object.entity_set
        )),
    );
    if literal(&object.entity_set).is_some() {
        let properties: Vec<String> = object.properties.iter().map(|p| scalar(p)).collect();
        text.push_str(&format!(
            "  - name: $metadata lists its properties\n    odata: {{ metadata: true }}\n    expect:\n      \
             status: 200\n      entity_set:\n        name: {set}\n        properties: [{}]\n  \
             - name: {SURFACE_STEP}\n    odata: {{ metadata: snapshot, set: {set} }}\n",
            properties.join(", ")
        ));
    }
    text
}

fn workflow_file(workflow: &Workflow) -> String {
    let id = workflow.id;
    // Kept as a snapshot when it could be read now (its file is written beside).
    let snapshot = if workflow.schema.is_some() {
        "      snapshot: true\n"
    } else {
        ""
    };
    let name_check = literal(&workflow.name)
        .map(|name| format!("      json:\n        $.workflowInfo.name: {name}\n"))
        .unwrap_or_default();
    format!(
        "{HEADER}name: {}\ntags: [discovered, workflow]\nsteps:\n  - name: its definition\n    request: \
         {{ url: \"{{{{ api }}}}/api/workflow/v1/workflows/{id}\" }}\n    expect:\n      status: 200\n{name_check}  \
         - name: {SCHEMA_STEP}\n    request: {{ url: \"{{{{ api }}}}/api/workflow/v1/workflows/{id}/schema\" }}\n    \
         expect:\n      status: 200\n      json:\n        $.properties.dataFields: {{ exists: true }}\n{snapshot}",
        scalar(&format!(
            "Workflow {}: its definition and start schema can be read",
            workflow.name
        )),
    )
}
