//! Finding the suite file and the scenario files named on the command line, and decoding them.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostic;
use crate::scenario::decode_scenario::decode_scenario;
use crate::scenario::decode_suite::decode_suite;
use crate::scenario::fields::Reader;
use crate::scenario::model::{Scenario, Suite};
use crate::source::{FileId, SourceMap};
use crate::yaml;

pub const SUITE_FILE: &str = "k2check.yaml";

/// Everything read from disk, with every problem found on the way.
#[derive(Debug, Default)]
pub struct Loaded {
    pub sources: SourceMap,
    pub suite: Option<Suite>,
    /// Scenario files, read but not yet decoded: the planner decodes them one at a time.
    pub scenario_files: Vec<FileId>,
    pub diagnostics: Vec<Diagnostic>,
}

pub fn load(paths: &[PathBuf]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut suite_file: Option<PathBuf> = None;
    for path in paths {
        if !path.exists() {
            loaded.diagnostics.push(Diagnostic::error(
                format!("{}: no such file or directory", path.display()),
                None,
            ));
            continue;
        }
        if let Some(found) = find_suite_file(path) {
            match &suite_file {
                Some(existing) if existing != &found => loaded.diagnostics.push(
                    Diagnostic::error(
                        format!(
                            "{} and {} belong to different suites",
                            existing.display(),
                            found.display()
                        ),
                        None,
                    )
                    .with_help("run one suite at a time"),
                ),
                _ => suite_file = Some(tidy(found)),
            }
        }
        if path.is_dir() {
            collect_yaml_files(path, &mut files, &mut loaded.diagnostics);
        } else if path.file_name().is_some_and(|n| n == SUITE_FILE) {
            if let Some(dir) = path.parent() {
                collect_yaml_files(&dir_or_dot(dir), &mut files, &mut loaded.diagnostics);
            }
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();

    let mut reader = Reader::default();
    if let Some(suite_path) = suite_file {
        if let Some(text) = read(&suite_path, &mut loaded.diagnostics) {
            let id = loaded.sources.add(suite_path.clone(), text);
            match yaml::parse(id, &loaded.sources.get(id)) {
                Ok(root) => {
                    let dir = dir_or_dot(suite_path.parent().unwrap_or(Path::new(".")));
                    loaded.suite = Some(decode_suite(&mut reader, id, &dir, &root));
                }
                Err(diag) => reader.error(diag),
            }
        }
    }
    // A large suite's files stay on disk and are read one at a time when decoded (and again
    // when a scenario starts): memory follows the files in flight, not the suite.
    let kinds: Vec<Option<std::fs::Metadata>> = files.iter().map(|f| std::fs::metadata(f).ok()).collect();
    let on_disk = kinds.iter().flatten().map(std::fs::Metadata::len).sum::<u64>() > ON_DISK_SUITE_BYTES;
    for (file, meta) in files.into_iter().zip(kinds) {
        // What is not a regular file of a sensible size is read now, to be refused in words.
        let regular = meta.filter(|m| m.is_file() && m.len() <= MAX_FILE_BYTES);
        let id = if let (true, Some(meta)) = (on_disk, regular) {
            loaded.sources.add_on_disk(file, meta.len() as usize)
        } else {
            let Some(text) = read(&file, &mut loaded.diagnostics) else {
                continue;
            };
            loaded.sources.add(file, text)
        };
        loaded.scenario_files.push(id);
    }
    loaded.diagnostics.extend(reader.diags);
    loaded
}

/// A suite given as texts, not files (`init` plans the suite it is about to write):
/// `k2check.yaml` is the suite file, the rest its scenarios, each at its path below `dir`.
pub fn load_texts(dir: &Path, files: &[(String, String)]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut reader = Reader::default();
    for (path, text) in files {
        let id = loaded.sources.add(dir.join(path), text.clone());
        if path != SUITE_FILE {
            loaded.scenario_files.push(id);
            continue;
        }
        match yaml::parse(id, &loaded.sources.get(id)) {
            Ok(root) => loaded.suite = Some(decode_suite(&mut reader, id, dir, &root)),
            Err(diag) => reader.error(diag),
        }
    }
    loaded.diagnostics.extend(reader.diags);
    loaded
}

/// Suites with more scenario text than this are read from disk file by file, never held
/// whole: the same size above which the plan keeps scenarios as text (`plan::planned`).
const ON_DISK_SUITE_BYTES: u64 = 2 << 20;

/// Files longer than this on average are decoded one at a time per worker.
const LONG_FILE_BYTES: usize = 64 << 10;

/// Parses and decodes one scenario file; its problems go to `reader`.
pub fn decode_file(id: FileId, sources: &SourceMap, reader: &mut Reader) -> Option<Scenario> {
    let file = sources.get(id);
    if let Some(problem) = &file.problem {
        reader.error(Diagnostic::error(format!("{}: {problem}", file.path.display()), None));
        return None;
    }
    match yaml::parse(id, &file) {
        Ok(root) => decode_scenario(reader, id, sources.path(id), &root),
        Err(diag) => {
            reader.error(diag);
            None
        }
    }
}

/// Decodes every file on worker threads (one per core) while `each`, on this thread, takes
/// the results in file order. Worker `w` decodes files `w`, `w + n`, `w + 2n`, … into its own
/// small bounded queue, so reading the queues in turn restores the order and only a few
/// decoded files are in memory at once: four each for ordinary files, none waiting for very
/// long ones (a decoded step takes some ten times its text).
pub fn decode_each(files: &[FileId], sources: &SourceMap, mut each: impl FnMut(Option<Scenario>, Vec<Diagnostic>)) {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, files.len().max(1));
    let text: usize = files.iter().map(|&f| sources.len(f)).sum();
    let depth = if text / files.len().max(1) > LONG_FILE_BYTES {
        0
    } else {
        4
    };
    std::thread::scope(|scope| {
        let mut queues = Vec::with_capacity(workers);
        for worker in 0..workers {
            let (tx, rx) = std::sync::mpsc::sync_channel(depth);
            queues.push(rx);
            scope.spawn(move || {
                for &file in files.iter().skip(worker).step_by(workers) {
                    let mut reader = Reader::default();
                    let scenario = decode_file(file, sources, &mut reader);
                    if tx.send((scenario, reader.diags)).is_err() {
                        break;
                    }
                }
            });
        }
        for index in 0..files.len() {
            match queues[index % workers].recv() {
                Ok((scenario, diags)) => each(scenario, diags),
                // A worker that stopped early has panicked; the scope reports it.
                Err(_) => break,
            }
        }
    });
}

/// `./a/b.yaml` reads better as `a/b.yaml` in every location shown.
fn tidy(path: PathBuf) -> PathBuf {
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => path,
    }
}

