//! Which fields the loaded events have: the names, found while loading (for completion), and
//! on request a catalog like Splunk's field sidebar — each field's types, the share of events
//! that have it, its distinct values and the most common ones.
//!
//! Fields are named as SPL names JSON: `a.b.c` for nested objects and `a{}` for arrays
//! (`target{}.alternateId`); fields a source profile derives (aliases, calculated fields,
//! event types) and the default fields (`source`, `sourcetype`, `host`, `index`) are listed
//! too.

use quarry_engine::event::{spl_scalar, Event, Name};
use quarry_engine::pattern::Wildcard;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};

/// Most distinct names the field tree keeps (events keyed by ids could add names forever).
const MAX_NAMES: usize = 50_000;

/// Distinct values counted per field; beyond this the count is shown as a lower bound.
pub const MAX_DISTINCT: usize = 10_000;

/// The shape of every event seen: a tree of JSON keys, `{}` standing for array elements.
#[derive(Debug, Default)]
pub struct FieldTree {
    root: Node,
    nodes: usize,
}

#[derive(Debug, Default)]
struct Node {
    children: HashMap<Box<str>, Node>,
    /// A scalar value was seen here.
    leaf: bool,
}

/// The child that stands for an array's elements.
const ELEMENTS: &str = "{}";

impl FieldTree {
    /// Adds the fields of one event's JSON object.
    pub fn add(&mut self, json: &Json) {
        let mut budget = MAX_NAMES.saturating_sub(self.nodes);
        let before = budget;
        add_value(&mut self.root, json, &mut budget);
        self.nodes += before - budget;
    }

    /// Every field name, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut path = String::new();
        collect_names(&self.root, &mut path, &mut out);
        out.sort();
        out
    }
}

fn add_value(node: &mut Node, json: &Json, budget: &mut usize) {
    match json {
        Json::Object(map) => {
            for (key, value) in map {
                if let Some(child) = child(node, key, budget) {
                    add_value(child, value, budget);
                }
            }
        }
        Json::Array(items) => {
            if let Some(child) = child(node, ELEMENTS, budget) {
                for item in items {
                    add_value(child, item, budget);
                }
            }
        }
        Json::Null => {}
        _ => node.leaf = true,
    }
}

fn child<'a>(node: &'a mut Node, key: &str, budget: &mut usize) -> Option<&'a mut Node> {
    if !node.children.contains_key(key) {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        node.children.insert(key.into(), Node::default());
    }
    node.children.get_mut(key)
}

fn collect_names(node: &Node, path: &mut String, out: &mut Vec<String>) {
    if node.leaf && !path.is_empty() {
        out.push(path.clone());
    }
    for (key, child) in &node.children {
        let len = path.len();
        if key.as_ref() != ELEMENTS && !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
        collect_names(child, path, out);
        path.truncate(len);
    }
}

/// What the catalog knows about one field.
#[derive(Debug, Default)]
pub struct FieldStats {
    /// Events that have the field.
    pub events: u64,
    /// `string`, `number`, `boolean`.
    pub types: BTreeSet<&'static str>,
    values: HashMap<String, u64>,
    /// More distinct values were seen than are counted.
    pub capped: bool,
    last_event: u64,
}

impl FieldStats {
    fn see(&mut self, event: u64, kind: &'static str, text: &str) {
        if self.last_event != event {
            self.last_event = event;
            self.events += 1;
        }
        self.types.insert(kind);
        if let Some(n) = self.values.get_mut(text) {
            *n += 1;
        } else if self.values.len() < MAX_DISTINCT {
            self.values.insert(text.to_string(), 1);
        } else {
            self.capped = true;
        }
    }

    fn merge(&mut self, other: FieldStats) {
        self.events += other.events;
        self.types.extend(other.types);
        self.capped |= other.capped;
        for (value, n) in other.values {
            if let Some(mine) = self.values.get_mut(&value) {
                *mine += n;
            } else if self.values.len() < MAX_DISTINCT {
                self.values.insert(value, n);
            } else {
                self.capped = true;
            }
        }
    }

