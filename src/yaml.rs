//! A YAML document as a tree whose every node keeps its span, so the scenario decoder can
//! point each problem at `file:line:col`. Built from saphyr-parser events; aliases are
//! expanded and `<<` merge keys applied here, so the decoder never sees either.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::diag::Diagnostic;
use crate::source::{FileId, SourceFile, Span};

/// Deeper nesting than this is refused rather than risking the stack on hostile input.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar as written, and whether it was plain (unquoted), which decides its type.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

impl Node {
    pub fn null(span: Span) -> Self {
        Node {
            kind: NodeKind::Scalar {
                text: String::new(),
                plain: true,
            },
            span,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { text, plain: true } if is_null_text(text))
    }

    /// The text of a scalar, whatever its type.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|(k, _)| k.as_scalar() == Some(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Words a user would recognise in "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
            NodeKind::Scalar { .. } => match self.to_json() {
                serde_json::Value::Null => "null",
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Number(_) => "a number",
                _ => "a string",
            },
        }
    }

    /// The node as JSON, resolving plain scalars by the YAML 1.2 core schema.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Scalar { text, plain: false } => Value::String(text.clone()),
            NodeKind::Scalar { text, plain: true } => plain_scalar(text),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.as_scalar().unwrap_or_default().to_owned(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

fn plain_scalar(text: &str) -> serde_json::Value {
    use serde_json::Value;
    if is_null_text(text) {
        return Value::Null;
    }
    match text {
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    let numeric = text.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
    if numeric && text.bytes().any(|b| b.is_ascii_digit()) {
        if let Some(n) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_owned())
}

/// The most nodes aliases may copy into one file: far above any real suite, far below what
/// would exhaust memory.
const MAX_ALIAS_NODES: usize = 1_000_000;

fn node_count(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar { .. } => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        NodeKind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
    }
}

/// Parses one YAML document. An empty file is a null node.
pub fn parse(file_id: FileId, file: &SourceFile) -> Result<Node, Diagnostic> {
    let mut builder = Builder {
        file_id,
        file,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        expanded: 0,
    };
    let mut parser = Parser::new_from_str(&file.text);
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| builder.scan_error(&e))?;
        let start = file.byte_offset_of_char(span.start.index());
        let end = file.byte_offset_of_char(span.end.index());
        let span = Span::new(file_id, start, end);
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Diagnostic::error("a scenario file holds one YAML document", span)
                        .with_label("a second document starts here")
                        .with_help("put each scenario in its own file"));
                }
            }
            Event::Scalar(text, style, anchor, _) => {
                let plain = style == ScalarStyle::Plain;
                builder.push_value(
                    Node {
                        kind: NodeKind::Scalar {
                            text: text.into_owned(),
                            plain,
                        },
                        span,
                    },
                    anchor,
                )?;
            }
            Event::Alias(id) => {
                let (node, size) = builder
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| Diagnostic::error("this alias names no anchor defined before it", span))?;
                // Each alias copies its anchor's nodes: nested aliases can ask for billions of
                // them from a few lines ("billion laughs"), so their total is bounded.
                builder.expanded += size;
                if builder.expanded > MAX_ALIAS_NODES {
                    return Err(Diagnostic::error(
                        format!("YAML aliases expand to more than {MAX_ALIAS_NODES} nodes"),
                        span,
                    )
                    .with_help("anchors and aliases repeat what they name; write the content out, or repeat less"));
                }
                builder.push_value(Node { span, ..node }, 0)?;
            }
            Event::SequenceStart(anchor, _) => builder.open(Open::Seq(Vec::new()), span, anchor)?,
            Event::MappingStart(anchor, _) => builder.open(Open::Map(Vec::new(), None), span, anchor)?,
            Event::SequenceEnd | Event::MappingEnd => builder.close(span)?,
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(builder.root.unwrap_or_else(|| Node::null(Span::new(file_id, 0, 0))))
}

enum Open {
    Seq(Vec<Node>),
    /// Entries so far, and a key waiting for its value.
    Map(Vec<(Node, Node)>, Option<Node>),
}

struct Frame {
    open: Open,
    start: Span,
    anchor: usize,
}

struct Builder<'a> {
    file_id: FileId,
    file: &'a SourceFile,
    stack: Vec<Frame>,
    /// Each anchor's node, and how many nodes it holds.
    anchors: HashMap<usize, (Node, usize)>,
    root: Option<Node>,
    /// Nodes copied by aliases so far.
    expanded: usize,
}

