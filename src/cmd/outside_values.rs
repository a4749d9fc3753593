//! Values from outside the suite: `--var NAME=VALUE`, `--vars-file FILE` (a YAML mapping or
//! `.env` lines), and the `.env` file beside `k2check.yaml`, read for `env.X`/`secret.X` where
//! the process environment lacks a name.

use std::collections::BTreeMap;
use std::path::Path;

/// `--vars-file` values, then `--var` values (a later one wins), or why they cannot be read.
pub fn overrides(vars: &[String], file: Option<&Path>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        out.extend(vars_file(&text).map_err(|e| format!("{}: {e}", path.display()))?);
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

/// A YAML mapping of names to scalars, or `.env` lines.
fn vars_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let yaml_like = text.lines().any(|l| {
        let l = l.trim();
        !l.starts_with('#') && l.contains(':') && !l.contains('=')
    });
    if !yaml_like {
        return Ok(dotenv(text).into_iter().collect());
    }
    let mut sources = crate::source::SourceMap::default();
    let id = sources.add("vars".into(), text.to_owned());
    let node = crate::yaml::parse(id, sources.get(id)).map_err(|d| d.message)?;
    match node.to_json() {
        serde_json::Value::Object(map) => Ok(map
            .into_iter()
            .map(|(k, v)| (k, crate::text::scalar_text(&v)))
            .collect()),
        serde_json::Value::Null => Ok(Vec::new()),
        _ => Err("a vars file is a mapping of names to values".into()),
    }
}

/// `NAME=VALUE` lines (`export ` allowed, `#` comments, values optionally quoted).
pub fn dotenv(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(value);
        out.insert(name.trim().to_owned(), value.to_owned());
    }
    out
}

/// The `.env` file beside the suite's `k2check.yaml`, if there is one.
pub fn suite_dotenv(suite_file: Option<&Path>) -> BTreeMap<String, String> {
    let Some(dir) = suite_file.and_then(Path::parent) else {
        return BTreeMap::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::read_to_string(dir.join(".env"))
        .map(|t| dotenv(&t))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines_are_read_as_shells_write_them() {
        let read = dotenv("# a comment\nexport A=1\nB = \"two words\"\nC='x=y'\nnot a line\n");
        assert_eq!(read.get("A").map(String::as_str), Some("1"));
        assert_eq!(read.get("B").map(String::as_str), Some("two words"));
        assert_eq!(read.get("C").map(String::as_str), Some("x=y"));
        assert_eq!(read.len(), 3);
    }

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
        assert_eq!(
            vars_file("region: eu\ncount: 3\n").unwrap(),
            [("region".into(), "eu".into()), ("count".into(), "3".into())]
        );
        assert_eq!(vars_file("REGION=eu\n").unwrap(), [("REGION".into(), "eu".into())]);
    }
}
