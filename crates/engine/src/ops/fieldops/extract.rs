//! `spath`, `fromjson`, `xmlkv`, `replace` and `addtotals`.

use super::matching_fields;
use crate::event::{spl_flatten, spl_scalar, Event, FieldMap, Name};
use crate::ops::{Flow, Operator, RunContext};
use crate::pattern::Wildcard;
use crate::plan::FieldPattern;
use crate::value::Value;
use serde_json::Value as Json;

// ---------------------------------------------------------------- spath

#[derive(Clone, Debug)]
pub struct SpathSpec {
    pub input: Name,
    /// `None`: extract every field (auto-extract mode).
    pub path: Option<String>,
    /// Defaults to the path.
    pub output: Option<Name>,
}

pub struct Spath(pub SpathSpec);

/// JSON text from the value of a field (the first value of a multivalue).
fn parse_json(v: &Value) -> Option<Json> {
    let first = v.iter().next()?;
    let text = first.as_text()?;
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    serde_json::from_str(t).ok()
}

/// The value of JSON data at a location path (`a.b{}.c`, `a{0}.b`, `{}`): scalars as Splunk
/// extracts them, objects and arrays as their JSON text, a multivalue when `{}` fans out.
/// Array positions count from 0.
pub fn spath_value(json: &Json, path: &str) -> Value {
    let mut current: Vec<&Json> = vec![json];
    for step in split_path(path) {
        let (name, indexes) = parse_step(&step);
        let mut next = Vec::new();
        for node in current {
            let mut nodes = vec![node];
            if !name.is_empty() {
                nodes = match node {
                    Json::Object(map) => map.get(name.as_str()).into_iter().collect(),
                    _ => Vec::new(),
                };
            }
            for index in &indexes {
                let mut deeper = Vec::new();
                for n in nodes {
                    if let Json::Array(items) = n {
                        match index {
                            None => deeper.extend(items.iter()),
                            Some(k) => {
                                let at = if *k < 0 { items.len() as i64 + k } else { *k };
                                if let Some(item) = usize::try_from(at).ok().and_then(|a| items.get(a)) {
                                    deeper.push(item);
                                }
                            }
                        }
                    }
                }
                nodes = deeper;
            }
            next.extend(nodes);
        }
        current = next;
    }
    Value::multi(current.into_iter().map(json_to_value))
}

fn json_to_value(j: &Json) -> Value {
    match j {
        Json::Object(_) | Json::Array(_) => Value::from(j.to_string()),
        other => spl_scalar(other),
    }
}

/// Steps of a path: split at `.` outside `{...}`.
fn split_path(path: &str) -> Vec<String> {
    let mut steps = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            '.' if depth == 0 => {
                steps.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    steps.push(cur);
    steps.into_iter().filter(|s| !s.is_empty()).collect()
}

/// `name{}{2}` into the name and its array steps (`None` for `{}`).
fn parse_step(step: &str) -> (String, Vec<Option<i64>>) {
    let Some(open) = step.find('{') else {
        return (step.to_string(), Vec::new());
    };
    let name = step[..open].to_string();
    let mut indexes = Vec::new();
    for part in step[open..].split('{').skip(1) {
        let inner = part.trim_end_matches('}');
        indexes.push(inner.trim().parse::<i64>().ok());
    }
    (name, indexes)
}

impl Spath {
    /// `spath` over XML text.
    fn xml(&self, event: &mut Event, input: &Value) {
        let spec = &self.0;
        let Some(root) = input
            .iter()
            .next()
            .and_then(|v| v.as_text())
            .and_then(|t| super::xml::parse(&t))
        else {
            return;
        };
        match &spec.path {
            Some(path) => {
                let v = super::xml::path_value(&root, path);
                let out = spec.output.clone().unwrap_or_else(|| Name::from(path.as_str()));
                if !v.is_null() {
                    event.set(out, v);
                }
            }
            None => {
                for (name, v) in super::xml::flatten(&root) {
                    let name = match &spec.output {
                        Some(prefix) => format!("{prefix}.{name}"),
                        None => name,
                    };
                    event.set(Name::from(name), v);
                }
            }
        }
    }
}

impl Operator for Spath {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            let input = event.get(&self.0.input);
            let Some(json) = parse_json(&input) else {
                if input
                    .iter()
                    .next()
                    .and_then(|v| v.as_text())
                    .is_some_and(|t| t.trim_start().starts_with('<'))
                {
                    self.xml(event, &input);
                }
                continue;
            };
            let spec = &self.0;
            match &spec.path {
                Some(path) => {
                    let v = spath_value(&json, path);
                    let out = spec.output.clone().unwrap_or_else(|| Name::from(path.as_str()));
                    if !v.is_null() {
                        event.set(out, v);
                    }
                }
                None => {
                    for (name, v) in flatten_any(&json) {
                        let name = match &spec.output {
                            Some(prefix) => format!("{prefix}.{name}"),
                            None => name,
                        };
                        event.set(Name::from(name), v);
                    }
                }
            }
        }
        Flow::Continue
    }
}