impl Builder<'_> {
    fn scan_error(&self, error: &ScanError) -> Diagnostic {
        let offset = self.file.byte_offset_of_char(error.marker().index());
        let span = Span::new(self.file_id, offset, offset + 1);
        let diag = Diagnostic::error(format!("invalid YAML: {}", error.info()), span);
        // The usual cause: `{ $.value[0].ID: 1 }`, where `[` opens a YAML list.
        let (line, _) = self.file.line_col(offset);
        let text = self.file.line_text(line);
        if text.contains('{') && text.contains("$") && text.contains('[') {
            return diag.with_help(
                "a JSONPath with `[` inside `{ … }` must be quoted: `{ \"$.value[0].ID\": 1 }`, or written on its own line",
            );
        }
        diag
    }

    fn open(&mut self, open: Open, start: Span, anchor: usize) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::error(
                format!("YAML nested deeper than {MAX_DEPTH} levels"),
                start,
            ));
        }
        self.stack.push(Frame { open, start, anchor });
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), Diagnostic> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let span = Span::new(self.file_id, frame.start.start, end.end.max(frame.start.end));
        // Closed collections never grow again: their spare capacity (a one-entry mapping
        // holds room for four) was most of a parsed file's memory.
        let kind = match frame.open {
            Open::Seq(mut items) => {
                items.shrink_to_fit();
                NodeKind::Seq(items)
            }
            Open::Map(entries, _) => {
                let mut entries = apply_merge_keys(entries);
                entries.shrink_to_fit();
                NodeKind::Map(entries)
            }
        };
        self.push_value(Node { kind, span }, frame.anchor)
    }

    fn push_value(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), node_count(&node)));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame {
                open: Open::Seq(items), ..
            }) => items.push(node),
            Some(Frame {
                open: Open::Map(entries, pending),
                ..
            }) => match pending.take() {
                None => {
                    if !matches!(node.kind, NodeKind::Scalar { .. }) {
                        return Err(Diagnostic::error("mapping keys must be plain strings", node.span));
                    }
                    *pending = Some(node);
                }
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }
}

/// Applies YAML merge keys (`<<: *base` or `<<: [*a, *b]`): entries written in the mapping win.
fn apply_merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    let is_merge = |k: &Node| matches!(&k.kind, NodeKind::Scalar { text, plain: true } if text == "<<");
    if !entries.iter().any(|(k, _)| is_merge(k)) {
        return entries;
    }
    let mut own: Vec<(Node, Node)> = Vec::new();
    let mut merged: Vec<(Node, Node)> = Vec::new();
    for (key, value) in entries {
        if !is_merge(&key) {
            own.push((key, value));
            continue;
        }
        let sources = match value.kind {
            NodeKind::Seq(items) => items,
            _ => vec![value],
        };
        for source in sources {
            if let NodeKind::Map(items) = source.kind {
                merged.extend(items);
            }
        }
    }
    let mut taken: std::collections::HashSet<String> = own
        .iter()
        .filter_map(|(k, _)| k.as_scalar().map(str::to_owned))
        .collect();
    for (key, value) in merged {
        if key.as_scalar().is_none_or(|name| taken.insert(name.to_owned())) {
            own.push((key, value));
        }
    }
    own
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    fn parse_str(text: &str) -> Result<Node, Diagnostic> {
        let mut map = SourceMap::default();
        let id = map.add("t.yaml".into(), text.into());
        parse(id, &map.get(id))
    }

    #[test]
    fn keeps_spans_and_types() {
        let node = parse_str("a: 1\nb: '1'\nc: [x, ~]\n").unwrap();
        assert_eq!(node.to_json(), serde_json::json!({"a": 1, "b": "1", "c": ["x", null]}));
        let NodeKind::Map(entries) = &node.kind else {
            panic!("not a map")
        };
        assert_eq!(entries[1].1.span.start, 8);
    }

    #[test]
    fn expands_aliases_and_merge_keys() {
        let node = parse_str("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n").unwrap();
        assert_eq!(node.to_json()["use"], serde_json::json!({"y": 3, "x": 1}));
    }

    #[test]
    fn reports_syntax_errors_and_deep_nesting() {
        assert!(parse_str("a: [1, 2\n").unwrap_err().message.starts_with("invalid YAML"));
        let deep = "[".repeat(500);
        assert!(parse_str(&deep).is_err());
        assert!(parse_str("").unwrap().is_null());
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (name, prev) in ["b", "c", "d", "e", "f", "g", "h", "i", "j"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f", "g", "h", "i"])
        {
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let started = std::time::Instant::now();
        let error = parse_str(&bomb).unwrap_err();
        assert!(
            error.message.contains("aliases expand to more than"),
            "{}",
            error.message
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        // Ordinary reuse stays well within the bound.
        assert!(parse_str("base: &b { timeout: 5s }\none: *b\ntwo: *b\n").is_ok());
    }
}
