//! The built-in mock K2 environment (see docs/mock.md): IdP, OData, Workflow REST, SCIM,
//! fault injection and a request journal, on one port.

// Handlers return `Err(Response)` for the answer to send instead: axum's own idiom.
#![allow(clippy::result_large_err)]

pub(crate) mod api_auth;
pub(crate) mod data;
pub(crate) mod faults;
pub(crate) mod idp;
pub(crate) mod journal;
pub(crate) mod odata;
pub(crate) mod odata_filter;
pub(crate) mod odata_store;
pub(crate) mod request;
pub(crate) mod scim;
pub(crate) mod scim_filter;
pub(crate) mod scim_store;
pub(crate) mod server;
pub(crate) mod state;
pub(crate) mod workflow;
pub(crate) mod workflow_store;

pub use data::MockData;
pub use server::{MockConfig, MockServer};
