//! Report files are written whole or not at all: into a temporary file beside the target,
//! renamed over it when complete.

use std::io::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// A report being written: its lines go to a temporary file as they come, so memory does not
/// grow with the run, and the file appears at its path only when `commit` succeeds.
pub struct PendingFile {
    path: PathBuf,
    tmp: PathBuf,
    out: Option<std::io::BufWriter<std::fs::File>>,
    /// The first failure to write; reported by `commit`.
    failed: Option<std::io::Error>,
}

impl PendingFile {
    pub fn create(path: &Path) -> PendingFile {
        let tmp = temp_path(path);
        let (out, failed) = match std::fs::File::create(&tmp) {
            Ok(file) => (Some(std::io::BufWriter::new(file)), None),
            Err(e) => (None, Some(e)),
        };
        PendingFile {
            path: path.to_path_buf(),
            tmp,
            out,
            failed,
        }
    }

    pub fn write(&mut self, bytes: &[u8]) {
        if let Some(out) = &mut self.out
            && let Err(e) = out.write_all(bytes)
        {
            self.failed.get_or_insert(e);
            self.out = None;
        }
    }

    /// Puts the file at its path, or says why it could not.
    pub fn commit(&mut self) -> Result<(), WriteError> {
        let result = match (self.out.take(), self.failed.take()) {
            (_, Some(e)) => Err(e),
            (None, None) => Err(std::io::Error::other("the report was already written")),
            (Some(out), None) => out
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|file| file.sync_all())
                .and_then(|()| std::fs::rename(&self.tmp, &self.path)),
        };
        if result.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        result.map_err(|source| WriteError {
            path: self.path.clone(),
            source,
        })
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        // Never committed: the partial file goes.
        if self.out.is_some() {
            self.out = None;
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let mut file = PendingFile::create(path);
    file.write(contents);
    file.commit()
}

fn temp_path(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report".into());
    dir.join(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let mut file = PendingFile::create(&path);
        file.write(b"one\n");
        assert!(!path.exists());
        file.write(b"two\n");
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "one\ntwo\n");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file is left"
        );
    }

    #[test]
    fn an_abandoned_file_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.xml");
        drop(PendingFile::create(&path));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_folder_that_does_not_exist_is_an_error_at_commit() {
        let mut file = PendingFile::create(Path::new("/nonexistent-k2check/r.xml"));
        file.write(b"x");
        let error = file.commit().unwrap_err();
        assert!(error.to_string().starts_with("cannot write /nonexistent-k2check/r.xml"));
    }
}
