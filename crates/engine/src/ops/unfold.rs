//! Multi-event results (EQL sequences, samples, joins) as rows for SPL commands.
//!
//! Events mode: each matched event of a result becomes a row — the event itself, with its
//! fields — plus `sequence_id` (1, 2, ... in result order), `sequence_stage` (the stage as
//! written, 1-based) and the join keys under their names. Missing-event stages give no row.
//!
//! Summary mode: one row per result: the join keys, `_time` of its first event,
//! `sequence_id`, `duration` (seconds from the first event to the last), `event_count`, and
//! for every stage N and field F of its events, `stageN.F` holding `values(F)` over them (as
//! `stats values(*)`, internal fields such as `_raw` are left out).

use super::aggregators::AggState;
use super::{Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Group, Name};
use crate::plan::{AggFunc, RowMode, UnfoldSpec};
use crate::value::Value;
use indexmap::IndexMap;

pub struct Unfold {
    spec: UnfoldSpec,
    results: i64,
}

impl Unfold {
    pub fn new(spec: UnfoldSpec) -> Unfold {
        Unfold { spec, results: 0 }
    }

    /// The written stage of event slot `slot`.
    fn stage_of(&self, slot: usize) -> usize {
        self.spec.stages.get(slot).copied().unwrap_or(slot + 1)
    }

    fn set_keys(&self, fields: &mut FieldMap, group: &Group) {
        for (name, value) in self.spec.keys.iter().zip(&group.join_keys) {
            fields.insert(name.clone(), value.clone());
        }
    }

    fn event_rows(&self, id: i64, group: &Group, out: &mut Vec<Event>) {
        for (slot, event) in group.events.iter().enumerate() {
            let Some(event) = event else { continue };
            let mut row = event.clone();
            row.set(Name::from("sequence_id"), Value::Int(id));
            row.set(Name::from("sequence_stage"), Value::Int(self.stage_of(slot) as i64));
            self.set_keys(&mut row.fields, group);
            out.push(row);
        }
    }

    fn summary_row(&self, id: i64, group: &Group) -> Event {
        let mut fields = FieldMap::default();
        self.set_keys(&mut fields, group);
        // Nanoseconds where the event has its read time, so durations stay exact.
        let times: Vec<i64> = group
            .events
            .iter()
            .flatten()
            .filter_map(|e| match e.fields.get("_time") {
                None => e.doc.as_ref().and_then(|d| d.time_ns),
                Some(t) => t.as_number().map(|s| (s * 1e9).round() as i64),
            })
            .collect();
        let first = group.events.iter().flatten().next().map(|e| e.get("_time"));
        fields.insert(Name::from("_time"), first.unwrap_or(Value::Null));
        fields.insert(Name::from("sequence_id"), Value::Int(id));
        let duration = match (times.first(), times.last()) {
            (Some(a), Some(b)) => Value::number((b - a) as f64 / 1e9),
            _ => Value::Null,
        };
        fields.insert(Name::from("duration"), duration);
        fields.insert(
            Name::from("event_count"),
            Value::Int(group.events.iter().flatten().count() as i64),
        );
        // stage -> field -> values, in the order stages and fields are first seen.
        let mut values: IndexMap<(usize, Name), AggState, ahash::RandomState> = IndexMap::default();
        for (slot, event) in group.events.iter().enumerate() {
            let Some(event) = event else { continue };
            let stage = self.stage_of(slot);
            for name in event.field_names() {
                if name.starts_with('_') {
                    continue;
                }
                let value = event.get(&name);
                values
                    .entry((stage, name))
                    .or_insert_with(|| AggState::new(AggFunc::Values))
                    .add(&value, None);
            }
        }
        for ((stage, name), state) in values {
            fields.insert(Name::from(format!("stage{stage}.{name}")), state.result());
        }
        Event::row(fields)
    }
}

impl Operator for Unfold {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        if batch.iter().all(|e| e.group.is_none()) {
            return Flow::Continue;
        }
        let mut out = Vec::with_capacity(batch.len());
        for event in batch.drain(..) {
            let Some(group) = event.group.clone() else {
                out.push(event);
                continue;
            };
            self.results += 1;
            match self.spec.mode {
                RowMode::Events => self.event_rows(self.results, &group, &mut out),
                RowMode::Summary => out.push(self.summary_row(self.results, &group)),
            }
        }
        *batch = out;
        Flow::Continue
    }
}
