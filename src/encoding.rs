//! The two URL encodings the tool writes: query components (RFC 3986) and HTML-form bodies
//! (as RFC 6749 uses them for token requests and Basic credentials).

/// `bytes` without a leading UTF-8 byte order mark: Windows editors, PowerShell 5 and some
/// servers write one, and it is no part of the YAML or JSON that follows.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// The same for text.
pub fn text_without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Percent-encodes one path segment (RFC 3986 `pchar`): sub-delimiters such as `'`, `(`, `)`,
/// `=` and `,` stay, as OData keys need them; `/`, `\`, `?`, `#`, `%`, spaces and anything
/// outside ASCII are encoded, so a key like `K2:DENALLIX\bob` or `a/b#c` arrives whole.
pub fn encode_path_segment(text: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'<')
        .add(b'>')
        .add(b'?')
        .add(b'[')
        .add(b'\\')
        .add(b']')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    percent_encoding::utf8_percent_encode(text, SET).to_string()
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay).
pub fn encode_component(text: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'$');
    percent_encoding::utf8_percent_encode(text, SET).to_string()
}

/// `application/x-www-form-urlencoded` as RFC 6749 uses it: space becomes `+`.
pub fn form_urlencoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_components_are_percent_encoded_but_keep_odata_dollars() {
        assert_eq!(encode_component("$filter"), "$filter");
        assert_eq!(encode_component("Name eq 'O''Brien'"), "Name%20eq%20%27O%27%27Brien%27");
        assert_eq!(encode_component("a&b=c"), "a%26b%3Dc");
    }

    #[test]
    fn a_byte_order_mark_is_dropped_and_nothing_else() {
        assert_eq!(without_bom(b"\xEF\xBB\xBF{}"), b"{}");
        assert_eq!(without_bom(b"{}"), b"{}");
        assert_eq!(text_without_bom("\u{feff}name: a"), "name: a");
        assert_eq!(text_without_bom("name: \u{feff}"), "name: \u{feff}");
    }

    #[test]
    fn path_segments_keep_odata_quoting_and_encode_the_rest() {
        assert_eq!(encode_path_segment("'K2:DENALLIX\\bob'"), "'K2:DENALLIX%5Cbob'");
        assert_eq!(encode_path_segment("'a/b#c?d'"), "'a%2Fb%23c%3Fd'");
        assert_eq!(encode_path_segment("'50% off'"), "'50%25%20off'");
        assert_eq!(encode_path_segment("OrderID=1,Line='x'"), "OrderID=1,Line='x'");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn form_encoding_turns_spaces_into_plus() {
        assert_eq!(form_urlencoded("a b&c=d/é"), "a+b%26c%3Dd%2F%C3%A9");
    }

    /// The WHATWG serializer keeps exactly `A-Z a-z 0-9 * - . _` and writes a space as `+`:
    /// every other byte of the UTF-8 text is `%XX`, upper case, as a secret's form and
    /// redacted forms were written before.
    #[test]
    fn form_encoding_of_every_byte_is_the_rfc_6749_one() {
        for c in (0u32..0x300).filter_map(char::from_u32) {
            let text = c.to_string();
            let expected: String = text
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => (b as char).to_string(),
                    b' ' => "+".to_owned(),
                    other => format!("%{other:02X}"),
                })
                .collect();
            assert_eq!(form_urlencoded(&text), expected, "{c:?}");
        }
    }
}
