//! Events and rows. An event is its parsed JSON (shared, read-only) plus a small overlay of
//! fields the pipeline wrote; a row produced by `stats` or `table` has only the overlay.
//!
//! Field names follow Splunk's JSON extraction: `a.b.c` reaches into nested objects, an array
//! is named with `{}` and its values form a multivalue field (`target{}.alternateId`), and a
//! top-level key that itself contains dots (`"event.action"`) wins over the nested path.

use crate::profile::Profile;
use crate::projection::{FieldSet, Projection};
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::sync::{Arc, Mutex, OnceLock};

/// A field name, shared between events.
pub type Name = Arc<str>;

pub type FieldMap = IndexMap<Name, Value, FieldHasher>;

/// The hasher of [`FieldMap`]s: ahash, seeded once per process (a map is made for every
/// event and row, and seeding each one anew costs more than the few names it holds).
#[derive(Clone, Copy, Debug)]
pub struct FieldHasher(&'static ahash::RandomState);

impl Default for FieldHasher {
    fn default() -> FieldHasher {
        static SEEDED: OnceLock<ahash::RandomState> = OnceLock::new();
        FieldHasher(SEEDED.get_or_init(ahash::RandomState::new))
    }
}

impl std::hash::BuildHasher for FieldHasher {
    type Hasher = ahash::AHasher;

    fn build_hasher(&self) -> ahash::AHasher {
        self.0.build_hasher()
    }
}

/// Where an event came from; shared by every event of one input.
#[derive(Debug)]
pub struct SourceMeta {
    pub source: Name,
    pub sourcetype: Option<Name>,
    pub host: Name,
    pub index: Name,
    pub profile: Option<Arc<Profile>>,
    /// The fields the run reading this input asks for, when its events are parsed projected.
    pub projection: Option<Arc<Projection>>,
}

/// The sources of the events an operator holds, each again with a projection of its own: a
/// held event that let go of its trees ([`Event::shed_trees`]) is parsed again for just the
/// fields read from held events, not for everything the run has read.
#[derive(Default)]
pub struct HeldSources(ahash::AHashMap<usize, Arc<SourceMeta>>);

impl HeldSources {
    fn own(&mut self, meta: &Arc<SourceMeta>) -> Arc<SourceMeta> {
        self.0
            .entry(Arc::as_ptr(meta) as usize)
            .or_insert_with(|| {
                Arc::new(SourceMeta {
                    source: meta.source.clone(),
                    sourcetype: meta.sourcetype.clone(),
                    host: meta.host.clone(),
                    index: meta.index.clone(),
                    profile: meta.profile.clone(),
                    projection: meta.projection.as_ref().map(|_| Arc::new(Projection::new())),
                })
            })
            .clone()
    }
}

/// One input record as read.
#[derive(Debug)]
pub struct Doc {
    /// The line as read (without its line end): Splunk's `_raw`.
    pub raw: Arc<str>,
    /// The parsed JSON object, whole or (when `parsed_for` is set) only the parts those fields
    /// need.
    tree: Json,
    /// The fields `tree` was parsed for; `None` when it is the whole object.
    parsed_for: Option<Arc<FieldSet>>,
    /// The whole object, parsed from `raw` the first time every field is asked for.
    whole: OnceLock<Json>,
    /// The line parsed again for the fields asked for after it was read (see [`Doc::read`]).
    late: Mutex<Option<Arc<LateTree>>>,
    /// Epoch nanoseconds, from the time field; `None` when the event has no usable time.
    pub time_ns: Option<i64>,
    pub meta: Arc<SourceMeta>,
    /// 1-based line number (or element number in a JSON array file).
    pub line: u64,
    /// The queries of the run the line may matter to, as the reader's line filter found
    /// ([`crate::input::LineFilter`]); every bit when it had none.
    pub plans: u64,
}

/// A line parsed again for more fields: the fields, and the tree.
type LateTree = (Arc<FieldSet>, Json);

impl Doc {
    /// A record with its whole parsed object.
    pub fn new(raw: Arc<str>, json: Json, time_ns: Option<i64>, meta: Arc<SourceMeta>, line: u64) -> Doc {
        Doc {
            raw,
            tree: json,
            parsed_for: None,
            whole: OnceLock::new(),
            late: Mutex::new(None),
            time_ns,
            meta,
            line,
            plans: crate::prefilter::ALL_PLANS,
        }
    }

    /// A record whose tree holds only what `fields` need ([`crate::projection`]).
    pub fn projected(
        raw: Arc<str>,
        tree: Json,
        fields: Arc<FieldSet>,
        time_ns: Option<i64>,
        meta: Arc<SourceMeta>,
        line: u64,
    ) -> Doc {
        Doc {
            raw,
            tree,
            parsed_for: Some(fields),
            whole: OnceLock::new(),
            late: Mutex::new(None),
            time_ns,
            meta,
            line,
            plans: crate::prefilter::ALL_PLANS,
        }
    }

    /// Calls `read` with a tree that answers the Splunk field `name` as the whole object would.
    /// A field the line was not parsed for teaches the run's projection to parse it from now
    /// on, and this event's line is parsed again for the fields the run has asked for so far
    /// (kept beside the first tree, and small: events held by `sort` or `stats` before a later
    /// command asks for a field do not each grow a whole tree).
    pub fn read<R>(&self, name: &str, read: impl FnOnce(&Json) -> R) -> R {
        match &self.parsed_for {
            Some(fields) if !fields.covers(name) => {
                if let Some(projection) = &self.meta.projection {
                    projection.want([name]);
                }
                self.read_late(|fields| fields.covers(name), read)
            }
            _ => read(&self.tree),
        }
    }

    /// [`Doc::read`] for the EQL path whose leading attributes are `attrs` (`a.b.c`).
    pub fn read_eql<R>(&self, attrs: &str, read: impl FnOnce(&Json) -> R) -> R {
        match &self.parsed_for {
            Some(fields) if !fields.covers_eql(attrs) => {
                if let Some(projection) = &self.meta.projection {
                    projection.want_eql(attrs);
                }
                self.read_late(|fields| fields.covers_eql(attrs), read)
            }
            _ => read(&self.tree),
        }
    }

    fn read_late<R>(&self, covered: impl Fn(&FieldSet) -> bool, read: impl FnOnce(&Json) -> R) -> R {
        if let Some(whole) = self.whole.get() {
            return read(whole);
        }
        let late = self.late.lock().ok().and_then(|l| l.clone());
        if let Some(late) = late.filter(|l| covered(&l.0)) {
            return read(&late.1);
        }
        let fields = self.meta.projection.as_ref().and_then(|p| p.current());
        match fields {
            Some(fields) if covered(&fields) => {
                let tree = crate::input::parse_json_with(&self.raw, |t| crate::projection::parse_for(t, &fields))
                    .unwrap_or(Json::Null);
                let late = Arc::new((fields, tree));
                if let Ok(mut slot) = self.late.lock() {
                    *slot = Some(late.clone());
                }
                read(&late.1)
            }
            _ => read(self.whole()),
        }
    }

    /// The record without its parsed trees, for an event held long before its fields are read:
    /// a field read later parses the line again, for the fields `meta`'s projection asks for
    /// by then.
    pub fn without_trees(&self, meta: Arc<SourceMeta>) -> Doc {
        Doc {
            raw: self.raw.clone(),
            tree: Json::Null,
            parsed_for: Some(Arc::new(FieldSet::default())),
            whole: OnceLock::new(),
            late: Mutex::new(None),
            time_ns: self.time_ns,
            meta,
            line: self.line,
            plans: self.plans,
        }
    }

    /// True when the whole object has been parsed (not only the fields asked for).
    pub fn parsed_whole(&self) -> bool {
        self.parsed_for.is_none() || self.whole.get().is_some()
    }

    /// The name of every field of the object ([`spl_flat_names`]) that `wanted` accepts. A line
    /// parsed projected is scanned for them: its whole object is neither built nor kept.
    pub fn flat_names(&self, wanted: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut names = if self.parsed_whole() {
            spl_flat_names(self.whole())
        } else {
            match crate::flat_names::scan_for(&self.raw, wanted) {
                Some(names) => return names,
                None => spl_flat_names(&crate::input::parse_json::<Json>(&self.raw).unwrap_or(Json::Null)),
            }
        };
        names.retain(|n| wanted(n));
        names
    }

    /// The whole parsed object.
    pub fn whole(&self) -> &Json {
        if self.parsed_for.is_none() {
            return &self.tree;
        }
        self.whole.get_or_init(|| {
            if let Some(projection) = &self.meta.projection {
                projection.count_whole();
            }
            crate::input::parse_json::<Json>(&self.raw).unwrap_or(Json::Null)
        })
    }
}

/// The fields Splunk gives every event besides those extracted from it.
pub const DEFAULT_FIELDS: &[&str] = &["_raw", "_time", "source", "sourcetype", "host", "index"];

/// Which derived fields a lookup may see: calculated fields and event types are computed from
/// the other fields, never from each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Layer {
    /// Everything: overlay, defaults, aliases, calculated fields, event types, extracted fields.
    All,
    /// No event types (while computing calculated fields' inputs... and event types).
    NoEventTypes,
    /// No calculated fields and no event types.
    Base,
}

