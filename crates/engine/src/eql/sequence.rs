//! `sequence`: ordered matches of several stages per join key, streaming.
//!
//! Events arrive in order. Each stage is tried last-first, so one event cannot advance a
//! sequence two stages at once. Partial sequences are kept per join key and per stage; how
//! they compete, how `maxspan` and `until` cut them, and how multi-valued and null keys join
//! depend on the dialect (see `dialect.rs`). Missing-event stages (`![...]`, Elasticsearch)
//! drop a sequence when an event matching them, with the same key, falls in their gap — or,
//! for a leading or trailing one, anywhere the whole sequence would still fit in `maxspan`.

use super::dialect::Semantics;
use super::expr::Scope;
use super::ops::EventFilter;
use super::value::key_of;
use crate::event::{Event, Group};
use crate::ops::{Accounting, Flow, Operator, RunContext};
use crate::value::Value;
use std::collections::{HashMap, VecDeque};

/// A join key expression; `optional` for `?field` keys (null joins).
#[derive(Clone, Debug)]
pub struct KeySpec {
    pub expr: KeyExpr,
    pub optional: bool,
}

/// How a join key is read.
#[derive(Clone, Debug)]
pub enum KeyExpr {
    /// An EQL expression (`sequence by user.email` in EQL).
    Eql(super::expr::EExpr),
    /// A field named as Splunk names it (`by target{}.alternateId` in SPL's `sequence`): an
    /// array gives a multivalue, which joins on each of its values.
    Spl(crate::event::Name),
}

impl KeyExpr {
    pub fn eval(&self, event: &Event) -> Value {
        match self {
            KeyExpr::Eql(expr) => expr.eval(&mut Scope::new(event)),
            KeyExpr::Spl(name) => event.get(name),
        }
    }
}

/// What a stage matches.
#[derive(Clone, Debug)]
pub enum StageFilter {
    /// `[<category> where <condition>]`.
    Eql(EventFilter),
    /// `[search <terms>]` in SPL's `sequence`: Splunk search semantics.
    Spl(crate::search::CSearch),
}

impl StageFilter {
    pub fn matches(&self, event: &Event) -> bool {
        match self {
            StageFilter::Eql(filter) => filter.matches(event, &mut Scope::new(event)),
            StageFilter::Spl(search) => search.matches(event),
        }
    }
}

#[derive(Clone, Debug)]
pub struct StageSpec {
    pub filter: StageFilter,
    /// The sequence's `by` keys followed by the stage's own.
    pub keys: Vec<KeySpec>,
    pub missing: bool,
    /// endgame `fork=true`: the partial stays for other events too.
    pub fork: bool,
}

#[derive(Clone, Debug)]
pub struct SequenceSpec {
    /// One entry per stage (`with runs=N` already expanded).
    pub stages: Vec<StageSpec>,
    pub until: Option<StageSpec>,
    /// The bound in nanoseconds, when one applies.
    pub maxspan: Option<i64>,
    pub semantics: Semantics,
    /// Cap on partial sequences kept in memory (oldest evicted first).
    pub max_partials: usize,
}

/// The key tuples of an event for a stage: one per combination of multi-valued key values;
/// none when a non-optional key is null.
pub fn keys_of(keys: &[KeySpec], event: &Event, semantics: &Semantics) -> Vec<Vec<Value>> {
    let ignore_case = semantics.keys_ignore_case();
    let mut tuples: Vec<Vec<Value>> = vec![Vec::new()];
    for key in keys {
        let value = key.expr.eval(event);
        let choices: Vec<Value> = if semantics.expands_multivalued_keys() {
            match &value {
                Value::Multi(items) => {
                    let mut distinct: Vec<Value> = Vec::new();
                    for item in items.iter().filter(|i| !i.is_null()) {
                        let k = key_of(item, ignore_case);
                        if !distinct.contains(&k) {
                            distinct.push(k);
                        }
                    }
                    if distinct.is_empty() {
                        vec![Value::Null]
                    } else {
                        distinct
                    }
                }
                other => vec![key_of(other, ignore_case)],
            }
        } else {
            vec![key_of(&value, ignore_case)]
        };
        if choices.iter().all(Value::is_null) && !semantics.null_keys_join(key.optional) {
            return Vec::new();
        }
        let mut next = Vec::with_capacity(tuples.len() * choices.len());
        for tuple in &tuples {
            for choice in &choices {
                let mut t = tuple.clone();
                t.push(choice.clone());
                next.push(t);
            }
        }
        tuples = next;
    }
    tuples
}

