//! `dedup`: keeps the first N events of each combination of field values; events missing one
//! of the fields are dropped unless `keepempty=true`.

use super::{sort_by_keys, Flow, Operator, RunContext};
use crate::event::Event;
use crate::limits::value_bytes;
use crate::plan::DedupSpec;
use crate::value::Value;
use std::collections::HashMap;

pub struct Dedup {
    spec: DedupSpec,
    counts: HashMap<Vec<Value>, usize, ahash::RandomState>,
    previous: Option<Vec<Value>>,
    held: Vec<Event>,
}

impl Dedup {
    pub fn new(spec: DedupSpec) -> Dedup {
        Dedup {
            spec,
            counts: HashMap::default(),
            previous: None,
            held: Vec::new(),
        }
    }
}

impl Operator for Dedup {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let spec = &self.spec;
        let counts = &mut self.counts;
        let previous = &mut self.previous;
        let mut within_budget = true;
        batch.retain(|event| {
            let key: Vec<Value> = spec.fields.iter().map(|f| event.get(f)).collect();
            if key.iter().any(Value::is_null) {
                return spec.keep_empty;
            }
            if spec.consecutive {
                let same = previous.as_ref() == Some(&key);
                *previous = Some(key);
                return !same;
            }
            if !counts.contains_key(&key) {
                let bytes = 48 + key.iter().map(value_bytes).sum::<usize>();
                within_budget &= ctx.limits.charge(bytes, "dedup");
            }
            let count = counts.entry(key).or_insert(0);
            *count += 1;
            *count <= spec.count
        });
        if !within_budget {
            batch.clear();
            return Flow::Stop;
        }
        if !self.spec.sort_by.is_empty() {
            if !super::sort::charge_events(batch, ctx, "dedup") {
                return Flow::Stop;
            }
            self.held.append(batch);
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if self.spec.sort_by.is_empty() {
            return;
        }
        let keys = &self.spec.sort_by;
        sort_by_keys(&mut self.held, keys);
        out.append(&mut self.held);
    }
}
