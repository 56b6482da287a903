//! `fillnull`: with a field list, fills those fields event by event; without one, waits for
//! the whole result set and fills every field any result has. Source events are not filled in
//! place: they carry one shared [`Fill`] applied as their fields are read, so holding them costs
//! only the names seen (their lines are not even parsed whole for them), and they are handed on
//! a batch at a time. Before a `stats` that reads a fixed set of fields, only those are filled:
//! each event becomes a row of them (the rest of its line is let go), handed on as soon as every
//! field it lacks is one an earlier event had (its fill can no longer change), else held.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Fill, HeldSources, Name};
use crate::value::Value;
use indexmap::IndexSet;
use std::collections::VecDeque;
use std::sync::Arc;

/// How many held events one call of `finish` hands on.
const FILL_BATCH: usize = 1024;

pub struct FillNull {
    value: Value,
    fields: Option<Vec<Name>>,
    /// Without a field list: the only fields read after the fill, when that is known.
    read_after: Option<Vec<Name>>,
    held: VecDeque<Event>,
    /// Every field some held event has, in the order first seen.
    seen: IndexSet<Name, ahash::RandomState>,
    fill: Option<Arc<Fill>>,
    sources: HeldSources,
}

impl FillNull {
    pub fn new(value: Value, fields: Option<Vec<Name>>) -> FillNull {
        FillNull {
            value,
            fields,
            read_after: None,
            held: VecDeque::new(),
            seen: IndexSet::default(),
            fill: None,
            sources: HeldSources::default(),
        }
    }

    /// `fillnull value=<value>` without a field list, followed by a command that reads no field
    /// besides `read`: the results are the same as filling every field seen, for that command.
    pub fn before_reading(value: Value, read: Vec<Name>) -> FillNull {
        FillNull {
            read_after: Some(read),
            ..FillNull::new(value, None)
        }
    }

    /// The fields of `read` the event has a value for, as a row; they are added to `seen`.
    fn row_of(event: &Event, read: &[Name], seen: &mut IndexSet<Name, ahash::RandomState>) -> Event {
        let mut row = FieldMap::default();
        for name in read {
            let value = event.get(name);
            if !value.is_null() {
                if !seen.contains(name) {
                    seen.insert(name.clone());
                }
                row.insert(name.clone(), value);
            }
        }
        Event::row(row)
    }

    /// Writes `value` into each of `fields` the event lacks.
    fn fill_in_place<'a>(event: &mut Event, fields: impl Iterator<Item = &'a Name>, value: &Value) {
        for name in fields {
            if event.get(name).is_null() {
                event.set(name.clone(), value.clone());
            }
        }
    }

    fn fill_held(event: &mut Event, fill: &Arc<Fill>) {
        // Rows are small and have no source to read through; an event filled before keeps
        // reading that fill, and what it still lacks is written in place.
        if event.doc.is_none() || event.fill.is_some() {
            FillNull::fill_in_place(event, fill.names.iter(), &fill.value);
            return;
        }
        // A field the pipeline emptied before the fill is filled too.
        let emptied: Vec<Name> = event
            .fields
            .iter()
            .filter(|(name, v)| v.is_null() && fill.names.contains(*name))
            .map(|(name, _)| name.clone())
            .collect();
        for name in emptied {
            event.set(name, fill.value.clone());
        }
        event.fill = Some(fill.clone());
    }
}

impl Operator for FillNull {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        match (&self.fields, &self.read_after) {
            (Some(fields), _) => {
                for event in batch.iter_mut() {
                    FillNull::fill_in_place(event, fields.iter(), &self.value);
                }
            }
            (None, Some(read)) => {
                for event in batch.drain(..) {
                    let row = FillNull::row_of(&event, read, &mut self.seen);
                    self.held.push_back(row);
                }
                // A row whose every missing field is one some event has had is filled the same
                // whatever comes later: it goes on now, in order, rather than at the end.
                while let Some(row) = self.held.front() {
                    let settled = read
                        .iter()
                        .all(|name| row.fields.contains_key(name) || self.seen.contains(name));
                    if !settled {
                        break;
                    }
                    if let Some(mut row) = self.held.pop_front() {
                        FillNull::fill_in_place(&mut row, read.iter(), &self.value);
                        batch.push(row);
                    }
                }
            }
            (None, None) => {
                for mut event in batch.drain(..) {
                    let seen = &self.seen;
                    let new = event.field_names_besides(|name| seen.contains(name));
                    self.seen.extend(new);
                    event.shed_trees(&mut self.sources);
                    self.held.push_back(event);
                }
            }
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if self.fields.is_some() {
            return;
        }
        let fill = self
            .fill
            .get_or_insert_with(|| {
                Arc::new(Fill {
                    names: std::mem::take(&mut self.seen),
                    value: self.value.clone(),
                })
            })
            .clone();
        let batch = self.held.len().min(FILL_BATCH);
        for mut event in self.held.drain(..batch) {
            FillNull::fill_held(&mut event, &fill);
            out.push(event);
        }
    }

    fn finishing(&self) -> bool {
        !self.held.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> Event {
        Event::row(pairs.iter().map(|(k, v)| (Name::from(*k), Value::from(*v))).collect())
    }

    fn shown(events: &[Event]) -> Vec<String> {
        events
            .iter()
            .map(|e| format!("a={} b={}", e.get("a").display_text(), e.get("b").display_text()))
            .collect()
    }

    #[test]
    fn before_stats_a_row_goes_on_once_its_fill_is_settled_and_in_order() {
        let ctx = RunContext::new(0.0);
        let mut fill = FillNull::before_reading(Value::from("N"), vec![Name::from("a"), Name::from("b")]);
        // No event has had `b` yet: whether the row gets `b=N` is not known, so it waits.
        let mut batch = vec![row(&[("a", "1")])];
        fill.push(&mut batch, &ctx);
        assert!(batch.is_empty());
        // Now `b` has been seen: the held row goes on first, filled, then this one.
        let mut batch = vec![row(&[("a", "2"), ("b", "x")]), row(&[("a", "3")])];
        fill.push(&mut batch, &ctx);
        assert_eq!(shown(&batch), ["a=1 b=N", "a=2 b=x", "a=3 b=N"]);
        let mut out = Vec::new();
        fill.finish(&mut out, &ctx);
        assert!(out.is_empty() && !fill.finishing());
    }

    #[test]
    fn before_stats_a_field_no_event_has_keeps_rows_until_the_end_and_is_not_filled() {
        let ctx = RunContext::new(0.0);
        let mut fill = FillNull::before_reading(Value::from("N"), vec![Name::from("a"), Name::from("b")]);
        let mut batch = vec![row(&[("a", "1")]), row(&[("a", "2")])];
        fill.push(&mut batch, &ctx);
        assert!(batch.is_empty());
        let mut out = Vec::new();
        fill.finish(&mut out, &ctx);
        assert_eq!(shown(&out), ["a=1 b=", "a=2 b="]);
    }
}