#[derive(Clone, Debug)]
struct Partial {
    events: Vec<Option<Event>>,
    start_ns: Option<i64>,
    start_seq: u64,
    last_ns: Option<i64>,
    last_seq: u64,
    /// An event of a missing-event stage fell in the gap after the current stage.
    tainted: bool,
}

/// Per join key, the (time, arrival) of events of one leading missing stage, oldest first.
type History = HashMap<Vec<Value>, VecDeque<(Option<i64>, u64)>, ahash::RandomState>;

/// A completed sequence waiting for its trailing missing-event check.
struct Completed {
    key: Vec<Value>,
    partial: Partial,
    /// Until when events of the trailing missing stages would still drop it (`None`: no check).
    deadline: Option<i64>,
    /// Trailing missing stages filled so far, in order.
    trailing_filled: usize,
    dropped: bool,
}

pub struct Sequence {
    spec: SequenceSpec,
    positive: Vec<usize>,
    /// key -> stage -> partials that matched up to that stage (oldest first).
    partials: HashMap<Vec<Value>, Vec<Vec<Partial>>, ahash::RandomState>,
    partial_count: usize,
    /// Events of leading missing stages: stage -> key -> (time, seq), oldest first.
    history: HashMap<usize, History, ahash::RandomState>,
    completed: VecDeque<Completed>,
    seq: u64,
    evicted: u64,
    rejected_maxspan: u64,
    /// Partials charged to the run's memory budget.
    charged: usize,
}

/// What a partial sequence is charged to the memory budget: it keeps at least one event.
const PARTIAL_BYTES: usize = 1024;

impl Sequence {
    pub fn new(spec: SequenceSpec) -> Sequence {
        let positive = (0..spec.stages.len()).filter(|i| !spec.stages[*i].missing).collect();
        Sequence {
            spec,
            positive,
            partials: HashMap::default(),
            partial_count: 0,
            history: HashMap::default(),
            completed: VecDeque::new(),
            seq: 0,
            evicted: 0,
            rejected_maxspan: 0,
            charged: 0,
        }
    }

    fn first_positive(&self) -> usize {
        self.positive[0]
    }

    fn last_positive(&self) -> usize {
        self.positive[self.positive.len() - 1]
    }

    fn previous_positive(&self, stage: usize) -> Option<usize> {
        self.positive.iter().rev().find(|p| **p < stage).copied()
    }

    fn trailing_count(&self) -> usize {
        self.spec.stages.len() - 1 - self.last_positive()
    }

    fn exceeds_maxspan(&self, start: Option<i64>, now: Option<i64>) -> bool {
        match (self.spec.maxspan, start, now) {
            (Some(span), Some(a), Some(b)) => b - a > span,
            _ => false,
        }
    }

