//! Snapshots: an answer kept in a file beside its scenario and compared on every run, with
//! volatile values redacted, by value or by shape; and the K2 surface (`$metadata`) in K2 words.

mod check;
mod diff;
mod redaction;
mod shape;
mod store;
mod surface;

pub use check::{SnapshotScope, SnapshotVerdict, check_snapshot};
pub use diff::differences;
pub use redaction::redact_pairs;
pub use store::{accepted_path, pending_snapshots, snapshot_path, snapshot_text};
pub use surface::{is_surface, metadata_drift, normalized_metadata};
