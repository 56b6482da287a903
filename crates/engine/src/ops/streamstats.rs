//! `streamstats`: each event passes through with the aggregates of the events seen so far
//! added to it, in the order the events arrive.
//!
//! Without a window the state is one set of running aggregates per group. With `window=N` or
//! `time_window=` the events of the window are held (only what the aggregations read), each
//! group's apart, and each event's aggregates are computed afresh over its group's held events,
//! so the work per event grows with what the window holds. `global=true` (the default) bounds
//! the events held across all groups (the last N events of all, aggregated for the current
//! group), `global=false` within each group. A time window holds at most Splunk's `max_stream_window` events, and
//! needs its events in time order, ascending or descending: Splunk fails the search otherwise,
//! and Quarry stops at the first event out of order and says so.
//!
//! An event whose by-field is null joins no group and passes unchanged. `reset_on_change`,
//! `reset_before` and `reset_after` forget everything seen so far, windows included.

use super::agg_slots::{Inputs, Slots};
use super::aggregate::group_keys;
use super::{Accounting, Flow, Operator, RunContext};
use crate::event::{Event, Name};
use crate::plan::StreamStatsSpec;
use crate::time::format_time;
use crate::value::Value;
use indexmap::IndexMap;
use std::cmp::Ordering;
use std::collections::VecDeque;

type Key = Vec<Value>;

/// An event held in a window: the inputs its aggregations read, and its place in arrival order.
struct Held {
    seq: u64,
    inputs: Inputs,
}

pub struct StreamStats {
    spec: StreamStatsSpec,
    /// Without a window: each group's running aggregates.
    running: IndexMap<Key, Slots, ahash::RandomState>,
    /// With a window: each group's held events, oldest first.
    windows: IndexMap<Key, VecDeque<Held>, ahash::RandomState>,
    /// Every held event in arrival order with its time and group, when events leave by time or
    /// by a global count; entries whose event already left are skipped.
    arrivals: VecDeque<(u64, Option<f64>, Key)>,
    /// Events held in all windows.
    held: usize,
    next_seq: u64,
    previous: Option<Vec<Key>>,
    order: TimeDirection,
    /// Events without a time, passed unchanged by a time window.
    untimed: u64,
    /// Why the command stopped (events out of time order under `time_window`).
    stopped: Option<String>,
}

impl StreamStats {
    pub fn new(spec: StreamStatsSpec) -> StreamStats {
        StreamStats {
            spec,
            running: IndexMap::default(),
            windows: IndexMap::default(),
            arrivals: VecDeque::new(),
            held: 0,
            next_seq: 0,
            previous: None,
            order: TimeDirection::default(),
            untimed: 0,
            stopped: None,
        }
    }

    fn reset(&mut self) {
        self.running.clear();
        self.windows.clear();
        self.arrivals.clear();
        self.held = 0;
    }

    /// Adds the running aggregates to `event`; false when the command must stop here.
    fn process(&mut self, event: &mut Event, ctx: &RunContext) -> bool {
        let keys = group_keys(&self.spec.by, event);
        if keys.is_empty() {
            return true;
        }
        let time = event.time();
        if let Some(span) = self.spec.time_window {
            let Some(t) = time else {
                self.untimed += 1;
                return true;
            };
            if let Err(previous) = self.order.admit(t) {
                self.stopped = Some(format!(
                    "streamstats stopped: time_window needs events in time order, and an event at {} came after one at {} \
                     (Splunk fails the search: \"time_window can only be used on input that is sorted in time order\"); \
                     sort on _time before streamstats",
                    format_time(t),
                    format_time(previous)
                ));
                return false;
            }
            self.expire(t, span);
        }
        if self.spec.reset_on_change && self.previous.as_ref().is_some_and(|p| *p != keys) {
            self.reset();
        }
        if self
            .spec
            .reset_before
            .as_ref()
            .is_some_and(|e| is_true(e.eval(event, &ctx.eval)))
        {
            self.reset();
        }
        let inputs = Inputs::read(&self.spec.aggregations, &self.spec.by, event, ctx);
        for key in &keys {
            let results = match self.spec.window_limit() {
                None => self.running_results(key, &inputs),
                Some(limit) => self.window_results(key, &inputs, limit),
            };
            for (name, value) in results {
                if !value.is_null() {
                    event.set(name, value);
                }
            }
        }
        self.previous = Some(keys);
        if self
            .spec
            .reset_after
            .as_ref()
            .is_some_and(|e| is_true(e.eval(event, &ctx.eval)))
        {
            self.reset();
        }
        true
    }

