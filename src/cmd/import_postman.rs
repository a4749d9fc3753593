//! `k2check import postman COLLECTION --out DIR`: a suite a person would have written, and
//! a report of what was translated, kept as comments or left out.

use std::path::Path;

use crate::cli::ImportPostmanArgs;
use crate::exit;
use crate::import::postman_suite::{ImportReport, convert};
use crate::output_files::{link_on_the_way, link_refusal, write_whole};

pub fn import_postman(args: ImportPostmanArgs) -> u8 {
    let read =
        |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("error: cannot read {}: {e}", path.display()));
    let collection = match read(&args.collection) {
        Ok(t) => t,
        Err(e) => {
            crate::errln!("{e}");
            return exit::INVALID;
        }
    };
    let environment = match args.environment.as_deref().map(read).transpose() {
        Ok(t) => t,
        Err(e) => {
            crate::errln!("{e}");
            return exit::INVALID;
        }
    };
    let (files, report) = match convert(&collection, environment.as_deref()) {
        Ok(converted) => converted,
        Err(e) => {
            let file = match (&args.environment, e.message.starts_with("the environment")) {
                (Some(env), true) => env,
                _ => &args.collection,
            };
            match e.line {
                Some((line, column)) => crate::errln!("error: {}:{line}:{column}: {}", file.display(), e.message),
                None => crate::errln!("error: {}: {}", file.display(), e.message),
            }
            return exit::INVALID;
        }
    };
    if args.out.exists() && !args.out.is_dir() {
        crate::errln!(
            "error: --out {} is a file, not a folder; nothing was written\nhint: name a new folder for the suite",
            args.out.display()
        );
        return exit::INVALID;
    }
    if let Some(report) = args.report.as_deref().filter(|r| r.is_dir()) {
        crate::errln!(
            "error: --report {} is a folder; nothing was written\nhint: name a file, such as import-report.json",
            report.display()
        );
        return exit::INVALID;
    }
    let occupied = std::fs::read_dir(&args.out).is_ok_and(|mut d| d.next().is_some());
    if occupied && !args.force {
        crate::errln!(
            "error: {} exists and is not empty; nothing was written\nhint: choose a new folder, or pass --force to replace the files the import writes",
            args.out.display()
        );
        return exit::INVALID;
    }
    if let Some(link) = files
        .iter()
        .find_map(|file| link_on_the_way(&args.out, &args.out.join(&file.path)))
    {
        crate::errln!("error: {}; nothing was written", link_refusal(&link));
        return exit::INVALID;
    }
    for file in &files {
        let target = args.out.join(&file.path);
        if let Err(e) = write_whole(&target, file.text.as_bytes()) {
            crate::errln!("error: cannot write {}: {e}", target.display());
            return exit::INCOMPLETE;
        }
    }
    if let Some(path) = &args.report {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        // Its folder is made, as a run's report folder is.
        if let Err(e) = write_whole(path, (json + "\n").as_bytes()) {
            crate::errln!("error: cannot write the report {}: {e}", path.display());
            return exit::INCOMPLETE;
        }
    }
    print_report(&report, &args.out);
    exit::OK
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
