//! `k2check merge`: the JSON reports of the parts of one sharded run, as one run's results,
//! in input order, each scenario once, ready for the reporters.

mod combine;
mod read;

pub(crate) use combine::combine;
pub(crate) use read::{PartReport, Places, read_part};
