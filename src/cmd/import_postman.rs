//! `k2check import postman COLLECTION --out DIR`: a suite a person would have written, and
//! a report of what was translated, kept as comments or left out.

use std::path::Path;

use crate::cli::ImportPostmanArgs;
use crate::cmd::error::{CommandError, CommandResult};
use crate::exit;
use crate::import::postman_suite::{ImportError, ImportReport, OutFile, convert};
use crate::output_files::{link_refusal, write_whole};

pub fn import_postman(args: ImportPostmanArgs) -> CommandResult {
    // Everything that can be refused is refused before anything is written.
    if let Some(problem) = refusal(&args) {
        return Err(CommandError::invalid(problem));
    }
    let environment = args
        .environment
        .as_deref()
        .map(|path| crate::input_file::read_text(path, "Postman environment", MAX_ENVIRONMENT_BYTES))
        .transpose()
        .map_err(CommandError::invalid)?;
    let collection = args.collection.clone();
    let open = move || -> std::io::Result<Box<dyn std::io::Read>> {
        Ok(Box::new(std::io::BufReader::new(std::fs::File::open(&collection)?)))
    };
    let mut write = |file: OutFile| {
        let target = args.out.join(&file.path);
        write_whole(&target, file.text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", target.display()))
    };
    let report = match convert(&open, environment.as_deref(), &mut write) {
        Ok(report) => report,
        Err(ImportError::Write(e)) => {
            return Err(CommandError::incomplete(e));
        }
        Err(ImportError::NotACollection(e)) => {
            let file = match (&args.environment, e.message.starts_with("the environment")) {
                (Some(env), true) => env,
                _ => &args.collection,
            };
            let place = match e.line {
                Some((line, column)) => format!("{}:{line}:{column}", file.display()),
                None => file.display().to_string(),
            };
            return Err(CommandError::invalid(format!("{place}: {}", e.message)));
        }
    };
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        // Its folder is made, as a run's report folder is.
        if let Err(e) = write_whole(path, (json + "\n").as_bytes()) {
            return Err(CommandError::incomplete(format!(
                "cannot write the report {}: {e}",
                path.display()
            )));
        }
    }
    print_report(&report, &args.out);
    Ok(exit::OK)
}

/// The most a Postman environment file may hold: a few variables, not data.
const MAX_ENVIRONMENT_BYTES: u64 = 16 << 20;

/// Why the import cannot start: an input that is not a regular file, an `--out` or
/// `--report` of the wrong kind, a folder in use without `--force`, a link inside it.
fn refusal(args: &ImportPostmanArgs) -> Option<String> {
    // Checked before opening: opening a pipe blocks until someone writes to it.
    match std::fs::metadata(&args.collection) {
        Ok(meta) if !meta.is_file() => {
            return Some(format!(
                "{}: not a regular file (a pipe, a device or a folder)",
                args.collection.display()
            ));
        }
        Ok(_) => {}
        Err(e) => return Some(format!("cannot read {}: {e}", args.collection.display())),
    }
    if args.out.exists() && !args.out.is_dir() {
        return Some(format!(
            "--out {} is a file, not a folder; nothing was written\nhint: name a new folder for the suite",
            args.out.display()
        ));
    }
    if let Some(report) = args.report.as_deref().filter(|r| r.is_dir()) {
        return Some(format!(
            "--report {} is a folder; nothing was written\nhint: name a file, such as import-report.json",
            report.display()
        ));
    }
    let entries: Vec<std::path::PathBuf> = std::fs::read_dir(&args.out)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    if !entries.is_empty() && !args.force {
        return Some(format!(
            "{} exists and is not empty; nothing was written\nhint: choose a new folder, or pass --force to replace the files the import writes",
            args.out.display()
        ));
    }
    // The import writes only at the folder's top: a link there could be written through.
    let link = entries
        .iter()
        .find(|p| std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()))?;
    Some(format!("{}; nothing was written", link_refusal(link)))
}

fn print_report(report: &ImportReport, out: &Path) {
    use std::fmt::Write as _;
    // Names and warnings come from the collection: shown, never obeyed by the terminal.
    let mut text = String::new();
    let shown = out.display();
    let _ = writeln!(
        text,
        "Imported {:?} ({}) into {shown}, environment `{}`:",
        report.collection, report.format, report.environment
    );
    for f in &report.files {
        let _ = writeln!(
            text,
            "  {:<28} {} requests → {} steps ({} as K2 steps), {} assertions, {} captures, {} kept as comments",
            f.file, f.requests, f.steps, f.k2_steps, f.assertions, f.captures, f.kept_as_comments
        );
    }
    let mut list = |label: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = writeln!(text, "  {label}: {}", items.join(", "));
        }
    };
    list("auth profiles", &report.auth_profiles);
    list(
        "unsupported auth (the requests go without credentials)",
        &report.unsupported_auth,
    );
    list(
        "defined nowhere, read from the environment",
        &report.undefined_variables,
    );
    list(
        "dynamic variables without an equivalent",
        &report.dynamic_variables_without_equivalent,
    );
    for suggestion in &report.token_requests {
        let _ = writeln!(text, "  suggestion: {suggestion}");
    }
    if !report.warnings.is_empty() {
        let _ = writeln!(text, "  warnings ({}):", report.warnings.len());
        for w in &report.warnings {
            let _ = writeln!(text, "    - {w}");
        }
    }
    let _ = writeln!(text, "Next: set the variables of {shown}/.env.example, then");
    let _ = writeln!(text, "  k2check validate {shown}");
    let _ = writeln!(text, "  k2check run {shown} --env {} --dry-run", report.environment);
    crate::errln!("{}", crate::text::printable(text.trim_end()));
}
