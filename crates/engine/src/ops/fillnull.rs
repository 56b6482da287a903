//! `fillnull`: with a field list, fills those fields event by event; without one, waits for
//! the whole result set and fills every field any result has.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, Name};
use crate::value::Value;
use indexmap::IndexSet;

pub struct FillNull {
    value: Value,
    fields: Option<Vec<Name>>,
    /// Held events, each with the positions in `seen` of the fields it has.
    held: Vec<(Event, Vec<u64>)>,
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
                for event in batch.drain(..) {
                    let mut has = Vec::new();
                    for name in event.field_names() {
                        let (at, _) = self.seen.insert_full(name);
                        if has.len() <= at / 64 {
                            has.resize(at / 64 + 1, 0);
                        }
                        has[at / 64] |= 1 << (at % 64);
                    }
                    self.held.push((event, has));
                }
            }
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if self.fields.is_some() {
            return;
        }
        // A field the event had when it came has a value; every other field seen is null in it.
        for (mut event, has) in self.held.drain(..) {
            for (at, name) in self.seen.iter().enumerate() {
                if has.get(at / 64).is_none_or(|bits| bits & (1 << (at % 64)) == 0) {
                    event.set(name.clone(), self.value.clone());
                }
            }
            out.push(event);
        }
    }
}
