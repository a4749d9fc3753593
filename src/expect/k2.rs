//! Assertions that know K2's documents: the records of an OData or SCIM list, the OData
//! count, and an entity set described by `$metadata`.

use serde_json::Value;

use crate::event::{AssertionFailure, ProblemKind};
use crate::expect::Response;
use crate::expect::csdl::entity_set_properties;
use crate::expect::predicate::{Mismatch, check_all};
use crate::scenario::model::{EntitySetCheck, Predicate};
use crate::template::{Context, TemplateEngine};

/// The list a collection response holds: OData's `value` or SCIM's `Resources`.
pub fn records(response: &Response) -> Result<&Vec<Value>, String> {
    let json = response.json()?;
    ["value", "Resources"]
        .iter()
        .find_map(|k| json.get(*k).and_then(Value::as_array))
        .ok_or_else(|| "a collection (`value` or `Resources`)".to_owned())
}

pub fn check_records(
    predicates: &[Predicate],
    response: &Response,
    engine: &TemplateEngine,
    ctx: &Context,
    failures: &mut Vec<AssertionFailure>,
) {
    let count = match records(response) {
        Ok(list) => Value::from(list.len()),
        Err(expected) => {
            if let Some(p) = predicates.first() {
                failures.push(failure(p, "records", expected, "no such list in the body".into()));
            }
            return;
        }
    };
    numbers("records", predicates, count, engine, ctx, failures);
}

pub fn check_odata_count(
    predicates: &[Predicate],
    response: &Response,
    engine: &TemplateEngine,
    ctx: &Context,
    failures: &mut Vec<AssertionFailure>,
) {
    let found = response
        .json()
        .ok()
        .and_then(|j| j.get("@odata.count").or_else(|| j.get("odata.count")).cloned());
    match found {
        Some(count) => numbers("odata_count", predicates, count, engine, ctx, failures),
        None => {
            if let Some(p) = predicates.first() {
                let actual = "no @odata.count in the body (ask for it with count: true)".into();
                failures.push(failure(p, "odata_count", "a count".into(), actual));
            }
        }
    }
}

fn numbers(
    what: &str,
    ps: &[Predicate],
    value: Value,
    e: &TemplateEngine,
    c: &Context,
    out: &mut Vec<AssertionFailure>,
) {
    for p in ps {
        if let Err(Mismatch { expected, actual }) =
            check_all(std::slice::from_ref(p), std::slice::from_ref(&value), e, c)
        {
            out.push(failure(p, what, expected, actual));
        }
    }
}

fn failure(p: &Predicate, what: &str, expected: String, actual: String) -> AssertionFailure {
    AssertionFailure {
        kind: ProblemKind::Assertion,
        span: p.span,
        message: what.into(),
        expected,
        actual,
        diff: None,
    }
}

/// Looks the entity set up in CSDL: `<EntitySet Name="X" EntityType="NS.T"/>`, then the
/// `<Property Name=…>` elements of `<EntityType Name="T">`.
pub fn check_entity_set(
    check: &EntitySetCheck,
    response: &Response,
    engine: &TemplateEngine,
    ctx: &Context,
    failures: &mut Vec<AssertionFailure>,
) {
    let fail = |expected: String, actual: String| AssertionFailure {
        kind: ProblemKind::Assertion,
        span: check.span,
        message: "entity_set".into(),
        expected,
        actual,
        diff: None,
    };
    let render = |t: &crate::scenario::model::Template| engine.render(&t.text, ctx).map_err(|e| e.to_string());
    let name = match render(&check.name) {
        Ok(n) => n,
        Err(e) => return failures.push(fail("an entity set name".into(), e)),
    };
    let csdl = response.text();
    let (type_name, declared) = match entity_set_properties(&csdl, &name) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return failures.push(fail(
                format!("an entity set `{name}` in $metadata"),
                "none by that name".into(),
            ));
        }
        Err(e) => return failures.push(fail(format!("an entity set `{name}` in $metadata"), e)),
    };
    let mut missing = Vec::new();
    for property in &check.properties {
        match render(property) {
            Ok(p) if declared.contains(&p) => {}
            Ok(p) => missing.push(p),
            Err(e) => return failures.push(fail("a property name".into(), e)),
        }
    }
    if !missing.is_empty() {
        failures.push(fail(
            format!("`{name}` with the properties {}", missing.join(", ")),
            format!("its type {type_name} declares {}", declared.join(", ")),
        ));
    }
}
