//! Compiled JSONPaths, shared by the whole run: a suite uses the same few paths thousands
//! of times, and parsing one costs more than evaluating it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json_path::JsonPath;

/// Paths rendered from templates can be new each time; stop remembering past this many.
const MAX_CACHED: usize = 10_000;

#[derive(Default)]
pub struct JsonPaths {
    compiled: RwLock<HashMap<String, Arc<JsonPath>>>,
}

impl JsonPaths {
    /// The compiled path, or what is wrong with it, phrased for a step's failure.
    pub fn get(&self, text: &str) -> Result<Arc<JsonPath>, String> {
        self.parse(text).map_err(|e| format!("invalid JSONPath `{text}`: {e}"))
    }

    /// The compiled path, or the parser's own words on what is wrong.
    pub fn parse(&self, text: &str) -> Result<Arc<JsonPath>, String> {
        if let Some(path) = self.compiled.read().unwrap_or_else(|e| e.into_inner()).get(text) {
            return Ok(path.clone());
        }
        let path = Arc::new(JsonPath::parse(text).map_err(|e| e.to_string())?);
        let mut compiled = self.compiled.write().unwrap_or_else(|e| e.into_inner());
        if compiled.len() < MAX_CACHED {
            compiled.insert(text.to_owned(), path.clone());
        }
        Ok(path)
    }
}
