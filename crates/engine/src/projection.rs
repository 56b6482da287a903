//! Projected parsing: reading from a JSON line only the parts a query asks for.
//!
//! Building the whole tree of every event is most of the cost of a query over big logs, and a
//! query reads a handful of its fields. A [`FieldSet`] names the fields wanted (Splunk names:
//! `client.ipAddress`, `target{}.alternateId`; EQL paths use the same form, `a[0].b` being
//! `a{}.b`) and [`parse_projected`] builds a tree holding only the keys on the way to them;
//! everything else is checked as JSON and skipped without being built.
//!
//! Which fields a run wants is learned while it runs ([`Projection`]): an event asked for a
//! field its tree was not parsed for parses its whole line once and the field is added to the
//! set, so the events read after it carry the field in their projected tree. A query therefore
//! always sees every field and the first events pay for the learning. Commands that need every
//! field (`table *`, `values(*)`) parse the whole line of the events they see; once that is
//! most events, the run goes back to parsing lines whole. (`fillnull` without a list needs only
//! the names: [`crate::flat_names`].)

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// How much of a value at some path a field set needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Nothing: the value is skipped.
    No,
    /// Some of its keys: a wanted name goes on below it.
    Partial,
    /// Some of its keys when it is an object, all of it otherwise: an EQL path goes on below
    /// it (EQL reads an attribute of an array from every element, however deep).
    PartialObject,
    /// All of it: the path is a wanted name.
    Whole,
}

/// The fields a projected tree holds.
#[derive(Clone, Debug, Default)]
pub struct FieldSet {
    /// Every wanted name (`Whole`) and every path on the way to one (`Partial`).
    paths: HashMap<Box<str>, Keep, ahash::RandomState>,
    /// EQL paths (their leading attributes, `a.b.c`) whose candidate keys are all kept whole.
    eql: HashMap<Box<str>, (), ahash::RandomState>,
    /// Bit `n` (n < 64) is set when some path in `paths` is `n` bytes long, bit 63 also for
    /// longer ones: most keys of a line are rejected without hashing.
    lengths: u64,
    /// How many keys of the object at a `Partial` path the set could keep, and of the top
    /// object: a hint for the size of the map read there.
    widths: HashMap<Box<str>, usize, ahash::RandomState>,
    top_width: usize,
    /// `paths` as a list when they are few (and the set has not changed since): comparing a
    /// key's length and bytes with a handful of paths costs less than hashing it.
    few: Option<Vec<(Box<str>, Keep)>>,
}

/// Sets of up to this many paths are searched as a list.
const FEW_PATHS: usize = 12;

/// `a == b`, with the lengths and the last bytes compared first: most keys that differ from a
/// path of their length differ there, and comparing those costs no call.
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

impl FieldSet {
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> FieldSet {
        let mut set = FieldSet::default();
        for name in names {
            set.insert(name.as_ref());
        }
        set.index_paths();
        set
    }

    /// The set for EQL paths (each its leading attributes, `a.b.c`).
    pub fn for_eql<S: AsRef<str>>(paths: impl IntoIterator<Item = S>) -> FieldSet {
        let mut set = FieldSet::default();
        for attrs in paths {
            set.insert_eql(attrs.as_ref());
        }
        set.index_paths();
        set
    }

    /// Works out what [`FieldSet::keep`] and [`FieldSet::width`] look at, once the paths are
    /// in: the list of a few paths, and how many keys each object may keep (a key `k` of the
    /// object at path `p` has the path `p.k`, and a top key its own name).
    fn index_paths(&mut self) {
        self.few = (self.paths.len() <= FEW_PATHS)
            .then(|| self.paths.iter().map(|(path, keep)| (path.clone(), *keep)).collect());
        self.widths.clear();
        self.top_width = 0;
        for path in self.paths.keys() {
            match path.rfind('.') {
                Some(dot) => *self.widths.entry(path[..dot].into()).or_default() += 1,
                None if !path.ends_with("{}") => self.top_width += 1,
                None => {}
            }
        }
    }

