//! A scenario file from its YAML tree.

use std::path::Path;

use crate::diag::Diagnostic;
use crate::scenario::decode_expect::{decode_captures, decode_expect, decode_retry};
use crate::scenario::decode_odata::decode_odata;
use crate::scenario::decode_request::{decode_request, with_headers};
use crate::scenario::decode_scim::decode_scim;
use crate::scenario::decode_workflow::decode_workflow;
use crate::scenario::fields::Reader;
use crate::scenario::model::{AuthRef, Follow, RowSource, Scenario, SnapshotCheck, SnapshotForm, Spanned, Step, Vars};
use crate::source::FileId;
use crate::yaml::{Node, NodeKind};

pub const SCENARIO_KEYS: &[&str] = &[
    "name",
    "description",
    "tags",
    "auth",
    "vars",
    "rows",
    "row_name",
    "steps",
    "finally",
];
pub const STEP_KEYS: &[&str] = &[
    "name",
    "description",
    "request",
    "odata",
    "scim",
    "workflow",
    "auth",
    "expect",
    "capture",
    "retry",
];

pub fn decode_scenario(r: &mut Reader, file: FileId, path: &Path, root: &Node) -> Option<Scenario> {
    let mut f = r.fields(root, "a scenario", SCENARIO_KEYS)?;
    let name = match f.take("name") {
        Some(n) => r.spanned_string(n, "a scenario name"),
        None => {
            r.error(
                Diagnostic::error("a scenario needs a `name`", root.span).with_help("add `name: what this checks`"),
            );
            None
        }
    };
    let description = f.take("description").and_then(|n| r.string(n, "a description"));
    let tags = f.take("tags").map(|n| r.string_list(n, "a tag")).unwrap_or_default();
    let auth = f.take("auth").and_then(|n| decode_auth_ref(r, n));
    let vars = f.take("vars").map(|n| decode_vars(r, n)).unwrap_or_default();
    let rows = f.take("rows").and_then(|n| decode_rows(r, n));
    let row_name = f.take("row_name").and_then(|n| r.template(n, "a row name"));
    if let (Some(name), None) = (&row_name, &rows) {
        r.error(Diagnostic::warning(
            "`row_name` without `rows` names nothing",
            name.span,
        ));
    }
    let steps = match f.take("steps") {
        Some(n) => decode_steps(r, n),
        None => {
            r.error(Diagnostic::error("a scenario needs `steps`", root.span));
            Vec::new()
        }
    };
    let finally = f.take("finally").map(|n| decode_steps(r, n)).unwrap_or_default();
    Some(Scenario {
        file,
        path: path.to_path_buf(),
        name: name?,
        description,
        tags,
        auth,
        vars,
        rows,
        row_name,
        steps,
        finally,
    })
}

/// `rows:` is a list of mappings, or `{ file: PATH }`; the rows themselves are read when the
/// suite is planned, where a row file's problems get its own `file:line`.
fn decode_rows(r: &mut Reader, node: &Node) -> Option<RowSource> {
    match &node.kind {
        NodeKind::Seq(_) => Some(RowSource::Inline(node.clone())),
        NodeKind::Map(_) => {
            let mut f = r.fields(node, "rows", &["file"])?;
            match f.take("file") {
                Some(path) => r.spanned_string(path, "a row file's path").map(RowSource::File),
                None => {
                    r.error(
                        Diagnostic::error("`rows` as a mapping needs `file`", node.span)
                            .with_help("rows: { file: users.csv }  (a .csv, .yaml or .json file beside the scenario)"),
                    );
                    None
                }
            }
        }
        NodeKind::Scalar { .. } => {
            r.error(
                Diagnostic::error(
                    format!(
                        "`rows` must be a list of mappings or {{ file: … }}, found {}",
                        node.type_name()
                    ),
                    node.span,
                )
                .with_help("rows: [ { user: alice }, { user: bob } ]  or  rows: { file: users.csv }"),
            );
            None
        }
    }
}