    fn process(&mut self, event: Event) {
        let seq = self.seq;
        self.seq += 1;
        let now = event.doc.as_ref().and_then(|d| d.time_ns);
        let semantics = self.spec.semantics;
        let matches = |filter: &StageFilter| filter.matches(&event);

        if semantics.until_before_stages() {
            self.apply_until(&event);
        }

        // Missing-event stages: advance the fill of gaps, of pending trailing checks, and
        // remember leading ones.
        for m in 0..self.spec.stages.len() {
            if !self.spec.stages[m].missing || !matches(&self.spec.stages[m].filter) {
                continue;
            }
            for key in keys_of(&self.spec.stages[m].keys, &event, &semantics) {
                match self.previous_positive(m) {
                    Some(prev) if prev != self.last_positive() => {
                        if let Some(groups) = self.partials.get_mut(&key) {
                            for partial in groups[prev].iter_mut() {
                                partial.tainted = true;
                            }
                        }
                    }
                    Some(prev) => {
                        let position = m - prev - 1;
                        let trailing = self.trailing_count();
                        for done in self.completed.iter_mut() {
                            let Some(deadline) = done.deadline else { continue };
                            let in_window = now.is_none_or(|t| t <= deadline);
                            if done.key == key
                                && seq > done.partial.last_seq
                                && in_window
                                && done.trailing_filled == position
                            {
                                done.trailing_filled += 1;
                                if done.trailing_filled == trailing {
                                    done.dropped = true;
                                }
                            }
                        }
                    }
                    None => self
                        .history
                        .entry(m)
                        .or_default()
                        .entry(key)
                        .or_default()
                        .push_back((now, seq)),
                }
            }
        }

        // Positive stages, last first.
        let mut finished: Vec<(Vec<Value>, Partial)> = Vec::new();
        for index in (0..self.positive.len()).rev() {
            let stage = self.positive[index];
            if !matches(&self.spec.stages[stage].filter) {
                continue;
            }
            for key in keys_of(&self.spec.stages[stage].keys, &event, &semantics) {
                let partial = if stage == self.first_positive() {
                    let mut events = vec![None; self.spec.stages.len()];
                    events[stage] = Some(event.clone());
                    Partial {
                        events,
                        start_ns: now,
                        start_seq: seq,
                        last_ns: now,
                        last_seq: seq,
                        tainted: false,
                    }
                } else {
                    let Some(prev) = self.previous_positive(stage) else {
                        continue;
                    };
                    let fork = self.spec.stages[stage].fork;
                    let Some(groups) = self.partials.get_mut(&key) else {
                        continue;
                    };
                    let list = &mut groups[prev];
                    let Some(mut partial) = (if fork { list.last().cloned() } else { list.pop() }) else {
                        continue;
                    };
                    if !fork {
                        // The latest partial is extended; older ones of this stage are dropped.
                        self.partial_count -= 1 + list.len();
                        list.clear();
                    }
                    if self.exceeds_maxspan(partial.start_ns, now) {
                        self.rejected_maxspan += 1;
                        continue;
                    }
                    if partial.tainted {
                        // An event of a missing stage fell in this gap: the sequence is dropped.
                        continue;
                    }
                    partial.events[stage] = Some(event.clone());
                    partial.last_ns = now;
                    partial.last_seq = seq;
                    partial
                };
                if stage == self.last_positive() {
                    finished.push((key, partial));
                } else {
                    let stages = self.spec.stages.len();
                    let groups = self.partials.entry(key).or_insert_with(|| vec![Vec::new(); stages]);
                    if !semantics.keeps_every_partial() {
                        self.partial_count -= groups[stage].len();
                        groups[stage].clear();
                    }
                    groups[stage].push(partial);
                    self.partial_count += 1;
                }
            }
        }
        finished.sort_by_key(|(_, p)| p.start_seq);
        for (key, partial) in finished {
            self.complete(key, partial);
        }
        if !semantics.until_before_stages() {
            self.apply_until(&event);
        }
        self.enforce_limits(now);
    }

    /// `until`: a key's partial sequences end. In Elasticsearch this runs after the event's own
    /// stages, so the `until` event may still complete a sequence, while a partial it extended
    /// or started cannot be extended across it.
    fn apply_until(&mut self, event: &Event) {
        let Some(until) = &self.spec.until else { return };
        if !until.filter.matches(event) {
            return;
        }
        for key in keys_of(&until.keys, event, &self.spec.semantics) {
            let Some(groups) = self.partials.get_mut(&key) else {
                continue;
            };
            for list in groups.iter_mut() {
                let before = list.len();
                list.clear();
                self.partial_count -= before;
            }
            if groups.iter().all(Vec::is_empty) {
                self.partials.remove(&key);
            }
        }
    }

    /// A sequence whose positive stages all matched (and whose middle missing-event stages saw
    /// no event in their gaps). With leading or trailing missing-event stages it is dropped
    /// when all of them can be filled by real events with its key, in order, with the whole
    /// filled sequence fitting in maxspan.
    fn complete(&mut self, key: Vec<Value>, partial: Partial) {
        let first = self.first_positive();
        if first == 0 && self.trailing_count() == 0 {
            self.completed.push_back(Completed {
                key,
                partial,
                deadline: None,
                trailing_filled: 0,
                dropped: false,
            });
            return;
        }
        // Leading stages: the latest chain of events before the first positive one.
        let mut lead_ns = partial.start_ns;
        let mut before_seq = partial.start_seq;
        for m in (0..first).rev() {
            let found = self
                .history
                .get(&m)
                .and_then(|h| h.get(&key))
                .and_then(|times| times.iter().rev().find(|(_, s)| *s < before_seq).copied());
            match found {
                Some((t, s)) => {
                    lead_ns = t;
                    before_seq = s;
                }
                None => return self.keep(key, partial),
            }
        }
        if self.exceeds_maxspan(lead_ns, partial.last_ns) {
            return self.keep(key, partial);
        }
        if self.trailing_count() == 0 {
            return; // every missing stage filled: the sequence is dropped
        }
        let deadline = match (self.spec.maxspan, lead_ns) {
            (Some(span), Some(start)) => start + span,
            _ => i64::MAX,
        };
        self.completed.push_back(Completed {
            key,
            partial,
            deadline: Some(deadline),
            trailing_filled: 0,
            dropped: false,
        });
    }