    /// How many keys the object at `path` (the top object when `top`) may keep: a hint, not a
    /// bound (a key may hold a dot).
    pub fn width(&self, path: &str, top: bool) -> usize {
        if top {
            self.top_width
        } else {
            self.widths.get(path).copied().unwrap_or(0)
        }
    }

    fn insert(&mut self, name: &str) {
        self.few = None;
        self.paths.insert(name.into(), Keep::Whole);
        self.lengths |= length_bit(name.len());
        for (at, _) in name.char_indices() {
            let rest = &name[at..];
            if rest.starts_with('.') || rest.starts_with("{}") {
                self.paths.entry(name[..at].into()).or_insert(Keep::Partial);
                self.lengths |= length_bit(at);
            }
        }
    }

    /// An EQL path's leading attributes, `a.b.c`. EQL tries the longest flat key (`"a.b"`)
    /// first, and the keys of nested objects and flat keys name the same paths here, so every
    /// candidate is kept: the whole value at `a.b.c`, and of the objects at `a` and `a.b` the
    /// keys going on to it. An array on the way is kept whole: EQL reads an attribute of an
    /// array from each element.
    fn insert_eql(&mut self, attrs: &str) {
        self.few = None;
        for (at, _) in attrs.match_indices('.') {
            let keep = self.paths.entry(attrs[..at].into()).or_insert(Keep::PartialObject);
            if *keep == Keep::Partial {
                *keep = Keep::PartialObject;
            }
            self.lengths |= length_bit(at);
        }
        self.paths.insert(attrs.into(), Keep::Whole);
        self.lengths |= length_bit(attrs.len());
        self.eql.insert(attrs.into(), ());
    }

    /// True when a tree parsed for this set answers the EQL path `attrs` as the whole tree would.
    pub fn covers_eql(&self, attrs: &str) -> bool {
        self.eql.contains_key(attrs)
    }

    /// True when a tree parsed for this set answers `name` as the whole tree would.
    pub fn covers(&self, name: &str) -> bool {
        self.paths.get(name) == Some(&Keep::Whole)
    }

    /// What to keep of the value at `path`.
    pub fn keep(&self, path: &str) -> Keep {
        if self.lengths & length_bit(path.len()) == 0 {
            return Keep::No;
        }
        if let Some(few) = &self.few {
            return few
                .iter()
                .find(|(p, _)| same_text(p, path))
                .map_or(Keep::No, |(_, keep)| *keep);
        }
        self.paths.get(path).copied().unwrap_or(Keep::No)
    }
}

/// The fields a run has asked for so far, shared by its reader and its events.
#[derive(Debug, Default)]
pub struct Projection {
    current: RwLock<Arc<FieldSet>>,
    everything: AtomicBool,
    /// Events parsed projected, and how many of them were then parsed whole.
    parsed: AtomicU64,
    wholes: AtomicU64,
}

/// Events parsed before the share of whole parses is looked at.
const WHOLE_SHARE_AFTER: u64 = 4096;

impl Projection {
    pub fn new() -> Projection {
        Projection::default()
    }

    /// The set to parse the next lines for; `None` once a command needed every field.
    pub fn current(&self) -> Option<Arc<FieldSet>> {
        if self.everything.load(Ordering::Relaxed) {
            return None;
        }
        let parsed = self.parsed.load(Ordering::Relaxed);
        if parsed >= WHOLE_SHARE_AFTER && self.wholes.load(Ordering::Relaxed) * 2 >= parsed {
            self.want_everything();
            return None;
        }
        Some(self.current.read().map(|s| s.clone()).unwrap_or_default())
    }

    /// Adds `names` to the set (a no-op for names already in it).
    pub fn want<S: AsRef<str>>(&self, names: impl IntoIterator<Item = S>) {
        let names: Vec<S> = names.into_iter().collect();
        self.grow(
            |set| names.iter().all(|n| set.covers(n.as_ref())),
            |set| names.iter().for_each(|n| set.insert(n.as_ref())),
        );
    }

    /// Adds an EQL path (its leading attributes, `a.b.c`).
    pub fn want_eql(&self, attrs: &str) {
        self.grow(|set| set.covers_eql(attrs), |set| set.insert_eql(attrs));
    }