#[derive(Clone, Debug, Default)]
pub struct Event {
    pub doc: Option<Arc<Doc>>,
    /// Fields written by the pipeline, in the order written. `Value::Null` hides a field.
    pub fields: FieldMap,
    /// For a result made of several events (an EQL sequence, sample or join): its events.
    pub group: Option<Arc<Group>>,
    /// What `fillnull` without a field list gave the fields this event lacked, applied as they
    /// are read (see [`Fill`]).
    pub fill: Option<Arc<Fill>>,
}

/// `fillnull`'s value for every field of a result set, applied to a source event when a field
/// is read instead of written into each event: an event that lacks one of `names` (from its
/// source, its derived fields and what the pipeline wrote before the fill) reads it as `value`.
/// Calculated fields and event types are computed before the fill, as Splunk computes them when
/// the event is retrieved.
#[derive(Debug)]
pub struct Fill {
    pub names: indexmap::IndexSet<Name, ahash::RandomState>,
    pub value: Value,
}

/// A result made of several events, in stage order. A missing-event stage (`![...]`) has no
/// event.
#[derive(Clone, Debug, Default)]
pub struct Group {
    pub join_keys: Vec<Value>,
    pub events: Vec<Option<Event>>,
}

impl Event {
    /// A result made of several events.
    pub fn group(group: Group) -> Event {
        Event {
            doc: None,
            fields: FieldMap::default(),
            group: Some(Arc::new(group)),
            fill: None,
        }
    }
}

