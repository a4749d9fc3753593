//! Data rows: a scenario's `rows:`, inline or from a CSV, YAML or JSON file beside it, read
//! when the suite is planned so that a row file's problems are reported at its own
//! `file:line`. Each row becomes a run of its own, its fields variables of that run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use minijinja::Value;
use serde_json::Value as Json;

use crate::diag::Diagnostic;
use crate::scenario::model::{RowSource, Scenario};
use crate::source::{FileId, SourceMap, Span};
use crate::template::{Context, TemplateEngine};
use crate::yaml::{Node, NodeKind};

/// Names a row field may not take: they would hide what every template relies on.
const RESERVED: [&str; 4] = ["env", "secret", "run", "mock"];

/// A label longer than this is cut: it is part of a scenario's name in every report.
const LABEL_CHARS: usize = 60;

/// One row: its number (from 1), the label its run is named with, and its fields.
#[derive(Debug)]
pub struct DataRow {
    pub number: usize,
    pub label: String,
    pub values: Vec<(String, Json)>,
}

impl DataRow {
    /// The scenario's name for this row's run: `name [row 3: alice]`.
    pub fn scenario_name(&self, name: &str) -> String {
        match self.label.is_empty() {
            true => format!("{name} [row {}]", self.number),
            false => format!("{name} [row {}: {}]", self.number, self.label),
        }
    }

    pub fn add_to(&self, ctx: &mut Context) {
        for (name, value) in &self.values {
            ctx.insert(name, Value::from_serialize(value));
        }
    }
}

/// A row as read, before it is labelled.
pub struct RawRow {
    pub fields: Vec<(String, Json)>,
}

/// The most a row file may hold.
const MAX_ROW_FILE_BYTES: u64 = 64 << 20;

/// The rows of a scenario; problems go to `diags`. A row file is added to `row_files`, so its
/// lines can be shown.
pub fn read_rows(
    scenario: &Scenario,
    sources: &SourceMap,
    row_files: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<RawRow>> {
    let rows = match scenario.rows.as_ref()? {
        RowSource::Inline(node) => rows_of_list(node, diags),
        RowSource::File(path) => {
            let full = row_file(scenario).unwrap_or_else(|| sources.path(scenario.file).join(&path.value));
            let text = match crate::input_file::read_text(&full, "row file", MAX_ROW_FILE_BYTES) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(Diagnostic::error(format!("cannot read the row file {e}"), path.span));
                    return None;
                }
            };
            let extension = full
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let id = row_files.add(full.clone(), text);
            match extension.as_str() {
                "csv" => rows_of_csv(id, row_files, diags),
                "yaml" | "yml" | "json" => match crate::yaml::parse(id, &row_files.get(id)) {
                    Ok(node) => rows_of_list(&node, diags),
                    Err(e) => {
                        diags.push(e);
                        return None;
                    }
                },
                _ => {
                    diags.push(
                        Diagnostic::error(format!("`{}` is not a row file k2check reads", path.value), path.span)
                            .with_help("rows come from a .csv (a header line, then one row a line), .yaml or .json file (a list of mappings)"),
                    );
                    return None;
                }
            }
        }
    };
    let where_ = match &scenario.rows {
        Some(RowSource::File(path)) => path.span,
        _ => scenario.name.span,
    };
    if rows.is_empty() && !diags.iter().any(Diagnostic::is_error) {
        diags.push(Diagnostic::warning(
            "`rows` holds no row: the scenario does not run",
            where_,
        ));
    }
    Some(rows)
}

/// The row file a scenario reads, beside the scenario.
pub fn row_file(scenario: &Scenario) -> Option<PathBuf> {
    match &scenario.rows {
        Some(RowSource::File(path)) => Some(scenario.path.parent().unwrap_or(Path::new("")).join(&path.value)),
        _ => None,
    }
}

/// A YAML row file beside the scenarios was also loaded as a scenario, and refused as one (a
/// list is no scenario): those refusals are dropped. Problems found reading it as a row file
/// are kept (they name the row file's own copy, added to the sources later).
pub fn forget_row_files_as_scenarios<'a>(
    row_files: impl Iterator<Item = &'a Path>,
    sources: &SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let canonical = |p: &Path| std::fs::canonicalize(p).ok();
    let row_paths: BTreeSet<PathBuf> = row_files.filter_map(canonical).collect();
    if row_paths.is_empty() {
        return;
    }
    let loaded_as_scenario: BTreeSet<FileId> = sources
        .files()
        .filter(|(_, p)| canonical(p).is_some_and(|c| row_paths.contains(&c)))
        .map(|(id, _)| id)
        .collect();
    diagnostics.retain(|d| !d.span.is_some_and(|s| loaded_as_scenario.contains(&s.file)));
}

