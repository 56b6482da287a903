//! Running a plan over the events in memory: batch by batch through the operators, checking
//! between batches whether Ctrl-C asked to stop, and counting what each stage takes in and
//! lets out (what `.explain` shows). The operators are driven as `Pipeline` drives them: a
//! stage that has all it needs (`head`) stops the feeding, and at the end every stage from it
//! on flushes what it held back through the stages after it.

use super::load::{thousands, Source};
use super::store::Batches;
use quarry_engine::event::Event;
use quarry_engine::ops::{build, Accounting, Flow, Operator, RunContext};
use quarry_engine::plan::Plan;
use quarry_engine::projection::Projection;
use quarry_engine::subsearch::SubsearchRunner;
use std::collections::VecDeque;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Events per batch.
const BATCH: usize = 1024;

/// How a run may be stopped and watched.
pub struct Control<'a> {
    /// Set by Ctrl-C.
    pub cancel: &'a AtomicBool,
    /// Feed one event at a time and wait this long before each (makes a small log slow
    /// enough to interrupt).
    pub pause: Option<Duration>,
    /// Show a progress line on stderr while a long run goes on.
    pub progress: bool,
}

/// What one stage of the plan did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StageStats {
    pub events_in: u64,
    pub events_out: u64,
    pub busy: Duration,
}

/// What a run gave.
#[derive(Debug, Default)]
pub struct Outcome {
    pub results: Vec<Event>,
    pub ops: Accounting,
    pub stages: Vec<StageStats>,
    /// Events fed to the first stage.
    pub fed: u64,
    pub cancelled: bool,
    pub elapsed: Duration,
}

/// The loaded events in the order a run reads them: source after source, or, for plans
/// that put events in time order as they stream (EQL), merged by time across sources as
/// several files are read at once. Each source's lines are parsed again as they are needed,
/// in the background, a batch ahead.
pub struct Feed<'a> {
    sources: &'a [Source],
    merge: bool,
    size: usize,
    /// The fields the run reads, learned as it goes; `None` parses every line whole.
    projection: Option<Arc<Projection>>,
    /// Each source's reading, started when its events are first needed.
    readings: Vec<Option<Batches>>,
    /// Events read from each source and not yet fed.
    pending: Vec<VecDeque<Event>>,
    /// Sources read to their end.
    done: Vec<bool>,
    /// Without merging: the source being fed.
    current: usize,
}

