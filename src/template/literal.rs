//! Literals for the query languages K2-aware steps write: OData (`'O''Brien'`) and SCIM
//! (`"a \"quoted\" name"`). Available to every template as the filters `odata` and `scim`.

use minijinja::Value;
use minijinja::value::ValueKind;

/// An OData literal: strings in single quotes with `'` doubled; numbers and booleans bare.
pub fn odata(value: Value) -> String {
    match value.as_str() {
        Some(s) => format!("'{}'", odata_escape(s.to_owned())),
        None if value.is_none() || value.is_undefined() => "null".into(),
        None if value.kind() == ValueKind::Bool => value.is_true().to_string(),
        None => value.to_string(),
    }
}

pub fn odata_escape(text: String) -> String {
    text.replace('\'', "''")
}

/// A SCIM filter value: JSON, so strings are double-quoted with `"` and `\` escaped.
pub fn scim(value: Value) -> String {
    match value.as_str() {
        Some(s) => serde_json::to_string(s).unwrap_or_default(),
        None if value.is_none() || value.is_undefined() => "null".into(),
        None if value.kind() == ValueKind::Bool => value.is_true().to_string(),
        None => value.to_string(),
    }
}

pub fn scim_escape(text: String) -> String {
    let quoted = serde_json::to_string(&text).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_literals_double_single_quotes() {
        assert_eq!(odata(Value::from("O'Brien")), "'O''Brien'");
        assert_eq!(odata(Value::from(5)), "5");
        assert_eq!(odata(Value::from(true)), "true");
        assert_eq!(odata(Value::from(())), "null");
        assert_eq!(odata_escape("it's".into()), "it''s");
    }

    #[test]
    fn scim_literals_are_json_strings() {
        assert_eq!(scim(Value::from("a \"b\" \\ c")), r#""a \"b\" \\ c""#);
        assert_eq!(scim(Value::from(3)), "3");
        assert_eq!(scim_escape("say \"hi\"".into()), r#"say \"hi\""#);
    }
}