/// Labels each row (`row_name` rendered over its fields, else its first field) and numbers it.
pub fn label_rows(
    scenario: &Scenario,
    rows: Vec<RawRow>,
    engine: &TemplateEngine,
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
) -> Vec<DataRow> {
    let mut labelled = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let mut data = DataRow {
            number: i + 1,
            label: String::new(),
            values: row.fields,
        };
        let label = match &scenario.row_name {
            Some(template) => {
                let mut row_ctx = ctx.clone();
                data.add_to(&mut row_ctx);
                match engine.render(&template.text, &row_ctx) {
                    Ok(text) => text,
                    Err(e) => {
                        diags.push(Diagnostic::error(
                            format!("cannot name row {}: {e}", data.number),
                            template.span,
                        ));
                        String::new()
                    }
                }
            }
            None => data
                .values
                .first()
                .map(|(_, v)| crate::text::scalar_text(v))
                .unwrap_or_default(),
        };
        data.label = crate::text::printable_line(&crate::text::cut(label.trim(), LABEL_CHARS)).into_owned();
        labelled.push(data);
    }
    labelled
}

/// The field names a scenario's rows give, for checking its templates.
pub fn field_names(rows: &[RawRow]) -> impl Iterator<Item = &str> {
    rows.iter().flat_map(|r| r.fields.iter().map(|(n, _)| n.as_str()))
}

/// A YAML or JSON list of mappings.
fn rows_of_list(node: &Node, diags: &mut Vec<Diagnostic>) -> Vec<RawRow> {
    let NodeKind::Seq(items) = &node.kind else {
        diags.push(
            Diagnostic::error(
                format!("rows must be a list of mappings, found {}", node.type_name()),
                node.span,
            )
            .with_help("- { user: alice, level: 3 }\n- { user: bob, level: 5 }"),
        );
        return Vec::new();
    };
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let NodeKind::Map(entries) = &item.kind else {
            diags.push(Diagnostic::error(
                format!("a row must be a mapping of names to values, found {}", item.type_name()),
                item.span,
            ));
            continue;
        };
        let mut fields = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let name = key.as_scalar().unwrap_or_default();
            if field_name_fits(name, key.span, diags) {
                fields.push((name.to_owned(), value.to_json()));
            }
        }
        rows.push(RawRow { fields });
    }
    rows
}

/// A CSV file: a header line of field names, then one row a line, every value a string.
fn rows_of_csv(id: FileId, files: &SourceMap, diags: &mut Vec<Diagnostic>) -> Vec<RawRow> {
    let text = &files.get(id).text;
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let at = |offset: u64| {
        let start = (offset as usize).min(text.len());
        Span::new(id, start, start)
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(csv_problem(&e, id, text));
            return Vec::new();
        }
    };
    if headers.iter().all(str::is_empty) {
        diags.push(
            Diagnostic::error("the row file has no header line", at(0))
                .with_help("the first line names the fields: user,level"),
        );
        return Vec::new();
    }
    let mut names = Vec::with_capacity(headers.len());
    for name in headers.iter() {
        let fits = field_name_fits(name, at(0), diags);
        if names.iter().flatten().any(|n: &&str| *n == name) {
            diags.push(Diagnostic::error(format!("the column `{name}` is named twice"), at(0)));
        }
        names.push(fits.then_some(name));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let fields = names
                    .iter()
                    .zip(record.iter())
                    .filter_map(|(name, value)| name.map(|n| (n.to_owned(), Json::String(value.to_owned()))))
                    .collect();
                rows.push(RawRow { fields });
            }
            Err(e) => diags.push(csv_problem(&e, id, text)),
        }
    }
    rows
}

fn csv_problem(error: &csv::Error, id: FileId, text: &str) -> Diagnostic {
    let start = error.position().map_or(0, |p| (p.byte() as usize).min(text.len()));
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("this row has {len} fields, the header {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "this row is not UTF-8 text".to_owned(),
        _ => format!("cannot read the row file: {error}"),
    };
    Diagnostic::error(message, Span::new(id, start, start))
}

/// A field is a template variable: `user_name`, not `user name`, and none of the built-in names.
fn field_name_fits(name: &str, span: Span, diags: &mut Vec<Diagnostic>) -> bool {
    let mut chars = name.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier {
        diags.push(
            Diagnostic::error(format!("`{name}` cannot be a variable name"), span)
                .with_help("a field name is letters, digits and `_`, starting with a letter: user_name"),
        );
        return false;
    }
    if RESERVED.contains(&name) {
        diags.push(Diagnostic::error(
            format!("a row field named `{name}` would hide the built-in `{name}.…` values"),
            span,
        ));
        return false;
    }
    true
}
