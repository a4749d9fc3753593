//! Where two JSON values differ, by JSONPath: `$.value[0].Salary: 100 → "100"`,
//! `$.dataFields.Reason: removed`, `$.value[*].Bonus: added (number)`.

use serde_json::Value;

use crate::event::Change;
use crate::snapshot::shape::type_name;

/// A value's text in a change line: compact JSON, cut past this many characters.
const VALUE_CHARS: usize = 80;

/// The changes from `stored` to `received`, in the stored document's order then the new
/// members. With `shape`, both are shapes: arrays hold one merged item (`[*]`) and values are
/// type words, shown bare.
pub fn differences(stored: &Value, received: &Value, shape: bool) -> Vec<Change> {
    let mut changes = Vec::new();
    walk(&mut String::from("$"), stored, received, shape, &mut changes);
    changes
}

fn walk(path: &mut String, stored: &Value, received: &Value, shape: bool, out: &mut Vec<Change>) {
    match (stored, received) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let len = push_member(path, key);
                match b.get(key) {
                    Some(other) => walk(path, value, other, shape, out),
                    None => out.push(removed(path, value, shape)),
                }
                path.truncate(len);
            }
            for (key, value) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                let len = push_member(path, key);
                out.push(added(path, value, shape));
                path.truncate(len);
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let len = path.len();
                path.push_str(&if shape { "[*]".to_owned() } else { format!("[{i}]") });
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => walk(path, x, y, shape, out),
                    (Some(x), None) => out.push(removed(path, x, shape)),
                    (None, Some(y)) => out.push(added(path, y, shape)),
                    (None, None) => {}
                }
                path.truncate(len);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Change {
            path: path.clone(),
            stored: Some(shown(a, shape)),
            received: Some(shown(b, shape)),
            added_type: None,
        }),
    }
}

/// Appends `.key` (or `['key']` for any other name), so each path is a JSONPath a `redact:`
/// can take as it is; the length before.
fn push_member(path: &mut String, key: &str) -> usize {
    let len = path.len();
    // RFC 9535's member-name shorthand: a letter or `_`, then letters, digits and `_`.
    let identifier = key.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_alphanumeric() || c == '_');
    if identifier {
        path.push('.');
        path.push_str(key);
    } else {
        path.push_str("['");
        path.push_str(&key.replace('\\', "\\\\").replace('\'', "\\'"));
        path.push_str("']");
    }
    len
}

fn removed(path: &str, value: &Value, shape: bool) -> Change {
    Change {
        path: path.to_owned(),
        stored: Some(shown(value, shape)),
        received: None,
        added_type: None,
    }
}

fn added(path: &str, value: &Value, shape: bool) -> Change {
    let kind = match value {
        Value::String(words) if shape => words.clone(),
        other => type_name(other).to_owned(),
    };
    Change {
        path: path.to_owned(),
        stored: None,
        received: Some(shown(value, shape)),
        added_type: Some(kind),
    }
}

/// Compact JSON, cut; a shape's type words bare (`number`, not `"number"`).
fn shown(value: &Value, shape: bool) -> String {
    let text = match value {
        Value::String(words) if shape => words.clone(),
        other => other.to_string(),
    };
    match text.char_indices().nth(VALUE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::shape::shape_of;
    use serde_json::json;

    fn lines(a: Value, b: Value, shape: bool) -> Vec<String> {
        differences(&a, &b, shape).iter().map(Change::line).collect()
    }

    #[test]
    fn changes_are_named_by_path() {
        let stored = json!({"value": [{"Salary": 100, "Name": "a"}], "dataFields": {"Reason": "x", "Folio": "f"}});
        let received = json!({"value": [{"Salary": "100", "Name": "a", "Bonus": 5}], "dataFields": {"Folio": "f"}});
        assert_eq!(
            lines(stored, received, false),
            [
                r#"$.value[0].Salary: 100 → "100""#,
                "$.value[0].Bonus: added (number)",
                "$.dataFields.Reason: removed",
            ]
        );
        assert_eq!(lines(json!([1, 2]), json!([1]), false), ["$[1]: removed"]);
        assert_eq!(lines(json!({"a b": 1}), json!({"a b": 2}), false), ["$['a b']: 1 → 2"]);
        assert!(lines(json!({"a": 1, "b": 2}), json!({"b": 2, "a": 1}), false).is_empty());
    }

    #[test]
    fn shapes_show_types_and_every_item_as_one() {
        let stored = shape_of(&json!({"value": [{"Salary": 100}]}));
        let received = shape_of(&json!({"value": [{"Salary": "100", "Bonus": 1}, {"Salary": "7"}]}));
        assert_eq!(
            lines(stored, received, true),
            ["$.value[*].Salary: number → string", "$.value[*].Bonus: added (number)"]
        );
    }
}
