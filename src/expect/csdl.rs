//! Reading an OData `$metadata` document (CSDL XML) for what `entity_set` checks: the entity
//! type behind a set and the properties it declares. Namespace prefixes (`edm:`) and the
//! order of attributes do not matter, as in any XML reader.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// The entity set's type (its simple name) and that type's declared properties, or `None`
/// when the document declares no such set; an error when it is not well-formed XML.
pub fn entity_set_properties(csdl: &str, set: &str) -> Result<Option<(String, Vec<String>)>, String> {
    let mut sets: Vec<(String, String)> = Vec::new();
    let mut types: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_type: Option<usize> = None;
    let mut reader = Reader::from_str(csdl);
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "$metadata is not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if is(&e, "EntitySet") => {
                if let (Some(name), Some(kind)) = (attribute(&e, "Name"), attribute(&e, "EntityType")) {
                    sets.push((name, kind));
                }
            }
            Event::Start(e) if is(&e, "EntityType") => {
                types.push((attribute(&e, "Name").unwrap_or_default(), Vec::new()));
                in_type = Some(types.len() - 1);
            }
            Event::Empty(e) if is(&e, "EntityType") => {
                types.push((attribute(&e, "Name").unwrap_or_default(), Vec::new()));
            }
            Event::Start(e) | Event::Empty(e) if is(&e, "Property") => {
                if let (Some(index), Some(name)) = (in_type, attribute(&e, "Name")) {
                    types[index].1.push(name);
                }
            }
            Event::End(e) if e.local_name().as_ref() == "EntityType" => in_type = None,
            Event::Eof => break,
            _ => {}
        }
    }
    let Some((_, qualified)) = sets.into_iter().find(|(name, _)| name == set) else {
        return Ok(None);
    };
    let simple = qualified.rsplit('.').next().unwrap_or_default().to_owned();
    let properties = types
        .into_iter()
        .find(|(name, _)| *name == simple)
        .map(|(_, properties)| properties)
        .unwrap_or_default();
    Ok(Some((simple, properties)))
}

pub(crate) fn is(element: &BytesStart, name: &str) -> bool {
    element.local_name().as_ref() == name
}

pub(crate) fn attribute(element: &BytesStart, name: &str) -> Option<String> {
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
