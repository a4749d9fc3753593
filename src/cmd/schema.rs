//! `k2check schema`: the JSON Schema editors use to check and complete scenario files.

use crate::exit;

pub fn schema() -> u8 {
    crate::outln!("{}", crate::schema::scenario_schema_text());
    exit::OK
}
