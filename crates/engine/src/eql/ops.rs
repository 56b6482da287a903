//! EQL operators other than `sequence` and `sample`: event queries, `join`, event ordering, and
//! the pipes (`head`, `tail`, `filter`, `unique`, `unique_count`, `count`, `sort`).

use super::dialect::Semantics;
use super::expr::{EExpr, Scope};
use super::lineage::{LineageSpec, Lineages};
use super::value::{compare_scalars, key_of, Step};
use crate::event::{Event, FieldMap, Group, Name};
use crate::ops::{Flow, Operator, RunContext};
use crate::value::Value;
use indexmap::IndexMap;
use std::cmp::Ordering;

/// `<category> where <condition>`.
#[derive(Clone, Debug)]
pub struct EventFilter {
    /// `None` for `any`.
    pub category: Option<String>,
    pub category_field: Vec<Step>,
    pub category_ignores_case: bool,
    pub condition: EExpr,
}

impl EventFilter {
    pub fn category_matches(&self, event: &Event) -> bool {
        let Some(wanted) = &self.category else { return true };
        let value = super::expr::event_field(event, &self.category_field);
        value.iter().any(|v| match v {
            Value::Str(s) => {
                if self.category_ignores_case {
                    s.eq_ignore_ascii_case(wanted)
                } else {
                    s.as_ref() == wanted
                }
            }
            _ => false,
        })
    }

    pub fn matches(&self, event: &Event, scope: &mut Scope) -> bool {
        self.category_matches(event) && self.condition.holds(scope)
    }
}

/// An event query: keeps matching events.
pub struct EventQuery {
    pub filter: EventFilter,
    pub lineages: Lineages,
}

impl EventQuery {
    pub fn new(filter: EventFilter, lineages: Vec<LineageSpec>) -> EventQuery {
        EventQuery {
            filter,
            lineages: Lineages::new(lineages),
        }
    }
}

impl Operator for EventQuery {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let mut kept = Vec::with_capacity(batch.len());
        for event in batch.drain(..) {
            if !self.lineages.is_empty() {
                self.lineages.observe(&event);
            }
            let ok = {
                let mut scope = Scope::new(&event);
                scope.lineages = Some(&self.lineages);
                self.filter.matches(&event, &mut scope)
            };
            if ok {
                kept.push(event);
            }
        }
        *batch = kept;
        Flow::Continue
    }
}

/// Orders events by (timestamp, tiebreaker, input order), as Elasticsearch returns them.
///
/// Logs arrive nearly in order, so events are held only for a window: once an event is older
/// than the newest one seen minus the window, nothing that arrives later can precede it, and
/// it goes on. An event arriving later than that (a "late" event) goes on at once and is
/// counted. Without a window, every event is held until the end.
pub struct TimeSort {
    tiebreaker: Option<Vec<Step>>,
    window: Option<i64>,
    held: std::collections::BinaryHeap<std::cmp::Reverse<Held>>,
    newest: Option<i64>,
    last_out: Option<i64>,
    seen: u64,
    late: u64,
}

/// An event waiting in the reorder buffer, ordered by (time, tiebreaker, arrival).
struct Held {
    time: Option<i64>,
    tie: Value,
    seq: u64,
    event: Event,
}

impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Held {}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Held) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Held {
    fn cmp(&self, other: &Held) -> Ordering {
        self.time
            .cmp(&other.time)
            .then_with(|| tiebreak_cmp(&self.tie, &other.tie))
            .then_with(|| self.seq.cmp(&other.seq))
    }
}

impl TimeSort {
    /// `window`: how far back (nanoseconds) an event may arrive late and still be put in
    /// order; `None` sorts everything.
    pub fn new(tiebreaker: Option<Vec<Step>>, window: Option<i64>) -> TimeSort {
        TimeSort {
            tiebreaker,
            window,
            held: Default::default(),
            newest: None,
            last_out: None,
            seen: 0,
            late: 0,
        }
    }

    fn emit(&mut self, held: Held, out: &mut Vec<Event>) {
        if let (Some(t), Some(last)) = (held.time, self.last_out) {
            if t < last {
                self.late += 1;
            }
        }
        if held.time.is_some() {
            self.last_out = self.last_out.max(held.time);
        }
        out.push(held.event);
    }
}

/// Orders two tiebreaker values: numbers numerically, text ordinally, missing first.
fn tiebreak_cmp(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        _ => compare_scalars(a, b, false).unwrap_or(Ordering::Equal),
    }
}

