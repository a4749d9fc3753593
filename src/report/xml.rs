//! XML text escaping that always yields a well-formed document: characters XML 1.0 forbids
//! (NUL, ESC, other C0 controls, U+FFFE/U+FFFF) are written as visible `\u{…}` text.

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// Attribute values keep line breaks only as character references.
pub fn escape_attr(text: &str) -> String {
    escape(text)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_well_formed() {
        assert_eq!(escape("a\0b\x1b[31m]]><&"), "a\\u{0}b\\u{1b}[31m]]&gt;&lt;&amp;");
        assert_eq!(escape_attr("x\ny\"'"), "x&#10;y&quot;&apos;");
    }
}
