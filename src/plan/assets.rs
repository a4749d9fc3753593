//! Files that scenarios name besides themselves: JSON Schemas, read and compiled once.

use std::path::PathBuf;
use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::plan::schema_cycles::ref_cycle;
use crate::plan::validator::Validator;
use crate::source::Span;

/// The most a JSON Schema file may hold.
const MAX_SCHEMA_BYTES: u64 = 16 << 20;

impl Validator {
    pub(super) fn load_schema(&mut self, path: PathBuf, span: Span) {
        if self.schemas.contains_key(&path) {
            return;
        }
        let text = match crate::input_file::read_text(&path, "JSON Schema", MAX_SCHEMA_BYTES) {
            Ok(t) => t,
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(format!("cannot read the JSON Schema {e}"), span));
                return;
            }
        };
        let schema: serde_json::Value = match serde_json::from_str(&text) {
            Ok(s) => s,
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(format!("{} is not JSON: {e}", path.display()), span));
                return;
            }
        };
        if let Some(cycle) = ref_cycle(&schema) {
            self.diags.push(
                Diagnostic::error(
                    format!(
                        "{} refers to itself without looking inside the value: {}",
                        path.display(),
                        cycle.join(" -> ")
                    ),
                    span,
                )
                .with_help("checking any body against it would never end; break the cycle of `$ref`s"),
            );
            return;
        }
        match jsonschema::validator_for(&schema) {
            Ok(validator) => {
                self.schemas.insert(path, Arc::new(validator));
            }
            Err(e) => self.diags.push(Diagnostic::error(
                format!("{} is not a valid JSON Schema: {e}", path.display()),
                span,
            )),
        }
    }
}
