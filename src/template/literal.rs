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

/// An OData key literal in a URL path: quoted as `odata` quotes it, then percent-encoded as
/// one path segment.
pub fn odata_key(value: Value) -> String {
    crate::encoding::encode_path_segment(&odata(value))
}

/// The inside of a quoted OData key written with templates: quotes doubled, then encoded.
pub fn odata_key_escape(text: String) -> String {
    crate::encoding::encode_path_segment(&odata_escape(text))
}

/// A value placed in a URL path (`Users/{{ id }}`), percent-encoded as one segment.
pub fn path_segment(value: Value) -> String {
    let text = match value.as_str() {
        Some(s) => s.to_owned(),
        None => value.to_string(),
    };
    crate::encoding::encode_path_segment(&text)
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
    fn keys_and_path_values_arrive_whole() {
        assert_eq!(odata_key(Value::from("K2:DENALLIX\\bob")), "'K2:DENALLIX%5Cbob'");
        assert_eq!(odata_key(Value::from(4)), "4");
        assert_eq!(odata_key_escape("50% o'ff".into()), "50%25%20o''ff");
        assert_eq!(path_segment(Value::from("2819c223/x")), "2819c223%2Fx");
    }

    #[test]
    fn scim_literals_are_json_strings() {
        assert_eq!(scim(Value::from("a \"b\" \\ c")), r#""a \"b\" \\ c""#);
        assert_eq!(scim(Value::from(3)), "3");
        assert_eq!(scim_escape("say \"hi\"".into()), r#"say \"hi\""#);
    }
}
