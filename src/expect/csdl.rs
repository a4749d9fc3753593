//! Reading an OData `$metadata` document (CSDL XML): its entity sets and types with their
//! keys, properties and navigation, for what `entity_set` checks and what a `$metadata`
//! snapshot keeps. Namespace prefixes (`edm:`) and the order of attributes do not matter, as
//! in any XML reader.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// What a `$metadata` document declares: its entity sets (name, qualified entity type) and
/// entity types, each as written.
#[derive(Default)]
pub struct Model {
    pub sets: Vec<(String, String)>,
    pub types: Vec<EntityType>,
}

#[derive(Default)]
pub struct EntityType {
    pub name: String,
    pub key: Vec<String>,
    /// In document order: name, type (`Edm.String`), nullable (`Nullable` absent is true).
    pub properties: Vec<(String, String, bool)>,
    /// Name and target: the type (v4) or the role of an association (v3).
    pub navigation: Vec<(String, String)>,
}

impl Model {
    /// The entity type behind `set`, with its simple name, when the document declares the set
    /// (a type it does not define is an empty one).
    pub fn type_of(&self, set: &str) -> Option<(String, Option<&EntityType>)> {
        let (_, qualified) = self.sets.iter().find(|(name, _)| name == set)?;
        let simple = qualified.rsplit('.').next().unwrap_or_default().to_owned();
        let kind = self.types.iter().find(|t| t.name == simple);
        Some((simple, kind))
    }
}

/// Reads the document; an error when it is not well-formed XML.
pub fn read(csdl: &str) -> Result<Model, String> {
    let mut model = Model::default();
    let mut in_type = false;
    let mut reader = Reader::from_str(csdl);
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "$metadata is not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        let (element, opens) = match &event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) if e.local_name().as_ref() == "EntityType" => {
                in_type = false;
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = attribute(element, "Name");
        if is(element, "EntitySet") {
            if let (Some(name), Some(kind)) = (name, attribute(element, "EntityType")) {
                model.sets.push((name, kind));
            }
        } else if is(element, "EntityType") {
            model.types.push(EntityType {
                name: name.unwrap_or_default(),
                ..EntityType::default()
            });
            in_type = opens;
        } else if let (true, Some(kind), Some(name)) = (in_type, model.types.last_mut(), name) {
            if is(element, "PropertyRef") {
                kind.key.push(name);
            } else if is(element, "Property") {
                let nullable = attribute(element, "Nullable").is_none_or(|n| !n.eq_ignore_ascii_case("false"));
                kind.properties
                    .push((name, attribute(element, "Type").unwrap_or_default(), nullable));
            } else if is(element, "NavigationProperty") {
                let target = attribute(element, "Type").or_else(|| attribute(element, "ToRole"));
                kind.navigation.push((name, target.unwrap_or_default()));
            }
        }
    }
    Ok(model)
}

/// The entity set's type (its simple name) and that type's declared properties, or `None`
/// when the document declares no such set; an error when it is not well-formed XML.
pub fn entity_set_properties(csdl: &str, set: &str) -> Result<Option<(String, Vec<String>)>, String> {
    let model = read(csdl)?;
    Ok(model.type_of(set).map(|(simple, kind)| {
        let properties = kind
            .into_iter()
            .flat_map(|k| &k.properties)
            .map(|(name, _, _)| name.clone());
        (simple, properties.collect())
    }))
}

fn is(element: &BytesStart, name: &str) -> bool {
    element.local_name().as_ref() == name
}

fn attribute(element: &BytesStart, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSDL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">
  <edmx:DataServices>
    <Schema Namespace="K2.SmartObjects" xmlns="http://docs.oasis-open.org/odata/ns/edm">
      <EntityType Name="Employee">
        <Key><PropertyRef Name="ID"/></Key>
        <Property Name="ID" Type="Edm.Int32" Nullable="false"/>
        <Property Name="Full&#x20;Name" Type="Edm.String"/>
        <NavigationProperty Name="Manager" Type="K2.SmartObjects.Employee"/>
      </EntityType>
      <EntityType Name="Empty"/>
      <EntityContainer Name="Container">
        <EntitySet EntityType="K2.SmartObjects.Employee" Name="Employees"/>
        <EntitySet Name="Nothing" EntityType="K2.SmartObjects.Empty"/>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"#;

    #[test]
    fn finds_the_type_and_properties_whatever_the_attribute_order() {
        let (kind, properties) = entity_set_properties(CSDL, "Employees").unwrap().unwrap();
        assert_eq!(kind, "Employee");
        assert_eq!(
            properties,
            ["ID", "Full Name"],
            "navigation properties are not properties"
        );
        assert_eq!(
            entity_set_properties(CSDL, "Nothing").unwrap(),
            Some(("Empty".into(), vec![]))
        );
        assert_eq!(entity_set_properties(CSDL, "Missing").unwrap(), None);
    }

    #[test]
    fn prefixed_elements_are_read_like_unprefixed_ones() {
        let csdl = r#"<edm:Schema xmlns:edm="e"><edm:EntityType Name="T"><edm:Property Name="A"/></edm:EntityType><edm:EntitySet Name="S" EntityType="n.T"/></edm:Schema>"#;
        assert_eq!(
            entity_set_properties(csdl, "S").unwrap(),
            Some(("T".into(), vec!["A".into()]))
        );
    }

    #[test]
    fn a_document_that_is_not_xml_is_an_error() {
        let error = entity_set_properties("<Schema><EntityType Name=\"x\"></Schema>", "S").unwrap_err();
        assert!(error.starts_with("$metadata is not well-formed XML"), "{error}");
    }
}
