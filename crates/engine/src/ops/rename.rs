//! `rename a as b`: moves a field's value to a new name (replacing what was there); `*`
//! wildcards carry over (`rename *_ip as ip_*`). A missing source field changes nothing.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, Name};
use crate::plan::FieldPattern;

pub struct Rename(pub Vec<(FieldPattern, FieldPattern)>);

impl Operator for Rename {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            for (from, to) in &self.0 {
                if from.is_wildcard() {
                    let names = event.field_names();
                    for name in names {
                        if let Some(parts) = from.captures(&name) {
                            let target = Name::from(to.fill(&parts));
                            move_field(event, &name, target);
                        }
                    }
                } else {
                    move_field(event, &from.text, Name::from(to.text.as_str()));
                }
            }
        }
        Flow::Continue
    }
}

fn move_field(event: &mut Event, from: &str, to: Name) {
    if from == to.as_ref() {
        return;
    }
    let value = event.get(from);
    if value.is_null() {
        return;
    }
    if event.doc.is_none() {
        // A row keeps its column order: the new name takes the old one's place.
        let fields = std::mem::take(&mut event.fields);
        for (name, v) in fields {
            if name.as_ref() == from {
                event.fields.insert(to.clone(), v);
            } else if name != to {
                event.fields.insert(name, v);
            }
        }
        return;
    }
    event.remove(from);
    event.set(to, value);
}
