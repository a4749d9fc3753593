//! The K2 surface a `$metadata` document describes, as a snapshot: each SmartObject's entity
//! set with its properties (type, nullability), key and navigation, not the raw XML (whose
//! order, namespaces and annotations change without the API changing). A drift is said in K2
//! words: "SmartObject EmployeeSample: property Salary: Edm.Decimal → Edm.String".

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::event::Change;

/// `{ SET: { type, key: [..], properties: { NAME: { type, nullable } }, navigation: { NAME:
/// TYPE } } }`, sets and members in name order; only `sets` when it names any (a named set
/// the document lacks is `null`, so its loss is a drift too).
pub fn normalized_metadata(csdl: &str, sets: &[String]) -> Result<Value, String> {
    let model = crate::expect::csdl::read(csdl)?;
    let mut declared: Vec<&(String, String)> = model.sets.iter().collect();
    declared.sort();
    let mut surface = Map::new();
    for (set, qualified) in declared {
        if !sets.is_empty() && !sets.contains(set) {
            continue;
        }
        let kind = model.type_of(set).and_then(|(_, kind)| kind);
        let properties: BTreeMap<&str, Value> = (kind.into_iter().flat_map(|k| &k.properties))
            .map(|(name, kind, nullable)| (name.as_str(), json!({ "type": kind, "nullable": nullable })))
            .collect();
        let navigation: BTreeMap<&str, &str> = (kind.into_iter().flat_map(|k| &k.navigation))
            .map(|(name, target)| (name.as_str(), target.as_str()))
            .collect();
        let key = kind.map(|k| k.key.clone()).unwrap_or_default();
        surface.insert(
            set.clone(),
            json!({ "type": qualified, "key": key, "properties": properties, "navigation": navigation }),
        );
    }
    for set in sets {
        surface.entry(set.clone()).or_insert(Value::Null);
    }
    Ok(Value::Object(surface))
}

/// Whether a stored snapshot is a normalized `$metadata` surface (so a review says its
/// changes in K2 words too).
pub fn is_surface(value: &Value) -> bool {
    value.as_object().is_some_and(|sets| {
        !sets.is_empty()
            && sets.values().all(|set| {
                set.is_null()
                    || set.as_object().is_some_and(|s| {
                        s.len() == 4
                            && ["type", "key", "properties", "navigation"]
                                .iter()
                                .all(|k| s.contains_key(*k))
                    })
            })
    })
}

/// What changed between two normalized surfaces, in K2 words: a SmartObject added or removed;
/// a property added, removed, or of another type or nullability; the key; navigation.
pub fn metadata_drift(stored: &Value, received: &Value) -> Vec<Change> {
    let empty = Map::new();
    let (a, b) = (
        stored.as_object().unwrap_or(&empty),
        received.as_object().unwrap_or(&empty),
    );
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    let mut changes = Vec::new();
    for name in names {
        let subject = format!("SmartObject {name}");
        match (
            a.get(name).filter(|v| !v.is_null()),
            b.get(name).filter(|v| !v.is_null()),
        ) {
            (Some(_), None) => changes.push(change(subject, Some("present".into()), None, None)),
            (None, Some(_)) => changes.push(change(subject, None, Some("present".into()), Some("SmartObject"))),
            (Some(x), Some(y)) => object_drift(&subject, x, y, &mut changes),
            (None, None) => {}
        }
    }
    changes
}

fn change(path: String, stored: Option<String>, received: Option<String>, added: Option<&str>) -> Change {
    Change {
        path,
        stored,
        received,
        added_type: added.map(str::to_owned),
    }
}

