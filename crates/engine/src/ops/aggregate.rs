//! `stats` and `eventstats`: group events by the `by` fields and aggregate.
//!
//! An event whose by-field is null joins no group (`stats` drops it, and the run reports how
//! many); a multivalue by-field puts the event in one group per value. `stats` emits one row
//! per group, sorted by the group values; `eventstats` adds each group's results to its events.

use super::agg_slots::{Inputs, Slots};
use super::aggregators::AggState;
use super::{Accounting, Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Name};
use crate::limits::value_bytes;
use crate::plan::{AggInput, AggregateSpec};
use crate::value::{cmp_sort_keys, SortKey, Value};
use indexmap::IndexMap;

type Groups = IndexMap<Vec<Value>, Slots, ahash::RandomState>;

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

    /// The command, for limit errors.
    fn spec_name(&self) -> &'static str {
        if self.spec.keep_events {
            "eventstats"
        } else {
            "stats"
        }
    }

    /// The aggregate fields of one group, in output order.
    fn results(&self, slots: &Slots) -> Vec<(Name, Value)> {
        slots.results(&self.spec.aggregations, false)
    }
}

/// Every field `stats` reads of an event, when that is a fixed set: the by-fields, the fields
/// aggregated and `_time`. `None` for `eventstats` (its events go on whole) and when an
/// aggregation reads an expression or a wildcard.
pub fn fields_read(spec: &AggregateSpec) -> Option<Vec<Name>> {
    if spec.keep_events {
        return None;
    }
    let mut read: Vec<Name> = spec.by.clone();
    for aggregation in &spec.aggregations {
        match &aggregation.input {
            AggInput::Events => {}
            AggInput::Field(name) => read.push(name.clone()),
            AggInput::Expr(_) | AggInput::Wildcard(_) => return None,
        }
    }
    read.push(Name::from("_time"));
    let mut seen = ahash::AHashSet::new();
    read.retain(|name| seen.insert(name.clone()));
    Some(read)
}

/// Every group key of an event (the cartesian product of multivalue by-fields); empty when a
/// by-field is null.
pub fn group_keys(by: &[Name], event: &Event) -> Vec<Vec<Value>> {
    let mut keys: Vec<Vec<Value>> = vec![Vec::with_capacity(by.len())];
    for field in by {
        let value = event.get(field);
        if value.is_null() {
            return Vec::new();
        }
        if value.len() == 1 {
            // The common case: every key takes the one value.
            for key in keys.iter_mut() {
                key.push(value.clone());
            }
            continue;
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

impl Operator for Aggregate {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let specs = &self.spec.aggregations;
        for event in batch.iter() {
            let keys = group_keys(&self.spec.by, event);
            if keys.is_empty() {
                self.dropped += 1;
                continue;
            }
            let inputs = Inputs::read(specs, &self.spec.by, event, ctx);
            for key in keys {
                let at = match self.groups.get_index_of(key.as_slice()) {
                    Some(at) => at,
                    None => {
                        let bytes = 64 + key.iter().map(value_bytes).sum::<usize>() + 96 * specs.len();
                        if !ctx.limits.charge(bytes, self.spec_name()) {
                            batch.clear();
                            return Flow::Stop;
                        }
                        self.groups.insert_full(key, Slots::new(specs)).0
                    }
                };
                if let Some((_, slots)) = self.groups.get_index_mut(at) {
                    slots.add(specs, &inputs);
                }
            }
        }
        if self.spec.keep_events {
            if !super::sort::charge_events(batch, ctx, "eventstats") {
                return Flow::Stop;
            }
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
                for key in group_keys(&self.spec.by, &event) {
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
        // Sorted by the group values, each value's sort key worked out once.
        let mut groups: Vec<(Vec<SortKey>, &Vec<Value>, &Slots)> = self
            .groups
            .iter()
            .map(|(key, slots)| (key.iter().map(Value::sort_key).collect(), key, slots))
            .collect();
        groups.sort_by(|(a, _, _), (b, _, _)| cmp_sort_keys(a, b));
        for (_, key, slots) in groups {
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
