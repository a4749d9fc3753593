//! Loaded source files and byte spans into them, so every diagnostic and every failed
//! assertion can point at `file:line:col`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start,
            end: end.max(start),
        }
    }
}

/// One loaded file: its path as the user named it, its text, and where each line starts.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    line_starts: Vec<usize>,
    /// Byte offset of each character, for files that are not pure ASCII (there the two differ).
    char_offsets: Option<Vec<u32>>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let char_offsets = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i as u32).collect());
        SourceFile {
            path,
            text,
            line_starts,
            char_offsets,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("").trim_end_matches(['\n', '\r'])
    }

    /// Converts a character index (as YAML parsers report) to a byte offset.
    pub fn byte_offset_of_char(&self, char_index: usize) -> usize {
        match &self.char_offsets {
            None => char_index.min(self.text.len()),
            Some(offsets) => offsets.get(char_index).map_or(self.text.len(), |&i| i as usize),
        }
    }
}

/// Every file loaded in a run, shared read-only by the runner and the reporters.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// The id of the first file: a map made `after` another continues its numbering.
    first: u32,
    files: Vec<Arc<SourceFile>>,
}

impl SourceMap {
    /// An empty map whose ids continue after `other`'s, to be appended to it later: files
    /// can be added while `other` is lent out, and diagnostics name them by their final id.
    pub fn after(other: &SourceMap) -> SourceMap {
        SourceMap {
            first: other.first + other.files.len() as u32,
            files: Vec::new(),
        }
    }

    /// Takes in a map made `after` this one (and nothing added here since).
    pub fn append(&mut self, later: SourceMap) {
        debug_assert_eq!(later.first, self.first + self.files.len() as u32);
        self.files.extend(later.files);
    }

    pub fn add(&mut self, path: PathBuf, mut text: String) -> FileId {
        if text.starts_with('\u{feff}') {
            // A byte order mark is no part of the YAML: positions count from after it.
            text.drain(..'\u{feff}'.len_utf8());
        }
        let id = FileId(self.first + self.files.len() as u32);
        self.files.push(Arc::new(SourceFile::new(path, text)));
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[(id.0 - self.first) as usize]
    }

    /// The ids and paths of its files.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &Path)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(self.first + i as u32), f.path.as_path()))
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    /// `file:line:col` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, col) = file.line_col(span.start);
        format!("{}:{line}:{col}", file.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_characters() {
        let file = SourceFile::new("a.yaml".into(), "ab\nçd: x\n".into());
        assert_eq!(file.line_col(0), (1, 1));
        assert_eq!(file.line_col(3), (2, 1));
        let colon = file.text.find(':').unwrap();
        assert_eq!(file.line_col(colon), (2, 3));
        assert_eq!(file.line_text(2), "çd: x");
        assert_eq!(file.byte_offset_of_char(4), 5);
    }
}
