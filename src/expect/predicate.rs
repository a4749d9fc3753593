//! Evaluating one predicate on a value taken from a response.

use serde_json::Value;

use crate::scenario::model::{Comparison, JsonType, Op, Predicate};
use crate::template::{Context, TemplateEngine, TemplateError};
use crate::text::scalar_text;

/// What a check found wrong, in words for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub expected: String,
    pub actual: String,
}

/// The value a predicate looks at. `nodes` holds every match of a JSONPath; a header or
/// body is one node.
pub struct Subject<'a> {
    pub nodes: &'a [Value],
}

impl Subject<'_> {
    fn value(&self) -> Option<Value> {
        match self.nodes {
            [] => None,
            [one] => Some(one.clone()),
            many => Some(Value::Array(many.to_vec())),
        }
    }

    /// The matches, or the items of the one array matched: what `every` and `none` look at.
    fn items(&self) -> Vec<Value> {
        match self.nodes {
            [Value::Array(items)] => items.clone(),
            nodes => nodes.to_vec(),
        }
    }

    /// The number of matches, or the length of the one array matched.
    fn count(&self) -> usize {
        match self.nodes {
            [Value::Array(items)] => items.len(),
            nodes => nodes.len(),
        }
    }
}

/// Checks one predicate against its subject. One arm per operator of the predicate grammar
/// (`equals` … `every`): long because it is the grammar, read top to bottom as one table.
pub fn check(p: &Predicate, subject: &Subject, engine: &TemplateEngine, ctx: &Context) -> Result<(), Mismatch> {
    let render = |node: &crate::yaml::Node| -> Result<Value, Mismatch> {
        engine.render_node(node, ctx).map_err(|TemplateError(e)| Mismatch {
            expected: e,
            actual: String::new(),
        })
    };
    let fail = |expected: String, actual: Option<&Value>| {
        Err(Mismatch {
            expected,
            actual: describe(actual),
        })
    };
    match &p.op {
        Op::Exists(want) => {
            let found = !subject.nodes.is_empty();
            if found == *want {
                return Ok(());
            }
            return fail(
                if *want {
                    "to exist".into()
                } else {
                    "not to exist".into()
                },
                subject.value().as_ref(),
            );
        }
        Op::Count(ps) => {
            let count = Value::from(subject.count());
            return check_all(ps, &[count], engine, ctx).map_err(|m| Mismatch {
                expected: format!("count {}", m.expected),
                actual: format!("count {}", m.actual),
            });
        }
        Op::Every(ps) => {
            for (index, item) in subject.items().iter().enumerate() {
                if let Err(m) = check_all(ps, std::slice::from_ref(item), engine, ctx) {
                    return Err(Mismatch {
                        expected: format!("every item {}", m.expected),
                        actual: format!("item {index}: {}", m.actual),
                    });
                }
            }
            return Ok(());
        }
        Op::NoneOf(ps) => {
            for (index, item) in subject.items().iter().enumerate() {
                if check_all(ps, std::slice::from_ref(item), engine, ctx).is_ok() {
                    return Err(Mismatch {
                        expected: op_words(p, engine, ctx),
                        actual: format!("item {index}: {}", excerpt(item)),
                    });
                }
            }
            return Ok(());
        }
        _ => {}
    }
    let Some(actual) = subject.value() else {
        return Err(Mismatch {
            expected: op_words(p, engine, ctx),
            actual: "nothing (no match)".into(),
        });
    };
    let ok = match &p.op {
        Op::Equals(n) => loosely_equal(&render(n)?, &actual),
        Op::NotEquals(n) => !loosely_equal(&render(n)?, &actual),
        Op::Contains(n) => {
            let want = render(n)?;
            match (&actual, &want) {
                (Value::String(s), Value::String(w)) => s.contains(w.as_str()),
                (Value::String(s), other) => s.contains(&scalar_text(other)),
                (Value::Array(items), w) => items.iter().any(|i| loosely_equal(w, i)),
                (Value::Object(map), Value::String(key)) => map.contains_key(key),
                _ => false,
            }
        }
        Op::StartsWith(n) => {
            let want = scalar_text(&render(n)?);
            scalar_text(&actual).starts_with(&want)
        }
        Op::Matches(regex) => regex.is_match(&scalar_text(&actual)),
        Op::MatchesTemplate(n) => {
            let pattern = scalar_text(&render(n)?);
            match regex::Regex::new(&pattern) {
                Ok(regex) => regex.is_match(&scalar_text(&actual)),
                Err(_) => return fail(format!("a valid regex, but /{pattern}/ is not one"), Some(&actual)),
            }
        }
        Op::Type(t) => {
            let found = JsonType::of(&actual);
            found == *t || (*t == JsonType::Number && found == JsonType::Integer)
        }
        Op::Length(ps) => {
            let length = match &actual {
                Value::String(s) => s.chars().count(),
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                other => return fail("a string, list or object to measure".into(), Some(other)),
            };
            return check_all(ps, &[Value::from(length)], engine, ctx).map_err(|m| Mismatch {
                expected: format!("length {}", m.expected),
                actual: format!("length {}", m.actual),
            });
        }
        Op::Gt(n) | Op::Gte(n) | Op::Lt(n) | Op::Lte(n) => {
            let (Some(a), Some(w)) = (as_number(&actual), as_number(&render(n)?)) else {
                return fail(op_words(p, engine, ctx), Some(&actual));
            };
            match &p.op {
                Op::Gt(_) => a > w,
                Op::Gte(_) => a >= w,
                Op::Lt(_) => a < w,
                _ => a <= w,
            }
        }
        Op::OneOf(items) => {
            let mut any = false;
            for item in items {
                any |= loosely_equal(&render(item)?, &actual);
            }
            any
        }
        Op::Empty(want) => {
            let empty = match &actual {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            };
            empty == *want
        }
        Op::Millis(cmp, limit) => {
            let (Some(ms), limit) = (as_number(&actual), limit.as_secs_f64() * 1000.0) else {
                return fail(op_words(p, engine, ctx), Some(&actual));
            };
            match cmp {
                Comparison::Gt => ms > limit,
                Comparison::Gte => ms >= limit,
                Comparison::Lt => ms < limit,
                Comparison::Lte => ms <= limit,
            }
        }
        Op::Exists(_) | Op::Count(_) | Op::Every(_) | Op::NoneOf(_) => true,
    };
    if ok {
        Ok(())
    } else {
        fail(op_words(p, engine, ctx), Some(&actual))
    }
}

