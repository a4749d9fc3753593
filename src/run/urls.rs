//! Parsed request URLs, shared by the whole run. Parsing a URL (host normalisation, percent
//! encoding) costs more than anything else k2check does to send a request, and a suite sends
//! the same few URLs thousands of times.

use std::collections::HashMap;
use std::sync::RwLock;

use url::Url;

/// URLs rendered from captures can be new each time; stop remembering past this many.
const MAX_CACHED: usize = 4096;

#[derive(Default)]
pub struct Urls {
    parsed: RwLock<HashMap<String, Url>>,
}

impl Urls {
    /// The parsed URL, or why it is not one.
    pub fn parse(&self, text: &str) -> Result<Url, url::ParseError> {
        if let Some(url) = self.parsed.read().unwrap_or_else(|e| e.into_inner()).get(text) {
            return Ok(url.clone());
        }
        let url = Url::parse(text)?;
        let mut parsed = self.parsed.write().unwrap_or_else(|e| e.into_inner());
        if parsed.len() < MAX_CACHED {
            parsed.insert(text.to_owned(), url.clone());
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gives_what_parsing_gives_and_remembers_at_most_its_limit() {
        let urls = Urls::default();
        for text in ["HTTP://Acme.ONK2.com:443/a/../b?x=1 2", "http://127.0.0.1:8080/x"] {
            assert_eq!(urls.parse(text).unwrap(), Url::parse(text).unwrap());
            assert_eq!(urls.parse(text).unwrap(), Url::parse(text).unwrap(), "from the cache");
        }
        assert!(urls.parse("no scheme").is_err());
        for i in 0..MAX_CACHED + 10 {
            urls.parse(&format!("http://h/{i}")).unwrap();
        }
        assert_eq!(urls.parsed.read().unwrap().len(), MAX_CACHED);
        assert_eq!(urls.parse("http://h/99999").unwrap().path(), "/99999");
    }
}