fn dir_or_dot(dir: &Path) -> PathBuf {
    if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir.to_path_buf()
    }
}

/// The most text one scenario or suite file may hold.
const MAX_FILE_BYTES: u64 = 64 << 20;

fn read(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Option<String> {
    crate::input_file::read_text(path, "scenario file", MAX_FILE_BYTES)
        .map_err(|e| diagnostics.push(Diagnostic::error(e.to_string(), None)))
        .ok()
}

/// The `k2check.yaml` in this folder or the nearest one above it. The search starts from the
/// absolute path (`odata`, `.` and `file.yaml` have no parent to walk up to as written), and
/// the file found is named relative to the current folder when it lies below it.
pub fn find_suite_file(path: &Path) -> Option<PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    let start = if absolute.is_dir() {
        absolute
    } else {
        absolute.parent()?.to_path_buf()
    };
    let found = start
        .ancestors()
        .map(|dir| dir.join(SUITE_FILE))
        .find(|c| c.is_file())?;
    let here = std::env::current_dir().ok();
    Some(match here.as_deref().and_then(|h| found.strip_prefix(h).ok()) {
        Some(relative) => relative.to_path_buf(),
        None => found,
    })
}

/// The CI files `init --ci` writes that are not hidden: YAML, but never a scenario.
pub const CI_FILES: &[&str] = &["azure-pipelines.yml", "azure-pipelines.yaml"];

/// Scenario files below a folder (`*.yaml` and `*.yml`), walked as ripgrep walks: hidden
/// files and folders and what `.gitignore` excludes are skipped, and symbolic links to
/// folders are not followed (a link back up would loop). What is not a regular file (a pipe
/// would block for ever, a link to `/dev/zero` would fill memory) is skipped with a warning.
fn collect_yaml_files(dir: &Path, files: &mut Vec<PathBuf>, diagnostics: &mut Vec<Diagnostic>) {
    let walk = ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .git_global(false)
        .require_git(false)
        .ignore(false)
        .parents(true)
        .follow_links(false)
        .build();
    for entry in walk {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                diagnostics.push(Diagnostic::warning(format!("{e}"), None));
                continue;
            }
        };
        let path = entry.path();
        let name = entry.file_name().to_string_lossy();
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if !is_yaml || name == SUITE_FILE || CI_FILES.contains(&name.as_ref()) || entry.depth() == 0 {
            continue;
        }
        // A link is followed to see what it names; a folder it names is not walked.
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => files.push(tidy(path.to_path_buf())),
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => diagnostics.push(Diagnostic::warning(
                format!("{}: not a regular file (a pipe or a device); skipped", path.display()),
                None,
            )),
            Err(e) => diagnostics.push(Diagnostic::warning(format!("{}: {e}; skipped", path.display()), None)),
        }
    }
}
