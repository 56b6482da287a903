//! `sort` and the planner's newest-first ordering.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::Event;
use crate::plan::{SortConversion, SortKeySpec, SortSpec};
use crate::value::Value;
use std::cmp::Ordering;
use std::net::IpAddr;

/// Compares two events by sort keys; events missing a key's field come last.
pub fn compare_by_keys(a: &Event, b: &Event, keys: &[SortKeySpec]) -> Ordering {
    for key in keys {
        let (x, y) = (a.get(&key.field), b.get(&key.field));
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {
                let o = compare_values(&x, &y, key.conversion);
                if key.descending {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

fn compare_values(x: &Value, y: &Value, conversion: SortConversion) -> Ordering {
    let first = |v: &Value| v.iter().next().cloned().unwrap_or(Value::Null);
    let (x, y) = (first(x), first(y));
    match conversion {
        SortConversion::Auto => x.sort_cmp(&y),
        SortConversion::Str => x.display_text().cmp(&y.display_text()),
        SortConversion::Num => match (x.as_number(), y.as_number()) {
            (Some(a), Some(b)) => a.total_cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => x.display_text().cmp(&y.display_text()),
        },
        SortConversion::Ip => {
            let ip = |v: &Value| v.as_text().and_then(|t| t.trim().parse::<IpAddr>().ok());
            match (ip(&x), ip(&y)) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => x.display_text().cmp(&y.display_text()),
            }
        }
    }
}

/// Charges the memory budget for holding `batch`; when it is exhausted, drops the batch and
/// returns false (the run stops with a limit error).
pub(crate) fn charge_events(batch: &mut Vec<Event>, ctx: &RunContext, what: &str) -> bool {
    let bytes: usize = batch.iter().map(crate::limits::event_bytes).sum();
    if ctx.limits.charge(bytes, what) {
        return true;
    }
    batch.clear();
    false
}

pub struct Sort {
    spec: SortSpec,
    held: Vec<Event>,
    truncated: u64,
}

impl Sort {
    pub fn new(spec: SortSpec) -> Sort {
        Sort {
            spec,
            held: Vec::new(),
            truncated: 0,
        }
    }
}

impl Operator for Sort {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if !charge_events(batch, ctx, "sort") {
            return Flow::Stop;
        }
        self.held.append(batch);
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        let keys = &self.spec.keys;
        self.held.sort_by(|a, b| compare_by_keys(a, b, keys));
        if let Some(limit) = self.spec.limit {
            if self.held.len() > limit {
                self.truncated = (self.held.len() - limit) as u64;
                self.held.truncate(limit);
            }
        }
        out.append(&mut self.held);
    }

    fn account(&self, acc: &mut Accounting) {
        acc.truncated += self.truncated;
        if self.truncated > 0 {
            acc.note(format!(
                "sort kept {} results and dropped {} (Splunk's default limit; use `sort 0 ...` for all)",
                self.spec.limit.unwrap_or(0),
                self.truncated
            ));
        }
    }
}

/// Orders events newest first, as Splunk returns them (ties keep their input order).
#[derive(Default)]
pub struct TimeOrder {
    held: Vec<Event>,
}

impl Operator for TimeOrder {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if !charge_events(batch, ctx, "ordering events newest first") {
            return Flow::Stop;
        }
        self.held.append(batch);
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        let mut keyed: Vec<(Option<f64>, Event)> = self.held.drain(..).map(|e| (e.time(), e)).collect();
        keyed.sort_by(|(a, _), (b, _)| match (a, b) {
            (Some(x), Some(y)) => y.total_cmp(x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        });
        out.extend(keyed.into_iter().map(|(_, e)| e));
    }
}