pub fn check_all(ps: &[Predicate], nodes: &[Value], engine: &TemplateEngine, ctx: &Context) -> Result<(), Mismatch> {
    let subject = Subject { nodes };
    ps.iter().try_for_each(|p| check(p, &subject, engine, ctx))
}

/// "equals 5", "matches ^a", "one of [1, 2]": the expectation in words.
pub fn op_words(p: &Predicate, engine: &TemplateEngine, ctx: &Context) -> String {
    let show = |n: &crate::yaml::Node| match engine.render_node(n, ctx) {
        Ok(v) => excerpt(&v),
        Err(_) => n.as_scalar().unwrap_or("…").to_owned(),
    };
    let nested = |ps: &[Predicate]| {
        ps.iter()
            .map(|p| op_words(p, engine, ctx))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    match &p.op {
        Op::Equals(n) => format!("equals {}", show(n)),
        Op::NotEquals(n) => format!("not equals {}", show(n)),
        Op::Contains(n) => format!("contains {}", show(n)),
        Op::StartsWith(n) => format!("starts with {}", show(n)),
        Op::Matches(r) => format!("matches /{}/", r.as_str()),
        Op::MatchesTemplate(n) => format!("matches /{}/", show(n).trim_matches('"')),
        Op::Exists(true) => "exists".into(),
        Op::Exists(false) => "does not exist".into(),
        Op::Type(t) => format!("of type {}", t.name()),
        Op::Count(ps) => format!("count {}", nested(ps)),
        Op::Every(ps) => format!("every item {}", nested(ps)),
        Op::NoneOf(ps) => format!("no item {}", nested(ps)),
        Op::Length(ps) => format!("length {}", nested(ps)),
        Op::Gt(n) => format!("> {}", show(n)),
        Op::Gte(n) => format!(">= {}", show(n)),
        Op::Lt(n) => format!("< {}", show(n)),
        Op::Lte(n) => format!("<= {}", show(n)),
        Op::OneOf(items) => format!("one of [{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        Op::Empty(true) => "empty".into(),
        Op::Empty(false) => "not empty".into(),
        Op::Millis(cmp, d) => {
            let word = match cmp {
                Comparison::Gt => ">",
                Comparison::Gte => ">=",
                Comparison::Lt => "<",
                Comparison::Lte => "<=",
            };
            format!("{word} {} ms", d.as_millis())
        }
    }
}

/// Equal as JSON, with numbers compared by value (1 == 1.0) and a string compared with
/// the text of a number or boolean (header values are text).
pub fn loosely_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Number(_) | Value::Bool(_), Value::String(s)) => scalar_text(expected) == *s,
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| loosely_equal(x, y)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| loosely_equal(v, w)))
        }
        _ => expected == actual,
    }
}

