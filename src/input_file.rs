//! Reading a file a user names (a scenario, a row file, a `.env`, a vars file, a schema) with
//! a bound and a type check: a pipe would block for ever and a device (`/dev/zero`) would be
//! read until memory runs out, so only a regular file is opened, and never more than its bound
//! is read, whatever its size claimed.

use std::io::Read as _;
use std::path::Path;

/// Why a file could not be read as text, in words that name it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("{path}: not a regular file (a pipe, a device or a folder)")]
    NotAFile { path: String },
    #[error("{path}: more than the {limit_mib} MiB a {what} may hold")]
    TooLarge {
        path: String,
        what: &'static str,
        limit_mib: u64,
    },
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 { path: String, offset: usize },
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
}

/// The text of the regular file at `path`, at most `limit` bytes of it.
pub fn read_text(path: &Path, what: &'static str, limit: u64) -> Result<String, InputError> {
    let shown = path.display().to_string();
    // Checked before opening: opening a pipe blocks until someone writes to it.
    match std::fs::metadata(path) {
        Ok(meta) if !meta.is_file() => return Err(InputError::NotAFile { path: shown }),
        Ok(_) => {}
        Err(e) => {
            return Err(InputError::Io {
                path: shown,
                reason: e.to_string(),
            });
        }
    }
    let too_large = || InputError::TooLarge {
        path: path.display().to_string(),
        what,
        limit_mib: (limit >> 20).max(1),
    };
    let file = std::fs::File::open(path).map_err(|e| InputError::Io {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let mut bytes = Vec::new();
    // One byte past the limit tells a file of exactly the limit from a larger one.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| InputError::Io {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|e| InputError::NotUtf8 {
        path: shown,
        offset: e.utf8_error().valid_up_to(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_regular_utf8_file_within_its_bound_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.env");
        std::fs::write(&file, "A=1\n").unwrap();
        assert_eq!(read_text(&file, "file", 4).unwrap(), "A=1\n");
        assert!(matches!(read_text(&file, "file", 3), Err(InputError::TooLarge { .. })));
        assert!(matches!(
            read_text(dir.path(), "file", 9),
            Err(InputError::NotAFile { .. })
        ));
        std::fs::write(&file, b"A=\xff\n").unwrap();
        assert!(matches!(
            read_text(&file, "file", 9),
            Err(InputError::NotUtf8 { offset: 2, .. })
        ));
        assert!(matches!(
            read_text(&dir.path().join("none"), "file", 9),
            Err(InputError::Io { .. })
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_text(Path::new("/dev/zero"), "file", 9),
            Err(InputError::NotAFile { .. })
        ));
    }
}