    /// Replaces the set by a copy with `add` applied, unless it is already `covered`.
    fn grow(&self, covered: impl Fn(&FieldSet) -> bool, add: impl Fn(&mut FieldSet)) {
        if self.current.read().map_or(true, |set| covered(&set)) {
            return;
        }
        if let Ok(mut write) = self.current.write() {
            let mut next = FieldSet::clone(&write);
            add(&mut next);
            next.index_paths();
            *write = Arc::new(next);
        }
    }

    /// From now on lines are parsed whole.
    pub fn want_everything(&self) {
        self.everything.store(true, Ordering::Relaxed);
    }

    /// Counts events parsed projected.
    pub fn count_parsed(&self, events: u64) {
        self.parsed.fetch_add(events, Ordering::Relaxed);
    }

    /// Counts an event whose whole line had to be parsed after all.
    pub fn count_whole(&self) {
        self.wholes.fetch_add(1, Ordering::Relaxed);
    }
}

/// Parses a JSON text into a tree holding only what `set` needs, with the scanner of
/// [`crate::json_scan`] where it accepts the text, else with [`parse_projected`].
pub fn parse_for(text: &str, set: &FieldSet) -> Result<Json, serde_json::Error> {
    match crate::json_scan::parse_projected_fast(text, set) {
        Some(tree) => Ok(tree),
        None => parse_projected(text, set),
    }
}

/// Parses a JSON text into a tree holding only what `set` needs. Errors are the ones parsing
/// the whole text gives: skipped parts are still checked.
pub fn parse_projected(text: &str, set: &FieldSet) -> Result<Json, serde_json::Error> {
    let mut path = String::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Node {
        set,
        path: &mut path,
        top: true,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// A value at `path`, part of which is wanted.
struct Node<'a> {
    set: &'a FieldSet,
    path: &'a mut String,
    top: bool,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Json;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        if self.set.keep(self.path) == Keep::PartialObject {
            while let Some(item) = seq.next_element::<Json>()? {
                items.push(item);
            }
            return Ok(Json::Array(items));
        }
        let base = self.path.len();
        self.path.push_str("{}");
        while let Some(item) = seq.next_element_seed(Node {
            set: self.set,
            path: &mut *self.path,
            top: false,
        })? {
            items.push(item);
        }
        self.path.truncate(base);
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let base = self.path.len();
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            if !self.top {
                self.path.push('.');
            }
            self.path.push_str(&key);
            match self.set.keep(self.path) {
                Keep::No => {
                    map.next_value::<IgnoredAny>()?;
                }
                Keep::Whole => {
                    let value: Json = map.next_value()?;
                    object.insert(key.into_owned(), value);
                }
                Keep::Partial | Keep::PartialObject => {
                    let value = map.next_value_seed(Node {
                        set: self.set,
                        path: &mut *self.path,
                        top: false,
                    })?;
                    object.insert(key.into_owned(), value);
                }
            }
            self.path.truncate(base);
        }
        Ok(Json::Object(object))
    }
}

