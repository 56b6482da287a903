//! Running a plan over inputs: read, push through the operators, hand results to a sink, and
//! account for everything on the way.

use crate::event::Event;
pub use crate::input::Flow as ReadFlow;
use crate::input::{read_inputs, BadLine, LineFilter, ReadOptions, ReadSummary};
use crate::ops::{Accounting, Flow, Pipeline, RunContext};
use crate::plan::Plan;
use crate::prefilter::{plan_bit, PlanFilters, Prefilter};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Everything a run reports besides its results.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub read: ReadSummary,
    pub ops: Accounting,
    pub results: u64,
}

/// Runs `plan` over `inputs`. Bad lines go to `on_bad` as they are found; results go to `sink`
/// in batches, in result order.
pub fn run(
    plan: &Plan,
    inputs: &[String],
    read: &ReadOptions,
    ctx: RunContext,
    on_bad: &mut dyn FnMut(&BadLine) -> ReadFlow,
    sink: &mut dyn FnMut(Vec<Event>),
) -> RunReport {
    let (summary, mut shares) = run_many(&[plan], inputs, read, &ctx, on_bad, &mut |_, batch| sink(batch));
    let share = shares.pop().unwrap_or_default();
    RunReport {
        read: summary,
        ops: share.ops,
        results: share.results,
    }
}

/// One plan's part of a run over shared input.
#[derive(Clone, Debug, Default)]
pub struct PlanShare {
    /// Events the plan was given: those whose lines its prefilter passed.
    pub events: u64,
    pub ops: Accounting,
    pub results: u64,
    /// Time spent in the plan's operators.
    pub busy: Duration,
}

/// Runs several plans over one reading of `inputs`: each event is read and parsed once and
/// handed to every plan. Results go to `sink` with the index of the plan that produced them.
/// Reading stops early only when every plan has all it needs.
pub fn run_many(
    plans: &[&Plan],
    inputs: &[String],
    read: &ReadOptions,
    ctx: &RunContext,
    on_bad: &mut dyn FnMut(&BadLine) -> ReadFlow,
    sink: &mut dyn FnMut(usize, Vec<Event>),
) -> (ReadSummary, Vec<PlanShare>) {
    let mut pipelines: Vec<Pipeline> = plans.iter().map(|p| Pipeline::new(&p.ops, ctx.clone())).collect();
    // Events are parsed for the fields the plans read, learned as they run; each plan is given
    // only the lines its own prefilter lets through, and a line no plan needs is not parsed.
    let line_filter = match read.prefilter {
        true => Some(PlanFilters::new(
            plans.iter().map(|p| Prefilter::for_plan(p, read.profile.as_deref())),
        ))
        .filter(PlanFilters::filters_anything)
        .map(|filters| LineFilter(Arc::new(move |line: &[u8]| filters.plans(line)))),
        false => None,
    };
    let read = &ReadOptions {
        projection: Some(Arc::new(crate::projection::Projection::new())),
        line_filter,
        ..read.clone()
    };
    let mut shares = vec![PlanShare::default(); plans.len()];
    let mut stopped = vec![false; plans.len()];
    let threads = match read.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let summary = read_inputs(inputs, read, on_bad, &mut |batch| {
        let mut live: Vec<(usize, &mut Pipeline)> =
            pipelines.iter_mut().enumerate().filter(|(k, _)| !stopped[*k]).collect();
        // Each plan's results of this batch, handed to the sink in plan order afterwards.
        let pushed: Vec<Pushed> = if live.len() == 1 {
            // One plan filters the batch in place.
            let (k, pipeline) = &mut live[0];
            let mut events = batch;
            events.retain(|e| wanted_by(e, *k));
            vec![push_one(*k, pipeline, events)]
        } else if threads > 1 {
            let batch = &batch;
            side_by_side(live, &shares, threads, &|k, pipeline| {
                push_one(k, pipeline, events_for(batch, k))
            })
        } else {
            live.into_iter()
                .map(|(k, pipeline)| push_one(k, pipeline, events_for(&batch, k)))
                .collect()
        };
        for done in pushed {
            let plan = done.plan;
            if done.hand_on(&mut shares, sink) == Flow::Stop {
                stopped[plan] = true;
            }
        }
        // A limit hit (memory, --timeout) stops everything: no partial answer is finished.
        if stopped.iter().all(|s| *s) || !ctx.limits.check_time() {
            ReadFlow::Stop
        } else {
            ReadFlow::Continue
        }
    });
    // Blocking commands finish now (sorting, grouping): the plans side by side again.
    let tripped = ctx.limits.tripped();
    let finish = |k: usize, pipeline: &mut Pipeline| {
        let started = Instant::now();
        let mut results = Vec::new();
        if !tripped {
            pipeline.finish(&mut |out| results.push(out));
        }
        Pushed {
            plan: k,
            events: 0,
            results,
            flow: Flow::Stop,
            busy: started.elapsed(),
        }
    };
    let all: Vec<(usize, &mut Pipeline)> = pipelines.iter_mut().enumerate().collect();
    let finished = if threads > 1 && all.len() > 1 {
        side_by_side(all, &shares, threads, &finish)
    } else {
        all.into_iter().map(|(k, pipeline)| finish(k, pipeline)).collect()
    };
    for done in finished {
        done.hand_on(&mut shares, sink);
    }
    for (k, pipeline) in pipelines.iter().enumerate() {
        shares[k].ops = pipeline.accounting();
    }
    let_go_later(pipelines);
    (summary, shares)
}

