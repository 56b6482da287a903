//! The Splunk field names of a JSON line, read without building its tree.
//!
//! `fillnull` without a field list needs the names of every field of every event it holds, but
//! none of their values: scanning the line for them keeps a projected event small instead of
//! parsing (and keeping) its whole object. The names are exactly [`crate::event::spl_flat_names`]
//! of the parsed object.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// The name of every field of the JSON object `text` that has a value and that `wanted`
/// accepts (the others are not copied), in document order, as
/// [`crate::event::spl_flat_names`] gives them. `None` when the scan cannot tell (the text is
/// not a JSON object, has a number out of range, or repeats a key: the parsed object keeps the
/// last value of a key at its first place, which a scan in document order does not see).
pub fn scan_for(text: &str, wanted: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    crate::json_scan::scan_names(text, wanted).or_else(|| scan_with_serde(text, wanted))
}

/// [`scan_for`] through serde_json: the definition the faster scan of
/// [`crate::json_scan::scan_names`] is tested against, and what answers where it is not sure.
pub fn scan_with_serde(text: &str, wanted: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    let mut names = Names {
        path: String::new(),
        found: Default::default(),
        ambiguous: false,
        wanted,
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let top = Walk {
        names: &mut names,
        top: true,
    };
    let is_object = top.deserialize(&mut de).ok()?;
    de.end().ok()?;
    if !is_object || names.ambiguous {
        return None;
    }
    Some(names.found.into_iter().collect())
}

struct Names<'w> {
    path: String,
    found: indexmap::IndexSet<String, ahash::RandomState>,
    ambiguous: bool,
    wanted: &'w dyn Fn(&str) -> bool,
}

/// A value at `names.path`; says whether it was an object.
struct Walk<'a, 'w> {
    names: &'a mut Names<'w>,
    top: bool,
}

impl Walk<'_, '_> {
    fn scalar(self) -> bool {
        let path = self.names.path.as_str();
        if !self.top && (self.names.wanted)(path) && !self.names.found.contains(path) {
            self.names.found.insert(self.names.path.clone());
        }
        false
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(self.scalar())
    }

    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(self.scalar())
    }

    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(self.scalar())
    }

    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(self.scalar())
    }

    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(self.scalar())
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        if self.top {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(false);
        }
        let base = self.names.path.len();
        self.names.path.push_str("{}");
        while seq
            .next_element_seed(Walk {
                names: &mut *self.names,
                top: false,
            })?
            .is_some()
        {}
        self.names.path.truncate(base);
        Ok(false)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let base = self.names.path.len();
        let mut keys: Vec<Cow<'de, str>> = Vec::new();
        while let Some(key) = map.next_key_seed(crate::projection::Key)? {
            if keys.contains(&key) {
                self.names.ambiguous = true;
            }
            if !self.top {
                self.names.path.push('.');
            }
            self.names.path.push_str(&key);
            map.next_value_seed(Walk {
                names: &mut *self.names,
                top: false,
            })?;
            self.names.path.truncate(base);
            keys.push(key);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::spl_flat_names;

    fn scan(text: &str) -> Option<Vec<String>> {
        scan_for(text, &|_| true)
    }

    fn parsed(text: &str) -> Vec<String> {
        spl_flat_names(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn a_scan_names_the_fields_parsing_names() {
        for text in [
            r#"{"a":1,"b":{"c":"x","d":null,"e":true},"f":[{"g":1},{"g":2,"h":[1,[2]]}],"i":[],"j":{}}"#,
            r#"{"esc\"aped":"v","n\u0041me":{"x":1.5e3},"big":18446744073709551615}"#,
            r#"{"a.b":1,"a":{"b":2},"arr":[null,1,"s",{"k":false}]}"#,
            r#"{}"#,
        ] {
            assert_eq!(scan(text), Some(parsed(text)), "{text}");
        }
    }

    #[test]
    fn a_scan_gives_up_where_it_cannot_tell() {
        // A repeated key keeps its first place with its last value (here null: no field).
        assert_eq!(parsed(r#"{"a":1,"b":2,"a":null}"#), vec!["b"]);
        assert_eq!(scan(r#"{"a":1,"b":2,"a":null}"#), None);
        assert_eq!(scan(r#"{"x":{"a":1,"a":2}}"#), None);
        assert_eq!(scan("[1,2]"), None);
        assert_eq!(scan(r#"{"a":1} x"#), None);
        assert_eq!(scan(r#"{"a":1e999}"#), None);
    }

    #[test]
    fn a_scan_can_leave_names_out() {
        let text = r#"{"a":1,"b":{"c":"x","d":2},"e":[{"f":1}]}"#;
        assert_eq!(
            scan_for(text, &|n| n != "b.c" && n != "a"),
            Some(vec!["b.d".into(), "e{}.f".into()])
        );
    }
}
