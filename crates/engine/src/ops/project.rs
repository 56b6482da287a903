//! `fields` and `table`.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Name};
use crate::plan::FieldPattern;

/// The names an event has that match `patterns`, in pattern order (a wildcard's matches in
/// alphabetical order), each once.
pub fn expand(event: &Event, patterns: &[FieldPattern]) -> Vec<Name> {
    let mut names: Vec<Name> = Vec::new();
    let mut all: Option<Vec<Name>> = None;
    for pattern in patterns {
        if pattern.is_wildcard() {
            let all = all.get_or_insert_with(|| {
                let mut n = event.field_names();
                n.sort();
                n
            });
            for name in all.iter().filter(|n| pattern.matches(n)) {
                if !names.contains(name) {
                    names.push(name.clone());
                }
            }
        } else {
            let name = Name::from(pattern.text.as_str());
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// `fields [+] a b`: keeps the listed fields (and `_time`); `fields - a b` removes them.
pub struct Project {
    pub remove: bool,
    pub patterns: Vec<FieldPattern>,
}

impl Operator for Project {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            if self.remove {
                let doomed: Vec<Name> = if self.patterns.iter().any(FieldPattern::is_wildcard) {
                    event
                        .field_names()
                        .into_iter()
                        .filter(|n| self.patterns.iter().any(|p| p.matches(n)))
                        .collect()
                } else {
                    self.patterns.iter().map(|p| Name::from(p.text.as_str())).collect()
                };
                for name in doomed {
                    event.remove(&name);
                }
            } else {
                let mut keep = expand(event, &self.patterns);
                if !keep.iter().any(|n| n.as_ref() == "_time") {
                    keep.push(Name::from("_time"));
                }
                let mut fields = FieldMap::default();
                for name in keep {
                    let v = event.get(&name);
                    if !v.is_null() {
                        fields.insert(name, v);
                    }
                }
                *event = Event::row(fields);
            }
        }
        Flow::Continue
    }
}

/// `table a b c`: rows with exactly these columns.
pub struct Table(pub Vec<FieldPattern>);

impl Operator for Table {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            let mut fields = FieldMap::default();
            for name in expand(event, &self.0) {
                let v = event.get(&name);
                fields.insert(name, v);
            }
            *event = Event::row(fields);
        }
        Flow::Continue
    }
}
