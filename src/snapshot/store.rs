//! Where snapshots live and how they are read and written: `__snapshots__/<scenario file>/
//! <name>.json` beside the scenario, pretty JSON a pull request shows line by line; a changed
//! or new answer waits in `<name>.json.new` until it is reviewed. Each file is written whole
//! or not at all, never through a symbolic link, and only a regular file is read.

use std::path::{Path, PathBuf};

use crate::output_files::{link_on_the_way, link_refusal, write_whole};

pub const SNAPSHOT_FOLDER: &str = "__snapshots__";
/// What a snapshot waiting for review adds to its file's name.
pub const PENDING_SUFFIX: &str = ".new";
/// The largest snapshot read: far above any answer k2check keeps (its bodies stop at 64 MiB).
const MAX_SNAPSHOT_BYTES: u64 = 64 << 20;
/// A file name's longest stem made from a step's name.
const MAX_NAME_CHARS: usize = 100;

/// `<scenario's folder>/__snapshots__/[<environment>/]<scenario file>/<name>.json`, or
/// `<name>.row-N.json` for data row N. A name from a step's name keeps its letters, digits,
/// spaces, `-`, `_` and `.`.
pub fn snapshot_path(scenario: &Path, environment: Option<&str>, name: &str, row: Option<usize>) -> PathBuf {
    let folder = scenario.parent().unwrap_or(Path::new("."));
    let file = scenario
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = segment(name);
    let row = row.map(|n| format!(".row-{n}")).unwrap_or_default();
    let mut path = folder.join(SNAPSHOT_FOLDER);
    if let Some(environment) = environment {
        path.push(segment(environment));
    }
    path.join(file).join(format!("{stem}{row}.json"))
}

/// A name as one plain path segment: letters, digits, spaces, `-`, `_` and `.` kept, the
/// rest `_`, never empty nor starting with `.` (so never `..`).
fn segment(name: &str) -> String {
    let mut kept: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME_CHARS)
        .collect();
    kept = kept.trim().to_owned();
    if kept.is_empty() || kept.starts_with('.') {
        kept.insert(0, '_');
    }
    kept
}

/// A snapshot file's text: pretty JSON with a final newline, what a pull request shows line by
/// line.
pub fn snapshot_text(value: &serde_json::Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    text.push('\n');
    text
}

/// The pending file of a snapshot: `<name>.json.new`.
pub fn pending_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(PENDING_SUFFIX);
    PathBuf::from(name)
}

/// The stored text, `None` when there is none; an error for a link, a pipe or a folder in its
/// place, or a file that cannot be read.
pub fn read_stored(path: &Path) -> Result<Option<String>, String> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
        Ok(meta) if meta.file_type().is_symlink() => Err(link_refusal(path)),
        Ok(_) => crate::input_file::read_text(path, "snapshot", MAX_SNAPSHOT_BYTES)
            .map(Some)
            .map_err(|e| e.to_string()),
    }
}

/// Writes a snapshot (or its pending file) whole, refusing a link between the scenario's
/// folder and it.
pub fn write(scenario_folder: &Path, path: &Path, text: &str) -> Result<(), String> {
    if let Some(link) = link_on_the_way(scenario_folder, path) {
        return Err(link_refusal(&link));
    }
    write_whole(path, text.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

/// Removes a pending file that is no longer needed (the answer matches again); a link is
/// removed as a name, never followed.
pub fn remove_pending(path: &Path) {
    let pending = pending_path(path);
    if std::fs::symlink_metadata(&pending).is_ok_and(|m| m.is_file() || m.file_type().is_symlink()) {
        let _ = std::fs::remove_file(pending);
    }
}

/// Every pending snapshot (`*.json.new` in a `__snapshots__` folder) below `root`, sorted;
/// symbolic links are not followed.
pub fn pending_snapshots(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() {
                folders.push(path);
            } else if kind.is_file()
                && path.to_string_lossy().ends_with(&format!(".json{PENDING_SUFFIX}"))
                && path.components().any(|c| c.as_os_str() == SNAPSHOT_FOLDER)
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The snapshot a pending file would replace.
pub fn accepted_path(pending: &Path) -> PathBuf {
    let text = pending.as_os_str().to_string_lossy();
    PathBuf::from(text.strip_suffix(PENDING_SUFFIX).unwrap_or(&text).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_beside_the_scenario_one_per_row() {
        let scenario = Path::new("suite/odata/list.yaml");
        assert_eq!(
            snapshot_path(scenario, None, "List employees", None),
            Path::new("suite/odata/__snapshots__/list.yaml/List employees.json")
        );
        assert_eq!(
            snapshot_path(scenario, Some("mock"), "a/b: ../c", Some(3)),
            Path::new("suite/odata/__snapshots__/mock/list.yaml/a_b_ .._c.row-3.json")
        );
        assert_eq!(
            snapshot_path(scenario, None, "..", None),
            Path::new("suite/odata/__snapshots__/list.yaml/_...json")
        );
        let pending = pending_path(Path::new("x/__snapshots__/a.yaml/s.json"));
        assert_eq!(pending, Path::new("x/__snapshots__/a.yaml/s.json.new"));
        assert_eq!(accepted_path(&pending), Path::new("x/__snapshots__/a.yaml/s.json"));
    }

    #[test]
    fn a_link_or_a_pipe_in_a_snapshots_place_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(SNAPSHOT_FOLDER)).unwrap();
        let path = snapshot_path(&dir.path().join("a.yaml"), None, "s", None);
        let refused = write(dir.path(), &path, "{}").unwrap_err();
        assert!(refused.contains("is a symbolic link"), "{refused}");
        assert!(std::fs::read_dir(&target).unwrap().next().is_none());
        std::fs::remove_file(dir.path().join(SNAPSHOT_FOLDER)).unwrap();
        write(dir.path(), &path, "{}\n").unwrap();
        assert_eq!(read_stored(&path).unwrap().as_deref(), Some("{}\n"));
        assert_eq!(read_stored(&dir.path().join("none.json")).unwrap(), None);
        let fifo = dir.path().join("fifo.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        assert!(read_stored(&fifo).unwrap_err().contains("not a regular file"));
    }
}
