//! `map`: every input result is held; at the end the search runs once for each of the first
//! `maxsearches` results, with `$field$` replaced by that result's value (`$_serial_id$` by
//! its number, from 1), over the run's inputs as a subsearch does. The results of all the
//! searches, in order, are the output.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::Event;
use crate::lower::multi::{map_plan, substitute_tokens};
use crate::plan::{MapSpec, JOIN_MAXOUT};
use crate::subsearch::run_subsearch;

pub struct Map {
    spec: MapSpec,
    seen: Vec<Event>,
    notes: Vec<String>,
}

impl Map {
    pub fn new(spec: MapSpec) -> Map {
        Map {
            spec,
            seen: Vec::new(),
            notes: Vec::new(),
        }
    }
}

impl Operator for Map {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        self.seen.append(batch);
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, ctx: &RunContext) {
        let seen = std::mem::take(&mut self.seen);
        if seen.len() > self.spec.max {
            self.notes.push(format!(
                "map: {} results, searches run for the first {} (maxsearches={})",
                seen.len(),
                self.spec.max,
                self.spec.max
            ));
        }
        for (n, event) in seen.iter().take(self.spec.max).enumerate() {
            let text = substitute_tokens(&self.spec.template, |name| {
                if name == "_serial_id" {
                    (n + 1).to_string()
                } else {
                    event.get(name).display_text()
                }
            });
            match map_plan(&text, &self.spec.ctx) {
                Ok(plan) => out.extend(run_subsearch(&plan, ctx, JOIN_MAXOUT)),
                Err(d) => self
                    .notes
                    .push(format!("map: search {} not run: {}: {text}", n + 1, d.message)),
            }
        }
    }

    fn account(&self, acc: &mut Accounting) {
        for note in &self.notes {
            acc.note(note.clone());
        }
    }
}
