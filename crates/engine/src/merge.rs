//! Reading several inputs as one stream in time order: each input is read on a thread of its
//! own and the streams are merged by event time, the way an index hands a search the events
//! of many files in time order. Logs are nearly in order within a file, so taking the oldest
//! head of all inputs gives a stream that a small reorder window puts fully in order.

use crate::event::Event;
use crate::input::{read_one, BadLine, Flow, ReadOptions, ReadSummary};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};

/// The most inputs read at once; beyond it inputs are read one after another, oldest first.
pub const MAX_MERGED_INPUTS: usize = 64;

/// Batches each reader may have waiting before it blocks.
const LANE_DEPTH: usize = 4;

enum Message {
    Events(Vec<Event>),
    Bad(BadLine),
    Done(Box<ReadSummary>),
}

/// One input's stream as the merge sees it.
struct Lane {
    messages: Receiver<Message>,
    waiting: VecDeque<Event>,
    summary: Option<ReadSummary>,
}

impl Lane {
    fn finished(&self) -> bool {
        self.summary.is_some()
    }

    /// The time the next event of this input is ordered by; events without a time go first.
    fn head_time(&self) -> Option<i64> {
        self.waiting
            .front()
            .map(|e| e.doc.as_ref().and_then(|d| d.time_ns).unwrap_or(i64::MIN))
    }
}

/// Reads `paths` concurrently and hands their events to `consume` merged by time.
pub(crate) fn read_merged(
    paths: &[String],
    opts: &ReadOptions,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> ReadSummary {
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let mut lanes: Vec<Lane> = Vec::with_capacity(paths.len());
        for path in paths {
            let (sender, messages) = sync_channel::<Message>(LANE_DEPTH);
            let stop = &stop;
            scope.spawn(move || {
                let mut summary = ReadSummary {
                    inputs: 1,
                    ..ReadSummary::default()
                };
                let bad_sender = sender.clone();
                let mut on_bad = |bad: &BadLine| match bad_sender.send(Message::Bad(bad.clone())) {
                    Ok(()) if !stop.load(Ordering::Relaxed) => Flow::Continue,
                    _ => Flow::Stop,
                };
                let mut consume = |batch: Vec<Event>| match sender.send(Message::Events(batch)) {
                    Ok(()) if !stop.load(Ordering::Relaxed) => Flow::Continue,
                    _ => Flow::Stop,
                };
                if read_one(path, opts, &mut summary, &mut on_bad, &mut consume) == Flow::Stop {
                    summary.stopped_early = true;
                }
                let _ = sender.send(Message::Done(Box::new(summary)));
            });
            lanes.push(Lane {
                messages,
                waiting: VecDeque::new(),
                summary: None,
            });
        }
        let stopped = merge(&mut lanes, opts.batch_size, on_bad, consume);
        if stopped {
            stop.store(true, Ordering::Relaxed);
        }
        // Let every reader finish (they stop at their next batch) and collect what they read.
        for lane in &mut lanes {
            while !lane.finished() {
                match lane.messages.recv() {
                    Ok(Message::Done(summary)) => lane.summary = Some(*summary),
                    Ok(_) => {}
                    Err(_) => lane.summary = Some(ReadSummary::default()),
                }
            }
        }
        let mut total = ReadSummary::default();
        for lane in lanes {
            add(&mut total, lane.summary.unwrap_or_default());
        }
        total.stopped_early = stopped;
        total
    })
}

/// Emits the oldest waiting event of all inputs until every input is done; true when the
/// consumer (or a bad line under `--strict`) stopped it.
fn merge(
    lanes: &mut [Lane],
    batch_size: usize,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> bool {
    let mut out = Vec::with_capacity(batch_size);
    loop {
        // Every input that is still being read needs an event waiting before the oldest
        // can be chosen.
        for lane in lanes.iter_mut() {
            while lane.waiting.is_empty() && !lane.finished() {
                match lane.messages.recv() {
                    Ok(Message::Events(batch)) => lane.waiting.extend(batch),
                    Ok(Message::Bad(bad)) => {
                        if on_bad(&bad) == Flow::Stop {
                            return true;
                        }
                    }
                    Ok(Message::Done(summary)) => lane.summary = Some(*summary),
                    Err(_) => lane.summary = Some(ReadSummary::default()),
                }
            }
        }
        let oldest = lanes
            .iter()
            .enumerate()
            .filter_map(|(k, lane)| lane.head_time().map(|t| (t, k)))
            .min();
        let Some((_, k)) = oldest else {
            break;
        };
        if let Some(event) = lanes[k].waiting.pop_front() {
            out.push(event);
        }
        if out.len() >= batch_size && consume(std::mem::take(&mut out)) == Flow::Stop {
            return true;
        }
    }
    !out.is_empty() && consume(out) == Flow::Stop
}

fn add(total: &mut ReadSummary, part: ReadSummary) {
    total.inputs += part.inputs;
    total.lines += part.lines;
    total.events += part.events;
    total.bad_lines += part.bad_lines;
    total.oversized_lines += part.oversized_lines;
    for bad in part.first_bad {
        if total.first_bad.len() < 10 {
            total.first_bad.push(bad);
        }
    }
    total.errors.extend(part.errors);
}
