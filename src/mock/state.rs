//! Everything the mock remembers, behind one lock; `POST /_mock/reset` rebuilds it.

use std::collections::HashMap;
use std::time::Instant;

use crate::mock::data::MockData;
use crate::mock::journal::JournalEntry;
use crate::mock::odata_store::ODataStore;
use crate::mock::scim_store::ScimStore;
use crate::mock::workflow_store::WorkflowStore;

#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: Instant,
}

pub struct MockState {
    pub data: MockData,
    pub tokens: HashMap<String, IssuedToken>,
    pub odata: ODataStore,
    pub workflow: WorkflowStore,
    pub scim: ScimStore,
    pub journal: Vec<JournalEntry>,
    /// How often each counted fault (`times=N`) has fired.
    pub fault_counts: HashMap<String, u32>,
}

impl MockState {
    pub fn seeded(data: MockData) -> Self {
        MockState {
            odata: ODataStore::seeded(&data),
            workflow: WorkflowStore::seeded(),
            scim: ScimStore {
                alternative_forms: data.alternative_forms,
                ..ScimStore::default()
            },
            tokens: HashMap::new(),
            journal: Vec::new(),
            fault_counts: HashMap::new(),
            data,
        }
    }

    pub fn reset(&mut self) {
        *self = MockState::seeded(self.data.clone());
    }
}
