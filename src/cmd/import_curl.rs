//! `k2check import curl`: a curl command line (from the argument or standard input) as one
//! step, printed or appended to a scenario file.

use std::io::Read as _;
use std::path::Path;

use crate::cli::ImportCurlArgs;
use crate::cmd::error::{CommandError, CommandResult};
use crate::exit;
use crate::import::curl::{CurlStep, Options, convert};
use crate::output_files::write_whole;

pub fn import_curl(args: ImportCurlArgs) -> CommandResult {
    let command = match args.command {
        Some(c) => c,
        None => {
            let mut text = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut text) {
                return Err(CommandError::invalid(format!(
                    "cannot read the curl command from standard input: {e}"
                )));
            }
            text
        }
    };
    let mut options = Options {
        name: args.name.clone(),
        keep_headers: args.keep_headers,
        ..Options::default()
    };
    if let Some(to) = &args.to {
        suite_hints(to, &mut options);
    }
    let step = convert(&command, &options).map_err(CommandError::invalid)?;
    match &args.to {
        None => crate::outln!("{}", step.yaml.trim_end()),
        Some(path) => {
            if let Err(e) = append(path, &step) {
                return Err(CommandError::invalid(format!("{}: {e}", path.display())));
            }
            crate::errln!("Added the step to {}", path.display());
        }
    }
    for warning in &step.warnings {
        crate::errln!("warning: {warning}");
    }
    if let Some(profile) = &step.profile {
        crate::errln!(
            "Add this auth profile under `auth:` in k2check.yaml (the password stays in CURL_PASSWORD):\n{profile}"
        );
    }
    if !step.environment.is_empty() {
        crate::errln!(
            "The step reads these environment variables: {}",
            step.environment.join(", ")
        );
    }
    Ok(exit::OK)
}

/// Appends the step at the end of the file's `steps:` list; a missing file becomes a scenario.
fn append(path: &Path, step: &CurlStep) -> Result<(), String> {
    let text = match std::fs::symlink_metadata(path) {
        Ok(_) => {
            crate::input_file::read_text(path, "scenario file", 64 << 20).map_err(|e| format!("cannot read it: {e}"))?
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let scenario = format!(
                "name: {}\nsteps:\n{}",
                crate::import::yaml_text_scalar(&name),
                step.yaml
            );
            return write_whole(path, scenario.as_bytes()).map_err(|e| format!("cannot write it: {e}"));
        }
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    let mut sources = crate::source::SourceMap::default();
    let id = sources.add(path.to_path_buf(), text);
    let file = sources.get(id);
    let root = crate::yaml::parse(id, &file).map_err(|d| d.message)?;
    let crate::yaml::NodeKind::Map(entries) = &root.kind else {
        return Err("it is not a scenario (a mapping with `steps:`)".into());
    };
    let steps = entries
        .iter()
        .find(|(k, _)| k.as_scalar() == Some("steps"))
        .map(|(_, v)| v)
        .ok_or("it has no `steps:` list")?;
    let crate::yaml::NodeKind::Seq(items) = &steps.kind else {
        return Err("its `steps:` is not a list".into());
    };
    let Some(last) = items.last() else {
        return Err("its `steps:` list is empty or written inline; add the step by hand".into());
    };
    let text = &file.text;
    // Items in block style start with `- ` at some column: the new one goes at the same one.
    let first_start = items[0].span.start;
    let line_start = text[..first_start].rfind('\n').map_or(0, |i| i + 1);
    let prefix = &text[line_start..first_start];
    let dash = prefix
        .find('-')
        .ok_or("its `steps:` list is written inline; add the step by hand")?;
    let indent = " ".repeat(dash);
    let reindented: String = step
        .yaml
        .lines()
        .map(|l| format!("{indent}{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect();
    let end = last.span.end.min(text.len());
    let insert_at = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let mut updated = text.clone();
    if insert_at == text.len() && !text.ends_with('\n') {
        updated.push('\n');
    }
    let at = insert_at.min(updated.len());
    updated.insert_str(at, &reindented);
    // Whole or not at all, into the file a link names (the link stays): a stop never leaves
    // a scenario cut.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    write_whole(&target, updated.as_bytes()).map_err(|e| format!("cannot write it: {e}"))
}

/// What the suite around `to` tells the conversion: the origins its `api` variable has (as
/// this shell's environment renders them) and its default auth profile.
fn suite_hints(to: &Path, options: &mut Options) {
    let dir = to
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Some(suite_file) = crate::scenario::load::find_suite_file(dir) else {
        return;
    };
    let suite_dir = suite_file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| Path::new(".").to_path_buf(), Path::to_path_buf);
    let Some(suite) = crate::scenario::load(&[suite_dir]).suite else {
        return;
    };
    options.default_profile = suite.defaults.auth.as_ref().map(|a| a.value.clone());
    let env: std::collections::BTreeMap<String, minijinja::Value> = std::env::vars()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, minijinja::Value::from(v)))
        .collect();
    let mut ctx = crate::template::Context::default();
    ctx.insert("env", minijinja::Value::from(env));
    let engine = crate::template::TemplateEngine::new();
    for environment in &suite.environments {
        let Some((_, node)) = suite
            .vars
            .iter()
            .chain(&environment.vars)
            .find(|(n, _)| n.value == "api")
        else {
            continue;
        };
        let Some(text) = node.as_scalar() else { continue };
        if let Ok(rendered) = engine.render(text, &ctx)
            && let Ok(url) = url::Url::parse(rendered.trim())
        {
            let origin = url.origin().ascii_serialization();
            if !options.api_origins.contains(&origin) {
                options.api_origins.push(origin);
            }
        }
    }
}