impl Event {
    pub fn from_doc(doc: Doc) -> Event {
        Event {
            doc: Some(Arc::new(doc)),
            fields: FieldMap::default(),
            group: None,
            fill: None,
        }
    }

    /// A row with the given fields and no source event.
    pub fn row(fields: FieldMap) -> Event {
        Event {
            doc: None,
            fields,
            group: None,
            fill: None,
        }
    }

    pub fn get(&self, name: &str) -> Value {
        self.get_in(name, Layer::All)
    }

    pub fn get_in(&self, name: &str, layer: Layer) -> Value {
        if let Some(v) = self.fields.get(name) {
            return v.clone();
        }
        let v = self.get_from_source(name, layer);
        match &self.fill {
            Some(fill) if v.is_null() && layer == Layer::All && fill.names.contains(name) => fill.value.clone(),
            _ => v,
        }
    }

    /// A field as the source event and the profile give it (nothing the pipeline wrote).
    fn get_from_source(&self, name: &str, layer: Layer) -> Value {
        let Some(doc) = &self.doc else {
            return Value::Null;
        };
        match name {
            "_raw" => return Value::Str(doc.raw.clone()),
            "_time" => {
                return doc
                    .time_ns
                    .map(|ns| Value::number(ns as f64 / 1e9))
                    .unwrap_or(Value::Null)
            }
            "source" => return Value::Str(doc.meta.source.clone()),
            "sourcetype" => {
                if let Some(st) = &doc.meta.sourcetype {
                    return Value::Str(st.clone());
                }
            }
            "host" => return Value::Str(doc.meta.host.clone()),
            "index" => return Value::Str(doc.meta.index.clone()),
            _ => {}
        }
        if let Some(profile) = &doc.meta.profile {
            // A derived field with no value leaves the event's own field visible (an alias of
            // an absent field does not hide a field of that name).
            if let Some(v) = profile.derived(self, name, layer).filter(|v| !v.is_null()) {
                return v;
            }
        }
        doc.read(name, |tree| spl_lookup(tree, name))
    }