impl Operator for TimeSort {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let mut out = Vec::new();
        for event in batch.drain(..) {
            if !ctx
                .limits
                .charge(crate::limits::event_bytes(&event), "sorting events by time")
            {
                return Flow::Stop;
            }
            let time = event.doc.as_ref().and_then(|d| d.time_ns);
            let tie = match &self.tiebreaker {
                Some(path) => super::expr::event_field(&event, path),
                None => Value::Null,
            };
            self.newest = self.newest.max(time);
            self.held.push(std::cmp::Reverse(Held {
                time,
                tie,
                seq: self.seen,
                event,
            }));
            self.seen += 1;
            if let (Some(window), Some(newest)) = (self.window, self.newest) {
                let watermark = newest.saturating_sub(window);
                while self.held.peek().is_some_and(|h| h.0.time.is_none_or(|t| t < watermark)) {
                    if let Some(std::cmp::Reverse(h)) = self.held.pop() {
                        ctx.limits.release(crate::limits::event_bytes(&h.event));
                        self.emit(h, &mut out);
                    }
                }
            }
        }
        *batch = out;
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        while let Some(std::cmp::Reverse(h)) = self.held.pop() {
            self.emit(h, out);
        }
    }

    fn account(&self, acc: &mut crate::ops::Accounting) {
        if self.late > 0 {
            acc.note(format!(
                "{} event(s) arrived more than the reorder window after newer ones and were matched out of time order (give inputs oldest first, or widen --reorder-window; `all` sorts everything)",
                self.late
            ));
        }
    }
}

/// `join [by k] [a] [b] ... until [c]` (endgame): the first event of each stage per key; a
/// result once every stage has one.
pub struct Join {
    pub stages: Vec<(EventFilter, Vec<EExpr>)>,
    pub until: Option<(EventFilter, Vec<EExpr>)>,
    pub semantics: Semantics,
    pending: IndexMap<Vec<Value>, Vec<Option<Event>>, ahash::RandomState>,
}

impl Join {
    pub fn new(
        stages: Vec<(EventFilter, Vec<EExpr>)>,
        until: Option<(EventFilter, Vec<EExpr>)>,
        semantics: Semantics,
    ) -> Join {
        Join {
            stages,
            until,
            semantics,
            pending: IndexMap::default(),
        }
    }
}

fn join_key(keys: &[EExpr], event: &Event, ignore_case: bool) -> Vec<Value> {
    let mut scope = Scope::new(event);
    keys.iter().map(|k| key_of(&k.eval(&mut scope), ignore_case)).collect()
}

impl Operator for Join {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let ignore_case = self.semantics.keys_ignore_case();
        let mut out = Vec::new();
        for event in batch.drain(..) {
            if let Some((filter, keys)) = &self.until {
                if filter.matches(&event, &mut Scope::new(&event)) {
                    let key = join_key(keys, &event, ignore_case);
                    self.pending.shift_remove(&key);
                }
            }
            for (position, (filter, keys)) in self.stages.iter().enumerate() {
                if !filter.matches(&event, &mut Scope::new(&event)) {
                    continue;
                }
                let key = join_key(keys, &event, ignore_case);
                let size = self.stages.len();
                let slots = self.pending.entry(key.clone()).or_insert_with(|| vec![None; size]);
                if slots[position].is_none() {
                    slots[position] = Some(event.clone());
                    if slots.iter().all(Option::is_some) {
                        let events = self.pending.shift_remove(&key).unwrap_or_default();
                        out.push(Event::group(Group { join_keys: key, events }));
                    }
                }
            }
        }
        *batch = out;
        Flow::Continue
    }
}

/// `| head N`.
pub struct Head {
    pub n: u64,
    seen: u64,
    /// Results that reached the limit after it was full.
    cut: u64,
}

impl Head {
    pub fn new(n: u64) -> Head {
        Head { n, seen: 0, cut: 0 }
    }
}

impl Operator for Head {
    fn account(&self, acc: &mut crate::ops::Accounting) {
        acc.truncated += self.cut;
    }

    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let room = self.n.saturating_sub(self.seen) as usize;
        self.cut += batch.len().saturating_sub(room) as u64;
        batch.truncate(room);
        self.seen += batch.len() as u64;
        if self.seen >= self.n {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }
}

/// Scope for a pipe: the result's first event, and its events for `events[n]`.
fn pipe_scope(result: &Event) -> Scope<'_> {
    match &result.group {
        Some(group) => {
            let first = group.events.iter().flatten().next().unwrap_or(result);
            let mut scope = Scope::new(first);
            scope.group = Some(group);
            scope
        }
        None => Scope::new(result),
    }
}

/// `| filter <condition>`.
pub struct Filter(pub EExpr);

impl Operator for Filter {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        batch.retain(|e| self.0.holds(&mut pipe_scope(e)));
        Flow::Continue
    }
}

fn pipe_key(keys: &[EExpr], result: &Event, ignore_case: bool) -> Vec<Value> {
    let mut scope = pipe_scope(result);
    keys.iter().map(|k| key_of(&k.eval(&mut scope), ignore_case)).collect()
}

