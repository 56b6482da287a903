//! `sort` and the planner's newest-first ordering.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::Event;
use crate::plan::{SortConversion, SortKeySpec, SortSpec};
use crate::value::{SortKey, Value};
use std::cmp::Ordering;
use std::net::IpAddr;

/// One event's value for one sort key, worked out once before sorting: a sort compares each
/// event many times, and would otherwise look its fields up and parse their numbers each time.
enum Ranked<'a> {
    /// The field is missing: last, whichever the direction.
    Missing,
    Auto(SortKey<'a>),
    Text(String),
    /// A number, or the text of what is not one.
    Num(Option<f64>, String),
    Ip(Option<IpAddr>, String),
}

impl<'a> Ranked<'a> {
    /// `first` is the field's first value; `missing` is true when the field is null.
    fn new(first: &'a Value, missing: bool, conversion: SortConversion) -> Ranked<'a> {
        if missing {
            return Ranked::Missing;
        }
        match conversion {
            SortConversion::Auto => Ranked::Auto(first.sort_key()),
            SortConversion::Str => Ranked::Text(first.display_text()),
            SortConversion::Num => Ranked::Num(first.as_number(), first.display_text()),
            SortConversion::Ip => Ranked::Ip(
                first.as_text().and_then(|t| t.trim().parse::<IpAddr>().ok()),
                first.display_text(),
            ),
        }
    }

    /// The order of two values of one key under its conversion: numbers (or addresses)
    /// before the text of what is not one, that text compared as text.
    fn cmp(&self, other: &Ranked) -> Ordering {
        fn known<T: Ord>(a: &Option<T>, b: &Option<T>, ta: &str, tb: &str) -> Ordering {
            match (a, b) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => ta.cmp(tb),
            }
        }
        match (self, other) {
            (Ranked::Auto(a), Ranked::Auto(b)) => a.order(b),
            (Ranked::Text(a), Ranked::Text(b)) => a.cmp(b),
            (Ranked::Num(a, ta), Ranked::Num(b, tb)) => match (a, b) {
                (Some(a), Some(b)) => a.total_cmp(b),
                _ => known(&a.map(|_| ()), &b.map(|_| ()), ta, tb),
            },
            (Ranked::Ip(a, ta), Ranked::Ip(b, tb)) => known(a, b, ta, tb),
            _ => Ordering::Equal,
        }
    }
}

/// Sorts `events` (stably) by `keys`, each key by its field's first value: events missing a
/// key's field come last whichever the direction. Each key of each event is worked out once.
pub fn sort_by_keys(events: &mut Vec<Event>, keys: &[SortKeySpec]) {
    let firsts: Vec<Vec<(Value, bool)>> = events
        .iter()
        .map(|event| {
            keys.iter()
                .map(|key| {
                    let value = event.get(&key.field);
                    let first = value.iter().next().cloned().unwrap_or(Value::Null);
                    (first, value.is_null())
                })
                .collect()
        })
        .collect();
    let ranked: Vec<Vec<Ranked>> = firsts
        .iter()
        .map(|values| {
            values
                .iter()
                .zip(keys)
                .map(|((first, missing), key)| Ranked::new(first, *missing, key.conversion))
                .collect()
        })
        .collect();
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by(|&a, &b| {
        for ((x, y), key) in ranked[a].iter().zip(&ranked[b]).zip(keys) {
            let ord = match (x, y) {
                (Ranked::Missing, Ranked::Missing) => Ordering::Equal,
                (Ranked::Missing, _) => return Ordering::Greater,
                (_, Ranked::Missing) => return Ordering::Less,
                _ if key.descending => x.cmp(y).reverse(),
                _ => x.cmp(y),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    let mut slots: Vec<Option<Event>> = std::mem::take(events).into_iter().map(Some).collect();
    events.extend(order.into_iter().filter_map(|k| slots[k].take()));
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
        sort_by_keys(&mut self.held, keys);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{FieldMap, Name};

    /// Compares two events by sort keys a pair at a time, as Quarry first sorted: the reference
    /// [`sort_by_keys`] is checked against.
    fn compare_by_keys(a: &Event, b: &Event, keys: &[SortKeySpec]) -> Ordering {
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

    fn row(x: Value, y: Value) -> Event {
        let mut fields = FieldMap::default();
        for (name, value) in [("x", x), ("y", y)] {
            if !value.is_null() {
                fields.insert(Name::from(name), value);
            }
        }
        Event::row(fields)
    }

    #[test]
    fn keys_worked_out_once_sort_as_compared_each_time() {
        let values = [
            Value::Null,
            Value::Int(3),
            Value::Float(-1.5),
            Value::from("10"),
            Value::from("9"),
            Value::from("abc"),
            Value::from("10.0.0.2"),
            Value::from("9.1.1.1"),
            Value::Bool(true),
            Value::multi([Value::from("b"), Value::Int(1)]),
        ];
        let events: Vec<Event> = values
            .iter()
            .flat_map(|x| values.iter().map(move |y| row(x.clone(), y.clone())))
            .collect();
        let text = |events: &[Event]| {
            events
                .iter()
                .map(|e| format!("{:?}/{:?}", e.get("x"), e.get("y")))
                .collect::<Vec<_>>()
        };
        for conversion in [
            SortConversion::Auto,
            SortConversion::Str,
            SortConversion::Num,
            SortConversion::Ip,
        ] {
            for (dx, dy) in [(false, false), (true, false), (false, true)] {
                let keys = [
                    SortKeySpec {
                        field: Name::from("x"),
                        descending: dx,
                        conversion,
                    },
                    SortKeySpec {
                        field: Name::from("y"),
                        descending: dy,
                        conversion: SortConversion::Auto,
                    },
                ];
                let mut once = events.clone();
                sort_by_keys(&mut once, &keys);
                let mut each = events.clone();
                each.sort_by(|a, b| compare_by_keys(a, b, &keys));
                assert_eq!(text(&once), text(&each), "{conversion:?} {dx} {dy}");
            }
        }
    }
}
