//! `head` and `tail`.

use super::{Flow, Operator, RunContext};
use crate::event::Event;
use crate::plan::HeadSpec;
use crate::value::Value;
use std::collections::VecDeque;

pub struct Head {
    spec: HeadSpec,
    seen: usize,
    done: bool,
}

impl Head {
    pub fn new(spec: HeadSpec) -> Head {
        Head {
            spec,
            seen: 0,
            done: false,
        }
    }
}

impl Operator for Head {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if self.done {
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
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.drain(..) {
            if self.n == 0 {
                break;
            }
            if self.held.len() == self.n {
                self.held.pop_front();
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