/// Frees what finished plans still hold (the groups of a `stats`, say: millions of small
/// allocations) on a thread of its own, off the path to the results; a process that exits
/// first lets the system take it back at once.
fn let_go_later(pipelines: Vec<Pipeline>) {
    if pipelines.is_empty() {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("quarry-free".into())
        .spawn(move || drop(pipelines));
    // Without a thread (none could be started), the spawn error is dropped and the pipelines
    // with it, here.
    drop(spawned);
}

/// Runs `work` on every plan, on `threads` threads: each takes the next plan not yet run, the
/// plans that have been busiest so far first, so that the slow ones start at once on threads
/// of their own. The results come back in plan order.
fn side_by_side(
    mut plans: Vec<(usize, &mut Pipeline)>,
    shares: &[PlanShare],
    threads: usize,
    work: &(dyn Fn(usize, &mut Pipeline) -> Pushed + Sync),
) -> Vec<Pushed> {
    // Popped from the end: least busy first in the vector.
    plans.sort_by_key(|(k, _)| shares[*k].busy);
    let count = plans.len();
    let queue = std::sync::Mutex::new(plans);
    let done = std::sync::Mutex::new(Vec::with_capacity(count));
    // On rayon's threads, which live as long as the process: a thread started per batch
    // would start (and abandon) an allocator heap of its own each time.
    rayon::scope(|scope| {
        for _ in 0..threads.min(count) {
            scope.spawn(|_| loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some((k, pipeline)) = next else { break };
                let result = work(k, pipeline);
                if let Ok(mut done) = done.lock() {
                    done.push(result);
                }
            });
        }
    });
    let mut pushed = done.into_inner().unwrap_or_default();
    pushed.sort_by_key(|p| p.plan);
    pushed
}

/// What pushing one batch through one plan gave.
struct Pushed {
    plan: usize,
    /// Events pushed.
    events: u64,
    results: Vec<Vec<Event>>,
    flow: Flow,
    busy: Duration,
}

impl Pushed {
    /// Gives the results to the sink and counts them and the time in the plan's share; the
    /// plan's flow.
    fn hand_on(self, shares: &mut [PlanShare], sink: &mut dyn FnMut(usize, Vec<Event>)) -> Flow {
        let share = &mut shares[self.plan];
        share.busy += self.busy;
        share.events += self.events;
        for out in self.results {
            share.results += out.len() as u64;
            sink(self.plan, out);
        }
        self.flow
    }
}

/// Is `event` one that plan `plan` may keep (its line passed the plan's own prefilter)?
fn wanted_by(event: &Event, plan: usize) -> bool {
    event.doc.as_ref().is_none_or(|doc| doc.plans & plan_bit(plan) != 0)
}

/// The events of `batch` plan `plan` is given: cheap copies (events share their parsed
/// document).
fn events_for(batch: &[Event], plan: usize) -> Vec<Event> {
    batch.iter().filter(|e| wanted_by(e, plan)).cloned().collect()
}

fn push_one(plan: usize, pipeline: &mut Pipeline, events: Vec<Event>) -> Pushed {
    let started = Instant::now();
    let mut results = Vec::new();
    let count = events.len() as u64;
    let flow = pipeline.push(events, &mut |out| results.push(out));
    Pushed {
        plan,
        events: count,
        results,
        flow,
        busy: started.elapsed(),
    }
}

/// Events per batch when running over events in memory.
const EVENTS_PER_BATCH: usize = 1024;

/// Runs `plan` over events already in memory; subsearches run over the same events unless
/// `ctx` says otherwise.
pub fn run_events(plan: &Plan, events: Vec<Event>, mut ctx: RunContext) -> (Vec<Event>, Accounting) {
    if ctx.subsearch.is_none() && plan.has_subsearch() {
        ctx.subsearch = Some(std::sync::Arc::new(crate::subsearch::MemoryInputs(
            std::sync::Arc::new(events.clone()),
        )));
    }
    let limits = ctx.limits.clone();
    let mut pipeline = Pipeline::new(&plan.ops, ctx);
    let mut out = Vec::new();
    // Fed in batches, as from files, so that --timeout is looked at between them.
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let batch: Vec<Event> = events.by_ref().take(EVENTS_PER_BATCH).collect();
        if pipeline.push(batch, &mut |b| out.extend(b)) == Flow::Stop || !limits.check_time() {
            break;
        }
    }
    if !limits.tripped() {
        pipeline.finish(&mut |b| out.extend(b));
    }
    (out, pipeline.accounting())
}