fn object_drift(subject: &str, stored: &Value, received: &Value, out: &mut Vec<Change>) {
    let words = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if stored["type"] != received["type"] {
        out.push(change(
            format!("{subject}: entity type"),
            Some(words(&stored["type"])),
            Some(words(&received["type"])),
            None,
        ));
    }
    if stored["key"] != received["key"] {
        out.push(change(
            format!("{subject}: key"),
            Some(words(&stored["key"])),
            Some(words(&received["key"])),
            None,
        ));
    }
    let empty = Map::new();
    for (member, label) in [("properties", "property"), ("navigation", "navigation")] {
        let a = stored[member].as_object().unwrap_or(&empty);
        let b = received[member].as_object().unwrap_or(&empty);
        for (name, was) in a {
            let at = format!("{subject}: {label} {name}");
            match b.get(name) {
                None => out.push(change(at, Some(type_of(was)), None, None)),
                Some(now) if was["type"] != now["type"] || (was.is_string() && was != now) => {
                    out.push(change(at, Some(type_of(was)), Some(type_of(now)), None));
                }
                Some(now) if was["nullable"] != now["nullable"] => out.push(change(
                    format!("{at} nullable"),
                    Some(words(&was["nullable"])),
                    Some(words(&now["nullable"])),
                    None,
                )),
                Some(_) => {}
            }
        }
        for (name, now) in b.iter().filter(|(n, _)| !a.contains_key(*n)) {
            let at = format!("{subject}: {label} {name}");
            let kind = type_of(now);
            out.push(change(at, None, Some(kind.clone()), Some(&kind)));
        }
    }
}

/// A property's type (`Edm.Decimal`) or a navigation's target.
fn type_of(member: &Value) -> String {
    match member {
        Value::String(target) => target.clone(),
        other => other["type"].as_str().unwrap_or_default().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSDL: &str = r#"<edmx:Edmx xmlns:edmx="x"><edmx:DataServices><Schema Namespace="K2">
      <EntityType Name="EmployeeSample"><Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/><Property Name="Salary" Type="Edm.Decimal"/>
        <NavigationProperty Name="Manager" Type="K2.EmployeeSample"/></EntityType>
      <EntityType Name="Other"><Property Name="A" Type="Edm.String"/></EntityType>
      <EntityContainer Name="C"><EntitySet Name="EmployeeSample" EntityType="K2.EmployeeSample"/>
        <EntitySet Name="Other" EntityType="K2.Other"/></EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"#;

    #[test]
    fn the_surface_is_sets_properties_keys_and_navigation() {
        let surface = normalized_metadata(CSDL, &[]).unwrap();
        assert_eq!(
            surface["EmployeeSample"],
            json!({"type": "K2.EmployeeSample", "key": ["ID"],
                   "properties": {"ID": {"type": "Edm.Int32", "nullable": false}, "Salary": {"type": "Edm.Decimal", "nullable": true}},
                   "navigation": {"Manager": "K2.EmployeeSample"}})
        );
        let named = normalized_metadata(CSDL, &["Other".into(), "Gone".into()]).unwrap();
        assert_eq!(named.as_object().unwrap().keys().collect::<Vec<_>>(), ["Other", "Gone"]);
        assert!(named["Gone"].is_null());
        assert!(is_surface(&surface) && is_surface(&named));
        assert!(!is_surface(&json!({"value": []})) && !is_surface(&json!({})));
        assert!(
            normalized_metadata("<a><b></a>", &[])
                .unwrap_err()
                .contains("not well-formed")
        );
    }

    #[test]
    fn drift_is_said_in_k2_words() {
        let stored = normalized_metadata(CSDL, &[]).unwrap();
        let changed = CSDL
            .replace(
                r#"Name="Salary" Type="Edm.Decimal""#,
                r#"Name="Salary" Type="Edm.String""#,
            )
            .replace(
                r#"<NavigationProperty"#,
                r#"<Property Name="Bonus" Type="Edm.Decimal"/><NavigationProperty"#,
            )
            .replace(r#"<EntitySet Name="Other" EntityType="K2.Other"/>"#, "");
        let received = normalized_metadata(&changed, &[]).unwrap();
        let lines: Vec<String> = metadata_drift(&stored, &received).iter().map(Change::line).collect();
        assert_eq!(
            lines,
            [
                "SmartObject EmployeeSample: property Salary: Edm.Decimal → Edm.String",
                "SmartObject EmployeeSample: property Bonus: added (Edm.Decimal)",
                "SmartObject Other: removed",
            ]
        );
    }
}