    fn running_results(&mut self, key: &Key, inputs: &Inputs) -> Vec<(Name, Value)> {
        let specs = &self.spec.aggregations;
        let slots = self.running.entry(key.clone()).or_insert_with(|| Slots::new(specs));
        if self.spec.current {
            slots.add(specs, inputs);
            slots.results(specs, self.spec.allnum)
        } else {
            let results = slots.results(specs, self.spec.allnum);
            slots.add(specs, inputs);
            results
        }
    }

    fn window_results(&mut self, key: &Key, inputs: &Inputs, limit: usize) -> Vec<(Name, Value)> {
        if self.spec.current {
            self.hold(key, inputs, limit);
            self.aggregate(key)
        } else {
            let results = self.aggregate(key);
            self.hold(key, inputs, limit);
            results
        }
    }

    /// The aggregates of the events `key`'s window holds.
    fn aggregate(&self, key: &Key) -> Vec<(Name, Value)> {
        let specs = &self.spec.aggregations;
        let mut slots = Slots::new(specs);
        if let Some(window) = self.windows.get(key) {
            for held in window {
                slots.add(specs, &held.inputs);
            }
        }
        slots.results(specs, self.spec.allnum)
    }

    /// Puts an event in `key`'s window, then lets the oldest events go past the limit: across
    /// all groups when the window is global, within the group otherwise.
    fn hold(&mut self, key: &Key, inputs: &Inputs, limit: usize) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let global = self.spec.global;
        if global || self.spec.time_window.is_some() {
            self.arrivals.push_back((seq, inputs.time, key.clone()));
        }
        let window = self.windows.entry(key.clone()).or_default();
        window.push_back(Held {
            seq,
            inputs: inputs.clone(),
        });
        let over = !global && window.len() > limit;
        if over {
            window.pop_front();
        } else {
            self.held += 1;
        }
        if global {
            while self.held > limit && self.drop_oldest() {}
        }
    }

    /// Lets go of the events more than `span` seconds away from `now`.
    fn expire(&mut self, now: f64, span: f64) {
        while let Some(&(_, Some(t), _)) = self.arrivals.front() {
            if (now - t).abs() < span {
                break;
            }
            self.drop_oldest();
        }
    }

    /// Lets go of the oldest held event; false when nothing is held.
    fn drop_oldest(&mut self) -> bool {
        while let Some((seq, _, key)) = self.arrivals.pop_front() {
            let Some(window) = self.windows.get_mut(&key) else {
                continue;
            };
            if window.front().is_some_and(|h| h.seq == seq) {
                window.pop_front();
                self.held -= 1;
                if window.is_empty() {
                    self.windows.swap_remove(&key);
                }
                return true;
            }
        }
        false
    }
}

fn is_true(value: Value) -> bool {
    matches!(value, Value::Bool(true))
}

/// Which way event times run: set by the first two times that differ, then held to.
#[derive(Default)]
struct TimeDirection {
    last: Option<f64>,
    direction: Option<Ordering>,
}

impl TimeDirection {
    /// Accepts `t` if it keeps the order; otherwise gives the time it came after.
    fn admit(&mut self, t: f64) -> Result<(), f64> {
        if let Some(last) = self.last {
            let step = t.total_cmp(&last);
            match (self.direction, step) {
                (_, Ordering::Equal) => {}
                (None, step) => self.direction = Some(step),
                (Some(d), step) if d != step => return Err(last),
                _ => {}
            }
        }
        self.last = Some(t);
        Ok(())
    }
}

