//! Files k2check writes besides reports (`init`, `import`, `docs`): never through a symbolic
//! link out of the folder it writes into, and each whole or absent: written to a temporary
//! file beside its target and renamed over it when complete.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The first symbolic link on the way from `root` to `target`, `target` itself included
/// (`root` is the user's choice and may be a link). `target` lies below `root`.
pub fn link_on_the_way(root: &Path, target: &Path) -> Option<PathBuf> {
    let below = target.strip_prefix(root).ok()?;
    let mut path = root.to_path_buf();
    for part in below.components() {
        path.push(part);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Some(path),
            Ok(_) => {}
            // Nothing there yet: nothing further down either.
            Err(_) => return None,
        }
    }
    None
}

/// The message for a link found on the way: named, and where it leads.
pub fn link_refusal(link: &Path) -> String {
    let to = std::fs::read_link(link)
        .map(|t| format!(" (it leads to {})", t.display()))
        .unwrap_or_default();
    format!(
        "{} is a symbolic link{to}: k2check does not write through a link out of the folder it writes into",
        link.display()
    )
}

/// Writes `bytes` to `target` whole or not at all; the folders above it are made.
pub fn write_whole(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    let name = target.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.k2check-{}.tmp", std::process::id()));
    // `create_new`: a link or a leftover at the temporary name is never written through;
    // a leftover of an earlier process of the same id is removed (the name, not its target).
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp);
    let opened = match create() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::remove_file(&tmp).and_then(|()| create()),
        other => other,
    };
    let written = opened.and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&tmp, target)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_on_the_way_is_found_and_a_file_is_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("real")).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/tmp", root.join("linked")).unwrap();
            assert_eq!(
                link_on_the_way(root, &root.join("linked/a.yaml")),
                Some(root.join("linked"))
            );
            std::os::unix::fs::symlink("/etc/passwd", root.join("real/x")).unwrap();
            assert_eq!(link_on_the_way(root, &root.join("real/x")), Some(root.join("real/x")));
            assert!(link_refusal(&root.join("real/x")).contains("it leads to /etc/passwd"));
        }
        assert_eq!(link_on_the_way(root, &root.join("real/new/b.yaml")), None);
        write_whole(&root.join("real/new/b.yaml"), b"text").unwrap();
        assert_eq!(std::fs::read(root.join("real/new/b.yaml")).unwrap(), b"text");
        assert_eq!(
            std::fs::read_dir(root.join("real/new")).unwrap().count(),
            1,
            "no temporary file left"
        );
        // A link planted at the temporary name is replaced, never written through.
        #[cfg(unix)]
        {
            let outside = root.join("outside");
            std::fs::write(&outside, "kept").unwrap();
            let tmp = root.join(format!("real/.c.yaml.k2check-{}.tmp", std::process::id()));
            std::os::unix::fs::symlink(&outside, &tmp).unwrap();
            write_whole(&root.join("real/c.yaml"), b"new").unwrap();
            assert_eq!(std::fs::read(&outside).unwrap(), b"kept");
            assert_eq!(std::fs::read(root.join("real/c.yaml")).unwrap(), b"new");
        }
    }
}
