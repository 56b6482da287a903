//! Running a plan over inputs: read, push through the operators, hand results to a sink, and
//! account for everything on the way.

use crate::event::Event;
pub use crate::input::Flow as ReadFlow;
use crate::input::{read_inputs, BadLine, ReadOptions, ReadSummary};
use crate::ops::{Accounting, Flow, Pipeline, RunContext};
use crate::plan::Plan;

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
    let mut pipeline = Pipeline::new(&plan.ops, ctx);
    let mut results = 0u64;
    let mut counted_sink = |batch: Vec<Event>| {
        results += batch.len() as u64;
        sink(batch);
    };
    let summary = read_inputs(
        inputs,
        read,
        on_bad,
        &mut |batch| match pipeline.push(batch, &mut counted_sink) {
            Flow::Continue => ReadFlow::Continue,
            Flow::Stop => ReadFlow::Stop,
        },
    );
    pipeline.finish(&mut counted_sink);
    RunReport {
        read: summary,
        ops: pipeline.accounting(),
        results,
    }
}

/// Runs `plan` over events already in memory.
pub fn run_events(plan: &Plan, events: Vec<Event>, ctx: RunContext) -> (Vec<Event>, Accounting) {
    let mut pipeline = Pipeline::new(&plan.ops, ctx);
    let mut out = Vec::new();
    pipeline.push(events, &mut |b| out.extend(b));
    pipeline.finish(&mut |b| out.extend(b));
    (out, pipeline.accounting())
}