    /// Lets go of the parsed trees of its source event ([`Doc::without_trees`]), for an
    /// operator that holds it among `held`; another holder of the same event (another rule of
    /// the run) keeps them as long as it holds it.
    pub fn shed_trees(&mut self, held: &mut HeldSources) {
        if let Some(doc) = &mut self.doc {
            let meta = held.own(&doc.meta);
            *doc = Arc::new(doc.without_trees(meta));
        }
    }

    /// True when the field has a value (is not null or absent).
    pub fn has(&self, name: &str) -> bool {
        !self.get(name).is_null()
    }

    pub fn set(&mut self, name: Name, value: Value) {
        self.fields.insert(name, value);
    }

    /// Removes a field (it reads as null from now on, whatever the source event holds).
    pub fn remove(&mut self, name: &str) {
        if self.doc.is_none() {
            self.fields.shift_remove(name);
        } else {
            self.fields.insert(Name::from(name), Value::Null);
        }
    }

    /// Every field that has a value: default fields, derived fields, extracted fields and
    /// written fields, each once. The source event is parsed whole (and kept so) for the values
    /// the caller will read next.
    pub fn field_names(&self) -> Vec<Name> {
        self.field_names_with(|doc, _| spl_flat_names(doc.whole()), &|_| false, false)
    }

    /// [`Event::field_names`] without the names `known` accepts (they are not looked up), for
    /// a caller that reads none of the values: a source event parsed projected stays so
    /// ([`Doc::flat_names`]).
    pub fn field_names_besides(&self, known: impl Fn(&str) -> bool) -> Vec<Name> {
        self.field_names_with(Doc::flat_names, &known, true)
    }

