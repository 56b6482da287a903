//! `bin` / `bucket`: rounds a number down to its bucket. With a time span the result is the
//! bucket's start in epoch seconds (aligned to UTC); with a plain number it is the range as
//! text, `10-20`, as Splunk writes it.

use super::{Flow, Operator, RunContext};
use crate::event::Event;
use crate::plan::{BucketSpan, BucketSpec};
use crate::value::{format_float, Value};

pub struct Bucket(pub BucketSpec);

impl Operator for Bucket {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            let value = event.get(&self.0.field);
            let binned = match value.as_number() {
                None => Value::Null,
                Some(x) => match self.0.span {
                    BucketSpan::Seconds(span) => Value::number((x / span).floor() * span),
                    BucketSpan::Numeric(span) => {
                        let low = (x / span).floor() * span;
                        Value::from(format!("{}-{}", format_float(low), format_float(low + span)))
                    }
                },
            };
            if binned.is_null() {
                event.remove(&self.0.output);
            } else {
                event.set(self.0.output.clone(), binned);
            }
        }
        Flow::Continue
    }
}
