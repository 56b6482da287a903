//! The state of one aggregation function for one group (`count`, `dc`, `values`, ...).
//! A multivalue contributes each of its values, as in Splunk.

use crate::plan::AggFunc;
use crate::value::Value;
use indexmap::IndexMap;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Splunk's `list()` keeps at most this many values.
pub const LIST_LIMIT: usize = 100;

/// `values()`'s distinct values, sorted by text; the value kept is the first seen with that
/// text. A sorted vector while small (most groups hold one or two values, and a B-tree node
/// has room for eleven), a B-tree once large.
#[derive(Clone, Debug, Default)]
pub struct SortedValues {
    small: Vec<(Arc<str>, Value)>,
    large: BTreeMap<Arc<str>, Value>,
}

impl SortedValues {
    const SMALL: usize = 16;

    /// Adds a scalar. A text value is its own key (shared, not copied), and a value already
    /// held costs no allocation.
    fn insert(&mut self, v: &Value) {
        let text = v.as_text().unwrap_or_default();
        let key = |text: Cow<'_, str>| match v {
            Value::Str(s) => s.clone(),
            _ => Arc::from(text.as_ref()),
        };
        if self.large.is_empty() {
            match self.small.binary_search_by(|(t, _)| t.as_ref().cmp(text.as_ref())) {
                Ok(_) => return,
                Err(at) if self.small.len() < Self::SMALL => {
                    if self.small.is_empty() {
                        // Most groups hold one value: room for one, not the default four.
                        self.small.reserve_exact(1);
                    }
                    self.small.insert(at, (key(text), v.clone()));
                    return;
                }
                Err(_) => self.large = std::mem::take(&mut self.small).into_iter().collect(),
            }
        }
        if !self.large.contains_key(text.as_ref()) {
            self.large.insert(key(text), v.clone());
        }
    }

    fn iter(&self) -> impl Iterator<Item = &Value> {
        self.small.iter().map(|(_, v)| v).chain(self.large.values())
    }
}

#[derive(Clone, Debug)]
pub enum AggState {
    Count(u64),
    Distinct(HashSet<Arc<str>, ahash::RandomState>),
    Values(SortedValues),
    List(Vec<Value>),
    Extreme {
        max: bool,
        number: Option<(f64, Value)>,
        text: Option<String>,
    },
    Sum {
        int: i64,
        float: f64,
        exact: bool,
        any: bool,
        squares: bool,
    },
    Moments {
        n: u64,
        mean: f64,
        m2: f64,
        func: AggFunc,
    },
    Timed {
        earliest: bool,
        best: Option<(f64, Value)>,
        time_only: bool,
    },
    First(Option<Value>),
    Last(Option<Value>),
    Range(Option<(f64, f64)>),
    Numbers {
        values: Vec<f64>,
        percentile: f64,
    },
    Mode(IndexMap<String, (Value, u64), ahash::RandomState>),
}

impl AggState {
    pub fn new(func: AggFunc) -> AggState {
        match func {
            AggFunc::Count => AggState::Count(0),
            AggFunc::DistinctCount => AggState::Distinct(HashSet::default()),
            AggFunc::Values => AggState::Values(SortedValues::default()),
            AggFunc::List => AggState::List(Vec::new()),
            AggFunc::Min | AggFunc::Max => AggState::Extreme {
                max: func == AggFunc::Max,
                number: None,
                text: None,
            },
            AggFunc::Sum | AggFunc::SumSq => AggState::Sum {
                int: 0,
                float: 0.0,
                exact: true,
                any: false,
                squares: func == AggFunc::SumSq,
            },
            AggFunc::Avg | AggFunc::Stdev | AggFunc::StdevP | AggFunc::Var | AggFunc::VarP => AggState::Moments {
                n: 0,
                mean: 0.0,
                m2: 0.0,
                func,
            },
            AggFunc::Earliest | AggFunc::Latest | AggFunc::EarliestTime | AggFunc::LatestTime => AggState::Timed {
                earliest: matches!(func, AggFunc::Earliest | AggFunc::EarliestTime),
                best: None,
                time_only: matches!(func, AggFunc::EarliestTime | AggFunc::LatestTime),
            },
            AggFunc::First => AggState::First(None),
            AggFunc::Last => AggState::Last(None),
            AggFunc::Range => AggState::Range(None),
            AggFunc::Median => AggState::Numbers {
                values: Vec::new(),
                percentile: 50.0,
            },
            AggFunc::Percentile(p) => AggState::Numbers {
                values: Vec::new(),
                percentile: p,
            },
            AggFunc::Mode => AggState::Mode(IndexMap::default()),
        }
    }

    /// Counts one event (for `count` without a field).
    pub fn add_event(&mut self) {
        if let AggState::Count(n) = self {
            *n += 1;
        }
    }

