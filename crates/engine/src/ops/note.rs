//! `Op::Note`: events pass unchanged; the note is reported once at the end of the run.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::Event;

pub struct Note(pub String);

impl Operator for Note {
    fn push(&mut self, _batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        Flow::Continue
    }

    fn account(&self, acc: &mut Accounting) {
        acc.note(self.0.clone());
    }
}