impl<'a> Feed<'a> {
    /// A feed for one run, parsing each line for the fields the run reads.
    pub fn new(sources: &'a [Source], merge: bool, size: usize) -> Feed<'a> {
        Feed::with(sources, merge, size, Some(Arc::new(Projection::new())))
    }

    /// A feed of events parsed whole.
    pub fn whole(sources: &'a [Source], size: usize) -> Feed<'a> {
        Feed::with(sources, false, size, None)
    }

    fn with(sources: &'a [Source], merge: bool, size: usize, projection: Option<Arc<Projection>>) -> Feed<'a> {
        Feed {
            sources,
            merge: merge && sources.len() > 1,
            size: size.max(1),
            projection,
            readings: sources.iter().map(|_| None).collect(),
            pending: sources.iter().map(|_| VecDeque::new()).collect(),
            done: vec![false; sources.len()],
            current: 0,
        }
    }

    fn time_key(event: &Event) -> i64 {
        event.doc.as_ref().and_then(|d| d.time_ns).unwrap_or(i64::MIN)
    }

    /// The next event of source `k`, reading more of it when none is pending.
    fn head(&mut self, k: usize) -> Option<&Event> {
        while self.pending[k].is_empty() && !self.done[k] {
            let projection = self.projection.clone();
            // Sources read at once are parsed one thread each.
            let parsers = self.merge.then_some(1);
            let reading = self.readings[k].get_or_insert_with(|| self.sources[k].batches(projection, parsers));
            match reading.next() {
                Some(batch) => self.pending[k].extend(batch),
                None => {
                    self.done[k] = true;
                    self.readings[k] = None;
                }
            }
        }
        self.pending[k].front()
    }
}

impl Iterator for Feed<'_> {
    type Item = Vec<Event>;

    fn next(&mut self) -> Option<Vec<Event>> {
        let mut batch = Vec::with_capacity(self.size);
        while batch.len() < self.size {
            if self.merge {
                let mut pick: Option<(usize, i64)> = None;
                for k in 0..self.sources.len() {
                    if let Some(event) = self.head(k) {
                        let key = Feed::time_key(event);
                        if pick.is_none_or(|(_, best)| key < best) {
                            pick = Some((k, key));
                        }
                    }
                }
                let Some((k, _)) = pick else { break };
                batch.extend(self.pending[k].pop_front());
            } else {
                let k = self.current;
                if k >= self.sources.len() {
                    break;
                }
                if self.head(k).is_none() {
                    self.current += 1;
                    continue;
                }
                let take = (self.size - batch.len()).min(self.pending[k].len());
                batch.extend(self.pending[k].drain(..take));
            }
        }
        (!batch.is_empty()).then_some(batch)
    }
}

/// Subsearches of a run over loaded logs read the same logs again.
#[derive(Debug)]
pub struct StoredInputs(pub Vec<Source>);

impl SubsearchRunner for StoredInputs {
    fn run(&self, plan: &Plan, ctx: &RunContext, max: usize) -> Vec<Event> {
        let never = AtomicBool::new(false);
        let control = Control {
            cancel: &never,
            pause: None,
            progress: false,
        };
        let mut results = run(plan, &self.0, false, ctx.clone(), &control).results;
        results.truncate(max);
        results
    }
}

/// The operators of a plan with a count per stage.
struct Stages {
    ops: Vec<Box<dyn Operator>>,
    stats: Vec<StageStats>,
    stopped_at: Option<usize>,
    ctx: RunContext,
}

impl Stages {
    fn new(plan: &Plan, ctx: RunContext) -> Stages {
        Stages {
            ops: plan.ops.iter().map(build).collect(),
            stats: vec![StageStats::default(); plan.ops.len()],
            stopped_at: None,
            ctx,
        }
    }

    /// Runs `batch` through the stages from `from` on; returns `Stop` when a stage has all it
    /// needs.
    fn run_from(&mut self, from: usize, batch: &mut Vec<Event>) -> Flow {
        let mut flow = Flow::Continue;
        for k in from..self.ops.len() {
            if batch.is_empty() {
                break;
            }
            let started = Instant::now();
            self.stats[k].events_in += batch.len() as u64;
            let stop = self.ops[k].push(batch, &self.ctx) == Flow::Stop;
            self.stats[k].events_out += batch.len() as u64;
            self.stats[k].busy += started.elapsed();
            if stop && self.stopped_at.is_none() {
                self.stopped_at = Some(k);
                flow = Flow::Stop;
            }
        }
        flow
    }

    fn finish(&mut self, out: &mut Vec<Event>) {
        let first = self.stopped_at.unwrap_or(0);
        for k in first..self.ops.len() {
            let started = Instant::now();
            let mut held = Vec::new();
            self.ops[k].finish(&mut held, &self.ctx);
            self.stats[k].events_out += held.len() as u64;
            self.stats[k].busy += started.elapsed();
            self.run_from(k + 1, &mut held);
            out.extend(held);
        }
    }

    fn accounting(&self) -> Accounting {
        let mut acc = Accounting::default();
        for op in &self.ops {
            op.account(&mut acc);
        }
        acc
    }
}

/// Runs `plan` over `sources`.
pub fn run(plan: &Plan, sources: &[Source], merge: bool, ctx: RunContext, control: &Control) -> Outcome {
    let started = Instant::now();
    let total: u64 = sources.iter().map(|s| s.events).sum();
    let size = if control.pause.is_some() { 1 } else { BATCH };
    let mut stages = Stages::new(plan, ctx);
    let mut outcome = Outcome::default();
    let mut meter = Meter::new(control.progress, total);
    for mut batch in Feed::new(sources, merge, size) {
        if let Some(pause) = control.pause {
            std::thread::sleep(pause);
        }
        if control.cancel.load(Ordering::Relaxed) {
            outcome.cancelled = true;
            break;
        }
        outcome.fed += batch.len() as u64;
        let flow = stages.run_from(0, &mut batch);
        outcome.results.extend(batch);
        meter.update(outcome.fed);
        if flow == Flow::Stop {
            break;
        }
    }
    if !outcome.cancelled {
        stages.finish(&mut outcome.results);
    }
    meter.clear();
    outcome.ops = stages.accounting();
    outcome.stages = stages.stats;
    outcome.elapsed = started.elapsed();
    outcome
}

/// The progress line of a long run.
struct Meter {
    on: bool,
    total: u64,
    started: Instant,
    last_shown: Option<Instant>,
}

const QUIET_FOR: Duration = Duration::from_millis(500);

impl Meter {
    fn new(on: bool, total: u64) -> Meter {
        Meter {
            on,
            total,
            started: Instant::now(),
            last_shown: None,
        }
    }

    fn update(&mut self, fed: u64) {
        if !self.on || self.started.elapsed() < QUIET_FOR {
            return;
        }
        if self
            .last_shown
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last_shown = Some(Instant::now());
        eprint!(
            "\r\x1b[Krunning: {} of {} events, {:.1} s (Ctrl-C cancels)",
            thousands(fed),
            thousands(self.total),
            self.started.elapsed().as_secs_f64()
        );
        std::io::stderr().flush().ok();
    }

    fn clear(&mut self) {
        if self.last_shown.take().is_some() {
            eprint!("\r\x1b[K");
            std::io::stderr().flush().ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log whose events have times `times` (seconds), each with its number and the log's
    /// name.
    fn source(name: &str, times: &[i64]) -> Source {
        let text: String = times
            .iter()
            .enumerate()
            .map(|(n, t)| format!("{}\n", serde_json::json!({ "_time": t, "n": n, "from": name })))
            .collect();
        super::super::load::from_text(name, &text, &quarry_engine::input::ReadOptions::default())
    }

    fn order(feed: Feed) -> Vec<String> {
        feed.flatten()
            .map(|e| format!("{}{}", e.get("from").display_text(), e.get("n").display_text()))
            .collect()
    }

    #[test]
    fn sources_are_fed_one_after_another_or_merged_by_time() {
        let sources = [source("a", &[1, 5, 6]), source("b", &[2, 3, 9])];
        assert_eq!(
            order(Feed::new(&sources, false, 2)),
            ["a0", "a1", "a2", "b0", "b1", "b2"]
        );
        assert_eq!(
            order(Feed::new(&sources, true, 2)),
            ["a0", "b0", "b1", "a1", "a2", "b2"]
        );
    }

    fn compile(query: &str) -> Plan {
        compile_in(query, quarry_engine::plan::EventOrder::NewestFirst)
    }

    fn compile_in(query: &str, order: quarry_engine::plan::EventOrder) -> Plan {
        let mut sources = quarry_syntax::SourceMap::new();
        let id = sources.add("q", query, quarry_syntax::SourceKind::Query);
        let macros = quarry_syntax::spl::macros::MacroLibrary::new();
        quarry_engine::spl::compile(&mut sources, id, &macros, order)
            .unwrap()
            .plan
    }

    fn control(cancel: &AtomicBool) -> Control<'_> {
        Control {
            cancel,
            pause: None,
            progress: false,
        }
    }

    #[test]
    fn every_stage_is_counted() {
        let sources = [source("a", &(0..3000).collect::<Vec<_>>())];
        let plan = compile("n<100 | stats count by from");
        let cancel = AtomicBool::new(false);
        let outcome = run(&plan, &sources, false, RunContext::new(0.0), &control(&cancel));
        assert_eq!(outcome.results.len(), 1);
        assert_eq!(outcome.results[0].get("count"), quarry_engine::Value::Int(100));
        assert_eq!(outcome.fed, 3000);
        let counts: Vec<(u64, u64)> = outcome.stages.iter().map(|s| (s.events_in, s.events_out)).collect();
        assert_eq!(counts, vec![(3000, 100), (100, 1)]);
    }

    #[test]
    fn head_stops_the_feeding() {
        let sources = [source("a", &(0..5000).collect::<Vec<_>>())];
        let plan = compile_in("| head 3", quarry_engine::plan::EventOrder::Input);
        let cancel = AtomicBool::new(false);
        let outcome = run(&plan, &sources, false, RunContext::new(0.0), &control(&cancel));
        assert_eq!(outcome.results.len(), 3);
        assert!(outcome.fed < 5000, "{}", outcome.fed);
        // The same results as the engine's own pipeline.
        let all: Vec<Event> = sources[0].all_events();
        let (expected, _) = quarry_engine::run::run_events(&plan, all, RunContext::new(0.0));
        let n = |events: &[Event]| events.iter().map(|e| e.get("n").display_text()).collect::<Vec<_>>();
        assert_eq!(n(&outcome.results), n(&expected));
    }

    #[test]
    fn a_cancelled_run_stops_and_says_so() {
        let sources = [source("a", &[1, 2, 3])];
        let plan = compile("| stats count");
        let cancel = AtomicBool::new(true);
        let outcome = run(&plan, &sources, false, RunContext::new(0.0), &control(&cancel));
        assert!(outcome.cancelled);
        assert!(outcome.results.is_empty());
        assert_eq!(outcome.fed, 0);
    }
}