    /// `names_only`: an alias of the event's own fields is listed when one of its sources is
    /// among the event's field names, without reading it (reading would teach the run's
    /// projection to parse every alias's sources from every line).
    fn field_names_with(
        &self,
        flat_names: impl FnOnce(&Doc, &dyn Fn(&str) -> bool) -> Vec<String>,
        known_before: &dyn Fn(&str) -> bool,
        names_only: bool,
    ) -> Vec<Name> {
        // Each name with whether it is known to have a value; the others are looked up.
        let mut names: IndexMap<Name, bool, ahash::RandomState> = IndexMap::default();
        // A name seen again takes the later `has_value` when `replace`.
        let mut add = |name: &str, has_value: bool, replace: bool, as_name: &dyn Fn() -> Name| {
            if known_before(name) {
                return;
            }
            match names.get_mut(name) {
                Some(known) => {
                    if replace {
                        *known = has_value;
                    }
                }
                None => {
                    names.insert(as_name(), has_value);
                }
            }
        };
        if let Some(doc) = &self.doc {
            for name in DEFAULT_FIELDS {
                add(name, false, true, &|| Name::from(*name));
            }
            let profile = doc.meta.profile.as_deref();
            let plain_alias = |name: &str| profile.filter(|_| names_only)?.plain_alias_sources(name);
            // The sources of the aliases still to be told, besides the names not known yet.
            let asked: ahash::AHashSet<&str> = profile
                .map(|p| p.derived_names())
                .unwrap_or_default()
                .iter()
                .filter(|name| !known_before(name))
                .filter_map(|name| plain_alias(name))
                .flatten()
                .map(|source| source.as_ref())
                .collect();
            let flat = flat_names(doc, &|name| !known_before(name) || asked.contains(name));
            if let Some(profile) = profile {
                for name in profile.derived_names().iter().filter(|name| !known_before(name)) {
                    match plain_alias(name) {
                        Some(sources) => {
                            let has_value = sources.iter().any(|s| match self.fields.get(s) {
                                Some(v) => !v.is_null(),
                                None => flat.iter().any(|f| f == s.as_ref()),
                            });
                            if has_value {
                                add(name, true, true, &|| name.clone());
                            }
                        }
                        None => add(name, false, true, &|| name.clone()),
                    }
                }
            }
            // An extracted field has a value (whatever a derived field of its name gives,
            // the event's own value shows through a null one), unless the pipeline hid it.
            for name in flat {
                add(&name, true, true, &|| Name::from(name.as_str()));
            }
        }
        for name in self.fields.keys() {
            add(name, false, true, &|| name.clone());
        }
        if let Some(fill) = &self.fill {
            // A filled name has a value, unless the pipeline hid it after the fill.
            for name in &fill.names {
                add(name, true, false, &|| name.clone());
            }
        }
        names
            .into_iter()
            .filter(|(n, known)| *known || !self.get(n).is_null())
            .map(|(n, _)| n)
            .collect()
    }

    /// The fields the pipeline changed: written (a null one hides the source's field) or filled.
    pub fn changes(&self) -> impl Iterator<Item = (&Name, &Value)> {
        let filled = self.fill.iter().flat_map(move |fill| {
            fill.names
                .iter()
                .filter(move |name| {
                    !self.fields.contains_key(*name) && self.get_from_source(name, Layer::All).is_null()
                })
                .map(move |name| (name, &fill.value))
        });
        self.fields.iter().chain(filled)
    }

    /// The fields the pipeline gave a value (for rows: all of them).
    pub fn written(&self) -> impl Iterator<Item = (&Name, &Value)> {
        self.changes().filter(|(_, v)| !v.is_null())
    }

    pub fn time(&self) -> Option<f64> {
        self.get("_time").as_number()
    }
}

/// A JSON scalar as Splunk extracts it: strings and numbers as they are, booleans as the text
/// `true`/`false`; null, objects and arrays give no value.
pub fn spl_scalar(json: &Json) -> Value {
    match json {
        Json::String(s) => Value::str(s),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => n.as_f64().map(Value::Float).unwrap_or(Value::Null),
        },
        Json::Bool(b) => Value::str(if *b { "true" } else { "false" }),
        Json::Null | Json::Object(_) | Json::Array(_) => Value::Null,
    }
}

/// Looks up a Splunk field name in a JSON object.
pub fn spl_lookup(json: &Json, name: &str) -> Value {
    let mut out = Found::None;
    if let Json::Object(_) = json {
        lookup_in(json, name, &mut out);
    }
    match out {
        Found::None => Value::Null,
        Found::One(v) => v,
        Found::Many(values) => Value::Multi(values.into()),
    }
}

/// The values a lookup has found so far, each a scalar that is not null: most lookups find
/// one, which needs no list.
enum Found {
    None,
    One(Value),
    Many(Vec<Value>),
}

impl Found {
    fn push(&mut self, v: Value) {
        *self = match std::mem::replace(self, Found::None) {
            Found::None => Found::One(v),
            Found::One(first) => Found::Many(vec![first, v]),
            Found::Many(mut values) => {
                values.push(v);
                Found::Many(values)
            }
        };
    }
}