fn as_number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A value as JSON text, whole: the step masks it and then cuts it to a readable length,
/// in that order, so a secret never survives as a prefix.
pub fn excerpt(v: &Value) -> String {
    v.to_string()
}

fn describe(v: Option<&Value>) -> String {
    v.map_or_else(|| "nothing (no match)".into(), excerpt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::decode_predicate::decode_predicates;
    use crate::scenario::fields::Reader;
    use crate::source::SourceMap;
    use serde_json::json;

    fn run(yaml: &str, nodes: &[Value]) -> Result<(), Mismatch> {
        let mut map = SourceMap::default();
        let id = map.add("p.yaml".into(), yaml.into());
        let node = crate::yaml::parse(id, &map.get(id)).unwrap();
        let mut r = Reader::default();
        let ps = decode_predicates(&mut r, &node);
        assert!(r.diags.is_empty(), "{:?}", r.diags);
        check_all(&ps, nodes, &TemplateEngine::new(), &Context::default())
    }

    #[test]
    fn each_operator_passes_and_fails() {
        let cases: &[(&str, Value, Value)] = &[
            ("5", json!(5.0), json!(6)),
            ("{equals: abc}", json!("abc"), json!("abd")),
            ("{not_equals: 1}", json!(2), json!(1)),
            ("{contains: b}", json!("abc"), json!("xyz")),
            ("{contains: 2}", json!([1, 2]), json!([1, 3])),
            ("{starts_with: ab}", json!("abc"), json!("cab")),
            ("{matches: '^a\\d+$'}", json!("a12"), json!("a1b")),
            ("{type: integer}", json!(3), json!(3.5)),
            ("{type: number}", json!(3), json!("3")),
            ("{length: 3}", json!("abc"), json!([1])),
            ("{length: {gte: 2}}", json!([1, 2]), json!([1])),
            ("{gt: 1}", json!(2), json!(1)),
            ("{gte: 1}", json!(1), json!(0)),
            ("{lt: 1}", json!(0), json!(1)),
            ("{lte: 1}", json!(1), json!(2)),
            ("{one_of: [a, b]}", json!("b"), json!("c")),
            ("{empty: true}", json!([]), json!([0])),
            ("{empty: false}", json!("x"), json!("")),
            ("[1, 2]", json!([1, 2]), json!([2, 1])),
        ];
        for (yaml, good, bad) in cases {
            assert_eq!(run(yaml, std::slice::from_ref(good)), Ok(()), "{yaml} on {good}");
            assert!(run(yaml, std::slice::from_ref(bad)).is_err(), "{yaml} on {bad}");
        }
    }

    #[test]
    fn count_and_exists_look_at_matches() {
        assert_eq!(run("{count: 2}", &[json!(1), json!(2)]), Ok(()));
        assert_eq!(run("{count: 3}", &[json!([1, 2, 3])]), Ok(()));
        assert_eq!(run("{exists: false}", &[]), Ok(()));
        let missing = run("{equals: 1}", &[]).unwrap_err();
        assert_eq!(missing.actual, "nothing (no match)");
        let wrong = run("{count: 1}", &[]).unwrap_err();
        assert_eq!(
            (wrong.expected.as_str(), wrong.actual.as_str()),
            ("count equals 1", "count 0")
        );
    }

    #[test]
    fn templated_patterns_are_compiled_when_rendered() {
        let mut map = SourceMap::default();
        let id = map.add("p.yaml".into(), "{matches: '^{{ n }}_[0-9]+$'}".into());
        let node = crate::yaml::parse(id, &map.get(id)).unwrap();
        let mut r = Reader::default();
        let ps = decode_predicates(&mut r, &node);
        let ctx = Context::new(std::collections::BTreeMap::from([(
            "n".to_owned(),
            minijinja::Value::from(14),
        )]));
        let engine = TemplateEngine::new();
        assert_eq!(check_all(&ps, &[json!("14_23")], &engine, &ctx), Ok(()));
        assert!(check_all(&ps, &[json!("15_23")], &engine, &ctx).is_err());
        let bad = Context::new(std::collections::BTreeMap::from([(
            "n".to_owned(),
            minijinja::Value::from("("),
        )]));
        assert!(
            check_all(&ps, &[json!("(_1")], &engine, &bad)
                .unwrap_err()
                .expected
                .contains("not one")
        );
    }
}
