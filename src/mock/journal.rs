//! The request journal tests read through `GET /_mock/journal`.

use serde::Serialize;

/// The journal keeps this many entries; older ones are dropped.
pub const JOURNAL_LIMIT: usize = 200_000;

#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    pub method: String,
    pub path: String,
    pub status: u16,
    /// When it arrived (RFC 3339), and how long the answer took.
    pub time: String,
    pub duration_ms: u64,
}

pub fn record(journal: &mut Vec<JournalEntry>, entry: JournalEntry) {
    if journal.len() >= JOURNAL_LIMIT {
        journal.drain(..JOURNAL_LIMIT / 10);
    }
    journal.push(entry);
}
