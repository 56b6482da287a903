//! `top`/`rare` (the most or least common value combinations, with counts and percentages)
//! and the pivot step of `timechart`.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Name};
use crate::plan::{AggFunc, ChartSpec, TopSpec};
use crate::value::Value;
use indexmap::IndexMap;
use std::collections::BTreeMap;

type Combos = IndexMap<Vec<Value>, u64>;

/// `top`/`rare`: counts per combination of the fields, per group of the by-fields. Events
/// missing one of the fields are not counted. Percentages are of the group's counted events.
/// Equal counts are ordered by value.
pub struct Top {
    spec: TopSpec,
    groups: IndexMap<Vec<Value>, Combos>,
}

impl Top {
    pub fn new(spec: TopSpec) -> Top {
        Top {
            spec,
            groups: IndexMap::new(),
        }
    }
}

fn values_of(event: &Event, fields: &[Name]) -> Option<Vec<Value>> {
    fields
        .iter()
        .map(|f| {
            let v = event.get(f);
            (!v.is_null()).then_some(v)
        })
        .collect()
}

impl Operator for Top {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        for event in batch.drain(..) {
            let (Some(group), Some(combo)) = (values_of(&event, &self.spec.by), values_of(&event, &self.spec.fields))
            else {
                continue;
            };
            let combos = self.groups.entry(group).or_default();
            if let Some(n) = combos.get_mut(&combo) {
                *n += 1;
                continue;
            }
            // A new combination is held until the end: it is charged to the memory budget.
            let bytes = 64 + combo.iter().map(crate::limits::value_bytes).sum::<usize>();
            if !ctx.limits.charge(bytes, if self.spec.rare { "rare" } else { "top" }) {
                // Returning drops the rest of the batch (it is being drained).
                return Flow::Stop;
            }
            combos.insert(combo, 1);
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        let spec = &self.spec;
        for (group, combos) in std::mem::take(&mut self.groups) {
            let total: u64 = combos.values().sum();
            let mut list: Vec<(Vec<Value>, u64)> = combos.into_iter().collect();
            // Equal counts are ordered by their values, so the order of events does not matter.
            list.sort_by(|(a, n), (b, m)| {
                let by_count = if spec.rare { n.cmp(m) } else { m.cmp(n) };
                by_count.then_with(|| {
                    a.iter()
                        .zip(b)
                        .map(|(x, y)| x.sort_cmp(y))
                        .find(|o| o.is_ne())
                        .unwrap_or(std::cmp::Ordering::Equal)
                })
            });
            let keep = if spec.limit == 0 {
                list.len()
            } else {
                spec.limit.min(list.len())
            };
            let rest: u64 = list[keep..].iter().map(|(_, n)| n).sum();
            let row = |values: Vec<Value>, n: u64| {
                let mut fields = FieldMap::default();
                for (name, v) in spec.by.iter().zip(&group) {
                    fields.insert(name.clone(), v.clone());
                }
                for (name, v) in spec.fields.iter().zip(values) {
                    fields.insert(name.clone(), v);
                }
                if spec.show_count {
                    fields.insert(spec.count_field.clone(), Value::Int(n as i64));
                }
                if spec.show_percent {
                    let pct = n as f64 * 100.0 / total as f64;
                    fields.insert(spec.percent_field.clone(), Value::number((pct * 1e6).round() / 1e6));
                }
                Event::row(fields)
            };
            for (values, n) in list.into_iter().take(keep) {
                out.push(row(values, n));
            }
            if spec.use_other && rest > 0 {
                let other = vec![Value::str(&spec.other_str); spec.fields.len()];
                out.push(row(other, rest));
            }
        }
    }
}

/// `timechart`'s pivot: rows of (`_time`, by-value, aggregates) from `stats` become one row per
/// time bucket, every bucket from the first to the last (empty ones hold 0 for `count` and
/// `dc`, nothing for other functions), oldest first.
pub struct Chart {
    spec: ChartSpec,
    rows: Vec<Event>,
    notes: Vec<String>,
}