    /// Distinct values (a lower bound when `capped`).
    pub fn distinct(&self) -> usize {
        self.values.len()
    }

    /// The `n` most common values with their counts, most common first.
    pub fn top(&self, n: usize) -> Vec<(&str, u64)> {
        let mut all: Vec<(&str, u64)> = self.values.iter().map(|(v, c)| (v.as_str(), *c)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        all.truncate(n);
        all
    }
}

/// Fields of a set of events.
#[derive(Debug, Default)]
pub struct Catalog {
    pub events: u64,
    pub fields: BTreeMap<String, FieldStats>,
}

/// Default fields listed in the catalog (`_time` and `_raw` are left out).
const LISTED_DEFAULTS: &[&str] = &["host", "index", "source", "sourcetype"];

impl Catalog {
    /// Adds one event.
    pub fn add(&mut self, event: &Event) {
        self.events += 1;
        let id = self.events;
        if let Some(doc) = &event.doc {
            let mut path = String::new();
            self.walk(id, doc.whole(), &mut path);
            if let Some(profile) = &doc.meta.profile {
                for name in profile.derived_names() {
                    self.see_value(id, name, &event.get(name));
                }
            }
        }
        for name in LISTED_DEFAULTS {
            self.see_value(id, &Name::from(*name), &event.get(name));
        }
        for (name, value) in event.written() {
            self.see_value(id, name, value);
        }
    }

    /// Builds the catalog of `events`; `None` when `cancel` was set on the way.
    pub fn of<'a>(events: impl Iterator<Item = &'a Event>, cancel: &AtomicBool) -> Option<Catalog> {
        let mut catalog = Catalog::default();
        for (n, event) in events.enumerate() {
            if n % 1024 == 0 && cancel.load(Ordering::Relaxed) {
                return None;
            }
            catalog.add(event);
        }
        Some(catalog)
    }

    /// [`Catalog::of`] on every core, each taking a share of the events.
    pub fn of_parallel(events: &[&Event], cancel: &AtomicBool) -> Option<Catalog> {
        Catalog::of_shares(events, cancel, 4096)
    }

