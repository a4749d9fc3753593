//! `.env` files as dotenv tools (python-dotenv, docker compose, dotenv for Node) read them:
//! `NAME=VALUE` lines, `export ` allowed, `#` comments, values in single quotes taken as
//! written, in double quotes with `\n`, `\"` and `\\` escapes, either spanning lines. A line
//! k2check cannot read is refused with its line number, never guessed at. Each value keeps
//! the line that set it, so a blank one can be pointed at.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The most a `.env` file may hold: it holds a few variables, not data.
pub const MAX_DOTENV_BYTES: u64 = 1 << 20;

/// The values of a `.env` file, each with the line that set it (a later line wins).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DotEnv {
    pub path: PathBuf,
    values: BTreeMap<String, (String, usize)>,
}

impl DotEnv {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(|(v, _)| v.as_str())
    }

    /// `path:line` of the line that set `name`.
    pub fn place(&self, name: &str) -> Option<String> {
        let (_, line) = self.values.get(name)?;
        Some(format!("{}:{line}", self.path.display()))
    }

    /// Name and value of each line, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, (v, _))| (k.as_str(), v.as_str()))
    }
}

/// A `.env` line that is not one: where, and why.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {why}", path.display())]
pub struct DotEnvError {
    pub path: std::path::PathBuf,
    pub line: usize,
    pub why: String,
}

/// Reads `.env` text; `path` names it in the values' places and in errors.
pub fn parse(path: &Path, text: &str) -> Result<DotEnv, DotEnvError> {
    let mut values = BTreeMap::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut index = 0;
    while index < lines.len() {
        let number = index + 1;
        let at = |why: &str| DotEnvError {
            path: path.to_path_buf(),
            line: number,
            why: why.to_owned(),
        };
        let line = lines[index].trim();
        index += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map(str::trim_start).unwrap_or(line);
        let Some((name, rest)) = line.split_once('=') else {
            return Err(at("not a NAME=VALUE line"));
        };
        let name = name.trim();
        if !is_variable_name(name) {
            return Err(at(&format!(
                "`{}` is not a variable name (letters, digits and `_`, not starting with a digit)",
                crate::text::printable(name)
            )));
        }
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                // The value runs to the closing quote, on this line or a later one.
                let mut text = rest[1..].to_owned();
                let (value, after) = loop {
                    if let Some(found) = closing(&text, quote) {
                        break found;
                    }
                    let Some(next) = lines.get(index) else {
                        return Err(at(&format!("the value opened with {quote} here is never closed")));
                    };
                    text.push('\n');
                    text.push_str(next);
                    index += 1;
                };
                let after = after.trim();
                if !(after.is_empty() || after.starts_with('#')) {
                    return Err(at("text after the closing quote"));
                }
                value
            }
            _ => unquoted(rest),
        };
        values.insert(name.to_owned(), (value, number));
    }
    Ok(DotEnv {
        path: path.to_path_buf(),
        values,
    })
}

/// Whether `name` can be an environment variable's name in every shell.
pub fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The value before the closing `quote` and the text after it, or `None` when it does not
/// close in `text`. Double quotes take `\n`, `\t`, `\"` and `\\`.
fn closing(text: &str, quote: char) -> Option<(String, &str)> {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c == quote => return Some((value, &text[at + 1..])),
            '\\' if quote == '"' => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, other @ ('"' | '\\'))) => value.push(other),
                Some((_, other)) => {
                    value.push('\\');
                    value.push(other);
                }
                None => value.push('\\'),
            },
            c => value.push(c),
        }
    }
    None
}

/// An unquoted value: up to a ` #` comment, trimmed.
fn unquoted(rest: &str) -> String {
    let end = rest.find(" #").or_else(|| rest.find("\t#")).unwrap_or(rest.len());
    rest[..end].trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<DotEnv, String> {
        parse(Path::new(".env"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn lines_are_read_as_dotenv_tools_read_them() {
        let env = read("# a comment\nexport A=1\nB = \"two words\"\nC='x=y'\nD=plain # note\nE=\n").unwrap();
        assert_eq!(env.get("A"), Some("1"));
        assert_eq!(env.get("B"), Some("two words"));
        assert_eq!(env.get("C"), Some("x=y"));
        assert_eq!(env.get("D"), Some("plain"));
        assert_eq!(env.get("E"), Some(""));
        assert_eq!(env.place("E").as_deref(), Some(".env:6"));
        assert_eq!(env.iter().count(), 5);
    }

    #[test]
    fn quoted_values_may_span_lines_and_double_quotes_take_escapes() {
        let env = read("KEY=\"-----BEGIN\nline\n-----END\"\nNEXT='a\nb'\nESC=\"a\\nb \\\"q\\\"\"\n").unwrap();
        assert_eq!(env.get("KEY"), Some("-----BEGIN\nline\n-----END"));
        assert_eq!(env.get("NEXT"), Some("a\nb"));
        assert_eq!(env.get("ESC"), Some("a\nb \"q\""));
        assert_eq!(env.place("NEXT").as_deref(), Some(".env:4"));
    }

    #[test]
    fn what_cannot_be_read_is_refused_at_its_line() {
        assert_eq!(read("A=1\nnot a line\n").unwrap_err(), ".env:2: not a NAME=VALUE line");
        assert!(
            read("A=\"open\nB=2\n")
                .unwrap_err()
                .starts_with(".env:1: the value opened with \" here is never closed")
        );
        assert!(read("1ST=x\n").unwrap_err().contains("is not a variable name"));
        assert!(
            read("A=\"x\" y\n")
                .unwrap_err()
                .contains("text after the closing quote")
        );
    }
}