/// Every field of JSON data (an object, or an array named `{}`).
fn flatten_any(json: &Json) -> Vec<(String, Value)> {
    match json {
        Json::Array(_) => {
            let wrapped = serde_json::json!({ "": json });
            spl_flatten(&wrapped)
        }
        other => spl_flatten(other),
    }
}

// ---------------------------------------------------------------- fromjson

/// `fromjson`: each top-level key of the object becomes a field (prefixed); arrays become
/// multivalues, nested objects their JSON text.
pub struct FromJson {
    pub field: Name,
    pub prefix: String,
}

impl Operator for FromJson {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            let Some(Json::Object(map)) = parse_json(&event.get(&self.field)) else {
                continue;
            };
            for (key, value) in map {
                let v = match &value {
                    Json::Array(items) => Value::multi(items.iter().map(json_to_value)),
                    other => json_to_value(other),
                };
                if !v.is_null() {
                    event.set(Name::from(format!("{}{key}", self.prefix)), v);
                }
            }
        }
        Flow::Continue
    }
}

// ---------------------------------------------------------------- xmlkv

/// `xmlkv`: every `<key>value</key>` element with text and no child elements becomes a field;
/// a key seen several times becomes a multivalue.
pub struct XmlKv {
    field: Name,
    element: regex::Regex,
}

impl XmlKv {
    pub fn new(field: Name) -> XmlKv {
        XmlKv {
            field,
            element: regex::Regex::new(r"<([A-Za-z_][\w.:-]*)(?:\s[^<>]*)?>([^<]*)</([A-Za-z_][\w.:-]*)\s*>")
                .unwrap_or_else(|_| unreachable!("a fixed pattern")),
        }
    }
}

impl Operator for XmlKv {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            let v = event.get(&self.field);
            let mut found: FieldMap = FieldMap::default();
            for item in v.iter() {
                let Some(text) = item.as_text() else { continue };
                for caps in self.element.captures_iter(&text) {
                    let (Some(open), Some(body), Some(close)) = (caps.get(1), caps.get(2), caps.get(3)) else {
                        continue;
                    };
                    if open.as_str() != close.as_str() {
                        continue;
                    }
                    let name = Name::from(open.as_str());
                    let value = Value::from(xml_unescape(body.as_str()));
                    let merged = match found.get(&name) {
                        Some(old) => Value::multi([old.clone(), value]),
                        None => value,
                    };
                    found.insert(name, merged);
                }
            }
            for (name, value) in found {
                event.set(name, value);
            }
        }
        Flow::Continue
    }
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

// ---------------------------------------------------------------- replace

#[derive(Clone, Debug)]
pub struct ReplaceSpec {
    /// Whole-value wildcard patterns and their replacements (`*` in the replacement takes
    /// what the pattern's `*`s matched, in order).
    pub pairs: Vec<(String, String)>,
    /// Empty: every field that is not internal.
    pub fields: Vec<FieldPattern>,
}

pub struct Replace(pub ReplaceSpec);

impl Operator for Replace {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let patterns: Vec<(Wildcard, FieldPattern, &str)> = self
            .0
            .pairs
            .iter()
            .map(|(from, to)| (Wildcard::new(from, true), FieldPattern::new(from), to.as_str()))
            .collect();
        let all = [FieldPattern::new("*")];
        let fields = if self.0.fields.is_empty() {
            &all[..]
        } else {
            &self.0.fields[..]
        };
        for event in batch.iter_mut() {
            for name in matching_fields(event, fields) {
                let value = event.get(&name);
                let new = super::map_values(&value, |v| {
                    let text = v.as_text()?;
                    for (wild, capture, to) in &patterns {
                        if wild.matches(&text) {
                            let parts = if wild.has_wildcard() {
                                capture_parts(capture, &text)
                            } else {
                                Vec::new()
                            };
                            return Some(Value::from(FieldPattern::new(to).fill(&parts)));
                        }
                    }
                    None
                });
                if let Some(new) = new {
                    event.set(name, new);
                }
            }
        }
        Flow::Continue
    }
}