    /// The catalog of `events`, each core taking a share of at least `least` events.
    fn of_shares(events: &[&Event], cancel: &AtomicBool, least: usize) -> Option<Catalog> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let share = events.len().div_ceil(threads).max(least);
        let parts: Vec<Option<Catalog>> = std::thread::scope(|scope| {
            let handles: Vec<_> = events
                .chunks(share)
                .map(|chunk| scope.spawn(move || Catalog::of(chunk.iter().copied(), cancel)))
                .collect();
            handles.into_iter().map(|h| h.join().ok().flatten()).collect()
        });
        let mut catalog = Catalog::default();
        for part in parts {
            catalog.merge(part?);
        }
        Some(catalog)
    }

    /// The catalog of batches of events, taken one at a time and shared among the cores.
    pub fn of_batches(batches: impl Iterator<Item = Vec<Event>>, cancel: &AtomicBool) -> Option<Catalog> {
        let mut catalog = Catalog::default();
        for batch in batches {
            let refs: Vec<&Event> = batch.iter().collect();
            catalog.merge(Catalog::of_shares(&refs, cancel, 256)?);
        }
        (!cancel.load(Ordering::Relaxed)).then_some(catalog)
    }

    fn merge(&mut self, other: Catalog) {
        self.events += other.events;
        for (name, stats) in other.fields {
            match self.fields.get_mut(&name) {
                Some(mine) => mine.merge(stats),
                None => {
                    self.fields.insert(name, stats);
                }
            }
        }
    }

    fn walk(&mut self, id: u64, json: &Json, path: &mut String) {
        match json {
            Json::Object(map) => {
                for (key, value) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    self.walk(id, value, path);
                    path.truncate(len);
                }
            }
            Json::Array(items) => {
                let len = path.len();
                path.push_str(ELEMENTS);
                for item in items {
                    self.walk(id, item, path);
                }
                path.truncate(len);
            }
            Json::Null => {}
            Json::String(s) => self.see(path, id, "string", s),
            Json::Bool(b) => self.see(path, id, "boolean", if *b { "true" } else { "false" }),
            Json::Number(_) => {
                let text = spl_scalar(json).display_text();
                self.see(path, id, "number", &text);
            }
        }
    }

    fn see(&mut self, name: &str, id: u64, kind: &'static str, text: &str) {
        match self.fields.get_mut(name) {
            Some(stats) => stats.see(id, kind, text),
            None => {
                let mut stats = FieldStats::default();
                stats.see(id, kind, text);
                self.fields.insert(name.to_string(), stats);
            }
        }
    }

    fn see_value(&mut self, id: u64, name: &Name, value: &quarry_engine::Value) {
        use quarry_engine::Value;
        for v in value.iter() {
            let kind = match v {
                Value::Int(_) | Value::Float(_) => "number",
                Value::Bool(_) => "boolean",
                Value::Null => continue,
                _ => "string",
            };
            let text = v.display_text();
            self.see(name, id, kind, &text);
        }
    }

    /// The fields whose names match `pattern`: a wildcard pattern (`client.*`), or without
    /// `*` any name containing the text; case is ignored either way.
    pub fn matching<'a>(&'a self, pattern: Option<&str>) -> Vec<(&'a str, &'a FieldStats)> {
        let filter: Box<dyn Fn(&str) -> bool> = match pattern {
            None => Box::new(|_| true),
            Some(p) if p.contains('*') => {
                let wildcard = Wildcard::new(p, false);
                Box::new(move |name| wildcard.matches(name))
            }
            Some(p) => {
                let needle = p.to_lowercase();
                Box::new(move |name| name.to_lowercase().contains(&needle))
            }
        };
        self.fields
            .iter()
            .filter(|(name, _)| filter(name))
            .map(|(name, stats)| (name.as_str(), stats))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quarry_engine::event::Doc;
    use serde_json::json;

    fn event(json: Json) -> Event {
        let meta = std::sync::Arc::new(quarry_engine::event::SourceMeta {
            source: Name::from("t.ndjson"),
            sourcetype: Some(Name::from("test")),
            host: Name::from("localhost"),
            index: Name::from("main"),
            profile: None,
            projection: None,
        });
        Event::from_doc(Doc::new(json.to_string().into(), json, None, meta, 1))
    }

    #[test]
    fn the_tree_names_fields_as_splunk_does() {
        let mut tree = FieldTree::default();
        tree.add(&json!({"client": {"geo": {"city": "Paris"}, "ip": "1.2.3.4"}, "target": [{"id": "a"}], "tags": ["x"], "gone": null}));
        tree.add(&json!({"client": {"geo": {"city": "Oslo", "country": "NO"}}, "n": 3}));
        assert_eq!(
            tree.names(),
            vec![
                "client.geo.city",
                "client.geo.country",
                "client.ip",
                "n",
                "tags{}",
                "target{}.id"
            ]
        );
    }

    #[test]
    fn the_tree_stops_growing_at_its_limit() {
        let mut tree = FieldTree::default();
        let mut big = serde_json::Map::new();
        for n in 0..MAX_NAMES + 10 {
            big.insert(format!("k{n}"), json!(1));
        }
        tree.add(&Json::Object(big));
        assert_eq!(tree.names().len(), MAX_NAMES);
    }

    #[test]
    fn the_catalog_counts_events_types_and_values() {
        let events = [
            event(json!({"user": "alice", "n": 1, "ok": true, "ips": ["1.1.1.1", "2.2.2.2"]})),
            event(json!({"user": "bob", "n": "2"})),
            event(json!({"user": "alice"})),
            event(json!({"other": 1})),
        ];
        let catalog = Catalog::of(events.iter(), &AtomicBool::new(false)).unwrap();
        assert_eq!(catalog.events, 4);
        let user = &catalog.fields["user"];
        assert_eq!(user.events, 3);
        assert_eq!(user.distinct(), 2);
        assert_eq!(user.top(3), vec![("alice", 2), ("bob", 1)]);
        let n = &catalog.fields["n"];
        assert_eq!(n.types.iter().copied().collect::<Vec<_>>(), vec!["number", "string"]);
        // A multivalue field counts its event once and each value.
        let ips = &catalog.fields["ips{}"];
        assert_eq!((ips.events, ips.distinct()), (1, 2));
        assert_eq!(
            catalog.fields["ok"].types.iter().copied().collect::<Vec<_>>(),
            vec!["boolean"]
        );
        assert_eq!(catalog.fields["source"].top(1), vec![("t.ndjson", 4)]);
    }

    #[test]
    fn distinct_values_are_capped() {
        let events: Vec<Event> = (0..MAX_DISTINCT + 5).map(|n| event(json!({ "id": n }))).collect();
        let catalog = Catalog::of(events.iter(), &AtomicBool::new(false)).unwrap();
        let id = &catalog.fields["id"];
        assert!(id.capped);
        assert_eq!(id.distinct(), MAX_DISTINCT);
        assert_eq!(id.events, (MAX_DISTINCT + 5) as u64);
    }

    #[test]
    fn patterns_filter_the_catalog() {
        let events = [event(json!({"client": {"city": "x", "ip": "y"}, "user": "u"}))];
        let catalog = Catalog::of(events.iter(), &AtomicBool::new(false)).unwrap();
        let names = |p| catalog.matching(p).into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(names(Some("client.*")), vec!["client.city", "client.ip"]);
        assert_eq!(names(Some("CITY")), vec!["client.city"]);
        assert_eq!(names(None).len(), 7);
    }

    #[test]
    fn shares_of_the_events_add_up_to_the_whole() {
        let events: Vec<Event> = (0..10_000)
            .map(|n| event(json!({ "user": format!("u{}", n % 7), "n": n })))
            .collect();
        let refs: Vec<&Event> = events.iter().collect();
        let cancel = AtomicBool::new(false);
        let whole = Catalog::of(events.iter(), &cancel).unwrap();
        let parallel = Catalog::of_parallel(&refs, &cancel).unwrap();
        assert_eq!(parallel.events, whole.events);
        for (name, stats) in &whole.fields {
            let other = &parallel.fields[name];
            assert_eq!(
                (other.events, other.distinct()),
                (stats.events, stats.distinct()),
                "{name}"
            );
            assert_eq!(other.top(3), stats.top(3), "{name}");
        }
    }

    #[test]
    fn a_catalog_of_batches_is_the_catalog_of_their_events() {
        let events: Vec<Event> = (0..9_000)
            .map(|n| event(json!({ "user": format!("u{}", n % 5), "n": n % 11 })))
            .collect();
        let cancel = AtomicBool::new(false);
        let whole = Catalog::of(events.iter(), &cancel).unwrap();
        let batches = events.chunks(2_000).map(|chunk| chunk.to_vec());
        let batched = Catalog::of_batches(batches, &cancel).unwrap();
        assert_eq!(batched.events, whole.events);
        for (name, stats) in &whole.fields {
            let other = &batched.fields[name];
            assert_eq!((other.events, other.top(20)), (stats.events, stats.top(20)), "{name}");
        }
    }

    #[test]
    fn a_cancelled_catalog_is_none() {
        let events = [event(json!({"a": 1}))];
        assert!(Catalog::of(events.iter(), &AtomicBool::new(true)).is_none());
        let refs: Vec<&Event> = events.iter().collect();
        assert!(Catalog::of_parallel(&refs, &AtomicBool::new(true)).is_none());
    }
}
