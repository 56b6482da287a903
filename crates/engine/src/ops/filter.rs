//! Streaming operators that look at one event at a time: `search`, `where`, `eval`.

use super::{Flow, Operator, RunContext};
use crate::event::{Event, Name};
use crate::expr::CExpr;
use crate::search::CSearch;
use crate::value::Value;

pub struct SearchFilter(pub CSearch);

impl Operator for SearchFilter {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        batch.retain(|e| self.0.matches(e));
        Flow::Continue
    }
}

pub struct ExprFilter(pub CExpr);

impl Operator for ExprFilter {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        batch.retain(|e| self.0.is_true(e, &ctx.eval));
        Flow::Continue
    }
}

/// `eval`: assignments in order, each seeing the ones before. Assigning null removes the field.
pub struct Assign(pub Vec<(Name, CExpr)>);

impl Operator for Assign {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            for (name, expr) in &self.0 {
                let value = match expr.eval(event, &ctx.eval) {
                    Value::Bool(b) => Value::str(if b { "true" } else { "false" }),
                    other => other,
                };
                if value.is_null() {
                    event.remove(name);
                } else {
                    event.set(name.clone(), value);
                }
            }
        }
        Flow::Continue
    }
}
