//! Compiled JSONPaths, shared by the whole run: a suite uses the same few paths thousands
//! of times, and parsing one costs more than evaluating it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json_path::JsonPath;

use crate::expect::pluck::{Segment, simple_path};

/// Paths rendered from templates can be new each time; stop remembering past this many.
const MAX_CACHED: usize = 10_000;

/// A JSONPath ready to use.
pub struct CompiledPath {
    pub path: JsonPath,
    /// Its segments when it is only names and indexes: such a path can be taken from the
    /// body's bytes without building the document.
    pub simple: Option<Vec<Segment>>,
}

#[derive(Default)]
pub struct JsonPaths {
    compiled: RwLock<HashMap<String, Arc<CompiledPath>>>,
}

impl JsonPaths {
    /// The compiled path, or what is wrong with it, phrased for a step's failure.
    pub fn get(&self, text: &str) -> Result<Arc<CompiledPath>, String> {
        self.parse(text).map_err(|e| format!("invalid JSONPath `{text}`: {e}"))
    }

    /// The compiled path, or the parser's own words on what is wrong.
    pub fn parse(&self, text: &str) -> Result<Arc<CompiledPath>, String> {
        if let Some(path) = self.compiled.read().unwrap_or_else(|e| e.into_inner()).get(text) {
            return Ok(path.clone());
        }
        let path = Arc::new(CompiledPath {
            path: JsonPath::parse(text).map_err(|e| e.to_string())?,
            simple: simple_path(text),
        });
        let mut compiled = self.compiled.write().unwrap_or_else(|e| e.into_inner());
        if compiled.len() < MAX_CACHED {
            compiled.insert(text.to_owned(), path.clone());
        }
        Ok(path)
    }
}