    fn keep(&mut self, key: Vec<Value>, partial: Partial) {
        self.completed.push_back(Completed {
            key,
            partial,
            deadline: None,
            trailing_filled: 0,
            dropped: false,
        });
    }

    /// Memory bounds: partials that can no longer fit in maxspan go; without maxspan, the
    /// oldest go once there are too many.
    fn enforce_limits(&mut self, now: Option<i64>) {
        if self.seq.is_multiple_of(1024) {
            if let (Some(span), Some(now)) = (self.spec.maxspan, now) {
                let mut removed = 0;
                self.partials.retain(|_, groups| {
                    for list in groups.iter_mut() {
                        let before = list.len();
                        list.retain(|p| p.start_ns.is_none_or(|s| now - s <= span));
                        removed += before - list.len();
                    }
                    groups.iter().any(|l| !l.is_empty())
                });
                self.partial_count -= removed;
                for per_key in self.history.values_mut() {
                    per_key.retain(|_, times| {
                        while times.front().is_some_and(|(t, _)| t.is_some_and(|t| now - t > span)) {
                            times.pop_front();
                        }
                        !times.is_empty()
                    });
                }
            }
        }
        if self.partial_count > self.spec.max_partials {
            // Evict the oldest partial sequences.
            let mut all: Vec<(u64, Vec<Value>)> = Vec::new();
            for (key, groups) in &self.partials {
                for list in groups {
                    for p in list {
                        all.push((p.start_seq, key.clone()));
                    }
                }
            }
            all.sort_by_key(|(s, _)| *s);
            let excess = self.partial_count - self.spec.max_partials / 2;
            let cutoff = all.get(excess.saturating_sub(1)).map(|(s, _)| *s).unwrap_or(0);
            let mut removed = 0;
            self.partials.retain(|_, groups| {
                for list in groups.iter_mut() {
                    let before = list.len();
                    list.retain(|p| p.start_seq > cutoff);
                    removed += before - list.len();
                }
                groups.iter().any(|l| !l.is_empty())
            });
            self.partial_count -= removed;
            self.evicted += removed as u64;
        }
    }

    /// Completed sequences whose checks are over, in completion order.
    fn release(&mut self, now: Option<i64>, at_end: bool, out: &mut Vec<Event>) {
        while let Some(front) = self.completed.front() {
            let ready = at_end
                || front.dropped
                || match (front.deadline, now) {
                    (None, _) => true,
                    (Some(deadline), Some(t)) => t > deadline,
                    (Some(_), None) => false,
                };
            if !ready {
                break;
            }
            let Some(done) = self.completed.pop_front() else { break };
            if !done.dropped {
                out.push(Event::group(Group {
                    join_keys: done.key,
                    events: done.partial.events,
                }));
            }
        }
    }
}

impl Operator for Sequence {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let mut out = Vec::new();
        for event in batch.drain(..) {
            let now = event.doc.as_ref().and_then(|d| d.time_ns);
            self.process(event);
            self.release(now, false, &mut out);
        }
        *batch = out;
        // Partials held since the last batch are charged; those gone are given back.
        let held = self.partial_count;
        if held > self.charged {
            if !ctx.limits.charge((held - self.charged) * PARTIAL_BYTES, "sequence") {
                batch.clear();
                return Flow::Stop;
            }
        } else {
            ctx.limits.release((self.charged - held) * PARTIAL_BYTES);
        }
        self.charged = held;
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        self.release(None, true, out);
    }

    fn account(&self, acc: &mut Accounting) {
        acc.evicted_partials += self.evicted;
        if self.evicted > 0 {
            acc.note(format!(
                "sequence: {} partial sequence(s) evicted to stay under the limit of {} (use with maxspan, or raise --max-partials)",
                self.evicted, self.spec.max_partials
            ));
        }
    }
}
