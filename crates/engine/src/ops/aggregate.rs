//! `stats` and `eventstats`: group events by the `by` fields and aggregate.
//!
//! An event whose by-field is null joins no group (`stats` drops it, and the run reports how
//! many); a multivalue by-field puts the event in one group per value. `stats` emits one row
//! per group, sorted by the group values; `eventstats` adds each group's results to its events.

use super::aggregators::AggState;
use super::{Accounting, Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Name};
use crate::plan::{AggInput, AggregateSpec};
use crate::value::Value;
use indexmap::IndexMap;

enum Slot {
    Fixed(AggState),
    /// `values(*)`: one state per field name.
    Wildcard(IndexMap<Name, AggState, ahash::RandomState>),
}

type Groups = IndexMap<Vec<Value>, Vec<Slot>, ahash::RandomState>;

pub struct Aggregate {
    spec: AggregateSpec,
    groups: Groups,
    /// `eventstats` holds its events until the end.
    held: Vec<Event>,
    dropped: u64,
}

impl Aggregate {
    pub fn new(spec: AggregateSpec) -> Aggregate {
        Aggregate {
            spec,
            groups: IndexMap::default(),
            held: Vec::new(),
            dropped: 0,
        }
    }

    fn new_slots(&self) -> Vec<Slot> {
        self.spec
            .aggregations
            .iter()
            .map(|a| match a.input {
                AggInput::Wildcard(_) => Slot::Wildcard(IndexMap::default()),
                _ => Slot::Fixed(AggState::new(a.func)),
            })
            .collect()
    }

    /// Every group key of the event (the cartesian product of multivalue by-fields); empty
    /// when a by-field is null.
    fn keys(&self, event: &Event) -> Vec<Vec<Value>> {
        let mut keys: Vec<Vec<Value>> = vec![Vec::new()];
        for field in &self.spec.by {
            let value = event.get(field);
            if value.is_null() {
                return Vec::new();
            }
            let mut next = Vec::with_capacity(keys.len() * value.len());
            for key in &keys {
                for v in value.iter() {
                    let mut k = key.clone();
                    k.push(v.clone());
                    next.push(k);
                }
            }
            keys = next;
        }
        keys
    }

    fn add(&mut self, event: &Event, key: Vec<Value>, ctx: &RunContext) {
        let time = event.time();
        if !self.groups.contains_key(&key) {
            let slots = self.new_slots();
            self.groups.insert(key.clone(), slots);
        }
        let Some(slots) = self.groups.get_mut(&key) else { return };
        for (spec, slot) in self.spec.aggregations.iter().zip(slots.iter_mut()) {
            match (&spec.input, slot) {
                (AggInput::Events, Slot::Fixed(state)) => state.add_event(),
                (AggInput::Field(name), Slot::Fixed(state)) => state.add(&event.get(name), time),
                (AggInput::Expr(expr), Slot::Fixed(state)) => {
                    let value = match expr.eval(event, &ctx.eval) {
                        Value::Bool(true) => Value::str("True"),
                        Value::Bool(false) => Value::Null,
                        other => other,
                    };
                    state.add(&value, time);
                }
                (AggInput::Wildcard(pattern), Slot::Wildcard(states)) => {
                    for name in event.field_names() {
                        if !pattern.matches(&name) || self.spec.by.contains(&name) {
                            continue;
                        }
                        let value = event.get(&name);
                        states
                            .entry(name)
                            .or_insert_with(|| AggState::new(spec.func))
                            .add(&value, time);
                    }
                }
                _ => {}
            }
        }
    }

    /// The aggregate fields of one group, in output order.
    fn results(&self, slots: &[Slot]) -> Vec<(Name, Value)> {
        let mut out = Vec::new();
        for (spec, slot) in self.spec.aggregations.iter().zip(slots) {
            match slot {
                Slot::Fixed(state) => out.push((Name::from(spec.output.as_str()), state.result())),
                Slot::Wildcard(states) => {
                    let AggInput::Wildcard(pattern) = &spec.input else {
                        continue;
                    };
                    let output = crate::plan::FieldPattern::new(&spec.output);
                    let mut names: Vec<&Name> = states.keys().collect();
                    names.sort();
                    for name in names {
                        let parts = pattern.captures(name).unwrap_or_default();
                        let out_name = if output.is_wildcard() {
                            output.fill(&parts)
                        } else {
                            spec.output.clone()
                        };
                        out.push((Name::from(out_name), states[name].result()));
                    }
                }
            }
        }
        out
    }
}

impl Operator for Aggregate {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        for event in batch.iter() {
            let keys = self.keys(event);
            if keys.is_empty() {
                self.dropped += 1;
                continue;
            }
            for key in keys {
                self.add(event, key, ctx);
            }
        }
        if self.spec.keep_events {
            self.held.append(batch);
        } else {
            batch.clear();
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if self.spec.keep_events {
            let held = std::mem::take(&mut self.held);
            for mut event in held {
                for key in self.keys(&event) {
                    if let Some(slots) = self.groups.get(&key) {
                        for (name, value) in self.results(slots) {
                            if !value.is_null() {
                                event.set(name, value);
                            }
                        }
                    }
                }
                out.push(event);
            }
            return;
        }
        if self.spec.by.is_empty() && self.groups.is_empty() {
            let mut row = FieldMap::default();
            for spec in &self.spec.aggregations {
                if !matches!(spec.input, AggInput::Wildcard(_)) {
                    row.insert(Name::from(spec.output.as_str()), AggState::empty_result(spec.func));
                }
            }
            out.push(Event::row(row));
            return;
        }
        let mut groups: Vec<(&Vec<Value>, &Vec<Slot>)> = self.groups.iter().collect();
        groups.sort_by(|(a, _), (b, _)| {
            a.iter()
                .zip(b.iter())
                .map(|(x, y)| x.sort_cmp(y))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        for (key, slots) in groups {
            let mut row = FieldMap::default();
            for (name, value) in self.spec.by.iter().zip(key) {
                row.insert(name.clone(), value.clone());
            }
            for (name, value) in self.results(slots) {
                if !row.contains_key(&name) {
                    row.insert(name, value);
                }
            }
            out.push(Event::row(row));
        }
    }

    fn account(&self, acc: &mut Accounting) {
        acc.dropped_null_by += self.dropped;
    }
}
