//! `k2check schema`: the JSON Schema editors use to check and complete scenario files.

use crate::cmd::error::CommandResult;
use crate::exit;

pub fn schema() -> CommandResult {
    crate::outln!("{}", crate::schema::scenario_schema_text());
    Ok(exit::OK)
}
