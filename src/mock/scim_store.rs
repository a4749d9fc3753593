//! SCIM resources (Users and Groups) as JSON documents, in creation order.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    pub fn schema(self) -> &'static str {
        match self {
            Kind::User => "urn:ietf:params:scim:schemas:core:2.0:User",
            Kind::Group => "urn:ietf:params:scim:schemas:core:2.0:Group",
        }
    }

    pub fn resource_type(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }

    /// The attribute that must be unique: a second resource with it answers 409.
    pub fn unique_attribute(self) -> &'static str {
        match self {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ScimStore {
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    /// `MockData::alternative_forms`.
    pub alternative_forms: bool,
}

impl ScimStore {
    pub fn of(&mut self, kind: Kind) -> &mut Vec<Value> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }
}
