//! Selecting one node of a JSON body by a simple JSONPath (`$.value[0].ID`) straight from
//! its bytes, without building the document. Most assertions and captures look like that,
//! and building a `serde_json::Value` for every response cost more than everything else a
//! step does; scanning past the members not asked for is several times cheaper. The whole
//! body is still read, so a body that is not JSON is still found out.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// One step of a simple path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    /// `.name` or `['name']`: a member of an object.
    Name(String),
    /// `[3]`: an element of an array, counted from 0.
    Index(usize),
}

/// The segments of a path made only of names and non-negative indexes, or `None` for any
/// other path (wildcards, filters, slices, negative indexes, descendants, escapes), which
/// is left to the full JSONPath engine.
pub fn simple_path(text: &str) -> Option<Vec<Segment>> {
    let mut rest = text.strip_prefix('$')?;
    let mut segments = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let name = &after[..end];
            if !is_shorthand_name(name) {
                return None;
            }
            segments.push(Segment::Name(name.to_owned()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("['") {
            let end = after.find("']")?;
            let name = &after[..end];
            if name.contains(['\\', '\'']) || name.chars().any(char::is_control) {
                return None;
            }
            segments.push(Segment::Name(name.to_owned()));
            rest = &after[end + 2..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let digits = &after[..end];
            let canonical = digits == "0" || (!digits.starts_with('0') && !digits.is_empty());
            if !canonical || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            segments.push(Segment::Index(digits.parse().ok()?));
            rest = &after[end + 1..];
        } else {
            return None;
        }
    }
    Some(segments)
}

/// RFC 9535 member-name-shorthand: a letter, `_` or non-ASCII, then those or digits.
fn is_shorthand_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii());
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii())
}

/// The node `path` selects in `body`: `Ok(None)` when it selects nothing, `Err` when the
/// body is not JSON.
pub fn pluck(body: &[u8], path: &[Segment]) -> Result<Option<Value>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let found = Pluck { path }.deserialize(&mut de)?;
    de.end()?;
    Ok(found)
}

struct Pluck<'p> {
    path: &'p [Segment],
}

impl<'de> DeserializeSeed<'de> for Pluck<'_> {
    type Value = Option<Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        match self.path.split_first() {
            None => serde::Deserialize::deserialize(deserializer).map(Some),
            Some((first, rest)) => deserializer.deserialize_any(Select { first, rest }),
        }
    }
}

/// Walks one container looking for `first`, skipping everything else.
struct Select<'p> {
    first: &'p Segment,
    rest: &'p [Segment],
}

impl<'de> Visitor<'de> for Select<'_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(matched) = map.next_key_seed(KeyIs(self.first))? {
            if matched {
                // A repeated member: the last one counts, as when the document is built.
                found = map.next_value_seed(Pluck { path: self.rest })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let wanted = match self.first {
            Segment::Index(i) => Some(*i),
            Segment::Name(_) => None,
        };
        let mut found = None;
        let mut index = 0;
        loop {
            if Some(index) == wanted {
                match seq.next_element_seed(Pluck { path: self.rest })? {
                    Some(node) => found = node,
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            index += 1;
        }
        Ok(found)
    }

    // A scalar has no members and no elements: the path selects nothing.
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Reads an object key and says whether it is the member asked for, without keeping it.
struct KeyIs<'p>(&'p Segment);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E>(self, key: &str) -> Result<bool, E> {
        Ok(matches!(self.0, Segment::Name(name) if name == key))
    }
}

