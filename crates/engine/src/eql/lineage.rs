//! Process lineage for endgame's `descendant of`, `child of` and `event of`: trackers follow
//! process creation and termination events and remember which processes descend from (or are)
//! a process that matched the inner query.
//!
//! Processes are identified by `unique_pid` and parents by `unique_ppid`; creation and
//! termination are read from `opcode` (1, 3, 9 create; 2, 4 terminate) as in endgame's data,
//! or from `subtype` (`create`, `fork` / `terminate`).

use super::expr::Scope;
use super::ops::EventFilter;
use crate::event::Event;
use crate::value::Value;
use ast_relation::Relation;
use std::collections::HashSet;

mod ast_relation {
    pub use quarry_syntax::eql::ast::Relation;
}

const PID: &str = "unique_pid";
const PPID: &str = "unique_ppid";

/// One `... of [query]` in a condition.
#[derive(Clone, Debug)]
pub struct LineageSpec {
    pub relation: Relation,
    pub query: EventFilter,
    /// Recognises process events (category `process`).
    pub process: EventFilter,
}

#[derive(Default, Debug)]
struct Tracker {
    /// Processes that matched the inner query.
    sources: HashSet<Value>,
    /// Processes descending from (or children of) a source.
    related: HashSet<Value>,
    /// Terminated processes, forgotten at the next process event.
    dead: Vec<Value>,
}

/// The trackers of one query.
#[derive(Default, Debug)]
pub struct Lineages {
    specs: Vec<LineageSpec>,
    trackers: Vec<Tracker>,
}

fn scalar(event: &Event, name: &str) -> Value {
    super::expr::event_field(event, &[super::value::Step::Attr(name.to_string())])
}

/// `Some(true)` for a process creation, `Some(false)` for a termination.
fn process_state(event: &Event) -> Option<bool> {
    if let Value::Int(op) = scalar(event, "opcode") {
        return match op {
            1 | 3 | 9 => Some(true),
            2 | 4 => Some(false),
            _ => None,
        };
    }
    match scalar(event, "subtype") {
        Value::Str(s) if s.as_ref() == "create" || s.as_ref() == "fork" => Some(true),
        Value::Str(s) if s.as_ref() == "terminate" => Some(false),
        _ => None,
    }
}

impl Lineages {
    pub fn new(specs: Vec<LineageSpec>) -> Lineages {
        let trackers = specs.iter().map(|_| Tracker::default()).collect();
        Lineages { specs, trackers }
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }

    /// Updates every tracker with an event, before the event itself is matched.
    pub fn observe(&mut self, event: &Event) {
        for (spec, tracker) in self.specs.iter().zip(self.trackers.iter_mut()) {
            if spec.process.category_matches(event) {
                for pid in tracker.dead.drain(..) {
                    tracker.related.remove(&pid);
                    tracker.sources.remove(&pid);
                }
                let pid = scalar(event, PID);
                let ppid = scalar(event, PPID);
                match process_state(event) {
                    Some(true) => {
                        let parent_known = match spec.relation {
                            Relation::Descendant => tracker.related.contains(&ppid) || tracker.sources.contains(&ppid),
                            Relation::Child => tracker.sources.contains(&ppid),
                            Relation::Event => false,
                        };
                        if parent_known && !pid.is_null() {
                            tracker.related.insert(pid);
                        }
                    }
                    Some(false) => tracker.dead.push(pid),
                    None => {}
                }
            }
            let pid_nonzero = !matches!(scalar(event, "pid"), Value::Int(0) | Value::Null);
            if pid_nonzero && spec.query.matches(event, &mut Scope::new(event)) {
                let pid = scalar(event, PID);
                if !pid.is_null() {
                    tracker.sources.insert(pid);
                }
            }
        }
    }

    /// Does the event belong to the processes tracker `n` follows?
    pub fn contains(&self, n: usize, event: &Event) -> bool {
        let (Some(spec), Some(tracker)) = (self.specs.get(n), self.trackers.get(n)) else {
            return false;
        };
        let pid = scalar(event, PID);
        match spec.relation {
            Relation::Event => tracker.sources.contains(&pid),
            _ => tracker.related.contains(&pid),
        }
    }
}
