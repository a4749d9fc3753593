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
///
/// Only a regular file (or a path where nothing is yet) is replaced by a rename. A symbolic
/// link is followed first, so the link stays and its target gets the report. Anything else
/// (`/dev/null`, `/dev/stdout`, a pipe) is opened and written in place: renaming over it would
/// turn a device into a regular file.
pub struct PendingFile {
    path: PathBuf,
    /// Where the report finally goes: `path` with symbolic links resolved.
    target: PathBuf,
    /// `None` when writing in place.
    tmp: Option<PathBuf>,
    out: Option<std::io::BufWriter<std::fs::File>>,
    /// The first failure to open or write; reported by `ready` and `commit`.
    failed: Option<std::io::Error>,
}

impl PendingFile {
    pub fn create(path: &Path) -> PendingFile {
        let target = resolve_links(path);
        if target.is_dir() {
            return PendingFile {
                path: path.to_path_buf(),
                target,
                tmp: None,
                out: None,
                failed: Some(std::io::Error::new(
                    std::io::ErrorKind::IsADirectory,
                    "it is a folder; name a file in it",
                )),
            };
        }
        let in_place = std::fs::metadata(&target).is_ok_and(|m| !m.is_file() && !m.is_dir());
        let (tmp, opened) = if in_place {
            (
                None,
                std::fs::OpenOptions::new().write(true).truncate(true).open(&target),
            )
        } else {
            let tmp = temp_path(&target);
            // `--junit reports/junit.xml` in a fresh CI checkout: the folder is made.
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
                let _ = std::fs::create_dir_all(dir);
            }
            let opened = std::fs::File::create(&tmp);
            (Some(tmp), opened)
        };
        let (out, failed) = match opened {
            Ok(file) => (Some(std::io::BufWriter::new(file)), None),
            Err(e) => (None, Some(e)),
        };
        PendingFile {
            path: path.to_path_buf(),
            target,
            tmp,
            out,
            failed,
        }
    }

    /// Whether the report can be written at all: checked before anything is sent.
    pub fn ready(&self) -> Result<(), WriteError> {
        match &self.failed {
            None => Ok(()),
            Some(e) => Err(WriteError {
                path: self.path.clone(),
                source: std::io::Error::new(e.kind(), e.to_string()),
            }),
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
            (Some(out), None) => match out.into_inner().map_err(|e| e.into_error()) {
                Err(e) => Err(e),
                Ok(file) => match &self.tmp {
                    // A device or a pipe: written; nothing to sync or rename.
                    None => Ok(()),
                    Some(tmp) => file.sync_all().and_then(|()| std::fs::rename(tmp, &self.target)),
                },
            },
        };
        if result.is_err()
            && let Some(tmp) = &self.tmp
        {
            let _ = std::fs::remove_file(tmp);
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
        if self.out.take().is_some()
            && let Some(tmp) = &self.tmp
        {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// `path` with symbolic links followed (at most 40, as the kernel does), so that a link stays
/// a link and its target is written.
fn resolve_links(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        let Ok(meta) = std::fs::symlink_metadata(&current) else {
            return current;
        };
        if !meta.file_type().is_symlink() {
            return current;
        }
        let Ok(link) = std::fs::read_link(&current) else {
            return current;
        };
        current = match current.parent() {
            Some(dir) if link.is_relative() => dir.join(link),
            _ => link,
        };
    }
    current
}

#[cfg(test)]
fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
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
    fn a_missing_folder_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/nested/r.xml");
        let mut file = PendingFile::create(&path);
        file.write(b"<x/>");
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "<x/>");
    }

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
    fn a_folder_that_cannot_be_made_is_known_before_anything_is_written() {
        let mut file = PendingFile::create(Path::new("/dev/null/k2check/r.xml"));
        assert!(file.ready().is_err());
        file.write(b"x");
        let error = file.commit().unwrap_err();
        assert!(error.to_string().starts_with("cannot write /dev/null/k2check/r.xml"));
    }

    #[test]
    fn a_device_is_written_in_place_and_stays_a_device() {
        let mut file = PendingFile::create(Path::new("/dev/null"));
        file.ready().unwrap();
        file.write(b"report");
        file.commit().unwrap();
        let meta = std::fs::metadata("/dev/null").unwrap();
        assert!(!meta.is_file(), "/dev/null is still a device");
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_stays_a_link_and_its_target_gets_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("reports/real.xml");
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let link = dir.path().join("link.xml");
        std::os::unix::fs::symlink("reports/real.xml", &link).unwrap();
        write_atomically(&link, b"<x/>").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "<x/>");
    }
}
