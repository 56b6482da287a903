//! `transaction`: events with the same values of the transaction's fields, close in time,
//! become one result.
//!
//! Events are taken oldest first. An event joins its key's open transaction unless that would
//! break `maxspan` (first to last event), `maxpause` (gap between events) or `maxevents`; an
//! event matching `startswith` starts a new one; one matching `endswith` closes it. A
//! transaction that never saw its `startswith` or `endswith` event is evicted (dropped unless
//! `keepevicted=true`). Each result has `_time` (its first event's), `duration`, `eventcount`,
//! `_raw` (the events' raw text, one a line) and every field of its events, a multivalue field
//! holding the distinct values in lexicographic order (Splunk's `mvlist=false`). Results come
//! out newest first.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Name};
use crate::plan::{TransactionSpec, TxFilter};
use crate::value::Value;
use indexmap::IndexMap;
use std::collections::BTreeSet;

pub struct Transaction {
    spec: TransactionSpec,
    events: Vec<Event>,
}

impl Transaction {
    pub fn new(spec: TransactionSpec) -> Transaction {
        Transaction {
            spec,
            events: Vec::new(),
        }
    }
}

struct Open {
    events: Vec<Event>,
    first: f64,
    last: f64,
    started: bool,
}

fn passes(filter: &Option<TxFilter>, event: &Event, ctx: &RunContext) -> bool {
    match filter {
        None => false,
        Some(TxFilter::Search(s)) => s.matches(event),
        Some(TxFilter::Eval(e)) => e.is_true(event, &ctx.eval),
    }
}

impl Transaction {
    fn close(&self, open: Open, ended: bool, out: &mut Vec<Event>) {
        let complete = (self.spec.starts_with.is_none() || open.started) && (self.spec.ends_with.is_none() || ended);
        if !complete && !self.spec.keep_evicted {
            return;
        }
        let mut values: IndexMap<Name, BTreeSet<String>> = IndexMap::new();
        let mut raw = Vec::new();
        for event in &open.events {
            for name in event.field_names() {
                if name.as_ref() == "_time" || name.as_ref() == "_raw" {
                    continue;
                }
                let v = event.get(&name);
                let entry = values.entry(name).or_default();
                for item in v.iter() {
                    entry.insert(item.display_text());
                }
            }
            let r = event.get("_raw");
            if !r.is_null() {
                raw.push(r.display_text());
            }
        }
        let mut fields = FieldMap::default();
        fields.insert(Name::from("_time"), Value::number(open.first));
        for (name, set) in values {
            fields.insert(name, Value::multi(set.into_iter().map(Value::from)));
        }
        if !raw.is_empty() {
            fields.insert(Name::from("_raw"), Value::from(raw.join("\n")));
        }
        fields.insert(Name::from("duration"), Value::number(open.last - open.first));
        fields.insert(Name::from("eventcount"), Value::Int(open.events.len() as i64));
        if self.spec.keep_evicted {
            fields.insert(Name::from("closed_txn"), Value::Int(i64::from(complete)));
        }
        out.push(Event::row(fields));
    }
}

impl Operator for Transaction {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        // Every event is held until the end (DEVIATIONS.md): the budget bounds them.
        if !super::sort::charge_events(batch, ctx, "transaction") {
            return Flow::Stop;
        }
        self.events.append(batch);
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, ctx: &RunContext) {
        let mut events = std::mem::take(&mut self.events);
        events.retain(|e| e.time().is_some());
        events.sort_by(|a, b| a.time().partial_cmp(&b.time()).unwrap_or(std::cmp::Ordering::Equal));
        let mut open: IndexMap<Vec<String>, Open> = IndexMap::new();
        let mut results = Vec::new();
        for (n, event) in events.into_iter().enumerate() {
            if n % super::budget::CHECK_EVERY == 0 && !ctx.limits.check_time() {
                return;
            }
            let Some(time) = event.time() else { continue };
            let key: Option<Vec<String>> = self
                .spec
                .fields
                .iter()
                .map(|f| {
                    let v = event.get(f);
                    (!v.is_null()).then(|| v.display_text())
                })
                .collect();
            let Some(key) = key else { continue };
            let starts = passes(&self.spec.starts_with, &event, ctx);
            let ends = passes(&self.spec.ends_with, &event, ctx);
            if let Some(current) = open.get(&key) {
                let too_long = self.spec.max_span.is_some_and(|s| time - current.first > s);
                let too_quiet = self.spec.max_pause.is_some_and(|p| time - current.last > p);
                let too_many = self.spec.max_events.is_some_and(|m| current.events.len() >= m);
                if too_long || too_quiet || too_many || starts {
                    if let Some(done) = open.shift_remove(&key) {
                        self.close(done, false, &mut results);
                    }
                }
            }
            if !open.contains_key(&key) {
                if self.spec.starts_with.is_some() && !starts && !self.spec.keep_evicted {
                    // Before its start event an event belongs to no transaction.
                    continue;
                }
                open.insert(
                    key.clone(),
                    Open {
                        events: Vec::new(),
                        first: time,
                        last: time,
                        started: starts,
                    },
                );
            }
            if let Some(current) = open.get_mut(&key) {
                current.events.push(event);
                current.last = time;
            }
            if ends {
                if let Some(done) = open.shift_remove(&key) {
                    self.close(done, true, &mut results);
                }
            }
        }
        for (_, rest) in open.drain(..) {
            self.close(rest, false, &mut results);
        }
        results.sort_by(|a, b| b.time().partial_cmp(&a.time()).unwrap_or(std::cmp::Ordering::Equal));
        out.extend(results);
    }
}
