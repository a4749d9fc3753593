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
    /// Why a file kept on disk could not be read again (its text is then empty).
    pub problem: Option<String>,
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
            problem: None,
            line_starts,
            char_offsets,
        }
    }

    fn unreadable(path: &Path, problem: String) -> Self {
        SourceFile {
            problem: Some(problem),
            ..SourceFile::new(path.to_path_buf(), String::new())
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
///
/// A file is held in memory, or, for the scenario files of a large suite, kept on disk and
/// read when it is asked for (its first reading is the one validated; a later one must be
/// the same, byte for byte, or it is not used). A few files read last are kept at hand, so
/// the scenario starting and the reporter naming its steps' places read a file once.
#[derive(Debug, Default)]
pub struct SourceMap {
    /// The id of the first file: a map made `after` another continues its numbering.
    first: u32,
    files: Vec<Entry>,
    recent: std::sync::Mutex<std::collections::VecDeque<(FileId, Arc<SourceFile>)>>,
}

#[derive(Debug)]
enum Entry {
    Held(Arc<SourceFile>),
    OnDisk {
        path: PathBuf,
        len: usize,
        /// A hash of the text as first read: what was validated.
        fingerprint: std::sync::OnceLock<u64>,
    },
}

/// How many files read from disk are kept at hand.
const RECENT_FILES: usize = 8;

/// The most text one file kept on disk may hold when read again.
const MAX_ON_DISK_BYTES: u64 = 64 << 20;

impl SourceMap {
    /// An empty map whose ids continue after `other`'s, to be appended to it later: files
    /// can be added while `other` is lent out, and diagnostics name them by their final id.
    pub fn after(other: &SourceMap) -> SourceMap {
        SourceMap {
            first: other.first + other.files.len() as u32,
            ..SourceMap::default()
        }
    }

    /// Takes in a map made `after` this one (and nothing added here since).
    pub fn append(&mut self, later: SourceMap) {
        debug_assert_eq!(later.first, self.first + self.files.len() as u32);
        self.files.extend(later.files);
    }

    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        let id = FileId(self.first + self.files.len() as u32);
        self.files
            .push(Entry::Held(Arc::new(SourceFile::new(path, without_bom(text)))));
        id
    }

    /// A file of `len` bytes left on disk, read when it is asked for.
    pub fn add_on_disk(&mut self, path: PathBuf, len: usize) -> FileId {
        let id = FileId(self.first + self.files.len() as u32);
        self.files.push(Entry::OnDisk {
            path,
            len,
            fingerprint: std::sync::OnceLock::new(),
        });
        id
    }

    /// The file; one kept on disk is read (or taken from the few at hand). One that cannot be
    /// read, or reads differently from when it was validated, has no text and says why.
    pub fn get(&self, id: FileId) -> Arc<SourceFile> {
        match &self.files[(id.0 - self.first) as usize] {
            Entry::Held(file) => file.clone(),
            Entry::OnDisk { path, fingerprint, .. } => self.read_on_disk(id, path, fingerprint),
        }
    }

    fn read_on_disk(&self, id: FileId, path: &Path, fingerprint: &std::sync::OnceLock<u64>) -> Arc<SourceFile> {
        let recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, file)) = recent.iter().find(|(f, _)| *f == id) {
            return file.clone();
        }
        drop(recent);
        let file = match crate::input_file::read_text(path, "scenario file", MAX_ON_DISK_BYTES) {
            Ok(text) => {
                let text = without_bom(text);
                let hash = text_hash(&text);
                if *fingerprint.get_or_init(|| hash) == hash {
                    SourceFile::new(path.to_path_buf(), text)
                } else {
                    SourceFile::unreadable(path, "it changed after it was validated".into())
                }
            }
            Err(e) => SourceFile::unreadable(path, e.to_string()),
        };
        let file = Arc::new(file);
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= RECENT_FILES {
            recent.pop_front();
        }
        recent.push_back((id, file.clone()));
        file
    }

    /// The length of a file's text, without reading a file kept on disk.
    pub fn len(&self, id: FileId) -> usize {
        match &self.files[(id.0 - self.first) as usize] {
            Entry::Held(file) => file.text.len(),
            Entry::OnDisk { len, .. } => *len,
        }
    }

    /// The ids and paths of its files.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &Path)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, entry)| (FileId(self.first + i as u32), entry_path(entry)))
    }

    pub fn path(&self, id: FileId) -> &Path {
        entry_path(&self.files[(id.0 - self.first) as usize])
    }

    /// `file:line:col` of the start of a span.
    pub fn location(&self, span: Span) -> String {
        let file = self.get(span.file);
        let (line, col) = file.line_col(span.start);
        format!("{}:{line}:{col}", file.path.display())
    }
}

fn entry_path(entry: &Entry) -> &Path {
    match entry {
        Entry::Held(file) => &file.path,
        Entry::OnDisk { path, .. } => path,
    }
}

/// A byte order mark is no part of the YAML: positions count from after it.
fn without_bom(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    text
}

fn text_hash(text: &str) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
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

#[cfg(test)]
mod on_disk_tests {
    use super::*;

    #[test]
    fn a_file_kept_on_disk_is_read_when_asked_and_only_as_validated() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "name: a\nsteps: []\n").unwrap();
        let mut map = SourceMap::default();
        let id = map.add_on_disk(path.clone(), 19);
        assert_eq!(map.len(id), 19);
        assert_eq!(map.path(id), path.as_path());
        assert_eq!(map.get(id).line_text(2), "steps: []");
        assert_eq!(map.location(Span::new(id, 8, 8)), format!("{}:2:1", path.display()));
        // Changed after its first reading: not used.
        std::fs::write(&path, "name: b\nsteps: []\n").unwrap();
        for other in 0..RECENT_FILES {
            let p = dir.path().join(format!("o{other}.yaml"));
            std::fs::write(&p, "x").unwrap();
            let o = map.add_on_disk(p, 1);
            map.get(o);
        }
        let again = map.get(id);
        assert!(again.text.is_empty());
        assert_eq!(again.problem.as_deref(), Some("it changed after it was validated"));
    }
}
