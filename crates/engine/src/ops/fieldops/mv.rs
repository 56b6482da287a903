//! `makemv`, `mvexpand`, `mvcombine`.

use crate::event::{Event, Name};
use crate::limits::{event_bytes, value_bytes};
use crate::ops::budget::{copy_bytes, InFlight};
use crate::ops::{Flow, Operator, RunContext};
use crate::value::Value;
use indexmap::IndexMap;

#[derive(Clone, Debug)]
pub enum Splitter {
    /// `delim=<string>` (default a single space).
    Delim(String),
    /// `tokenizer=<regex>`: each match is a value (its first group when it has one).
    Tokenizer(regex::Regex),
}

#[derive(Clone, Debug)]
pub struct MakeMvSpec {
    pub field: Name,
    pub splitter: Splitter,
    /// `allowempty=true`: keep empty values between two delimiters.
    pub allow_empty: bool,
}

pub struct MakeMv(pub MakeMvSpec);

impl Operator for MakeMv {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let spec = &self.0;
        for event in batch.iter_mut() {
            let v = event.get(&spec.field);
            // An existing multivalue is left as it is.
            let Value::Str(text) = &v else { continue };
            let values: Vec<Value> = match &spec.splitter {
                Splitter::Delim(d) if d.is_empty() => vec![Value::Str(text.clone())],
                Splitter::Delim(d) => text
                    .split(d.as_str())
                    .filter(|s| spec.allow_empty || !s.is_empty())
                    .map(Value::from)
                    .collect(),
                Splitter::Tokenizer(re) => re
                    .captures_iter(text)
                    .filter_map(|c| c.get(1).or_else(|| c.get(0)))
                    .map(|m| m.as_str())
                    .filter(|s| spec.allow_empty || !s.is_empty())
                    .map(Value::from)
                    .collect(),
            };
            let new = if values.len() > 1 {
                Value::Multi(values.into())
            } else {
                values.into_iter().next().unwrap_or(Value::Null)
            };
            if new.is_null() {
                event.remove(&spec.field);
            } else {
                event.set(spec.field.clone(), new);
            }
        }
        Flow::Continue
    }
}

/// `mvexpand`: an event whose field has several values becomes one event per value (at most
/// `limit`); an event without the field passes unchanged.
/// The copies beyond the input are charged to the memory budget before they are made.
pub struct MvExpand {
    pub field: Name,
    pub limit: Option<usize>,
    pub(crate) in_flight: InFlight,
}

impl Operator for MvExpand {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        self.in_flight.settle(ctx);
        if !batch.iter().any(|e| e.get(&self.field).is_multi()) {
            return Flow::Continue;
        }
        let mut out = Vec::with_capacity(batch.len());
        for event in batch.drain(..) {
            let v = event.get(&self.field);
            let Value::Multi(items) = v else {
                out.push(event);
                continue;
            };
            let n = self.limit.unwrap_or(usize::MAX).min(items.len());
            let each = copy_bytes(&event);
            let bytes: usize = items.iter().take(n).map(|item| each + value_bytes(item)).sum();
            if !self.in_flight.charge(bytes, ctx, "mvexpand") {
                // Returning drops the rest of the batch (it is being drained).
                return Flow::Stop;
            }
            for item in items.iter().take(n) {
                let mut copy = event.clone();
                copy.set(self.field.clone(), item.clone());
                out.push(copy);
            }
        }
        *batch = out;
        Flow::Continue
    }
}

/// `mvcombine`: events equal in every other field become one event whose field holds all
/// their values, in the order first seen. Events without the field pass unchanged.
pub struct MvCombine {
    field: Name,
    groups: IndexMap<String, (Event, Vec<Value>), ahash::RandomState>,
    passed: Vec<Event>,
}

impl MvCombine {
    pub fn new(field: Name) -> MvCombine {
        MvCombine {
            field,
            groups: IndexMap::default(),
            passed: Vec::new(),
        }
    }
}

impl Operator for MvCombine {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let bytes: usize = batch.iter().map(event_bytes).sum();
        if !ctx.limits.charge(bytes, "mvcombine") {
            batch.clear();
            return Flow::Stop;
        }
        for event in batch.drain(..) {
            let v = event.get(&self.field);
            if v.is_null() {
                self.passed.push(event);
                continue;
            }
            let mut key = String::new();
            for name in event.field_names() {
                if name == self.field || name.as_ref() == "_raw" {
                    continue;
                }
                key.push_str(&name);
                key.push('\u{1}');
                key.push_str(&event.get(&name).to_json().to_string());
                key.push('\u{2}');
            }
            let entry = self.groups.entry(key).or_insert_with(|| (event, Vec::new()));
            entry.1.extend(v.iter().cloned());
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        for (_, (mut event, values)) in self.groups.drain(..) {
            event.set(self.field.clone(), Value::multi(values));
            out.push(event);
        }
        out.append(&mut self.passed);
    }
}
