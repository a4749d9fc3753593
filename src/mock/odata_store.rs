//! SmartObjects and their records, seeded deterministically.

use serde_json::{Map, Value, json};

use crate::mock::data::MockData;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdmType {
    Int32,
    String,
    Decimal,
    Boolean,
    DateTimeOffset,
}

impl EdmType {
    const ALL: [EdmType; 5] = [
        EdmType::Int32,
        EdmType::String,
        EdmType::Decimal,
        EdmType::Boolean,
        EdmType::DateTimeOffset,
    ];

    pub fn from_name(name: &str) -> Option<EdmType> {
        EdmType::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            EdmType::Int32 => "Edm.Int32",
            EdmType::String => "Edm.String",
            EdmType::Decimal => "Edm.Decimal",
            EdmType::Boolean => "Edm.Boolean",
            EdmType::DateTimeOffset => "Edm.DateTimeOffset",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmartObject {
    /// The system name; also the entity-set name unless `entity_set` says otherwise.
    pub system_name: String,
    pub entity_set: String,
    pub properties: Vec<(String, EdmType)>,
    /// The primary key, an autonumber.
    pub key: String,
    pub records: Vec<Map<String, Value>>,
    pub next_id: i64,
}

impl SmartObject {
    pub fn property(&self, name: &str) -> Option<&(String, EdmType)> {
        self.properties.iter().find(|(p, _)| p.eq_ignore_ascii_case(name))
    }

    pub fn find(&self, key: i64) -> Option<usize> {
        self.records
            .iter()
            .position(|r| r.get(&self.key).and_then(Value::as_i64) == Some(key))
    }
}

#[derive(Debug, Clone, Default)]
pub struct ODataStore {
    pub objects: Vec<SmartObject>,
    pub record_limit: usize,
    /// `MockData::alternative_forms`.
    pub alternative_forms: bool,
}

/// The SmartObjects the mock seeds and their properties (`MockData::retyped` names these).
pub const SMARTOBJECTS: &[(&str, &[&str])] = &[
    (
        "EmployeeSample",
        &["ID", "FirstName", "LastName", "HireDate", "DepartmentCode", "Joblevel"],
    ),
    ("Test_SmartBox_SMO", &["ID", "Name", "Amount", "Created", "Active"]),
];

/// OData names must start with a letter: K2 prefixes others with `OData_`.
pub fn entity_set_name(system_name: &str) -> String {
    if system_name.chars().next().is_some_and(char::is_alphabetic) {
        system_name.to_owned()
    } else {
        format!("OData_{system_name}")
    }
}

const FIRST: &[&str] = &[
    "Anna", "Bongani", "Chen", "Dara", "Emil", "Fatima", "Gus", "Hana", "Ivan", "Jo",
];
const LAST: &[&str] = &["Smith", "O'Brien", "Naidoo", "Li", "Kowalski", "Jensen"];
const DEPARTMENTS: &[&str] = &["HR", "FIN", "IT", "OPS"];

impl ODataStore {
    pub fn seeded(data: &MockData) -> Self {
        let employees = (1..=data.employee_records as i64)
            .map(|i| {
                let k = (i - 1) as usize;
                record(json!({
                    "ID": i,
                    "FirstName": FIRST[k % FIRST.len()],
                    "LastName": LAST[k % LAST.len()],
                    "HireDate": format!("20{:02}-{:02}-{:02}T09:00:00Z", 10 + k % 15, 1 + k % 12, 1 + k % 28),
                    "DepartmentCode": DEPARTMENTS[k % DEPARTMENTS.len()],
                    "Joblevel": 1 + (k % 5) as i64,
                }))
            })
            .collect();
        let smartbox = (1..=data.smartbox_records as i64)
            .map(|i| {
                record(json!({
                    "ID": i,
                    "Name": format!("Item {i:05}"),
                    "Amount": (i * 125) as f64 / 100.0,
                    "Created": format!("2024-{:02}-{:02}T12:00:00Z", 1 + i % 12, 1 + i % 28),
                    "Active": i % 3 != 0,
                }))
            })
            .collect();
        use EdmType::*;
        let mut store = ODataStore {
            record_limit: data.record_limit,
            alternative_forms: data.alternative_forms,
            objects: vec![
                SmartObject {
                    system_name: "EmployeeSample".into(),
                    entity_set: entity_set_name("EmployeeSample"),
                    properties: vec![
                        ("ID".into(), Int32),
                        ("FirstName".into(), String),
                        ("LastName".into(), String),
                        ("HireDate".into(), DateTimeOffset),
                        ("DepartmentCode".into(), String),
                        ("Joblevel".into(), Int32),
                    ],
                    key: "ID".into(),
                    records: employees,
                    next_id: data.employee_records as i64 + 1,
                },
                SmartObject {
                    system_name: "Test_SmartBox_SMO".into(),
                    entity_set: entity_set_name("Test_SmartBox_SMO"),
                    properties: vec![
                        ("ID".into(), Int32),
                        ("Name".into(), String),
                        ("Amount".into(), Decimal),
                        ("Created".into(), DateTimeOffset),
                        ("Active".into(), Boolean),
                    ],
                    key: "ID".into(),
                    records: smartbox,
                    next_id: data.smartbox_records as i64 + 1,
                },
            ],
        };
        store.retype(&data.retyped);
        store
    }

    /// `MockData::retyped`: each property of another type, in `$metadata` and in its records
    /// (a number sent as text, text parsed as a number where it is one).
    fn retype(&mut self, retyped: &std::collections::BTreeMap<String, String>) {
        for (property, kind) in retyped {
            let (Some((set, name)), Some(kind)) = (property.split_once('.'), EdmType::from_name(kind)) else {
                continue;
            };
            let Some(object) = self.object(set).map(|i| &mut self.objects[i]) else {
                continue;
            };
            let Some(slot) = object.properties.iter_mut().find(|(p, _)| p.eq_ignore_ascii_case(name)) else {
                continue;
            };
            slot.1 = kind;
            let name = slot.0.clone();
            for record in &mut object.records {
                if let Some(value) = record.get_mut(&name) {
                    *value = converted(value, kind);
                }
            }
        }
    }

    pub fn object(&self, entity_set: &str) -> Option<usize> {
        self.objects
            .iter()
            .position(|o| o.entity_set.eq_ignore_ascii_case(entity_set))
    }
}

/// A value as a property of `kind` sends it.
fn converted(value: &Value, kind: EdmType) -> Value {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match kind {
        EdmType::String | EdmType::DateTimeOffset => Value::String(text),
        EdmType::Int32 | EdmType::Decimal => text.parse::<serde_json::Number>().map_or(Value::Null, Value::Number),
        EdmType::Boolean => Value::Bool(text == "true"),
    }
}

fn record(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