/// Objects of up to this many keys are searched by comparing keys, not by hashing.
const SCAN_KEYS_UP_TO: usize = 8;

fn lookup_in(json: &Json, name: &str, out: &mut Found) {
    let Json::Object(map) = json else { return };
    // A projected tree's objects hold a few keys: comparing them costs less than hashing the
    // name (serde_json's maps hash with SipHash).
    let exact = if map.len() <= SCAN_KEYS_UP_TO {
        map.iter()
            .find(|(key, _)| crate::projection::same_text(key, name))
            .map(|(_, v)| v)
    } else {
        map.get(name)
    };
    if let Some(v) = exact {
        let scalar = spl_scalar(v);
        if !scalar.is_null() {
            out.push(scalar);
            return;
        }
    }
    for (key, value) in map {
        // A key the name goes on below is followed in it by `.` or `{}`: that byte is looked
        // at before the bytes are compared.
        if !matches!(name.as_bytes().get(key.len()), Some(b'.' | b'{')) {
            continue;
        }
        let Some(rest) = name.strip_prefix(key.as_str()) else {
            continue;
        };
        if let Some(rest) = rest.strip_prefix('.') {
            if value.is_object() {
                lookup_in(value, rest, out);
            }
        } else if let Some(rest) = rest.strip_prefix("{}") {
            if let Json::Array(items) = value {
                lookup_array(items, rest, out);
            }
        }
    }
}

fn lookup_array(items: &[Json], rest: &str, out: &mut Found) {
    if rest.is_empty() {
        for v in items.iter().map(spl_scalar).filter(|v| !v.is_null()) {
            out.push(v);
        }
    } else if let Some(rest) = rest.strip_prefix("{}") {
        for item in items {
            if let Json::Array(inner) = item {
                lookup_array(inner, rest, out);
            }
        }
    } else if let Some(rest) = rest.strip_prefix('.') {
        for item in items {
            lookup_in(item, rest, out);
        }
    }
}

/// The name of every Splunk field of a JSON object that has a value, in document order.
pub fn spl_flat_names(json: &Json) -> Vec<String> {
    let mut names: IndexMap<String, (), ahash::RandomState> = IndexMap::default();
    if let Json::Object(map) = json {
        let mut path = String::new();
        for (key, value) in map {
            path.clear();
            path.push_str(key);
            names_into(&mut path, value, &mut names);
        }
    }
    names.into_keys().collect()
}

fn names_into(path: &mut String, json: &Json, names: &mut IndexMap<String, (), ahash::RandomState>) {
    let base = path.len();
    match json {
        Json::Object(map) => {
            for (key, value) in map {
                path.push('.');
                path.push_str(key);
                names_into(path, value, names);
                path.truncate(base);
            }
        }
        Json::Array(items) => {
            path.push_str("{}");
            for item in items {
                names_into(path, item, names);
            }
            path.truncate(base);
        }
        scalar => {
            if !spl_scalar(scalar).is_null() && !names.contains_key(path.as_str()) {
                names.insert(path.clone(), ());
            }
        }
    }
}

/// Every Splunk field of a JSON object with its value, in document order.
pub fn spl_flatten(json: &Json) -> Vec<(String, Value)> {
    let mut acc: IndexMap<String, Vec<Value>, ahash::RandomState> = IndexMap::default();
    if let Json::Object(map) = json {
        for (key, value) in map {
            flatten_into(key, value, &mut acc);
        }
    }
    acc.into_iter()
        .map(|(k, v)| (k, Value::multi(v)))
        .filter(|(_, v)| !v.is_null())
        .collect()
}

