//! Every form a secret takes on the wire or in a server's echo of it, so masking finds it
//! however it was encoded: percent-encoded as a query component, a form field or a path (with
//! `+` or `%20` for a space, in either hex case), JSON-escaped as serde_json writes it or with
//! every non-ASCII character as `\uXXXX` (either case, `/` as `\/` or not).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 3986 unreserved characters stay; everything else is encoded.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The forms of `secret`, itself first, each once.
pub fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    let mut percent = vec![
        utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
        utf8_percent_encode(secret, UNRESERVED).to_string(),
        crate::encoding::encode_component(secret),
        crate::encoding::form_urlencoded(secret),
    ];
    // A space as `%20` where the form encoding writes `+`, and the other way round.
    percent.push(crate::encoding::form_urlencoded(secret).replace('+', "%20"));
    percent.push(crate::encoding::encode_component(secret).replace("%20", "+"));
    for form in percent {
        let lower = lower_hex(&form);
        forms.push(form);
        forms.push(lower);
    }
    // Written straight into a URL template: the URL parser encodes only what a query or a
    // path may not hold (`'`, `<`, `>`, `"`, a space), and a server echoes the URL so.
    for (prefix, part) in [("http://h/?", UrlPart::Query), ("http://h/", UrlPart::Path)] {
        if let Ok(url) = url::Url::parse(&format!("{prefix}{secret}")) {
            let written = match part {
                UrlPart::Query => url.query().unwrap_or_default().to_owned(),
                UrlPart::Path => url.path().trim_start_matches('/').to_owned(),
            };
            // Only a whole form: a `#` or `?` in the secret ends the part early.
            // Encoding only lengthens: a shorter part was cut or had dot segments removed.
            if !secret.contains(['#', '?']) && written.len() >= secret.len() {
                forms.push(lower_hex(&written));
                forms.push(written);
            }
        }
    }
    if let Ok(json) = serde_json::to_string(secret) {
        forms.push(json[1..json.len() - 1].to_owned());
    }
    let ascii = ascii_json(secret);
    forms.push(ascii.replace("\\/", "/"));
    forms.push(lower_unicode_escapes(&ascii));
    forms.push(lower_unicode_escapes(&ascii.replace("\\/", "/")));
    forms.push(ascii);
    let mut unique = Vec::with_capacity(forms.len());
    for form in forms {
        if !unique.contains(&form) {
            unique.push(form);
        }
    }
    unique
}

enum UrlPart {
    Query,
    Path,
}

/// `%2F` written `%2f`, as some servers echo it.
fn lower_hex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                if let Some(h) = chars.next() {
                    out.push(h.to_ascii_lowercase());
                }
            }
        }
    }
    out
}

/// JSON string content with every non-ASCII character escaped (`\u00e9`, surrogate pairs
/// beyond the basic plane) and `/` as `\/`, as PHP and older .NET serialisers write it.
fn ascii_json(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
        }
    }
    out
}

/// `\u00E9` written `\u00e9`.
fn lower_unicode_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\\u") {
        out.push_str(&rest[..at + 2]);
        let hex_end = (at + 6).min(rest.len());
        out.push_str(&rest[at + 2..hex_end].to_ascii_lowercase());
        rest = &rest[hex_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_found_in_each_encoding_a_server_may_echo() {
        let found = forms("Pa$$ wörd/1");
        for expected in [
            "Pa$$ wörd/1",
            "Pa%24%24%20w%C3%B6rd%2F1",
            "Pa%24%24%20w%c3%b6rd%2f1",
            "Pa$$%20w%C3%B6rd%2F1",
            "Pa%24%24+w%C3%B6rd%2F1",
            "Pa$$ w\\u00F6rd\\/1",
            "Pa$$ w\\u00f6rd/1",
        ] {
            assert!(
                found.contains(&expected.to_owned()),
                "{expected} missing from {found:?}"
            );
        }
    }

    #[test]
    fn a_secret_written_into_a_url_is_found_as_the_url_parser_encodes_it() {
        let found = forms("Xml&Secret'Pass<1>");
        assert!(found.contains(&"Xml&Secret%27Pass%3C1%3E".to_owned()), "{found:?}");
        assert!(found.contains(&"Xml&Secret'Pass%3C1%3E".to_owned()), "{found:?}");
        // Dot segments removed from a path make no shorter form of it.
        assert!(!forms("a/../b").contains(&"b".to_owned()));
    }

    #[test]
    fn characters_beyond_the_basic_plane_are_surrogate_pairs() {
        assert_eq!(ascii_json("a😀"), "a\\uD83D\\uDE00");
        assert_eq!(lower_unicode_escapes(&ascii_json("a😀")), "a\\ud83d\\ude00");
    }
}
