//! A command line as a shell would split it: bash quoting (as browsers' "Copy as cURL
//! (bash)" writes it) or Windows `cmd` quoting ("Copy as cURL (cmd)", with `^` escapes).

/// The words of a command line, or why it cannot be split.
pub fn split(text: &str) -> Result<Vec<String>, String> {
    if looks_like_cmd(text) {
        split_cmd(text)
    } else {
        split_bash(text)
    }
}

/// `cmd`'s escape character is `^`, and browsers end its lines with ` ^`.
fn looks_like_cmd(text: &str) -> bool {
    text.contains("^\"") || text.lines().any(|l| l.trim_end().ends_with(" ^"))
}

fn split_bash(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some(other) => word.get_or_insert_default().push(other),
                None => return Err("the command ends in a lone `\\`".into()),
            },
            '\'' => {
                let w = word.get_or_insert_default();
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => w.push(c),
                        None => return Err("a single quote is never closed".into()),
                    }
                }
            }
            '$' if chars.peek() == Some(&'\'') => {
                chars.next();
                let w = word.get_or_insert_default();
                ansi_c_quoted(&mut chars, w)?;
            }
            '"' => {
                let w = word.get_or_insert_default();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\' | '$' | '`')) => w.push(e),
                            Some('\n') => {}
                            Some(other) => {
                                w.push('\\');
                                w.push(other);
                            }
                            None => return Err("a double quote is never closed".into()),
                        },
                        Some(c) => w.push(c),
                        None => return Err("a double quote is never closed".into()),
                    }
                }
            }
            c => word.get_or_insert_default().push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// `$'…'`: backslash escapes as C writes them.
fn ansi_c_quoted(chars: &mut std::iter::Peekable<std::str::Chars>, w: &mut String) -> Result<(), String> {
    loop {
        match chars.next() {
            Some('\'') => return Ok(()),
            Some('\\') => match chars.next() {
                Some('n') => w.push('\n'),
                Some('t') => w.push('\t'),
                Some('r') => w.push('\r'),
                Some('x') => {
                    let hex: String = (0..2)
                        .filter_map(|_| chars.next_if(|c| c.is_ascii_hexdigit()))
                        .collect();
                    let byte = u8::from_str_radix(&hex, 16).map_err(|_| "a `\\x` escape without hex digits")?;
                    w.push(char::from(byte));
                }
                Some('u') => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next_if(|c| c.is_ascii_hexdigit()))
                        .collect();
                    let code = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                    w.push(code.ok_or("a `\\u` escape that is no character")?);
                }
                Some(other) => w.push(other),
                None => return Err("a `$'` quote is never closed".into()),
            },
            Some(c) => w.push(c),
            None => return Err("a `$'` quote is never closed".into()),
        }
    }
}

/// cmd: `^x` is `x` (and `^` before a line break joins the lines); then the words are split
/// as Windows programs split their command line: `"` groups, `\"` is a quote.
fn split_cmd(text: &str) -> Result<Vec<String>, String> {
    let mut unescaped = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '^' {
            match chars.next() {
                Some('\r') if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                Some('\n') => {}
                Some(other) => unescaped.push(other),
                None => {}
            }
        } else {
            unescaped.push(c);
        }
    }
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quoted = false;
    let mut chars = unescaped.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut slashes = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    slashes += 1;
                }
                let w = word.get_or_insert_default();
                if chars.peek() == Some(&'"') {
                    w.push_str(&"\\".repeat(slashes / 2));
                    if slashes % 2 == 1 {
                        chars.next();
                        w.push('"');
                    }
                } else {
                    w.push_str(&"\\".repeat(slashes));
                }
            }
            '"' => {
                word.get_or_insert_default();
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if let Some(w) = word.take() {
                    words.push(w);
                }
            }
            c => word.get_or_insert_default().push(c),
        }
    }
    if quoted {
        return Err("a double quote is never closed".into());
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_quoting_as_browsers_copy_it() {
        let text = "curl 'https://x/api?$filter=a%20eq%201' \\\n  -H 'accept: application/json' \\\n  --data-raw $'{\"a\":\"it\\'s\"}' -H \"x: \\\"q\\\"\"";
        assert_eq!(
            split(text).unwrap(),
            vec![
                "curl",
                "https://x/api?$filter=a%20eq%201",
                "-H",
                "accept: application/json",
                "--data-raw",
                "{\"a\":\"it's\"}",
                "-H",
                "x: \"q\""
            ]
        );
        assert!(split("curl 'open").is_err());
    }

    #[test]
    fn cmd_quoting_as_browsers_copy_it() {
        let text =
            "curl ^\"https://x/api?a=1^&b=2^\" ^\n  -H ^\"accept: */*^\" ^\n  --data-raw ^\"^{^\\^\"a^\\^\":1^}^\"";
        assert_eq!(
            split(text).unwrap(),
            vec![
                "curl",
                "https://x/api?a=1&b=2",
                "-H",
                "accept: */*",
                "--data-raw",
                "{\"a\":1}"
            ]
        );
    }
}
