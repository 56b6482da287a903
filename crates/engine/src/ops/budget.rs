//! Charging the memory budget from commands that hold results until the end (`transaction`,
//! `append`, `format`, `mvcombine`, `top`, ...) or multiply them (`mvexpand`, `join`,
//! `lookup` over multivalue inputs, `makeresults count=`).
//!
//! Holding commands charge what they keep, as `sort` does. A fan-out command charges what it
//! emits beyond its input *before* building it, so a ten-million-value `mvexpand` stops with
//! the limit error instead of allocating; the charge lasts while its output is in flight and
//! is given back when the next batch arrives (by then the output has gone down the pipeline,
//! and any command downstream that keeps it has charged it itself).

use super::RunContext;
use crate::event::Event;

/// What a copy of `event` costs: the copy shares the parsed document and the values (strings
/// and multivalues are reference-counted) and duplicates the table of fields the pipeline
/// wrote.
pub(crate) fn copy_bytes(event: &Event) -> usize {
    64 + 64 * event.fields.len()
}

/// The part of the budget a fan-out command holds for the batch it last emitted.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    charged: usize,
}

impl InFlight {
    /// A new batch arrived: the previous output has gone down the pipeline.
    pub(crate) fn settle(&mut self, ctx: &RunContext) {
        ctx.limits.release(self.charged);
        self.charged = 0;
    }

    /// Charges `bytes` about to be emitted for `what`; false when over budget.
    pub(crate) fn charge(&mut self, bytes: usize, ctx: &RunContext, what: &str) -> bool {
        self.charged = self.charged.saturating_add(bytes);
        ctx.limits.charge(bytes, what)
    }
}

/// How many events a long loop handles between two looks at the deadline.
pub(crate) const CHECK_EVERY: usize = 4096;