/// The parts of `text` the pattern's `*`s matched (the pattern matches internal names too).
fn capture_parts(pattern: &FieldPattern, text: &str) -> Vec<String> {
    let mut re = String::from("(?s)^");
    for (n, piece) in pattern.text.split('*').enumerate() {
        if n > 0 {
            re.push_str("(.*?)");
        }
        re.push_str(&regex::escape(piece));
    }
    re.push('$');
    regex::Regex::new(&re)
        .ok()
        .and_then(|r| {
            r.captures(text).map(|c| {
                c.iter()
                    .skip(1)
                    .map(|m| m.map(|m| m.as_str().to_string()).unwrap_or_default())
                    .collect()
            })
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------- addtotals

#[derive(Clone, Debug)]
pub struct AddTotalsSpec {
    pub row: bool,
    pub col: bool,
    pub fieldname: Name,
    pub labelfield: Option<Name>,
    pub label: String,
    /// Empty: every numeric field.
    pub fields: Vec<FieldPattern>,
}

/// `addtotals`: `row=true` adds the sum of the numeric fields to each event; `col=true` adds
/// a last row with the sum of each numeric field over all events.
pub struct AddTotals {
    spec: AddTotalsSpec,
    columns: FieldMap,
}

impl AddTotals {
    pub fn new(spec: AddTotalsSpec) -> AddTotals {
        AddTotals {
            spec,
            columns: FieldMap::default(),
        }
    }
}

fn add(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x
            .checked_add(*y)
            .map(Value::Int)
            .unwrap_or(Value::Float(*x as f64 + *y as f64)),
        _ => Value::number(a.as_number().unwrap_or(0.0) + b.as_number().unwrap_or(0.0)),
    }
}

impl Operator for AddTotals {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let all = [FieldPattern::new("*")];
        let patterns = if self.spec.fields.is_empty() {
            &all[..]
        } else {
            &self.spec.fields[..]
        };
        for event in batch.iter_mut() {
            let mut total: Option<Value> = None;
            for name in matching_fields(event, patterns) {
                if name == self.spec.fieldname || name.starts_with('_') {
                    continue;
                }
                let Some(n) = event.get(&name).as_numeric() else {
                    continue;
                };
                if self.spec.row {
                    total = Some(match total {
                        Some(t) => add(&t, &n),
                        None => n.clone(),
                    });
                }
                if self.spec.col {
                    let sum = match self.columns.get(&name) {
                        Some(s) => add(s, &n),
                        None => n,
                    };
                    self.columns.insert(name, sum);
                }
            }
            if self.spec.row {
                event.set(self.spec.fieldname.clone(), total.unwrap_or(Value::Int(0)));
            }
        }
        if self.spec.col && self.spec.row {
            let name = self.spec.fieldname.clone();
            for event in batch.iter() {
                let t = event.get(&name);
                let sum = match self.columns.get(&name) {
                    Some(s) => add(s, &t),
                    None => t,
                };
                self.columns.insert(name.clone(), sum);
            }
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if !self.spec.col {
            return;
        }
        let mut fields = std::mem::take(&mut self.columns);
        if let Some(labelfield) = &self.spec.labelfield {
            fields.insert(labelfield.clone(), Value::from(self.spec.label.as_str()));
        }
        out.push(Event::row(fields));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_walk_objects_and_arrays() {
        let doc = json!({"a": {"b": [{"c": 1}, {"c": 2}]}, "t": ["x", "y"]});
        assert_eq!(
            spath_value(&doc, "a.b{}.c"),
            Value::multi([Value::Int(1), Value::Int(2)])
        );
        assert_eq!(spath_value(&doc, "a.b{1}.c"), Value::Int(2));
        assert_eq!(
            spath_value(&doc, "t{}"),
            Value::multi([Value::from("x"), Value::from("y")])
        );
        assert_eq!(spath_value(&doc, "a.b{0}"), Value::from(r#"{"c":1}"#));
    }
}