    /// Adds a field value (null is ignored) seen on an event with time `time`.
    pub fn add(&mut self, value: &Value, time: Option<f64>) {
        if value.is_null() {
            return;
        }
        match self {
            AggState::Timed { earliest, best, .. } => {
                let Some(t) = time else { return };
                let better = match best {
                    None => true,
                    Some((bt, _)) => {
                        if *earliest {
                            t < *bt
                        } else {
                            t >= *bt
                        }
                    }
                };
                if better {
                    *best = Some((t, value.clone()));
                }
            }
            AggState::First(first) => {
                if first.is_none() {
                    *first = Some(value.clone());
                }
            }
            AggState::Last(last) => *last = Some(value.clone()),
            _ => {
                for item in value.iter() {
                    self.add_one(item);
                }
            }
        }
    }

    fn add_one(&mut self, v: &Value) {
        match self {
            AggState::Count(n) => *n += 1,
            AggState::Distinct(set) => match v {
                // The common case, a text already counted, allocates nothing.
                Value::Str(text) => {
                    if !set.contains(&**text) {
                        set.insert(text.clone());
                    }
                }
                _ => {
                    let text = v.as_text().unwrap_or_default();
                    if !set.contains(text.as_ref()) {
                        set.insert(Arc::from(text.as_ref()));
                    }
                }
            },
            AggState::Values(values) => values.insert(v),
            AggState::List(items) => {
                if items.len() < LIST_LIMIT {
                    items.push(v.clone());
                }
            }
            AggState::Extreme { max, number, text } => match v.as_number() {
                Some(x) => {
                    let better = match number {
                        None => true,
                        Some((b, _)) => {
                            if *max {
                                x > *b
                            } else {
                                x < *b
                            }
                        }
                    };
                    if better {
                        *number = Some((x, v.clone()));
                    }
                }
                None => {
                    let t = v.display_text();
                    let better = match text {
                        None => true,
                        Some(b) => {
                            if *max {
                                t > *b
                            } else {
                                t < *b
                            }
                        }
                    };
                    if better {
                        *text = Some(t);
                    }
                }
            },
            AggState::Sum {
                int,
                float,
                exact,
                any,
                squares,
            } => {
                let Some(num) = v.as_numeric() else { return };
                *any = true;
                match num {
                    Value::Int(i) if *exact => {
                        let add = if *squares { i.checked_mul(i) } else { Some(i) };
                        match add.and_then(|a| int.checked_add(a)) {
                            Some(s) => *int = s,
                            None => {
                                *exact = false;
                                *float = *int as f64 + (i as f64) * if *squares { i as f64 } else { 1.0 };
                            }
                        }
                    }
                    other => {
                        let x = other.as_number().unwrap_or(0.0);
                        let x = if *squares { x * x } else { x };
                        if *exact {
                            *exact = false;
                            *float = *int as f64;
                        }
                        *float += x;
                    }
                }
            }
            AggState::Moments { n, mean, m2, .. } => {
                let Some(x) = v.as_number() else { return };
                *n += 1;
                let delta = x - *mean;
                *mean += delta / *n as f64;
                *m2 += delta * (x - *mean);
            }
            AggState::Range(range) => {
                let Some(x) = v.as_number() else { return };
                *range = Some(match range {
                    None => (x, x),
                    Some((lo, hi)) => (lo.min(x), hi.max(x)),
                });
            }
            AggState::Numbers { values, .. } => {
                if let Some(x) = v.as_number() {
                    values.push(x);
                }
            }
            AggState::Mode(counts) => {
                counts.entry(v.display_text()).or_insert_with(|| (v.clone(), 0)).1 += 1;
            }
            AggState::Timed { .. } | AggState::First(_) | AggState::Last(_) => {}
        }
    }