/// `| unique a, b`: the first result of each combination.
pub struct Unique {
    pub keys: Vec<EExpr>,
    pub ignore_case: bool,
    seen: std::collections::HashSet<Vec<Value>>,
}

impl Unique {
    pub fn new(keys: Vec<EExpr>, ignore_case: bool) -> Unique {
        Unique {
            keys,
            ignore_case,
            seen: Default::default(),
        }
    }
}

impl Operator for Unique {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let (keys, ignore_case, seen) = (&self.keys, self.ignore_case, &mut self.seen);
        batch.retain(|e| seen.insert(pipe_key(keys, e, ignore_case)));
        Flow::Continue
    }
}

/// `| unique_count a, b`: the first result of each combination, with `count` and `percent`.
pub struct UniqueCount {
    pub keys: Vec<EExpr>,
    pub ignore_case: bool,
    groups: IndexMap<Vec<Value>, (Event, u64), ahash::RandomState>,
}

impl UniqueCount {
    pub fn new(keys: Vec<EExpr>, ignore_case: bool) -> UniqueCount {
        UniqueCount {
            keys,
            ignore_case,
            groups: IndexMap::default(),
        }
    }
}

impl Operator for UniqueCount {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.drain(..) {
            let key = pipe_key(&self.keys, &event, self.ignore_case);
            let count = match event.fields.get("count") {
                Some(Value::Int(n)) => *n as u64,
                _ => 1,
            };
            self.groups.entry(key).or_insert((event, 0)).1 += count;
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        let total: u64 = self.groups.values().map(|(_, n)| n).sum();
        for (_, (mut event, count)) in self.groups.drain(..) {
            annotate(&mut event, count, total);
            out.push(event);
        }
    }
}

/// Adds `count` and `percent` to a result (to its first event for a sequence).
fn annotate(event: &mut Event, count: u64, total: u64) {
    let percent = if total == 0 { 0.0 } else { count as f64 / total as f64 };
    event.set(Name::from("count"), Value::Int(count as i64));
    event.set(Name::from("percent"), Value::Float(percent));
}

/// `| count [a, b]`: one summary row per combination (or one in total), sorted by count.
pub struct Count {
    pub keys: Vec<EExpr>,
    counts: IndexMap<Vec<Value>, (Vec<Value>, u64), ahash::RandomState>,
    total: u64,
}

impl Count {
    pub fn new(keys: Vec<EExpr>) -> Count {
        Count {
            keys,
            counts: IndexMap::default(),
            total: 0,
        }
    }
}

impl Operator for Count {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.drain(..) {
            self.total += 1;
            if self.keys.is_empty() {
                continue;
            }
            let key = pipe_key(&self.keys, &event, false);
            let folded: Vec<Value> = key.iter().map(|k| key_of(k, true)).collect();
            self.counts.entry(folded).or_insert((key, 0)).1 += 1;
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if self.keys.is_empty() {
            let mut row = FieldMap::default();
            row.insert(Name::from("count"), Value::Int(self.total as i64));
            row.insert(Name::from("key"), Value::str("totals"));
            out.push(Event::row(row));
            return;
        }
        let mut rows: Vec<(Vec<Value>, u64)> = self.counts.drain(..).map(|(_, v)| v).collect();
        rows.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| compare_keys(&a.0, &b.0)));
        for (key, count) in rows {
            let mut row = FieldMap::default();
            row.insert(Name::from("count"), Value::Int(count as i64));
            let key_value = if key.len() == 1 {
                key[0].clone()
            } else {
                Value::Multi(key.into())
            };
            row.insert(Name::from("key"), key_value);
            row.insert(
                Name::from("percent"),
                Value::Float(if self.total == 0 {
                    0.0
                } else {
                    count as f64 / self.total as f64
                }),
            );
            out.push(Event::row(row));
        }
    }
}

/// Orders key tuples: nulls first, then numbers, booleans and text by kind.
pub fn compare_keys(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let o = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => compare_scalars(x, y, false).unwrap_or_else(|| x.display_text().cmp(&y.display_text())),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// `| sort a, b`: a stable sort of the results.
pub struct Sort {
    pub keys: Vec<EExpr>,
    held: Vec<(Vec<Value>, Event)>,
}

impl Sort {
    pub fn new(keys: Vec<EExpr>) -> Sort {
        Sort { keys, held: Vec::new() }
    }
}

impl Operator for Sort {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.drain(..) {
            let key = pipe_key(&self.keys, &event, false);
            self.held.push((key, event));
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        self.held.sort_by(|a, b| compare_keys(&a.0, &b.0));
        out.extend(self.held.drain(..).map(|(_, e)| e));
    }
}
