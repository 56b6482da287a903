//! Operators: one per plan node, built by one exhaustive `match`. Each takes batches of events
//! and rewrites them in place; blocking operators keep what they need and emit in `finish`.

mod agg_slots;
mod aggregate;
pub(crate) mod aggregators;
mod autobucket;
mod bucket;
mod budget;
mod dedup;
pub mod fieldops;
mod fillnull;
mod filter;
pub(crate) mod head;
mod iplocation;
mod lookup;
mod map;
mod multi;
mod note;
mod outputlookup;
mod project;
mod rename;
mod sort;
mod streamstats;
mod top;
mod transaction;
mod unfold;

use crate::event::Event;
use crate::expr::EvalContext;
use crate::geoip::GeoIp;
use crate::limits::Limits;
use crate::plan::Op;
use std::sync::Arc;

pub use sort::sort_by_keys;

/// Whether more input is wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// This operator needs no more events (`head` has its results).
    Stop,
}

/// What operators may read while running.
#[derive(Clone, Debug)]
pub struct RunContext {
    pub eval: EvalContext,
    pub geoip: Option<Arc<GeoIp>>,
    /// Runs subsearches (`join`, `append`, `[...]` in a search) over the run's inputs.
    pub subsearch: Option<Arc<dyn crate::subsearch::SubsearchRunner>>,
    /// Memory budget and deadline; blocking operators charge what they hold.
    pub limits: Limits,
}

impl RunContext {
    pub fn new(now: f64) -> RunContext {
        RunContext {
            eval: EvalContext::new(now),
            geoip: None,
            subsearch: None,
            limits: Limits::default(),
        }
    }
}

/// What operators tell the user at the end of a run (nothing is lost silently).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Events `stats ... by` dropped because a by-field was null.
    pub dropped_null_by: u64,
    /// Results cut by a limit (`sort` default of 10,000, `head`).
    pub truncated: u64,
    /// Partial sequences evicted to bound memory.
    pub evicted_partials: u64,
    /// One-off notes (`iplocation` without a database).
    pub notes: Vec<String>,
}

impl Accounting {
    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }

    pub fn merge(&mut self, other: &Accounting) {
        self.dropped_null_by += other.dropped_null_by;
        self.truncated += other.truncated;
        self.evicted_partials += other.evicted_partials;
        for note in &other.notes {
            self.note(note.clone());
        }
    }
}

pub trait Operator: Send {
    /// Processes a batch in place: keeps, changes or takes its events.
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow;

    /// End of input: emits whatever was held back, all at once or (while [`Operator::finishing`]
    /// says so) over several calls.
    fn finish(&mut self, _out: &mut Vec<Event>, _ctx: &RunContext) {}

    /// True while `finish` has more to emit.
    fn finishing(&self) -> bool {
        false
    }

    /// Adds what this operator has to report.
    fn account(&self, _acc: &mut Accounting) {}
}

/// Builds the operator for one plan node.
pub fn build(op: &Op) -> Box<dyn Operator> {
    match op {
        Op::Search(s) => Box::new(filter::SearchFilter(s.clone().cheapest_first())),
        Op::Filter(e) => Box::new(filter::ExprFilter(e.clone())),
        Op::Assign(a) => Box::new(filter::Assign(a.clone())),
        Op::Aggregate(spec) => Box::new(aggregate::Aggregate::new(spec.clone())),
        Op::StreamStats(spec) => Box::new(streamstats::StreamStats::new(spec.clone())),
        Op::Bucket(spec) => Box::new(bucket::Bucket(spec.clone())),
        Op::AutoBucket(spec) => Box::new(autobucket::AutoBucket::new(spec.clone())),
        Op::FillNull { value, fields } => Box::new(fillnull::FillNull::new(value.clone(), fields.clone())),
        Op::Project { remove, patterns } => Box::new(project::Project {
            remove: *remove,
            patterns: patterns.clone(),
        }),
        Op::Table(columns) => Box::new(project::Table(columns.clone())),
        Op::Rename(pairs) => Box::new(rename::Rename(pairs.clone())),
        Op::Sort(spec) => Box::new(sort::Sort::new(spec.clone())),
        Op::Head(spec) => Box::new(head::Head::new(spec.clone())),
        Op::Tail(n) => Box::new(head::Tail::new(*n)),
        Op::Dedup(spec) => Box::new(dedup::Dedup::new(spec.clone())),
        Op::IpLocation(spec) => Box::new(iplocation::IpLocation::new(spec.clone())),
        Op::TimeOrder => Box::new(sort::TimeOrder::default()),
        Op::Eql(op) => crate::eql::build(op),
        Op::Unfold(spec) => Box::new(unfold::Unfold::new(spec.clone())),
        Op::Lookup(spec) => Box::new(lookup::Lookup::new(spec.clone())),
        Op::InputLookup(spec) => Box::new(lookup::InputLookup(spec.clone())),
        Op::OutputLookup(spec) => Box::new(outputlookup::OutputLookup::new(spec.clone())),
        Op::Map(spec) => Box::new(map::Map::new(spec.clone())),
        Op::MakeResults { count } => Box::new(lookup::MakeResults(*count)),
        Op::SubsearchFilter(spec) => Box::new(multi::SubsearchFilter::new(spec.clone())),
        Op::Join(spec) => Box::new(multi::Join::new(spec.clone())),
        Op::Append(plan) => Box::new(multi::Append(plan.clone())),
        Op::AppendPipe(plan) => Box::new(multi::AppendPipe::new(plan.clone())),
        Op::Format(spec) => Box::new(multi::Format::new(spec.clone())),
        Op::Transaction(spec) => Box::new(transaction::Transaction::new(spec.clone())),
        Op::Top(spec) => Box::new(top::Top::new(spec.clone())),
        Op::Chart(spec) => Box::new(top::Chart::new(spec.clone())),
        Op::FieldOp(op) => op.build(),
        Op::Note(text) => Box::new(note::Note(text.clone())),
    }
}

