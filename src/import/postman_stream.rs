//! A collection read from its file twice and never held whole: the first pass keeps every
//! top-level member but `item` (the variables, auth and scripts the conversion needs first,
//! wherever the export put them) and shows each top-level item to a scan; the second hands
//! each top-level item, one at a time, to the conversion. Memory follows the largest folder,
//! not the collection.

use std::fmt;
use std::io::Read;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// What the first pass keeps: the top-level members but `item`, and whether `item` is a list.
pub struct Header {
    pub members: Map<String, Value>,
    pub item_is_list: bool,
}

/// The first pass: `scan` sees each top-level item, which is then dropped.
pub fn read_header(reader: impl Read, scan: &mut dyn FnMut(&Value)) -> serde_json::Result<Header> {
    let mut each = |item: Value| scan(&item);
    let mut top = TopLevel {
        each: &mut each,
        keep_members: true,
        members: Map::new(),
        item_is_list: false,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    (&mut top).deserialize(&mut de)?;
    de.end()?;
    Ok(Header {
        members: top.members,
        item_is_list: top.item_is_list,
    })
}

/// The second pass: `each` gets the top-level items in document order.
pub fn read_items(reader: impl Read, each: &mut dyn FnMut(Value)) -> serde_json::Result<()> {
    let mut top = TopLevel {
        each,
        keep_members: false,
        members: Map::new(),
        item_is_list: false,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    (&mut top).deserialize(&mut de)?;
    de.end()
}

struct TopLevel<'a> {
    each: &'a mut dyn FnMut(Value),
    keep_members: bool,
    members: Map<String, Value>,
    item_is_list: bool,
}

impl<'de> DeserializeSeed<'de> for &mut TopLevel<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Postman collection (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "item" {
                self.item_is_list = map.next_value_seed(Items { each: &mut *self.each })?;
            } else if self.keep_members {
                let value = map.next_value::<Value>()?;
                self.members.insert(key, value);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `item`: each element handed on; `true` when it is a list.
struct Items<'a> {
    each: &'a mut dyn FnMut(Value),
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("the collection's items")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            (self.each)(item);
        }
        Ok(true)
    }

    // Anything but a list is no collection: said by the caller, in its words.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_come_from_the_first_pass_and_items_one_by_one_from_the_second() {
        let text = r#"{"info": {"name": "c"}, "item": [{"name": "a"}, {"name": "b"}], "variable": [{"key": "k"}]}"#;
        let mut scanned = Vec::new();
        let header = read_header(text.as_bytes(), &mut |item| scanned.push(item["name"].clone())).unwrap();
        assert!(header.item_is_list);
        assert_eq!(header.members.keys().collect::<Vec<_>>(), ["info", "variable"]);
        assert_eq!(scanned, [Value::from("a"), Value::from("b")]);
        let mut items = Vec::new();
        read_items(text.as_bytes(), &mut |item| items.push(item)).unwrap();
        assert_eq!(items.len(), 2);
        let not_a_list = read_header(r#"{"item": {"a": 1}}"#.as_bytes(), &mut |_| {}).unwrap();
        assert!(!not_a_list.item_is_list);
        assert!(read_header("[1]".as_bytes(), &mut |_| {}).is_err());
        assert!(read_header(r#"{"item": [] } x"#.as_bytes(), &mut |_| {}).is_err());
    }
}
