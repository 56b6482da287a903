//! `bin _time` without `span=`: Splunk sizes the buckets from the search's time range. Quarry
//! searches files, which is Splunk's all-time search, and for that Splunk takes the range of the
//! events themselves. This operator holds the events, finds their earliest and latest time, picks
//! the span, and then rounds exactly as `bin span=<that>` does.

use super::bucket::Bucket;
use super::sort::charge_events;
use super::{Flow, Operator, RunContext};
use crate::event::Event;
use crate::plan::{AutoBucketSpec, BucketSpan, BucketSpec};

/// Splunk's automatic time spans in seconds (timechart's "Spans used when minspan is
/// specified"): 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 1d, 30d.
pub const AUTO_SPANS: [f64; 11] = [
    1.0,
    5.0,
    10.0,
    30.0,
    60.0,
    300.0,
    600.0,
    1800.0,
    3600.0,
    86400.0,
    2_592_000.0,
];

/// The smallest automatic span that cuts `range` seconds into at most `bins` buckets
/// (`range / span <= bins`). Past 30 days, a whole number of 30-day spans.
pub fn auto_span(range: f64, bins: u32) -> f64 {
    let wanted = range / f64::from(bins.max(1));
    match AUTO_SPANS.iter().find(|&&s| s >= wanted) {
        Some(&s) => s,
        None => {
            let largest = AUTO_SPANS[AUTO_SPANS.len() - 1];
            (wanted / largest).ceil() * largest
        }
    }
}

pub struct AutoBucket {
    spec: AutoBucketSpec,
    held: Vec<Event>,
}

impl AutoBucket {
    pub fn new(spec: AutoBucketSpec) -> AutoBucket {
        AutoBucket { spec, held: Vec::new() }
    }
}

impl Operator for AutoBucket {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if !charge_events(batch, ctx, "bin") {
            return Flow::Stop;
        }
        self.held.append(batch);
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, ctx: &RunContext) {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for event in &self.held {
            if let Some(t) = event.get(&self.spec.field).as_number() {
                min = min.min(t);
                max = max.max(t);
            }
        }
        let range = if min <= max { max - min } else { 0.0 };
        let mut bucket = Bucket(BucketSpec {
            field: self.spec.field.clone(),
            output: self.spec.output.clone(),
            span: BucketSpan::Seconds(auto_span(range, self.spec.bins)),
        });
        bucket.push(&mut self.held, ctx);
        out.append(&mut self.held);
    }
}

#[cfg(test)]
mod tests {
    use super::auto_span;

    #[test]
    fn the_span_is_the_smallest_listed_one_giving_at_most_the_bins() {
        assert_eq!(auto_span(0.0, 100), 1.0);
        assert_eq!(auto_span(50.0, 100), 1.0);
        assert_eq!(auto_span(100.0, 100), 1.0);
        assert_eq!(auto_span(101.0, 100), 5.0);
        assert_eq!(auto_span(3.0 * 3600.0, 100), 300.0);
        assert_eq!(auto_span(24.0 * 3600.0, 100), 1800.0);
        assert_eq!(auto_span(7.0 * 86400.0, 100), 86400.0);
        assert_eq!(auto_span(3.0 * 3600.0, 10), 1800.0);
        assert_eq!(auto_span(20.0 * 365.0 * 86400.0, 100), 3.0 * 2_592_000.0);
    }
}