fn flatten_into(prefix: &str, json: &Json, acc: &mut IndexMap<String, Vec<Value>, ahash::RandomState>) {
    match json {
        Json::Object(map) => {
            for (key, value) in map {
                flatten_into(&format!("{prefix}.{key}"), value, acc);
            }
        }
        Json::Array(items) => {
            let name = format!("{prefix}{{}}");
            for item in items {
                match item {
                    Json::Object(_) | Json::Array(_) => flatten_into(&name, item, acc),
                    scalar => {
                        let v = spl_scalar(scalar);
                        if !v.is_null() {
                            acc.entry(name.clone()).or_default().push(v);
                        }
                    }
                }
            }
        }
        scalar => {
            let v = spl_scalar(scalar);
            if !v.is_null() {
                acc.entry(prefix.to_string()).or_default().push(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_reach_into_objects() {
        let doc = json!({"client": {"ipAddress": "1.2.3.4", "geo": {"city": "Paris"}}});
        assert_eq!(spl_lookup(&doc, "client.ipAddress"), Value::from("1.2.3.4"));
        assert_eq!(spl_lookup(&doc, "client.geo.city"), Value::from("Paris"));
        assert!(spl_lookup(&doc, "client").is_null());
    }

    #[test]
    fn arrays_are_named_with_braces_and_become_multivalues() {
        let doc = json!({"target": [{"id": "a"}, {"id": "b"}], "tags": ["x", "y"]});
        assert_eq!(
            spl_lookup(&doc, "target{}.id"),
            Value::multi([Value::from("a"), Value::from("b")])
        );
        assert_eq!(
            spl_lookup(&doc, "tags{}"),
            Value::multi([Value::from("x"), Value::from("y")])
        );
        assert!(spl_lookup(&doc, "target.id").is_null());
    }

    #[test]
    fn a_dotted_top_level_key_wins() {
        let doc = json!({"event.action": "flat", "event": {"action": "nested"}});
        assert_eq!(spl_lookup(&doc, "event.action"), Value::from("flat"));
    }

    #[test]
    fn small_and_large_objects_are_searched_alike() {
        for extra in [0, SCAN_KEYS_UP_TO, 3 * SCAN_KEYS_UP_TO] {
            let mut doc = json!({"event": {"action": "nested"}, "a": {"b": 1}, "a.b": null, "x": "y"});
            for n in 0..extra {
                doc[format!("k{n}")] = json!(n);
            }
            assert_eq!(spl_lookup(&doc, "x"), Value::from("y"), "{extra}");
            assert_eq!(spl_lookup(&doc, "event.action"), Value::from("nested"), "{extra}");
            // A null flat key: the nested field answers.
            assert_eq!(spl_lookup(&doc, "a.b"), Value::Int(1), "{extra}");
            assert!(spl_lookup(&doc, "missing").is_null(), "{extra}");
            if extra > 0 {
                assert_eq!(
                    spl_lookup(&doc, &format!("k{}", extra - 1)),
                    Value::Int(extra as i64 - 1)
                );
            }
        }
    }

    #[test]
    fn booleans_read_as_text_and_nulls_as_absent() {
        let doc = json!({"ok": true, "gone": null});
        assert_eq!(spl_lookup(&doc, "ok"), Value::from("true"));
        assert!(spl_lookup(&doc, "gone").is_null());
    }

    #[test]
    fn flat_names_are_the_flattened_fields() {
        let doc =
            json!({"a": {"b": 1, "z": null}, "t": [{"c": "x"}, {"c": "y"}, [1, {"d": true}]], "n": null, "e": []});
        let flattened: Vec<String> = spl_flatten(&doc).into_iter().map(|(k, _)| k).collect();
        assert_eq!(spl_flat_names(&doc), flattened);
        assert_eq!(flattened, vec!["a.b", "t{}.c", "t{}{}", "t{}{}.d"]);
    }

    #[test]
    fn flatten_names_every_leaf() {
        let doc = json!({"a": {"b": 1}, "t": [{"c": "x"}, {"c": "y"}], "n": null});
        let names: Vec<String> = spl_flatten(&doc).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, vec!["a.b", "t{}.c"]);
    }
}
