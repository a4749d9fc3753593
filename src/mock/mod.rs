//! The built-in mock K2 environment (see docs/mock.md): IdP, OData, Workflow REST, SCIM,
//! fault injection and a request journal, on one port.

// Handlers return `Err(Response)` for the answer to send instead: axum's own idiom.
#![allow(clippy::result_large_err)]

pub mod api_auth;
pub mod data;
pub mod faults;
pub mod idp;
pub mod journal;
pub mod odata;
pub mod odata_filter;
pub mod odata_store;
pub mod request;
pub mod scim;
pub mod scim_filter;
pub mod scim_store;
pub mod server;
pub mod state;
pub mod workflow;
pub mod workflow_store;

pub use data::MockData;
pub use server::{MockConfig, MockServer};
