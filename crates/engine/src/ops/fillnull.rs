//! `fillnull`: with a field list, fills those fields event by event; without one, waits for
//! the whole result set and fills every field any result has. Source events are not filled in
//! place: they carry one shared [`Fill`] applied as their fields are read, so holding them costs
//! only the names seen (their lines are not even parsed whole for them), and they are handed on
//! a batch at a time.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, Fill, HeldSources, Name};
use crate::value::Value;
use indexmap::IndexSet;
use std::collections::VecDeque;
use std::sync::Arc;

/// How many held events one call of `finish` hands on.
const FILL_BATCH: usize = 1024;

pub struct FillNull {
    value: Value,
    fields: Option<Vec<Name>>,
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
            held: VecDeque::new(),
            seen: IndexSet::default(),
            fill: None,
            sources: HeldSources::default(),
        }
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
        match &self.fields {
            Some(fields) => {
                for event in batch.iter_mut() {
                    FillNull::fill_in_place(event, fields.iter(), &self.value);
                }
            }
            None => {
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