/// The node a simple path selects in a built document (the tests' reference).
#[cfg(test)]
fn select_in_value(mut value: &Value, path: &[Segment]) -> Option<Value> {
    for segment in path {
        value = match segment {
            Segment::Name(name) => value.as_object()?.get(name)?,
            Segment::Index(i) => value.as_array()?.get(*i)?,
        };
    }
    Some(value.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn by_engine(doc: &Value, path: &str) -> Option<Value> {
        let nodes = serde_json_path::JsonPath::parse(path).unwrap().query(doc).all();
        assert!(nodes.len() <= 1, "a simple path selects at most one node");
        nodes.first().map(|v| (*v).clone())
    }

    #[test]
    fn recognises_only_names_and_non_negative_indexes() {
        use Segment::*;
        assert_eq!(simple_path("$"), Some(vec![]));
        assert_eq!(
            simple_path("$.value[0].ID"),
            Some(vec![Name("value".into()), Index(0), Name("ID".into())])
        );
        assert_eq!(
            simple_path("$['@odata.count']"),
            Some(vec![Name("@odata.count".into())])
        );
        assert_eq!(simple_path("$.Résumé_2"), Some(vec![Name("Résumé_2".into())]));
        for other in [
            "$..id",
            "$.*",
            "$[*]",
            "$[-1]",
            "$[01]",
            "$[0:2]",
            "$[?@.a]",
            "$.a b",
            "$['a\\'b']",
            "$.2a",
            "$[ 0]",
            "$[\"a\"]",
            "x.a",
            "$.",
            "$[]",
            "$['a'",
            "$[0,1]",
        ] {
            assert_eq!(simple_path(other), None, "{other}");
        }
    }

    #[test]
    fn selects_what_the_jsonpath_engine_selects() {
        let doc = json!({
            "itemCount": 2,
            "workflows": [{"id": 1, "name": "Leave"}, {"id": 2, "name": "Claim", "tags": [null, {"x": [1.5]}]}],
            "@odata.count": 7,
            "empty": {}, "nothing": null, "text": "a\"b\\u00e9", "big": 18446744073709551615u64, "neg": -3
        });
        let body = serde_json::to_vec(&doc).unwrap();
        for path in [
            "$",
            "$.itemCount",
            "$.workflows",
            "$.workflows[0].id",
            "$.workflows[1].tags[1].x[0]",
            "$.workflows[2]",
            "$.workflows.id",
            "$.itemCount.x",
            "$.itemCount[0]",
            "$['@odata.count']",
            "$.empty",
            "$.empty.a",
            "$.nothing",
            "$.nothing.a",
            "$.text",
            "$.text[0]",
            "$.big",
            "$.neg",
            "$.missing",
            "$[0]",
        ] {
            let segments = simple_path(path).unwrap();
            assert_eq!(pluck(&body, &segments).unwrap(), by_engine(&doc, path), "{path}");
        }
    }

    #[test]
    fn a_repeated_member_counts_as_its_last() {
        let body = br#"{"a": 1, "b": 2, "a": {"c": 3}}"#;
        let doc: Value = serde_json::from_slice(body).unwrap();
        for path in ["$.a", "$.a.c"] {
            let segments = simple_path(path).unwrap();
            assert_eq!(pluck(body, &segments).unwrap(), by_engine(&doc, path), "{path}");
        }
    }

    #[test]
    fn a_body_that_is_not_json_is_an_error_even_past_the_node() {
        let path = simple_path("$.a").unwrap();
        for body in [
            &b""[..],
            b"{\"a\": 1",
            b"{\"a\": 1} trailing",
            b"{\"a\": 1, \"b\": tru}",
            b"<html>",
            b"\xff",
        ] {
            assert!(pluck(body, &path).is_err(), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn any_bytes_are_an_answer_or_an_error_as_for_the_whole_document() {
        // Fragments of JSON shuffled into bodies that are mostly not JSON.
        let pieces: [&[u8]; 16] = [
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"a\"",
            b":",
            b",",
            b"1",
            b"-2.5e3",
            b"null",
            b"tru",
            b"\"\\u00e9\"",
            b"\xff",
            b" ",
            b"\"b\":{\"a\":[0]}",
            b"\"",
        ];
        let mut seed = 0x9e37_79b9_u64;
        let paths = [
            simple_path("$.a").unwrap(),
            simple_path("$.b.a[0]").unwrap(),
            simple_path("$[0]").unwrap(),
        ];
        let mut valid = 0;
        for _ in 0..5_000 {
            let mut body = Vec::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                body.extend_from_slice(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let whole = serde_json::from_slice::<Value>(&body);
            for path in &paths {
                let plucked = pluck(&body, path);
                assert_eq!(plucked.is_ok(), whole.is_ok(), "{}", String::from_utf8_lossy(&body));
                if let (Ok(node), Ok(doc)) = (plucked, &whole) {
                    assert_eq!(
                        node,
                        super::select_in_value(doc, path),
                        "{}",
                        String::from_utf8_lossy(&body)
                    );
                    valid += 1;
                }
            }
            seed = seed.wrapping_add(1);
        }
        assert!(
            valid > 300,
            "only {valid} of the bodies were JSON: the generator tests too little"
        );
    }

    #[test]
    fn agrees_with_the_engine_on_generated_documents() {
        // A small deterministic generator: nested objects and arrays of every JSON type.
        let mut seed = 0x2545_f491_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        fn build(next: &mut dyn FnMut(u64) -> u64, depth: u32) -> Value {
            match if depth == 0 { next(5) } else { next(7) } {
                0 => Value::Null,
                1 => json!(next(2) == 0),
                2 => json!(next(1000) as i64 - 500),
                3 => json!(next(1000) as f64 / 8.0),
                4 => json!(["a", "b\"", "é", ""][next(4) as usize]),
                5 => Value::Array((0..next(4)).map(|_| build(next, depth - 1)).collect()),
                _ => Value::Object(
                    (0..next(4))
                        .map(|_| (["a", "b", "c"][next(3) as usize].to_owned(), build(next, depth - 1)))
                        .collect(),
                ),
            }
        }
        for _ in 0..300 {
            let doc = build(&mut next, 3);
            let body = serde_json::to_vec(&doc).unwrap();
            let mut path = String::from("$");
            for _ in 0..next(4) {
                if next(2) == 0 {
                    path.push('.');
                    path.push_str(["a", "b", "c"][next(3) as usize]);
                } else {
                    path.push_str(&format!("[{}]", next(3)));
                }
                let segments = simple_path(&path).unwrap();
                assert_eq!(
                    pluck(&body, &segments).unwrap(),
                    by_engine(&doc, &path),
                    "{path} in {doc}"
                );
            }
        }
    }
}
