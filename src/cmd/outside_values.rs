//! Values from outside the suite: `--var NAME=VALUE`, `--vars-file FILE` (a YAML or JSON
//! mapping, or `.env` lines), and the `.env` file beside `k2check.yaml`, read for
//! `env.X`/`secret.X` where the process environment lacks a name.

use std::path::Path;

use crate::dotenv::{DotEnv, MAX_DOTENV_BYTES};
use crate::input_file::read_text;

/// `--vars-file` values, then `--var` values (a later one wins), or why they cannot be read.
pub fn overrides(vars: &[String], file: Option<&Path>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    if let Some(path) = file {
        let text = read_text(path, "vars file", MAX_DOTENV_BYTES).map_err(|e| format!("--vars-file {e}"))?;
        out.extend(vars_file(path, &text)?);
    }
    for var in vars {
        let (name, value) = var
            .split_once('=')
            .ok_or_else(|| format!("--var `{var}`: write NAME=VALUE"))?;
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(format!("--var `{var}`: a name is letters, digits and `_`"));
        }
        out.push((name.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// A YAML or JSON mapping of names to scalars (by its extension, `.yaml`, `.yml` or `.json`),
/// or `.env` lines; a file with another name is read as `.env` lines when every line is one,
/// else as YAML.
fn vars_file(path: &Path, text: &str) -> Result<Vec<(String, String)>, String> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let as_dotenv = || {
        crate::dotenv::parse(path, text)
            .map(|env| to_pairs(&env))
            .map_err(|e| e.to_string())
    };
    match extension.as_str() {
        "yaml" | "yml" | "json" => yaml_mapping(path, text),
        "env" => as_dotenv(),
        _ => as_dotenv().or_else(|dotenv_error| yaml_mapping(path, text).map_err(|_| dotenv_error)),
    }
}

fn to_pairs(env: &DotEnv) -> Vec<(String, String)> {
    env.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

fn yaml_mapping(path: &Path, text: &str) -> Result<Vec<(String, String)>, String> {
    let mut sources = crate::source::SourceMap::default();
    let id = sources.add(path.to_path_buf(), text.to_owned());
    let node = crate::yaml::parse(id, &sources.get(id)).map_err(|d| match d.span {
        Some(span) => format!("{}: {}", sources.location(span), d.message),
        None => format!("{}: {}", path.display(), d.message),
    })?;
    match node.to_json() {
        serde_json::Value::Object(map) => Ok(map
            .into_iter()
            .map(|(k, v)| (k, crate::text::scalar_text(&v)))
            .collect()),
        serde_json::Value::Null => Ok(Vec::new()),
        _ => Err(format!(
            "{}: a vars file is a mapping of names to values",
            path.display()
        )),
    }
}

/// The `.env` file beside the suite's `k2check.yaml`, if there is one, or why it cannot be
/// read (a pipe, a device, not UTF-8, a line that is not `NAME=VALUE`).
pub fn suite_dotenv(suite_file: Option<&Path>) -> Result<DotEnv, String> {
    let Some(dir) = suite_file.and_then(Path::parent) else {
        return Ok(DotEnv::default());
    };
    let path = if dir.as_os_str().is_empty() {
        Path::new(".env").to_path_buf()
    } else {
        dir.join(".env")
    };
    // `symlink_metadata`: a dangling link is there, and is refused as unreadable.
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(DotEnv::default());
    }
    let text = read_text(&path, "`.env` file", MAX_DOTENV_BYTES).map_err(|e| e.to_string())?;
    crate::dotenv::parse(&path, &text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_values_win_and_bad_ones_are_refused() {
        let got = overrides(&["a=1".into(), "a=2".into(), "b=x=y".into()], None).unwrap();
        assert_eq!(
            got,
            [
                ("a".into(), "1".into()),
                ("a".into(), "2".into()),
                ("b".into(), "x=y".into())
            ]
        );
        assert!(overrides(&["novalue".into()], None).is_err());
        assert!(overrides(&["bad name=1".into()], None).is_err());
    }

    #[test]
    fn a_vars_file_is_read_by_its_extension_then_by_its_content() {
        let yaml = Path::new("vars.yaml");
        assert_eq!(
            vars_file(yaml, "region: eu\ncount: 3\n").unwrap(),
            [("region".into(), "eu".into()), ("count".into(), "3".into())]
        );
        // Every line has `=`, and it is still YAML: its extension says so.
        assert_eq!(
            vars_file(yaml, "url: \"https://x/?a=b\"\nq: a=b\n").unwrap(),
            [("url".into(), "https://x/?a=b".into()), ("q".into(), "a=b".into())]
        );
        let other = Path::new("vars");
        assert_eq!(
            vars_file(other, "REGION=eu\n").unwrap(),
            [("REGION".into(), "eu".into())]
        );
        assert_eq!(
            vars_file(other, "url: \"https://x/?a=b\"\n").unwrap(),
            [("url".into(), "https://x/?a=b".into())]
        );
        assert!(
            vars_file(Path::new("v.env"), "url: x\n")
                .unwrap_err()
                .contains("v.env:1")
        );
    }
}