/// The operator for `op` when `next` comes after it: a `fillnull` without a field list before
/// a `stats` that reads a fixed set of fields fills (and holds) only those, since nothing after
/// the `stats` sees the others.
fn build_before(op: &Op, next: Option<&Op>) -> Box<dyn Operator> {
    if let (Op::FillNull { value, fields: None }, Some(Op::Aggregate(spec))) = (op, next) {
        if let Some(read) = aggregate::fields_read(spec) {
            return Box::new(fillnull::FillNull::before_reading(value.clone(), read));
        }
    }
    build(op)
}

/// The operators of a chain of plan nodes, each built knowing what comes after it.
pub fn build_chain(ops: &[Op]) -> Vec<Box<dyn Operator>> {
    ops.iter()
        .enumerate()
        .map(|(k, op)| build_before(op, ops.get(k + 1)))
        .collect()
}

/// A chain of operators fed batch by batch.
pub struct Pipeline {
    ops: Vec<Box<dyn Operator>>,
    /// The operator that asked to stop; nothing more is pushed into it.
    stopped_at: Option<usize>,
    pub ctx: RunContext,
}

impl Pipeline {
    pub fn new(ops: &[Op], ctx: RunContext) -> Pipeline {
        Pipeline {
            ops: build_chain(ops),
            stopped_at: None,
            ctx,
        }
    }

    /// Runs a batch through every operator; `sink` gets what comes out the end.
    pub fn push(&mut self, mut batch: Vec<Event>, sink: &mut dyn FnMut(Vec<Event>)) -> Flow {
        if self.stopped_at.is_some() {
            return Flow::Stop;
        }
        let flow = self.run_from(0, &mut batch);
        if !batch.is_empty() {
            sink(batch);
        }
        flow
    }

    fn run_from(&mut self, start: usize, batch: &mut Vec<Event>) -> Flow {
        let mut flow = Flow::Continue;
        for k in start..self.ops.len() {
            if batch.is_empty() {
                break;
            }
            if self.ops[k].push(batch, &self.ctx) == Flow::Stop && self.stopped_at.is_none() {
                self.stopped_at = Some(k);
                flow = Flow::Stop;
            }
        }
        flow
    }

    /// End of input: every operator from the one that stopped (or the first) flushes in turn,
    /// its output flowing through the operators after it.
    pub fn finish(&mut self, sink: &mut dyn FnMut(Vec<Event>)) {
        let first = self.stopped_at.unwrap_or(0);
        for k in first..self.ops.len() {
            // A limit hit while finishing (memory, --timeout) ends the run: no partial answer
            // is passed on.
            if !self.ctx.limits.check_time() {
                return;
            }
            loop {
                let mut out = Vec::new();
                self.ops[k].finish(&mut out, &self.ctx);
                // An operator after this one that has all it wants (`head`) ends its output.
                let mut stopped = false;
                for j in k + 1..self.ops.len() {
                    if out.is_empty() {
                        break;
                    }
                    stopped |= self.ops[j].push(&mut out, &self.ctx) == Flow::Stop;
                }
                if !out.is_empty() && !self.ctx.limits.tripped() {
                    sink(out);
                }
                if stopped || !self.ops[k].finishing() || !self.ctx.limits.check_time() {
                    break;
                }
            }
        }
    }

    pub fn accounting(&self) -> Accounting {
        let mut acc = Accounting::default();
        for op in &self.ops {
            op.account(&mut acc);
        }
        acc
    }
}