fn decode_auth_ref(r: &mut Reader, node: &Node) -> Option<Spanned<AuthRef>> {
    let name = r.string(node, "an auth profile name or `none`")?;
    let value = if name == "none" {
        AuthRef::None
    } else {
        AuthRef::Profile(name)
    };
    Some(Spanned { value, span: node.span })
}

/// Named values, in the order written: a scenario's `vars`, the suite's and environments'.
pub fn decode_vars(r: &mut Reader, node: &Node) -> Vars {
    r.entries(node, "vars")
        .into_iter()
        .map(|(name, value)| (name, value.clone()))
        .collect()
}

pub fn decode_steps(r: &mut Reader, node: &Node) -> Vec<Step> {
    let items = r.list(node, "steps");
    items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| decode_step(r, i, item))
        .collect()
}

/// The snapshot a K2 block asks for itself: `odata: { metadata: snapshot }` (the normalized
/// `$metadata`, of its `set` only when it names one) or `workflow: { …, expect: snapshot }`.
fn implied_snapshot(step: &Node) -> Option<SnapshotCheck> {
    let block = |name: &str| step.get(name);
    let check = |form, span| SnapshotCheck {
        name: None,
        shape: false,
        redact: Vec::new(),
        form,
        span,
    };
    if let Some(odata) = block("odata")
        && let Some(metadata) = odata.get("metadata")
        && metadata.as_scalar() == Some("snapshot")
    {
        let sets = (odata.get("set").into_iter())
            .filter_map(|set| {
                Some(crate::scenario::model::Template {
                    text: set.as_scalar()?.to_owned(),
                    span: set.span,
                })
            })
            .collect();
        return Some(check(SnapshotForm::Metadata { sets }, metadata.span));
    }
    let expect = block("workflow")?.get("expect")?;
    (expect.as_scalar() == Some("snapshot")).then(|| check(SnapshotForm::Body, expect.span))
}

fn decode_step(r: &mut Reader, index: usize, node: &Node) -> Option<Step> {
    let mut f = r.fields(node, "a step", STEP_KEYS)?;
    let name = f
        .take("name")
        .and_then(|n| r.string(n, "a step name"))
        .unwrap_or_else(|| format!("step {}", index + 1));
    let description = f.take("description").and_then(|n| r.string(n, "a description"));
    let mut sends = Vec::new();
    if let Some(n) = f.take("request") {
        sends.push(decode_request(r, n).map(|req| (req, Follow::None)));
    }
    if let Some(n) = f.take("odata") {
        sends.push(decode_odata(r, n).map(|sent| with_headers(r, n, sent)));
    }
    if let Some(n) = f.take("scim") {
        sends.push(decode_scim(r, n).map(|sent| with_headers(r, n, sent)));
    }
    if let Some(n) = f.take("workflow") {
        sends.push(decode_workflow(r, n).map(|sent| with_headers(r, n, sent)));
    }
    if sends.len() != 1 {
        r.error(
            Diagnostic::error("a step sends one thing", node.span)
                .with_help("give it one of `request:`, `odata:`, `scim:` or `workflow:`"),
        );
    }
    let auth = f.take("auth").and_then(|n| decode_auth_ref(r, n));
    let mut expect = f.take("expect").map(|n| decode_expect(r, n)).unwrap_or_default();
    if let Some(implied) = implied_snapshot(node) {
        match &expect.snapshot {
            Some(written) => r.error(
                Diagnostic::error("this step keeps two snapshots", written.span)
                    .with_help("its K2 block already asks for a snapshot: leave `snapshot` out of `expect`"),
            ),
            None => expect.snapshot = Some(Box::new(implied)),
        }
    }
    let mut capture = f.take("capture").map(|n| decode_captures(r, n)).unwrap_or_default();
    // A long scenario holds thousands of steps: no spare room in what never grows again.
    capture.shrink_to_fit();
    let retry = f.take("retry").and_then(|n| decode_retry(r, n));
    let (request, follow) = sends.into_iter().next().flatten()?;
    Some(Step {
        name,
        description,
        span: node.span,
        request,
        follow,
        auth,
        expect,
        capture,
        retry,
    })
}