/// An object key, borrowed from the text unless it holds escapes.
pub(crate) struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::spl_lookup;
    use serde_json::json;

    const LINE: &str = r#"{"eventType":"user.session.start","actor":{"id":"00u1","alternateId":"a@x.io","detail":{"k":1}},
        "client":{"ipAddress":"10.0.0.1","geo":{"city":"Paris"}},"target":[{"id":"t1","type":"User"},{"id":"t2"}],
        "event.action":"flat","event":{"action":"nested"},"tags":["x","y"],"n":1.5,"big":18446744073709551615,
        "esc\"aped":"v\u0041","nested":[[1,2],[3]]}"#;

    fn projected(names: &[&str]) -> Json {
        parse_projected(LINE, &FieldSet::new(names)).unwrap()
    }

    #[test]
    fn only_the_paths_to_wanted_fields_are_built() {
        let tree = projected(&["actor.alternateId", "client.geo.city"]);
        assert_eq!(
            tree,
            json!({"actor": {"alternateId": "a@x.io"}, "client": {"geo": {"city": "Paris"}}})
        );
    }

    #[test]
    fn a_wanted_object_or_array_is_kept_whole() {
        let tree = projected(&["actor", "target"]);
        assert_eq!(tree["actor"]["detail"], json!({"k": 1}));
        assert_eq!(tree["target"][1], json!({"id": "t2"}));
    }

    #[test]
    fn every_wanted_field_reads_as_in_the_whole_tree() {
        let whole: Json = serde_json::from_str(LINE).unwrap();
        let names = [
            "eventType",
            "actor.alternateId",
            "target{}.id",
            "target{}.type",
            "event.action",
            "tags{}",
            "n",
            "big",
            "esc\"aped",
            "nested{}{}",
            "missing.field",
            "actor",
        ];
        for name in names {
            let tree = projected(&[name]);
            assert_eq!(spl_lookup(&tree, name), spl_lookup(&whole, name), "{name}");
        }
        let all = projected(&names);
        for name in names {
            assert_eq!(spl_lookup(&all, name), spl_lookup(&whole, name), "{name} among all");
        }
    }

    #[test]
    fn skipped_parts_are_still_checked() {
        let set = FieldSet::new(["a"]);
        assert!(parse_projected(r#"{"a":1,"b":[1,}"#, &set).is_err());
        assert!(parse_projected(r#"{"a":1} x"#, &set).is_err());
        assert!(parse_projected(r#"{"a":1,"b":"\x"}"#, &set).is_err());
    }

    #[test]
    fn sets_cover_their_names_only() {
        let set = FieldSet::new(["a.b{}.c"]);
        assert!(set.covers("a.b{}.c"));
        assert!(!set.covers("a.b"));
        assert_eq!(set.keep("a"), Keep::Partial);
        assert_eq!(set.keep("a.b"), Keep::Partial);
        assert_eq!(set.keep("a.b{}"), Keep::Partial);
        assert_eq!(set.keep("a.b{}.c"), Keep::Whole);
        assert_eq!(set.keep("a.x"), Keep::No);
    }

    #[test]
    fn eql_paths_keep_every_candidate_key() {
        let line = r#"{"a":[{"b":1},{"b":2,"c":0}],"x.y":3,"x":{"y":4,"z":5},"p":{"q":{"r":[1,{"s":2}],"t":1},"q.r":7},"other":6}"#;
        let whole: Json = serde_json::from_str(line).unwrap();
        let set = FieldSet::for_eql(["a.b", "x.y", "p.q.r", "p.q.r.s"]);
        assert!(set.covers_eql("a.b") && !set.covers_eql("a"));
        let attrs = |path: &str| {
            path.split('.')
                .map(|a| crate::eql::value::Step::Attr(a.into()))
                .collect::<Vec<_>>()
        };
        for tree in [parse_projected(line, &set).unwrap(), parse_for(line, &set).unwrap()] {
            // An array on the way is kept whole, an object only for the keys going on.
            assert_eq!(tree["a"], whole["a"]);
            assert_eq!(tree["x.y"], whole["x.y"]);
            assert_eq!(tree["x"], serde_json::json!({"y": 4}));
            assert!(tree.get("other").is_none());
            for path in ["a.b", "x.y", "p.q.r", "p.q.r.s"] {
                let path = attrs(path);
                assert_eq!(
                    crate::eql::value::lookup(&tree, &path),
                    crate::eql::value::lookup(&whole, &path)
                );
            }
        }
    }

    #[test]
    fn a_projection_learns_and_can_give_up() {
        let p = Projection::new();
        assert!(!p.current().unwrap().covers("x"));
        p.want(["x"]);
        assert!(p.current().unwrap().covers("x"));
        p.want_everything();
        assert!(p.current().is_none());
    }

    #[test]
    fn a_projection_gives_up_when_most_events_are_parsed_whole_anyway() {
        let p = Projection::new();
        p.count_parsed(WHOLE_SHARE_AFTER);
        for _ in 0..WHOLE_SHARE_AFTER / 4 {
            p.count_whole();
        }
        assert!(p.current().is_some(), "a quarter parsed whole: keep projecting");
        for _ in 0..WHOLE_SHARE_AFTER / 4 {
            p.count_whole();
        }
        assert!(p.current().is_none(), "half parsed whole: parse lines whole");
    }
}
