//! The shape of a JSON value: its keys, their JSON types and its arrays' element shapes, with
//! every value left out. Two answers of one shape differ only in values; a shape that changed
//! is API drift (a property gone, a number now sent as a string).

use serde_json::Value;

/// `{"value": [{"ID": "number", "Name": "string"}]}` for `{"value": [{"ID": 1, "Name": "a"}]}`.
/// An array's items are merged into one shape; items of different types give `number | string`.
pub fn shape_of(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), shape_of(v))).collect()),
        Value::Array(items) => {
            let merged = items.iter().map(shape_of).reduce(merge);
            Value::Array(merged.into_iter().collect())
        }
        scalar => Value::String(type_name(scalar).to_owned()),
    }
}

/// The JSON type of a value, as a word.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// One shape for two items of an array: objects take every key of both, arrays merge their
/// items, and different types are named together.
fn merge(a: Value, b: Value) -> Value {
    match (a, b) {
        (Value::Object(mut a), Value::Object(b)) => {
            // In place, so the keys keep the order the answer gave them.
            for (key, shape) in b {
                match a.get_mut(&key) {
                    Some(existing) => *existing = merge(existing.take(), shape),
                    None => {
                        a.insert(key, shape);
                    }
                }
            }
            Value::Object(a)
        }
        (Value::Array(a), Value::Array(b)) => Value::Array(a.into_iter().chain(b).reduce(merge).into_iter().collect()),
        (a, b) if a == b => a,
        (a, b) => {
            let mut words: Vec<String> = [&a, &b].iter().flat_map(|s| words_of(s)).collect();
            words.sort();
            words.dedup();
            Value::String(words.join(" | "))
        }
    }
}

/// The type words a shape stands for.
fn words_of(shape: &Value) -> Vec<String> {
    match shape {
        Value::String(words) => words.split(" | ").map(str::to_owned).collect(),
        other => vec![type_name(other).to_owned()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_left_out_and_array_items_merged() {
        let value = json!({"value": [{"ID": 1, "Name": "a"}, {"ID": 2, "Bonus": null}], "n": true, "e": []});
        assert_eq!(
            shape_of(&value),
            json!({"value": [{"ID": "number", "Name": "string", "Bonus": "null"}], "n": "boolean", "e": []})
        );
        assert_eq!(shape_of(&json!([1, "x", 2])), json!(["number | string"]));
        assert_eq!(shape_of(&json!([1, {"a": 1}])), json!(["number | object"]));
        // Two answers that differ only in values have one shape.
        assert_eq!(shape_of(&json!({"a": [1, 2]})), shape_of(&json!({"a": [7]})));
        assert_ne!(shape_of(&json!({"a": 1})), shape_of(&json!({"a": "1"})));
    }
}
