//! Text helpers that checks, runners and reporters share: cutting long text to a readable
//! length, and showing a JSON value as a person would write it. Anything that may hold a
//! secret is masked before it is cut, so no secret survives as a prefix.

use serde_json::Value;

use crate::redact::Redactor;

/// `text` cut after `max_chars` characters, saying how much was left out.
pub fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((i, _)) => format!("{}… ({} more characters)", &text[..i], text[i..].chars().count()),
        None => text.to_owned(),
    }
}

/// `text` masked, then cut: the only order in which a cut cannot leave part of a secret.
pub fn masked_cut(text: &str, max_chars: usize, redactor: &Redactor) -> String {
    cut(&redactor.redact(text), max_chars)
}

/// Text from a file or a server made safe for a terminal: control characters (an escape
/// sequence that clears the screen, a carriage return that hides what came before) shown as
/// `\u{1b}`; line breaks and tabs stay.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| is_hidden(c) && c != '\n' && c != '\t') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) && c != '\n' && c != '\t' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// The same for text shown on one line: line breaks escaped too.
pub fn printable_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if is_hidden(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// A character a terminal obeys rather than shows: a control character, or a bidirectional
/// control (U+202E turns the text after it around, so `exe.txt` can read as `txt.exe`).
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A string as itself, anything else as JSON.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_counts_characters_not_bytes() {
        assert_eq!(cut("héllo", 2), "hé… (3 more characters)");
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn a_secret_across_the_cut_is_masked_whole() {
        let redactor = Redactor::default();
        redactor.add("eyJhbGciOiJSUzI1NiJ9.payload.signature");
        let text = "token eyJhbGciOiJSUzI1NiJ9.payload.signature end";
        let shown = masked_cut(text, 12, &redactor);
        assert!(!shown.contains("eyJ"), "{shown}");
        assert!(shown.starts_with("token ***"), "{shown}");
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(printable("ok\tfine\nnext"), "ok\tfine\nnext");
        assert_eq!(printable("a\u{1b}[2Jb\rc"), "a\\u{1b}[2Jb\\u{d}c");
        assert_eq!(printable_line("two\nlines\u{7}"), "two\\u{a}lines\\u{7}");
        assert_eq!(printable_line("plain"), "plain");
        assert_eq!(printable("a\u{202e}txt.exe"), "a\\u{202e}txt.exe");
        assert_eq!(printable_line("\u{2066}x\u{2069}"), "\\u{2066}x\\u{2069}");
    }

    #[test]
    fn scalars_read_as_written() {
        assert_eq!(scalar_text(&Value::from("a b")), "a b");
        assert_eq!(scalar_text(&Value::from(3)), "3");
        assert_eq!(scalar_text(&serde_json::json!({"a": 1})), r#"{"a":1}"#);
    }
}
