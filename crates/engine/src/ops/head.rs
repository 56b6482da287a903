//! `head` and `tail`.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::Event;
use crate::limits::event_bytes;
use crate::plan::HeadSpec;
use crate::value::Value;
use std::collections::VecDeque;

pub struct Head {
    spec: HeadSpec,
    seen: usize,
    done: bool,
    /// Events that reached `head` after it had its results (input not read is not counted).
    cut: u64,
}

impl Head {
    pub fn new(spec: HeadSpec) -> Head {
        Head {
            spec,
            seen: 0,
            done: false,
            cut: 0,
        }
    }
}

impl Operator for Head {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if self.done {
            self.cut += batch.len() as u64;
            batch.clear();
            return Flow::Stop;
        }
        let mut keep = 0;
        for event in batch.iter() {
            if let Some(limit) = self.spec.limit {
                if self.seen >= limit {
                    self.done = true;
                    break;
                }
            }
            if let Some(condition) = &self.spec.condition {
                let ok = match condition.eval(event, &ctx.eval) {
                    Value::Bool(b) => b,
                    _ => self.spec.null_is_true,
                };
                if !ok {
                    self.done = true;
                    if self.spec.keep_last {
                        keep += 1;
                    }
                    break;
                }
            }
            self.seen += 1;
            keep += 1;
        }
        self.cut += batch.len().saturating_sub(keep) as u64;
        batch.truncate(keep);
        if let Some(limit) = self.spec.limit {
            if self.seen >= limit {
                self.done = true;
            }
        }
        if self.done {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    fn account(&self, acc: &mut Accounting) {
        acc.truncated += self.cut;
    }
}

/// The last N results (`tail`): reversed in SPL, in order in EQL.
pub struct Tail {
    n: usize,
    held: VecDeque<Event>,
    /// SPL's `tail` returns the last results in reverse order; EQL's keeps their order.
    reversed: bool,
}

impl Tail {
    /// SPL's `tail`: the last `n` results, in reverse order.
    pub fn new(n: usize) -> Tail {
        Tail {
            n,
            held: VecDeque::new(),
            reversed: true,
        }
    }

    /// The last `n` results in the order they came (EQL's `tail`).
    pub fn in_order(n: u64) -> Tail {
        Tail {
            reversed: false,
            ..Tail::new(n.min(usize::MAX as u64) as usize)
        }
    }
}

impl Operator for Tail {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        for event in batch.drain(..) {
            if self.n == 0 {
                break;
            }
            if self.held.len() == self.n {
                if let Some(old) = self.held.pop_front() {
                    ctx.limits.release(event_bytes(&old));
                }
            }
            if !ctx.limits.charge(event_bytes(&event), "tail") {
                return Flow::Stop;
            }
            self.held.push_back(event);
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        if self.reversed {
            out.extend(self.held.drain(..).rev());
        } else {
            out.extend(self.held.drain(..));
        }
    }
}
