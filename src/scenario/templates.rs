//! Every template a piece of the model renders, for validation and for the runner.

use crate::scenario::model::{AuthKind, Body, CaptureSource, Follow, Op, Predicate, Step, Template};
use crate::yaml::{Node, NodeKind};

pub fn profile_templates(kind: &AuthKind) -> Vec<&Template> {
    match kind {
        AuthKind::None => vec![],
        AuthKind::Basic { username, password } => vec![username, password],
        AuthKind::Bearer { token } => vec![token],
        AuthKind::ApiKey { name, value, .. } => vec![name, value],
        AuthKind::ClientCredentials(cc) => {
            let mut out = vec![&cc.client_id, &cc.client_secret];
            out.extend(cc.token_url.iter());
            out.extend(cc.issuer.iter());
            out.extend(cc.audience.iter());
            out.extend(cc.scope.iter());
            out
        }
    }
}

/// Every template a step renders; plain text without `{{`/`{%` is left out.
pub fn step_templates(step: &Step) -> Vec<Template> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<Template>, t: &Template| {
        if !t.is_static() {
            out.push(t.clone());
        }
    };
    let req = &step.request;
    match &step.follow {
        Follow::WorkflowByName { name } => push(&mut out, name),
        Follow::WaitForTask { instance, .. } => push(&mut out, instance),
        Follow::None | Follow::ODataPages { .. } | Follow::ScimPages { .. } => {}
    }
    push(&mut out, &req.url);
    for (_, v) in &req.query {
        for_each_template(v, &mut |t| out.push(t));
    }
    for (_, t) in &req.headers {
        push(&mut out, t);
    }
    match &req.body {
        Some(Body::Json(node)) => for_each_template(node, &mut |t| out.push(t)),
        Some(Body::Form(fields)) => {
            for (_, v) in fields {
                for_each_template(v, &mut |t| out.push(t));
            }
        }
        Some(Body::Raw(t)) => push(&mut out, t),
        None => {}
    }
    let predicate_templates = |ps: &[Predicate], out: &mut Vec<Template>| {
        for p in ps {
            predicate_nodes(p, &mut |n| for_each_template(n, &mut |t| out.push(t)));
        }
    };
    for (path, ps) in &step.expect.json {
        push(&mut out, path);
        predicate_templates(ps, &mut out);
    }
    for (_, ps) in &step.expect.headers {
        predicate_templates(ps, &mut out);
    }
    predicate_templates(&step.expect.body, &mut out);
    predicate_templates(&step.expect.records, &mut out);
    predicate_templates(&step.expect.odata_count, &mut out);
    if let Some(set) = &step.expect.entity_set {
        push(&mut out, &set.name);
        for t in &set.properties {
            push(&mut out, t);
        }
    }
    if let Some(crate::scenario::model::SnapshotForm::Metadata { sets }) =
        step.expect.snapshot.as_deref().map(|s| &s.form)
    {
        for t in sets {
            push(&mut out, t);
        }
    }
    for c in &step.capture {
        if let CaptureSource::Json(t) = &c.source {
            push(&mut out, t);
        }
    }
    out
}

fn predicate_nodes(p: &Predicate, f: &mut dyn FnMut(&Node)) {
    match &p.op {
        Op::Equals(n) | Op::NotEquals(n) | Op::Contains(n) | Op::StartsWith(n) | Op::MatchesTemplate(n) => f(n),
        Op::Gt(n) | Op::Gte(n) | Op::Lt(n) | Op::Lte(n) => f(n),
        Op::OneOf(items) => items.iter().for_each(&mut *f),
        Op::Count(ps) | Op::Length(ps) | Op::Every(ps) | Op::NoneOf(ps) => {
            ps.iter().for_each(|p| predicate_nodes(p, f))
        }
        Op::Matches(_) | Op::Exists(_) | Op::Type(_) | Op::Empty(_) | Op::Millis(..) => {}
    }
}

/// Calls `f` for every scalar in a tree that holds a template.
pub fn for_each_template(node: &Node, f: &mut dyn FnMut(Template)) {
    match &node.kind {
        NodeKind::Scalar { text, .. } => {
            if crate::template::has_template(text) {
                f(Template {
                    text: text.clone(),
                    span: node.span,
                });
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|i| for_each_template(i, f)),
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                for_each_template(k, f);
                for_each_template(v, f);
            }
        }
    }
}
