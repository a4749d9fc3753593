//! YAML text for imported suites: block style as a person writes it, every scalar quoted
//! when plain text could be read as something else.

use serde_json::Value;

/// A scalar as YAML: plain when nothing could misread it, else a JSON string (which YAML reads
/// as a double-quoted scalar).
pub fn scalar(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

fn is_plain_safe(text: &str) -> bool {
    const WORDS: [&str; 14] = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", "True", "False", "Null", "NULL",
    ];
    let Some(first) = text.chars().next() else {
        return false;
    };
    let looks_numeric = text.parse::<f64>().is_ok() || text.starts_with("0x") || text.starts_with("0o");
    first.is_ascii_alphabetic()
        && !WORDS.contains(&text)
        && !WORDS.iter().any(|w| w.eq_ignore_ascii_case(text))
        && !looks_numeric
        && !text.ends_with(' ')
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " _./-()?,;=+*@&".contains(c))
}

/// A value at `indent` spaces, for use after `key:`; returns text that starts with a space
/// (inline scalars, `{}`/`[]`) or a newline (blocks).
pub fn value(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    match v {
        Value::Null => " null".into(),
        Value::Bool(b) => format!(" {b}"),
        Value::Number(n) => format!(" {n}"),
        Value::String(s) => match block_literal(s, indent) {
            Some(block) => format!(" {block}"),
            None => format!(" {}", scalar(s)),
        },
        Value::Array(items) if items.is_empty() => " []".into(),
        Value::Object(map) if map.is_empty() => " {}".into(),
        Value::Array(items) => {
            let mut out = String::new();
            for item in items {
                let rendered = value(item, indent + 2);
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        // `- key: value` with the rest of the mapping under it.
                        let inner = rendered.trim_start_matches('\n');
                        out.push_str(&format!("\n{pad}- {}", inner.trim_start()));
                    }
                    _ => out.push_str(&format!("\n{pad}-{rendered}")),
                }
            }
            out
        }
        Value::Object(map) => {
            let mut out = String::new();
            for (key, item) in map {
                out.push_str(&format!("\n{pad}{}:{}", scalar(key), value(item, indent + 2)));
            }
            out
        }
    }
}

/// A multi-line string as a `|` block when it reads back exactly; `None` otherwise.
fn block_literal(text: &str, indent: usize) -> Option<String> {
    if !text.contains('\n') || text.starts_with([' ', '\n']) {
        return None;
    }
    let ok = text.chars().all(|c| c == '\n' || c == '\t' || !c.is_control());
    let body = text.strip_suffix('\n').unwrap_or(text);
    // A trailing newline more than one, or spaces at a line's end, would not survive.
    if !ok || body.ends_with('\n') || body.lines().any(|l| l.ends_with(' ')) {
        return None;
    }
    let chomp = if text.ends_with('\n') { "|" } else { "|-" };
    let pad = " ".repeat(indent);
    let lines: Vec<String> = body
        .split('\n')
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect();
    Some(format!("{chomp}\n{}", lines.join("\n")))
}

/// Each line of `text` as a YAML comment at `indent`.
pub fn comment(text: &str, indent: usize) -> String {
    let pad = " ".repeat(indent);
    // A control character (NUL, ESC, a lone CR) is shown as an escape, never written raw:
    // YAML forbids most of them even in comments, and a terminal would obey them.
    text.lines()
        .map(|l| format!("{pad}# {}\n", crate::text::printable_line(l.trim_end())).replace("#  ", "# "))
        .collect::<String>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reads_back(v: &Value) {
        let text = format!("root:{}\n", value(v, 2));
        let source = crate::source::SourceFile::new("t.yaml".into(), text.clone());
        let node = crate::yaml::parse(crate::source::FileId(0), &source).unwrap();
        assert_eq!(node.to_json()["root"], *v, "{text}");
    }

    #[test]
    fn values_read_back_as_written() {
        reads_back(&json!({"a": "plain words", "b": "yes", "c": "12", "d": "{{ x }}", "e": "a: b", "f": " lead"}));
        reads_back(&json!({"list": [1, "two", {"k": "v", "k2": [true, null]}], "empty": {}, "none": []}));
        reads_back(&json!({"text": "line one\nline two\n", "strip": "a\nb", "odd": "a \nb", "ctl": "a\u{1}b"}));
        reads_back(&json!({"$filter": "Name eq 'x' # not a comment", "quote\"key": "#hash", "dash": "- x"}));
    }
}
