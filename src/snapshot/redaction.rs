//! Redactions: values at JSONPaths replaced by a placeholder before a snapshot is compared or
//! stored, so what changes on every call (ids, dates, serial numbers) does not fail a run.

use serde_json::Value;

use crate::expect::paths::JsonPaths;
use crate::scenario::model::Redaction;

/// Replaces every value each redaction's path finds by its placeholder, in order (a later
/// redaction sees the earlier ones' placeholders). The paths were checked when planned; one
/// that still does not parse is named in the error.
pub fn redact(value: &mut Value, redactions: &[Redaction], paths: &JsonPaths) -> Result<(), String> {
    let pairs = redactions
        .iter()
        .map(|r| (r.path.text.as_str(), r.placeholder.as_str()));
    redact_pairs(value, pairs, paths)
}

/// The same, from `(JSONPath, placeholder)` pairs (`init --discover` applies the library's).
pub fn redact_pairs<'a>(
    value: &mut Value,
    redactions: impl IntoIterator<Item = (&'a str, &'a str)>,
    paths: &JsonPaths,
) -> Result<(), String> {
    for (text, placeholder) in redactions {
        let path = paths.get(text)?;
        let pointers: Vec<String> = path
            .path
            .query_located(value)
            .locations()
            .map(|location| location.to_json_pointer())
            .collect();
        for pointer in pointers {
            if let Some(found) = value.pointer_mut(&pointer) {
                *found = Value::String(placeholder.to_owned());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::model::Template;
    use crate::source::{FileId, Span};
    use serde_json::json;

    fn redaction(path: &str, placeholder: &str) -> Redaction {
        Redaction {
            path: Template {
                text: path.into(),
                span: Span::new(FileId(0), 0, 0),
            },
            placeholder: placeholder.into(),
        }
    }

    #[test]
    fn every_value_a_path_finds_is_replaced() {
        let mut value = json!({"id": 7, "value": [{"id": 1, "at": "2026-01-01"}, {"id": 2, "at": "x/y"}], "n": 3});
        let redactions = [redaction("$..id", "[id]"), redaction("$.value[*].at", "[date]")];
        redact(&mut value, &redactions, &JsonPaths::default()).unwrap();
        assert_eq!(
            value,
            json!({"id": "[id]", "value": [{"id": "[id]", "at": "[date]"}, {"id": "[id]", "at": "[date]"}], "n": 3})
        );
        let bad = redact(&mut value, &[redaction("$[", "x")], &JsonPaths::default());
        assert!(bad.unwrap_err().contains("invalid JSONPath"));
    }
}
