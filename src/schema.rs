//! The JSON Schema of scenario files, built from the same key lists the decoder accepts,
//! so the two cannot drift. `schemas/scenario.schema.json` is this output, checked in.

use serde_json::{Map, Value, json};

use crate::scenario::decode_expect::{CAPTURE_KINDS, EXPECT_KEYS, RETRY_KEYS};
use crate::scenario::decode_odata::ODATA_KEYS;
use crate::scenario::decode_predicate::OPERATORS;
use crate::scenario::decode_request::{METHODS, REQUEST_KEYS};
use crate::scenario::decode_scenario::{SCENARIO_KEYS, STEP_KEYS};
use crate::scenario::decode_scim::SCIM_KEYS;
use crate::scenario::decode_workflow::WORKFLOW_KEYS;
use crate::scenario::model::JsonType;

fn object(keys: &[&str], mut properties: Map<String, Value>) -> Value {
    for key in keys {
        properties.entry(key.to_string()).or_insert(json!({}));
    }
    json!({ "type": "object", "additionalProperties": false, "properties": properties })
}

fn props(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The schema, one definition after another in the order of the scenario format: long because
/// it is the format written out, kept whole so it reads like the README's reference.
pub fn scenario_schema() -> Value {
    let duration = json!({ "type": "string", "pattern": "^[0-9.]+ ?(ms|s|sec|m|min|h)$" });
    let mut predicate_ops = Map::new();
    for op in OPERATORS {
        let schema = match *op {
            "exists" | "empty" => json!({ "type": "boolean" }),
            "type" => {
                // YAML reads a bare `null` as null, and the decoder takes it as the type name.
                let mut names: Vec<Value> = JsonType::NAMES.iter().map(|n| json!(n)).collect();
                names.push(Value::Null);
                json!({ "enum": names })
            }
            "matches" | "starts_with" => json!({ "type": "string" }),
            "one_of" => json!({ "type": "array" }),
            "every" | "none" => json!({ "$ref": "#/$defs/predicate" }),
            "count" | "length" => {
                json!({ "anyOf": [{ "type": ["integer", "string"] }, { "$ref": "#/$defs/predicate" }] })
            }
            "gt" | "gte" | "lt" | "lte" => json!({ "type": ["number", "string"] }),
            _ => json!({}),
        };
        predicate_ops.insert(op.to_string(), schema);
    }
    let predicate = json!({
        "description": "A value (equals) or a mapping of operators",
        "anyOf": [
            { "type": ["string", "number", "boolean", "null", "array"] },
            { "type": "object", "additionalProperties": false, "minProperties": 1, "properties": predicate_ops }
        ]
    });
    let status = json!({ "oneOf": [
        { "type": ["integer", "string"] },
        { "type": "array", "items": { "type": ["integer", "string"] } }
    ]});
    let capture = json!({
        "type": "object", "additionalProperties": false, "minProperties": 1,
        "properties": {
            "json": { "type": "string" }, "header": { "type": "string" }, "regex": { "type": "string" },
            "group": { "type": "integer", "minimum": 0 }, "body": { "enum": ["text", "integer", "json"] },
            "status": { "type": "boolean" }
        },
        "description": format!("one of: {}", CAPTURE_KINDS.join(", ")),
    });
    let request = object(
        REQUEST_KEYS,
        props(json!({
            "method": { "enum": METHODS },
            "url": { "type": "string" },
            "query": { "type": "object" },
            "headers": { "type": "object", "additionalProperties": { "type": ["string", "number", "boolean"] } },
            "form": { "type": "object" },
            "body": { "type": "string" },
            "timeout": duration,
            "follow_redirects": { "type": "boolean" },
        })),
    );
    let expect = object(
        EXPECT_KEYS,
        props(json!({
            "status": status,
            "headers": { "type": "object", "additionalProperties": { "$ref": "#/$defs/predicate" } },
            "json": { "type": "object", "additionalProperties": { "$ref": "#/$defs/predicate" } },
            "body": { "$ref": "#/$defs/predicate" },
            "schema": { "type": "string" },
            "time": { "anyOf": [duration, { "type": "object" }] },
            "records": { "$ref": "#/$defs/predicate" },
            "odata_count": { "$ref": "#/$defs/predicate" },
            "entity_set": {
                "type": "object", "additionalProperties": false, "required": ["name"],
                "properties": { "name": { "type": "string" }, "properties": { "type": "array", "items": { "type": "string" } } }
            },
            "snapshot": {
                "description": "compare the answer with __snapshots__/<scenario file>/<name>.json (true: named after the step)",
                "anyOf": [
                    { "type": "boolean" },
                    { "type": "string" },
                    {
                        "type": "object", "additionalProperties": false,
                        "properties": {
                            "name": { "type": "string" },
                            "shape": { "type": "boolean", "description": "compare keys, JSON types and array item shapes only" },
                            "redact": { "type": "object", "additionalProperties": { "type": "string" }, "description": "JSONPath: placeholder" },
                        },
                    },
                ],
            },
        })),
    );
    let retry = object(
        RETRY_KEYS,
        props(json!({
            "until": { "const": "pass" }, "interval": duration, "timeout": duration,
            "attempts": { "type": "integer", "minimum": 1 }, "backoff": { "type": "number", "minimum": 1, "maximum": 10 },
        })),
    );
    let step = object(
        STEP_KEYS,
        props(json!({
            "name": { "type": "string" },
            "description": { "type": "string", "description": "what the step is for, in words" },
            "request": { "$ref": "#/$defs/request" },
            "odata": object(ODATA_KEYS, props(json!({
                "version": { "enum": ["v4", "v3"] },
                "pages": { "anyOf": [{ "const": "all" }, { "type": "integer", "minimum": 1 }] },
                "max_pages": { "type": "integer", "minimum": 1 },
                "top": { "type": "integer" }, "skip": { "type": "integer" },
                "count": { "type": "boolean" },
                "metadata": { "anyOf": [{ "type": "boolean" }, { "const": "snapshot" }] },
                "where": { "type": "object" },
            }))),
            "scim": object(SCIM_KEYS, props(json!({
                "pages": { "anyOf": [{ "const": "all" }, { "type": "integer", "minimum": 1 }] },
                "where": { "type": "object" },
                "operations": { "type": "array", "items": { "type": "object", "required": ["op"] } },
            }))),
            "workflow": object(WORKFLOW_KEYS, props(json!({
                "interval": duration, "timeout": duration, "data": { "type": "object" },
                "schema": { "type": "string", "description": "a workflow's start schema, by name or id" },
                "expect": { "const": "snapshot" },
            }))),
            "auth": { "type": "string" },
            "expect": { "$ref": "#/$defs/expect" },
            "capture": { "type": "object", "additionalProperties": { "anyOf": [
                { "$ref": "#/$defs/capture" },
                { "type": "string", "pattern": "^\\s*\\$", "description": "a JSONPath: short for { json: … }" }
            ] } },
            "retry": { "$ref": "#/$defs/retry" },
        })),
    );
    let mut root = object(
        SCENARIO_KEYS,
        props(json!({
            "name": { "type": "string" },
            "description": { "type": "string" },
            "tags": { "type": "array", "items": { "type": "string" } },
            "auth": { "type": "string", "description": "an auth profile of k2check.yaml, or `none`" },
            "vars": { "type": "object" },
            "rows": { "anyOf": [
                { "type": "array", "items": { "type": "object" }, "description": "one run per mapping, its fields as variables" },
                { "type": "object", "properties": { "file": { "type": "string" } }, "required": ["file"],
                  "additionalProperties": false, "description": "a .csv, .yaml or .json file beside the scenario" }
            ] },
            "row_name": { "type": "string", "description": "a template over the row's fields: the label of its run" },
            "steps": { "type": "array", "items": { "$ref": "#/$defs/step" } },
            "finally": { "type": "array", "items": { "$ref": "#/$defs/step" } },
        })),
    );
    if let Value::Object(map) = &mut root {
        map.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        map.insert("title".into(), json!("k2check scenario"));
        map.insert("required".into(), json!(["name", "steps"]));
        map.insert(
            "$defs".into(),
            json!({
                "predicate": predicate, "request": request, "expect": expect,
                "capture": capture, "retry": retry, "step": step,
            }),
        );
    }
    root
}

pub fn scenario_schema_text() -> String {
    serde_json::to_string_pretty(&scenario_schema()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use crate::source::SourceMap;

    fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                collect(&path, out);
            } else if path.extension().is_some_and(|e| e == "yaml")
                && path.file_name().is_some_and(|n| n != "k2check.yaml")
            {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_shipped_scenario_follows_the_schema() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("schemas/scenario.schema.json")).unwrap();
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let mut files = Vec::new();
        collect(&root.join("scenarios"), &mut files);
        collect(&root.join("tests/golden/assertions-pass"), &mut files);
        collect(&root.join("tests/golden/captures"), &mut files);
        assert!(files.len() >= 3);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut sources = SourceMap::default();
            let id = sources.add(file.clone(), text);
            let json = crate::yaml::parse(id, &sources.get(id)).unwrap().to_json();
            let errors: Vec<String> = validator
                .iter_errors(&json)
                .map(|e| format!("{e} at {}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
            if !file.starts_with(root.join("scenarios")) {
                continue;
            }
            assert!(
                sources.get(id).text.starts_with("# yaml-language-server: $schema="),
                "{} lacks the yaml-language-server line",
                file.display()
            );
        }
    }
}