    pub fn result(&self) -> Value {
        match self {
            AggState::Count(n) => Value::Int(*n as i64),
            AggState::Distinct(set) => Value::Int(set.len() as i64),
            AggState::Values(values) => Value::multi(values.iter().cloned()),
            AggState::List(items) => Value::multi(items.iter().cloned()),
            AggState::Extreme { number, text, .. } => match (number, text) {
                (Some((_, v)), _) => v.clone(),
                (None, Some(t)) => Value::from(t.clone()),
                (None, None) => Value::Null,
            },
            AggState::Sum {
                int, float, exact, any, ..
            } => {
                if !*any {
                    Value::Null
                } else if *exact {
                    Value::Int(*int)
                } else {
                    Value::number(*float)
                }
            }
            AggState::Moments { n, mean, m2, func } => {
                if *n == 0 {
                    return Value::Null;
                }
                let n = *n as f64;
                match func {
                    AggFunc::Avg => Value::number(*mean),
                    AggFunc::Var => Value::number(if n > 1.0 { m2 / (n - 1.0) } else { 0.0 }),
                    AggFunc::VarP => Value::number(m2 / n),
                    AggFunc::Stdev => Value::number(if n > 1.0 { (m2 / (n - 1.0)).sqrt() } else { 0.0 }),
                    _ => Value::number((m2 / n).sqrt()),
                }
            }
            AggState::Timed { best, time_only, .. } => match best {
                None => Value::Null,
                Some((t, v)) => {
                    if *time_only {
                        Value::number(*t)
                    } else {
                        v.clone()
                    }
                }
            },
            AggState::First(v) | AggState::Last(v) => v.clone().unwrap_or(Value::Null),
            AggState::Range(r) => r.map(|(lo, hi)| Value::number(hi - lo)).unwrap_or(Value::Null),
            AggState::Numbers { values, percentile } => {
                if values.is_empty() {
                    return Value::Null;
                }
                let mut sorted = values.clone();
                sorted.sort_by(f64::total_cmp);
                let rank = percentile / 100.0 * (sorted.len() - 1) as f64;
                let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
                let x = sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64);
                Value::number(x)
            }
            AggState::Mode(counts) => counts
                .values()
                .fold(None::<&(Value, u64)>, |best, item| match best {
                    Some(b) if b.1 >= item.1 => Some(b),
                    _ => Some(item),
                })
                .map(|(v, _)| v.clone())
                .unwrap_or(Value::Null),
        }
    }

    /// The result when the group saw no events at all (`stats count` over nothing is 0).
    pub fn empty_result(func: AggFunc) -> Value {
        match func {
            AggFunc::Count | AggFunc::DistinctCount => Value::Int(0),
            _ => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(func: AggFunc, values: &[Value]) -> Value {
        let mut s = AggState::new(func);
        for (n, v) in values.iter().enumerate() {
            s.add(v, Some(n as f64));
        }
        s.result()
    }

    #[test]
    fn values_are_distinct_and_sorted_as_text() {
        let r = feed(
            AggFunc::Values,
            &[
                Value::from("b"),
                Value::from("a"),
                Value::from("b"),
                Value::Int(10),
                Value::Int(9),
            ],
        );
        let texts: Vec<String> = r.iter().map(|v| v.display_text()).collect();
        assert_eq!(texts, vec!["10", "9", "a", "b"]);
    }

    #[test]
    fn many_values_stay_distinct_sorted_and_first_seen() {
        // Past the small sorted vector, into the B-tree, the order and the first-seen rule hold.
        let mut input: Vec<Value> = (0..40).rev().map(|i| Value::from(format!("v{i:02}"))).collect();
        input.push(Value::Int(7));
        input.push(Value::from("7"));
        input.extend((0..40).map(|i| Value::from(format!("v{i:02}"))));
        let r = feed(AggFunc::Values, &input);
        let values: Vec<Value> = r.iter().cloned().collect();
        assert_eq!(values.len(), 41);
        assert_eq!(values[0], Value::Int(7));
        let texts: Vec<String> = values.iter().map(|v| v.display_text()).collect();
        let mut sorted = texts.clone();
        sorted.sort();
        assert_eq!(texts, sorted);
    }

    #[test]
    fn list_keeps_arrival_order_and_duplicates() {
        let r = feed(AggFunc::List, &[Value::from("b"), Value::from("a"), Value::from("b")]);
        assert_eq!(
            r.iter().map(|v| v.display_text()).collect::<Vec<_>>(),
            vec!["b", "a", "b"]
        );
    }

    #[test]
    fn dc_counts_distinct_values_of_multivalues() {
        let mv = Value::multi([Value::from("x"), Value::from("y")]);
        assert_eq!(feed(AggFunc::DistinctCount, &[mv, Value::from("x")]), Value::Int(2));
    }

    #[test]
    fn min_prefers_numbers_and_falls_back_to_text() {
        assert_eq!(
            feed(AggFunc::Min, &[Value::from("10"), Value::Int(9), Value::from("abc")]),
            Value::Int(9)
        );
        assert_eq!(
            feed(AggFunc::Max, &[Value::from("abc"), Value::from("abd")]),
            Value::from("abd")
        );
    }

    #[test]
    fn sums_stay_exact_for_integers() {
        assert_eq!(
            feed(AggFunc::Sum, &[Value::Int(1), Value::Int(0), Value::Int(1)]),
            Value::Int(2)
        );
        assert_eq!(
            feed(AggFunc::Sum, &[Value::Int(1), Value::Float(0.5)]),
            Value::Float(1.5)
        );
        assert_eq!(feed(AggFunc::Sum, &[Value::from("x")]), Value::Null);
    }

    #[test]
    fn earliest_and_latest_follow_time() {
        assert_eq!(
            feed(AggFunc::Earliest, &[Value::from("a"), Value::from("b")]),
            Value::from("a")
        );
        assert_eq!(
            feed(AggFunc::Latest, &[Value::from("a"), Value::from("b")]),
            Value::from("b")
        );
    }

    #[test]
    fn stdev_and_percentiles() {
        let xs: Vec<Value> = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
            .iter()
            .map(|x| Value::Float(*x))
            .collect();
        assert_eq!(feed(AggFunc::StdevP, &xs), Value::Int(2));
        assert_eq!(feed(AggFunc::Median, &xs), Value::Float(4.5));
        assert_eq!(feed(AggFunc::Avg, &xs), Value::Int(5));
    }
}
