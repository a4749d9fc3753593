//! Predicates: a bare scalar means `equals`; a mapping holds one or more operators.

use regex::Regex;

use crate::diag::{Diagnostic, did_you_mean};
use crate::scenario::fields::Reader;
use crate::scenario::model::{Comparison, JsonType, Op, Predicate};
use crate::yaml::{Node, NodeKind};

pub const OPERATORS: &[&str] = &[
    "equals",
    "not_equals",
    "contains",
    "starts_with",
    "matches",
    "exists",
    "type",
    "count",
    "length",
    "gt",
    "gte",
    "lt",
    "lte",
    "one_of",
    "empty",
    "every",
    "none",
];

pub fn decode_predicates(r: &mut Reader, node: &Node) -> Vec<Predicate> {
    let NodeKind::Map(entries) = &node.kind else {
        // A list is a value to compare with, like any other scalar.
        return vec![Predicate {
            op: Op::Equals(node.clone()),
            span: node.span,
        }];
    };
    let mut predicates = Vec::new();
    for (key, operand) in entries {
        let name = key.as_scalar().unwrap_or_default();
        if let Some(op) = decode_op(r, name, key, operand) {
            predicates.push(Predicate { op, span: key.span });
        }
    }
    if entries.is_empty() {
        r.error(Diagnostic::error("an empty mapping checks nothing", node.span).with_help(operators_help()));
    }
    predicates.shrink_to_fit();
    predicates
}

fn operators_help() -> String {
    format!("operators: {}", OPERATORS.join(", "))
}

fn decode_op(r: &mut Reader, name: &str, key: &Node, operand: &Node) -> Option<Op> {
    Some(match name {
        "equals" => Op::Equals(operand.clone()),
        "not_equals" => Op::NotEquals(operand.clone()),
        "contains" => Op::Contains(operand.clone()),
        "starts_with" => Op::StartsWith(operand.clone()),
        "matches" if operand.as_scalar().is_some_and(crate::template::has_template) => {
            Op::MatchesTemplate(operand.clone())
        }
        "matches" => Op::Matches(decode_regex(r, operand)?),
        "exists" => Op::Exists(r.bool(operand, "exists")?),
        "empty" => Op::Empty(r.bool(operand, "empty")?),
        "type" => {
            // `null` is a type name here, not YAML's null.
            let text = match operand.as_scalar() {
                Some(t) if !t.is_empty() => t.to_owned(),
                _ => r.string(operand, "a JSON type")?,
            };
            match JsonType::parse(&text) {
                Some(t) => Op::Type(t),
                None => {
                    r.error(
                        Diagnostic::error(format!("unknown type `{text}`"), operand.span)
                            .with_help(format!("type is one of: {}", JsonType::NAMES.join(", "))),
                    );
                    return None;
                }
            }
        }
        "count" => Op::Count(decode_count(r, operand)?),
        "every" => Op::Every(decode_nested(r, operand)),
        "none" => Op::NoneOf(decode_nested(r, operand)),
        "length" => Op::Length(decode_count(r, operand)?),
        "gt" => Op::Gt(number_operand(r, operand)?),
        "gte" => Op::Gte(number_operand(r, operand)?),
        "lt" => Op::Lt(number_operand(r, operand)?),
        "lte" => Op::Lte(number_operand(r, operand)?),
        "one_of" => match &operand.kind {
            NodeKind::Seq(items) => Op::OneOf(items.clone()),
            _ => {
                r.error(Diagnostic::error("`one_of` takes a list of values", operand.span));
                return None;
            }
        },
        other => {
            let mut diag = Diagnostic::error(format!("unknown operator `{other}`"), key.span);
            if let Some(close) = did_you_mean(other, OPERATORS.iter().copied()) {
                diag = diag.with_label(format!("did you mean `{close}`?"));
            }
            r.error(diag.with_help(operators_help()));
            return None;
        }
    })
}

/// Numbers or templates that render to one; a quoted string here is almost always a mistake.
fn number_operand(r: &mut Reader, operand: &Node) -> Option<Node> {
    let templated = operand.as_scalar().is_some_and(|t| t.contains("{{"));
    if operand.to_json().is_number() || templated {
        return Some(operand.clone());
    }
    r.error(Diagnostic::error(
        format!("expected a number, found {}", operand.type_name()),
        operand.span,
    ));
    None
}

/// `every:` and `none:` take predicates, or a value meaning `equals` it.
fn decode_nested(r: &mut Reader, operand: &Node) -> Vec<Predicate> {
    match &operand.kind {
        NodeKind::Map(_) => decode_predicates(r, operand),
        _ => vec![Predicate {
            op: Op::Equals(operand.clone()),
            span: operand.span,
        }],
    }
}

fn decode_count(r: &mut Reader, operand: &Node) -> Option<Vec<Predicate>> {
    match &operand.kind {
        NodeKind::Map(_) => Some(decode_predicates(r, operand)),
        _ => Some(vec![Predicate {
            op: Op::Equals(number_operand(r, operand)?),
            span: operand.span,
        }]),
    }
}

pub fn decode_regex(r: &mut Reader, node: &Node) -> Option<Regex> {
    let pattern = r.string(node, "a regular expression")?;
    match Regex::new(&pattern) {
        Ok(regex) => Some(regex),
        Err(e) => {
            let detail = e.to_string();
            let last = detail
                .lines()
                .last()
                .unwrap_or("invalid")
                .trim()
                .trim_start_matches("error: ");
            r.error(Diagnostic::error(format!("invalid regex: {last}"), node.span).with_label("this pattern"));
            None
        }
    }
}

/// `time: 2s` (at most) or `time: { lt: 500ms }`.
pub fn decode_time(r: &mut Reader, node: &Node) -> Vec<Predicate> {
    let one = |r: &mut Reader, cmp, n: &Node, span| {
        let d = r.duration(n, "a duration")?;
        Some(Predicate {
            op: Op::Millis(cmp, d),
            span,
        })
    };
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .filter_map(|(key, value)| {
                let cmp = match key.as_scalar().unwrap_or_default() {
                    "gt" => Comparison::Gt,
                    "gte" => Comparison::Gte,
                    "lt" => Comparison::Lt,
                    "lte" => Comparison::Lte,
                    other => {
                        r.error(
                            Diagnostic::error(format!("unknown operator `{other}` for `time`"), key.span)
                                .with_help("time takes: lt, lte, gt, gte (or a duration, meaning at most)"),
                        );
                        return None;
                    }
                };
                one(r, cmp, value, key.span)
            })
            .collect(),
        _ => one(r, Comparison::Lte, node, node.span).into_iter().collect(),
    }
}
