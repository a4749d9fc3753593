//! The seeded tenant: fixed and documented (docs/mock.md), overridable by `--data FILE`.

use std::path::Path;

use serde::Deserialize;

use crate::auth::to_sha256;

pub const TENANT_ID: &str = "7f3c5a2e-0000-4000-8000-00000000c0de";
pub const CLIENT_ID: &str = "idt.cc.k2check-mock";
pub const CLIENT_SECRET: &str = "k2check-mock-secret";
pub const API_SCOPE: &str = "https://api.k2.com/";
pub const SCIM_SCOPE: &str = "https://scim.onk2.com/write";
pub const USERNAME: &str = "DENALLIX\\administrator";
pub const USER_UPN: &str = "administrator@denallix.com";
pub const PASSWORD: &str = "K2pass!";
pub const SCIM_TOKEN: &str = "mock-scim-token";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockClient {
    pub client_id: String,
    /// IdentityModel `ToSha256()` of the secret: the mock, like Nintex, never stores the secret.
    pub secret_hash: String,
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockUser {
    /// Every name the user signs in with (`DOMAIN\user`, UPN), compared case-insensitively.
    pub names: Vec<String>,
    pub password: String,
    /// An MFA-enabled Entra account: Basic auth is refused, as on real tenants.
    #[serde(default)]
    pub mfa: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MockData {
    pub tenant_id: String,
    /// Lifetime of issued tokens, in seconds.
    pub token_lifetime: u64,
    /// OData record limit: longer collections are cut and get a next link.
    pub record_limit: usize,
    pub clients: Vec<MockClient>,
    pub users: Vec<MockUser>,
    pub scim_token: String,
    pub employee_records: usize,
    pub smartbox_records: usize,
    /// Answer in the other forms the standards allow, as independent servers do: relative
    /// OData next links, a service document without `kind`, 204 without a body to a SCIM
    /// PATCH, no `active` unless a user is created with it, and the token endpoint at
    /// `{issuer}/oauth2/v2.0/token` (found through discovery).
    pub alternative_forms: bool,
    /// APIs (`odata`, `workflow`) that answer 403 to every caller who authenticated, as a
    /// tenant does whose client was not granted that API: what `doctor` must name.
    pub refused_apis: Vec<String>,
    /// Properties of another type, as after a K2 update changed a SmartObject
    /// (`EmployeeSample.Joblevel: Edm.String`): `$metadata` says so and the records send
    /// their values as that type. What snapshots of the surface must catch.
    pub retyped: std::collections::BTreeMap<String, String>,
}

/// The most records of one SmartObject the mock seeds.
pub const MAX_RECORDS: usize = 1_000_000;

impl Default for MockData {
    fn default() -> Self {
        MockData {
            tenant_id: TENANT_ID.into(),
            token_lifetime: 3600,
            record_limit: 1000,
            clients: vec![MockClient {
                client_id: CLIENT_ID.into(),
                secret_hash: to_sha256(CLIENT_SECRET),
                scopes: vec![API_SCOPE.into(), SCIM_SCOPE.into()],
            }],
            users: vec![MockUser {
                names: vec![USERNAME.into(), USER_UPN.into()],
                password: PASSWORD.into(),
                mfa: false,
            }],
            scim_token: SCIM_TOKEN.into(),
            employee_records: 30,
            smartbox_records: 2500,
            alternative_forms: false,
            refused_apis: Vec::new(),
            retyped: Default::default(),
        }
    }
}

impl MockData {
    /// Reads a YAML data file; keys left out keep their seeded values.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = crate::input_file::read_text(path, "mock data file", 64 << 20).map_err(|e| e.to_string())?;
        let mut sources = crate::source::SourceMap::default();
        let id = sources.add(path.to_path_buf(), text);
        let node = crate::yaml::parse(id, &sources.get(id)).map_err(|d| {
            let location = d.span.map(|s| sources.location(s)).unwrap_or_default();
            format!("{location}: {}", d.message)
        })?;
        let json = if node.is_null() {
            serde_json::json!({})
        } else {
            node.to_json()
        };
        let data: MockData = serde_json::from_value(json).map_err(|e| format!("{}: {e}", path.display()))?;
        data.check().map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(data)
    }

    /// Counts the mock can hold: each record is kept in memory.
    fn check(&self) -> Result<(), String> {
        for (name, count) in [
            ("employee_records", self.employee_records),
            ("smartbox_records", self.smartbox_records),
        ] {
            if count > MAX_RECORDS {
                return Err(format!(
                    "{name}: {count} records is more than the {MAX_RECORDS} the mock keeps in memory"
                ));
            }
        }
        for (property, kind) in &self.retyped {
            let known = property.split_once('.').is_some_and(|(set, name)| {
                let set = crate::mock::odata_store::SMARTOBJECTS
                    .iter()
                    .find(|(s, _)| s.eq_ignore_ascii_case(set));
                set.is_some_and(|(_, properties)| properties.iter().any(|p| p.eq_ignore_ascii_case(name)))
            });
            if !known {
                return Err(format!("retyped: `{property}` is no SmartObject.Property of the mock"));
            }
            if crate::mock::odata_store::EdmType::from_name(kind).is_none() {
                return Err(format!(
                    "retyped: `{kind}` is none of Edm.Int32, Edm.String, Edm.Decimal, Edm.Boolean, Edm.DateTimeOffset"
                ));
            }
        }
        if self.record_limit == 0 {
            return Err(
                "record_limit: 0 would answer every collection with no records and a next link for ever".into(),
            );
        }
        Ok(())
    }
}