impl Chart {
    pub fn new(spec: ChartSpec) -> Chart {
        Chart {
            spec,
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Most time buckets `timechart` fills in between its first and last result (Splunk's
/// `maxresultrows` default).
const MAX_BUCKETS: i64 = 50_000;

fn is_additive(f: AggFunc) -> bool {
    matches!(f, AggFunc::Count | AggFunc::Sum)
}

fn empty_value(f: AggFunc) -> Value {
    if matches!(f, AggFunc::Count | AggFunc::DistinctCount) {
        Value::Int(0)
    } else {
        Value::Null
    }
}

impl Operator for Chart {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if !super::sort::charge_events(batch, ctx, "timechart") {
            return Flow::Stop;
        }
        self.rows.append(batch);
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        let spec = &self.spec;
        let rows = std::mem::take(&mut self.rows);
        // bucket -> column -> value
        let mut table: BTreeMap<i64, IndexMap<String, Value>> = BTreeMap::new();
        let mut series: IndexMap<String, f64> = IndexMap::new();
        let bucket_of = |t: f64| (t / spec.span).floor() as i64;
        for row in &rows {
            let Some(t) = row.time() else { continue };
            let cells = table.entry(bucket_of(t)).or_default();
            match &spec.by {
                None => {
                    for agg in &spec.aggregations {
                        cells.insert(agg.output.clone(), row.get(&agg.output));
                    }
                }
                Some(by) => {
                    let value = row.get(by).display_text();
                    let weight = spec
                        .aggregations
                        .first()
                        .and_then(|a| row.get(&a.output).as_number())
                        .unwrap_or(0.0);
                    *series.entry(value.clone()).or_default() += weight;
                    for agg in &spec.aggregations {
                        let column = if spec.aggregations.len() == 1 {
                            value.clone()
                        } else {
                            format!("{}: {value}", agg.output)
                        };
                        cells.insert(column, row.get(&agg.output));
                    }
                }
            }
        }
        // Which series get a column: the `limit` largest by their first aggregate's total.
        let mut ranked: Vec<(String, f64)> = series.into_iter().collect();
        ranked.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
        let keep = if spec.limit == 0 {
            ranked.len()
        } else {
            spec.limit.min(ranked.len())
        };
        let mut kept: Vec<String> = ranked[..keep].iter().map(|(s, _)| s.clone()).collect();
        let others: Vec<String> = ranked[keep..].iter().map(|(s, _)| s.clone()).collect();
        kept.sort_by(|a, b| {
            let rank = |s: &str| u8::from(s == spec.null_str);
            rank(a).cmp(&rank(b)).then_with(|| a.cmp(b))
        });
        let additive = spec.aggregations.iter().all(|a| is_additive(a.func));
        if !others.is_empty() && spec.use_other && !additive {
            self.notes.push(format!(
                "timechart: {} series beyond limit={} left out (OTHER is only computed for count and sum)",
                others.len(),
                spec.limit
            ));
        }
        let column_name = |agg: &crate::plan::AggSpec, series: &str| {
            if spec.aggregations.len() == 1 {
                series.to_string()
            } else {
                format!("{}: {series}", agg.output)
            }
        };
        let (Some(&first), Some(&last)) = (table.keys().next(), table.keys().next_back()) else {
            return;
        };
        // Empty buckets are filled in unless that would make more than MAX_BUCKETS rows.
        let buckets: Vec<i64> = if last - first < MAX_BUCKETS {
            (first..=last).collect()
        } else {
            self.notes.push(format!(
                "timechart: more than {MAX_BUCKETS} buckets between the first and last event; empty buckets are left out"
            ));
            table.keys().copied().collect()
        };
        for bucket in buckets {
            let cells = table.get(&bucket);
            let mut fields = FieldMap::default();
            fields.insert(Name::from("_time"), Value::number(bucket as f64 * spec.span));
            let cell = |column: &str, f: AggFunc| {
                cells
                    .and_then(|c| c.get(column))
                    .filter(|v| !v.is_null())
                    .cloned()
                    .unwrap_or_else(|| empty_value(f))
            };
            match &spec.by {
                None => {
                    for agg in &spec.aggregations {
                        fields.insert(Name::from(agg.output.as_str()), cell(&agg.output, agg.func));
                    }
                }
                Some(_) => {
                    for agg in &spec.aggregations {
                        for s in &kept {
                            let column = column_name(agg, s);
                            let v = cell(&column, agg.func);
                            fields.insert(Name::from(column.as_str()), v);
                        }
                        if spec.use_other && additive && !others.is_empty() {
                            let sum: f64 = others
                                .iter()
                                .filter_map(|s| cell(&column_name(agg, s), agg.func).as_number())
                                .sum();
                            fields.insert(
                                Name::from(column_name(agg, &spec.other_str).as_str()),
                                Value::number(sum),
                            );
                        }
                    }
                }
            }
            out.push(Event::row(fields));
        }
    }

    fn account(&self, acc: &mut Accounting) {
        for note in &self.notes {
            acc.note(note.clone());
        }
    }
}
