//! A JSON Schema whose `$ref`s lead back to themselves without looking inside the value
//! (`a` is `{"$ref": "#/$defs/b"}`, `b` is `{"allOf": [{"$ref": "#/$defs/a"}]}`) would make
//! a validator recurse for ever on any body. Such a cycle is found here, before anything is
//! sent. A `$ref` under `properties`, `items` and the like is fine: it looks at a smaller part
//! of the value each time, and every value ends.

use serde_json::Value;

/// Keywords whose subschemas apply to the same value as the schema holding them.
const IN_PLACE: &[&str] = &[
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
];

/// The first cycle of local `$ref`s that never descends into the value, as the pointers it
/// passes through (`#`, `#/$defs/a`, …, back to the first).
pub fn ref_cycle(schema: &Value) -> Option<Vec<String>> {
    let mut path = Vec::new();
    let mut done = std::collections::HashSet::new();
    visit("#", schema, &mut path, &mut done)
}

fn visit(
    pointer: &str,
    schema: &Value,
    path: &mut Vec<String>,
    done: &mut std::collections::HashSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|p| p == pointer) {
        let mut cycle = path[at..].to_vec();
        cycle.push(pointer.to_owned());
        return Some(cycle);
    }
    if !done.insert(pointer.to_owned()) {
        return None;
    }
    let target = resolve(schema, pointer)?;
    path.push(pointer.to_owned());
    let mut refs = Vec::new();
    in_place_refs(target, &mut refs);
    for next in refs {
        // Only pointers into this document: other documents and anchors are not followed.
        if next == "#" || next.starts_with("#/") {
            done.remove(&next);
            if let Some(cycle) = visit(&next, schema, path, done) {
                return Some(cycle);
            }
        }
    }
    path.pop();
    None
}

/// The `$ref`s a subschema applies to its own value, directly or through in-place keywords.
fn in_place_refs(schema: &Value, out: &mut Vec<String>) {
    let Value::Object(map) = schema else { return };
    if let Some(Value::String(target)) = map.get("$ref") {
        out.push(target.clone());
    }
    for keyword in IN_PLACE {
        match map.get(*keyword) {
            Some(Value::Array(items)) => items.iter().for_each(|i| in_place_refs(i, out)),
            Some(Value::Object(sub)) if *keyword == "dependentSchemas" => {
                sub.values().for_each(|s| in_place_refs(s, out));
            }
            Some(sub @ Value::Object(_)) => in_place_refs(sub, out),
            _ => {}
        }
    }
}

/// The subschema a `#/a/b` pointer names (RFC 6901, with `~1` and `~0`).
fn resolve<'a>(schema: &'a Value, pointer: &str) -> Option<&'a Value> {
    let path = pointer.strip_prefix('#')?;
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    schema.pointer(&decoded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mutual_refs_that_never_look_inside_the_value_are_a_cycle() {
        let schema = json!({
            "$ref": "#/$defs/a",
            "$defs": {
                "a": { "$ref": "#/$defs/b" },
                "b": { "allOf": [{ "type": "object" }, { "$ref": "#/$defs/a" }] }
            }
        });
        assert_eq!(ref_cycle(&schema).unwrap(), ["#/$defs/a", "#/$defs/b", "#/$defs/a"]);
        assert!(
            ref_cycle(&json!({ "$ref": "#" })).is_some(),
            "a schema that is only itself"
        );
    }

    #[test]
    fn recursion_through_properties_and_items_is_fine() {
        let tree = json!({
            "$defs": {
                "node": {
                    "type": "object",
                    "properties": { "children": { "type": "array", "items": { "$ref": "#/$defs/node" } } }
                }
            },
            "$ref": "#/$defs/node"
        });
        assert_eq!(ref_cycle(&tree), None);
        assert_eq!(ref_cycle(&json!({ "type": "object" })), None);
        assert_eq!(ref_cycle(&json!({ "$ref": "https://example.com/other.json" })), None);
    }
}
