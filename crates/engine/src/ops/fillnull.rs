//! `fillnull`: with a field list, fills those fields event by event; without one, waits for
//! the whole result set and fills every field any result has.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, Name};
use crate::value::Value;
use indexmap::IndexSet;

pub struct FillNull {
    value: Value,
    fields: Option<Vec<Name>>,
    held: Vec<Event>,
    seen: IndexSet<Name, ahash::RandomState>,
}

impl FillNull {
    pub fn new(value: Value, fields: Option<Vec<Name>>) -> FillNull {
        FillNull {
            value,
            fields,
            held: Vec::new(),
            seen: IndexSet::default(),
        }
    }

    fn fill(event: &mut Event, fields: &mut dyn Iterator<Item = &Name>, value: &Value) {
        for name in fields {
            if event.get(name).is_null() {
                event.set(name.clone(), value.clone());
            }
        }
    }
}

impl Operator for FillNull {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        match &self.fields {
            Some(fields) => {
                for event in batch.iter_mut() {
                    FillNull::fill(event, &mut fields.iter(), &self.value);
                }
            }
            None => {
                for event in batch.iter() {
                    for name in event.field_names() {
                        self.seen.insert(name);
                    }
                }
                self.held.append(batch);
            }
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if self.fields.is_some() {
            return;
        }
        for mut event in self.held.drain(..) {
            FillNull::fill(&mut event, &mut self.seen.iter(), &self.value);
            out.push(event);
        }
    }
}