impl Operator for StreamStats {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if self.stopped.is_some() {
            batch.clear();
            return Flow::Stop;
        }
        let mut keep = batch.len();
        for (n, event) in batch.iter_mut().enumerate() {
            if !self.process(event, ctx) {
                keep = n;
                break;
            }
        }
        batch.truncate(keep);
        if self.stopped.is_some() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    fn account(&self, acc: &mut Accounting) {
        if self.untimed > 0 {
            acc.note(format!(
                "streamstats time_window: {} event(s) without a time passed without the running aggregates",
                self.untimed
            ));
        }
        if let Some(why) = &self.stopped {
            acc.note(why.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FieldMap;
    use crate::plan::{AggFunc, AggInput, AggSpec};

    fn spec() -> StreamStatsSpec {
        StreamStatsSpec {
            aggregations: vec![AggSpec {
                func: AggFunc::Count,
                input: AggInput::Events,
                output: "count".into(),
            }],
            by: vec![Name::from("g")],
            current: true,
            window: 0,
            time_window: None,
            global: true,
            reset_on_change: false,
            reset_before: None,
            reset_after: None,
            allnum: false,
        }
    }

    fn event(time: i64, group: i64) -> Event {
        let mut fields = FieldMap::default();
        fields.insert(Name::from("_time"), Value::Int(time));
        fields.insert(Name::from("g"), Value::Int(group));
        Event::row(fields)
    }

    fn feed(op: &mut StreamStats, events: impl IntoIterator<Item = Event>) -> Vec<Value> {
        let mut batch: Vec<Event> = events.into_iter().collect();
        op.push(&mut batch, &RunContext::new(0.0));
        batch.iter().map(|e| e.get("count")).collect()
    }

    #[test]
    fn a_time_window_lets_go_of_events_outside_it_in_every_group() {
        let mut op = StreamStats::new(StreamStatsSpec {
            time_window: Some(60.0),
            global: false,
            ..spec()
        });
        // A thousand groups, one event a second each: only the last minute stays held.
        feed(&mut op, (0..1000).map(|t| event(t, t)));
        assert_eq!(op.held, 60);
        assert_eq!(op.windows.len(), 60);
        assert!(op.arrivals.len() <= 60);
    }

    #[test]
    fn a_global_window_holds_the_last_n_events_of_all_groups() {
        let mut op = StreamStats::new(StreamStatsSpec { window: 3, ..spec() });
        let counts = feed(
            &mut op,
            [event(0, 1), event(1, 1), event(2, 2), event(3, 2), event(4, 2)],
        );
        assert_eq!(counts, [1, 2, 1, 2, 3].map(Value::Int));
        assert_eq!((op.held, op.windows.len()), (3, 1));
        feed(&mut op, (5..100).map(|t| event(t, t)));
        assert_eq!((op.held, op.windows.len()), (3, 3));
    }

    #[test]
    fn a_window_per_group_holds_the_last_n_events_of_each() {
        let mut op = StreamStats::new(StreamStatsSpec {
            window: 2,
            global: false,
            ..spec()
        });
        let counts = feed(&mut op, (0..30).map(|t| event(t, t % 3)));
        assert_eq!(counts[..6], [1, 1, 1, 2, 2, 2].map(Value::Int));
        assert_eq!((op.held, op.windows.len()), (6, 3));
        assert!(
            op.arrivals.is_empty(),
            "no arrival order is kept without a global or time limit"
        );
    }

    #[test]
    fn a_time_window_caps_its_events_at_max_stream_window() {
        let mut op = StreamStats::new(StreamStatsSpec {
            time_window: Some(1e9),
            ..spec()
        });
        // One group per event keeps each aggregate cheap; the cap is on the one global window.
        feed(&mut op, (0..10_005).map(|t| event(t, t)));
        assert_eq!((op.held, op.windows.len()), (10_000, 10_000));
        let counts = feed(&mut op, [event(10_005, 10_004)]);
        assert_eq!(counts, [Value::Int(2)]);
    }

    #[test]
    fn times_may_run_either_way_but_not_both() {
        let mut up = TimeDirection::default();
        assert!([1.0, 1.0, 2.0, 5.0, 5.0].iter().all(|t| up.admit(*t).is_ok()));
        assert_eq!(up.admit(4.0), Err(5.0));
        let mut down = TimeDirection::default();
        assert!([5.0, 5.0, 3.0].iter().all(|t| down.admit(*t).is_ok()));
        assert_eq!(down.admit(3.5), Err(3.0));
    }
}
