//! Data rows: a scenario's `rows:`, inline or from a CSV, YAML or JSON file beside it, read
//! when the suite is planned so that a row file's problems are reported at its own
//! `file:line`. Each row becomes a run of its own, its fields variables of that run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::diag::Diagnostic;
use crate::scenario::model::{RowSource, Scenario};
use crate::source::{FileId, SourceMap, Span};
use crate::template::{Context, TemplateEngine, value_of};
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
            ctx.insert(name, value_of(value));
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
) -> Option<RowSet> {
    let rows = match scenario.rows.as_ref()? {
        RowSource::Inline(node) => RowSet::parsed(rows_of_list(node, diags)),
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
                    Ok(node) => RowSet::parsed(rows_of_list(&node, diags)),
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
    let rows = RowSet {
        row_name: scenario.row_name.clone(),
        ..rows
    };
    if rows.count == 0 && !diags.iter().any(Diagnostic::is_error) {
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

/// Renders `row_name` over every row once, so a row it cannot name is reported before
/// anything is sent; the labels are made again, one at a time, as the runs start.
pub fn check_row_names(
    rows: &RowSet,
    sources: &SourceMap,
    engine: &TemplateEngine,
    ctx: &Context,
    diags: &mut Vec<Diagnostic>,
) {
    if rows.row_name.is_none() {
        return;
    }
    for number in 1..=rows.count {
        if let Err(e) = rows.row(number, sources, engine, ctx) {
            diags.push(e);
        }
    }
}

/// Where a data row's values come from: held as parsed (inline rows, YAML and JSON row files,
/// which are parsed whole anyway), or read again from a CSV file's text as each run starts.
enum RowValues {
    Parsed(Vec<RawRow>),
    Csv {
        file: FileId,
        /// Each column's field name; `None` for one whose name was refused.
        columns: Vec<Option<String>>,
        /// The byte offset of every `CHECKPOINT_ROWS`-th row, so a row is found without
        /// reading the file from its start.
        checkpoints: Vec<u64>,
        /// One reader over the text (building one costs more than reading a row), with the
        /// row it read last: runs ask for their rows in order, each read from where the last
        /// one ended.
        cursor: std::sync::Mutex<Option<Box<CsvCursor>>>,
    },
}

/// A CSV reader over a row file's text, and the row it read last: (index, start, next start).
struct CsvCursor {
    reader: csv::Reader<std::io::Cursor<SharedText>>,
    last: Option<(usize, u64, u64)>,
}

/// A file's text as bytes a reader can seek in, without copying it.
struct SharedText(std::sync::Arc<crate::source::SourceFile>);

impl AsRef<[u8]> for SharedText {
    fn as_ref(&self) -> &[u8] {
        self.0.text.as_bytes()
    }
}

/// How many CSV rows lie between two remembered offsets.
const CHECKPOINT_ROWS: usize = 256;

/// The data rows of one scenario: counted and checked when planned, each made when its run
/// starts, so a run (or `list`) of a million rows holds one at a time.
pub struct RowSet {
    values: RowValues,
    pub count: usize,
    row_name: Option<crate::scenario::model::Template>,
}

impl RowSet {
    fn parsed(rows: Vec<RawRow>) -> RowSet {
        RowSet {
            count: rows.len(),
            values: RowValues::Parsed(rows),
            row_name: None,
        }
    }

    /// The field names the rows give, for checking the scenario's templates.
    pub fn field_names(&self) -> Vec<String> {
        let mut names: Vec<String> = match &self.values {
            RowValues::Parsed(rows) => rows
                .iter()
                .flat_map(|r| r.fields.iter().map(|(n, _)| n.clone()))
                .collect(),
            RowValues::Csv { columns, .. } => columns.iter().flatten().cloned().collect(),
        };
        names.sort();
        names.dedup();
        names
    }

    /// Row `number` (from 1), labelled: `row_name` rendered over its fields, else its first
    /// field; an error when `row_name` cannot be rendered for it.
    pub fn row(
        &self,
        number: usize,
        sources: &SourceMap,
        engine: &TemplateEngine,
        ctx: &Context,
    ) -> Result<DataRow, Diagnostic> {
        let values = self.fields(number, sources).unwrap_or_default();
        let mut data = DataRow {
            number,
            label: String::new(),
            values,
        };
        let label = match &self.row_name {
            Some(template) => {
                let mut row_ctx = ctx.clone();
                data.add_to(&mut row_ctx);
                engine
                    .render(&template.text, &row_ctx)
                    .map_err(|e| Diagnostic::error(format!("cannot name row {number}: {e}"), template.span))?
            }
            None => data
                .values
                .first()
                .map(|(_, v)| crate::text::scalar_text(v))
                .unwrap_or_default(),
        };
        data.label = crate::text::printable_line(&crate::text::cut(label.trim(), LABEL_CHARS)).into_owned();
        Ok(data)
    }

    /// The fields of row `number` (from 1).
    fn fields(&self, number: usize, sources: &SourceMap) -> Option<Vec<(String, Json)>> {
        let index = number.checked_sub(1)?;
        match &self.values {
            RowValues::Parsed(rows) => rows.get(index).map(|r| r.fields.clone()),
            RowValues::Csv {
                file,
                columns,
                checkpoints,
                cursor,
            } => {
                let mut cursor = cursor.lock().unwrap_or_else(|e| e.into_inner());
                let cursor = match &mut *cursor {
                    Some(c) => c,
                    None => cursor.insert(Box::new(CsvCursor {
                        reader: csv::ReaderBuilder::new()
                            .has_headers(false)
                            .from_reader(std::io::Cursor::new(SharedText(sources.get(*file)))),
                        last: None,
                    })),
                };
                let (from, skip) = match cursor.last {
                    Some((last, start, _)) if last == index => (start, 0),
                    Some((last, _, next)) if last + 1 == index => (next, 0),
                    _ => (*checkpoints.get(index / CHECKPOINT_ROWS)?, index % CHECKPOINT_ROWS),
                };
                let mut at = csv::Position::new();
                at.set_byte(from);
                cursor.reader.seek(at).ok()?;
                let mut record = csv::StringRecord::new();
                let mut start = from;
                for _ in 0..=skip {
                    start = cursor.reader.position().byte();
                    if !cursor.reader.read_record(&mut record).ok()? {
                        return None;
                    }
                }
                cursor.last = Some((index, start, cursor.reader.position().byte()));
                Some(
                    columns
                        .iter()
                        .zip(record.iter())
                        .filter_map(|(name, value)| name.as_ref().map(|n| (n.clone(), Json::String(value.to_owned()))))
                        .collect(),
                )
            }
        }
    }
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

/// A CSV file: a header line of field names, then one row a line, every value a string. Every
/// row is read and checked now; none is kept: a run reads each again from the text.
fn rows_of_csv(id: FileId, files: &SourceMap, diags: &mut Vec<Diagnostic>) -> RowSet {
    let file = files.get(id);
    let text = &file.text;
    let empty = |diags: &mut Vec<Diagnostic>, d: Diagnostic| {
        diags.push(d);
        RowSet::parsed(Vec::new())
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let at = |offset: u64| {
        let start = (offset as usize).min(text.len());
        Span::new(id, start, start)
    };
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return empty(diags, csv_problem(&e, id, text)),
    };
    if headers.iter().all(str::is_empty) {
        return empty(
            diags,
            Diagnostic::error("the row file has no header line", at(0))
                .with_help("the first line names the fields: user,level"),
        );
    }
    let mut columns: Vec<Option<String>> = Vec::with_capacity(headers.len());
    for name in headers.iter() {
        let fits = field_name_fits(name, at(0), diags);
        if columns.iter().flatten().any(|n| n == name) {
            diags.push(Diagnostic::error(format!("the column `{name}` is named twice"), at(0)));
        }
        columns.push(fits.then(|| name.to_owned()));
    }
    let mut checkpoints = Vec::new();
    let mut count = 0;
    let mut record = csv::StringRecord::new();
    loop {
        let start = reader.position().byte();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if count % CHECKPOINT_ROWS == 0 {
                    checkpoints.push(start);
                }
                count += 1;
            }
            Err(e) => {
                diags.push(csv_problem(&e, id, text));
                // A row it cannot read is reported; the run stops at the problems anyway.
                if !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                ) {
                    break;
                }
            }
        }
    }
    RowSet {
        values: RowValues::Csv {
            file: id,
            columns,
            checkpoints,
            cursor: std::sync::Mutex::new(None),
        },
        count,
        row_name: None,
    }
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
