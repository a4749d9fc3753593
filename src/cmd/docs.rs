//! `k2check docs [PATHS] --out DIR`: API documentation from the scenarios, with a recorded
//! run's examples when `--from-run` names its JSON report.

use std::path::{Path, PathBuf};

use crate::cli::DocsArgs;
use crate::cmd::error::{CommandError, CommandResult, Kind};
use crate::cmd::prepare::{default_paths, print_diagnostics};
use crate::diag::Diagnostic;
use crate::docs::examples::Examples;
use crate::docs::{DocFile, describe_all, root_of, write_docs};
use crate::exit;
use crate::output_files::{link_on_the_way, link_refusal, write_whole};
use crate::plan::{forget_row_files_as_scenarios, row_file};
use crate::scenario::load::{decode_each, load};

/// The most a `--from-run` report may hold (a `-vv` run of many steps is large).
const MAX_REPORT_BYTES: u64 = 1 << 30;

pub fn docs(args: DocsArgs) -> CommandResult {
    let paths = default_paths(&args.paths).map_err(CommandError::invalid)?;
    let examples = args.from_run.as_deref().map(read_examples).transpose()?;
    let loaded = load(&paths);
    let mut scenarios = Vec::new();
    let mut diagnostics = loaded.diagnostics;
    let mut decoding = Vec::new();
    decode_each(&loaded.scenario_files, &loaded.sources, |scenario, diags| {
        decoding.extend(diags);
        scenarios.extend(scenario);
    });
    // YAML row files beside the scenarios are data, not scenarios that failed to decode.
    let row_files: Vec<PathBuf> = scenarios.iter().filter_map(row_file).collect();
    forget_row_files_as_scenarios(row_files.iter().map(PathBuf::as_path), &loaded.sources, &mut decoding);
    diagnostics.extend(decoding);
    if diagnostics.iter().any(Diagnostic::is_error) {
        print_diagnostics(&diagnostics, &loaded.sources, &Default::default());
        return Err(CommandError::summary(
            Kind::Invalid,
            "the scenarios have problems (see `k2check validate`); no documentation was written",
        ));
    }
    if scenarios.is_empty() {
        return Err(CommandError::invalid(format!(
            "no scenario found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let suite_file = loaded.suite.as_ref().map(|s| loaded.sources.path(s.file).to_path_buf());
    let root = root_of(suite_file.as_deref(), &paths);
    let glossary = loaded
        .suite
        .as_ref()
        .map(crate::docs::glossary::Glossary::of)
        .unwrap_or_default();
    let files = write_docs(
        &args.title,
        &root,
        describe_all(&scenarios),
        examples.as_ref(),
        &glossary,
    );
    write_files(&args.out, &files)?;
    crate::errln!(
        "Wrote the documentation of {} scenarios to {} ({} files; open {}/docs.html or start at index.md)",
        scenarios.len(),
        args.out.display(),
        files.len(),
        args.out.display()
    );
    Ok(exit::OK)
}

/// The examples of a run's JSON report (`--from-run`).
fn read_examples(path: &Path) -> Result<Examples, CommandError> {
    let examples = crate::input_file::read_text(path, "JSON report", MAX_REPORT_BYTES)
        .map_err(|e| e.to_string())
        .and_then(|t| Examples::read(&t).map_err(|e| e.to_string()))
        .map_err(|e| CommandError::invalid(format!("{}: {e}", path.display())))?;
    if !examples.detailed {
        crate::errln!(
            "warning: {} was written without -v: the examples show request lines and failures only",
            path.display()
        );
    }
    Ok(examples)
}

/// Writes every file of the docs into `out`, each whole or not at all.
fn write_files(out: &Path, files: &[DocFile]) -> Result<(), CommandError> {
    if let Err(e) = std::fs::create_dir_all(out) {
        return Err(CommandError::incomplete(format!(
            "cannot create {}: {e}",
            out.display()
        )));
    }
    if let Some(link) = files
        .iter()
        .find_map(|file| link_on_the_way(out, &out.join(&file.path)))
    {
        return Err(CommandError::invalid(format!(
            "{}; nothing was written",
            link_refusal(&link)
        )));
    }
    // Each page whole or absent, and the pages that link to others (the index, the HTML
    // file) last, so a stop never leaves a link to a page not written.
    let mut ordered: Vec<_> = files.iter().collect();
    ordered.sort_by_key(|f| is_entry_page(&f.path));
    for file in ordered {
        let target = out.join(&file.path);
        if let Err(e) = write_whole(&target, file.text.as_bytes()) {
            return Err(CommandError::incomplete(format!(
                "cannot write {}: {e}",
                target.display()
            )));
        }
    }
    Ok(())
}

/// The pages a reader starts from, which link to every other.
fn is_entry_page(path: &str) -> bool {
    matches!(path, "index.md" | "docs.html")
}
