//! `lookup`, `inputlookup` and `makeresults`.

use super::budget::InFlight;
use super::{Accounting, Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Name};
use crate::limits::event_bytes;
use crate::lookup::{CellMatcher, Computed, LookupTable, MatchType};
use crate::plan::{InputLookupSpec, LookupSpec};
use crate::value::Value;
use std::collections::HashMap;

pub struct Lookup {
    spec: LookupSpec,
    outputs: Vec<(Option<usize>, Name)>,
    /// For lookups whose inputs all match exactly: rows by their (normalised) input cells.
    index: Option<HashMap<Vec<String>, Vec<usize>>>,
    /// Otherwise: each row's matchers for the input columns (`None` when a column is absent).
    matchers: Vec<Option<Vec<CellMatcher>>>,
    /// The combinations of multivalue inputs looked up for the current batch.
    in_flight: InFlight,
}

impl Lookup {
    pub fn new(spec: LookupSpec) -> Lookup {
        let table = &spec.table;
        let inputs: Vec<(usize, MatchType)> = spec
            .inputs
            .iter()
            .map(|(col, _)| (table.column(col).unwrap_or(usize::MAX), table.match_type(col)))
            .collect();
        let outputs = spec
            .outputs
            .iter()
            .map(|(col, field)| (table.column(col), field.clone()))
            .collect();
        let exact = inputs.iter().all(|(c, m)| *m == MatchType::Exact && *c != usize::MAX);
        let index = exact.then(|| {
            let mut index: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
            for (r, row) in table.rows.iter().enumerate() {
                let key = inputs.iter().map(|(c, _)| normalise(table, &row[*c])).collect();
                index.entry(key).or_default().push(r);
            }
            index
        });
        let matchers = if index.is_some() {
            Vec::new()
        } else {
            table
                .rows
                .iter()
                .map(|row| {
                    inputs
                        .iter()
                        .map(|(c, kind)| row.get(*c).map(|cell| table.cell_matcher(*kind, cell)))
                        .collect()
                })
                .collect()
        };
        Lookup {
            spec,
            outputs,
            index,
            matchers,
            in_flight: InFlight::default(),
        }
    }

    /// Rows matching one combination of input values, in file order.
    fn matching_rows(&self, values: &[String]) -> Vec<usize> {
        let table = &self.spec.table;
        if let Some(index) = &self.index {
            let key: Vec<String> = values.iter().map(|v| normalise(table, v)).collect();
            return index.get(&key).cloned().unwrap_or_default();
        }
        self.matchers
            .iter()
            .enumerate()
            .filter(|(_, row)| {
                row.as_ref()
                    .is_some_and(|cells| cells.iter().zip(values).all(|(m, v)| m.matches(v)))
            })
            .map(|(r, _)| r)
            .collect()
    }

    /// What looking up every combination of the event's input values costs: the number of
    /// combinations times their text.
    fn combo_bytes(&self, event: &Event) -> usize {
        let mut combos: usize = 1;
        let mut text: usize = 0;
        for (_, field) in &self.spec.inputs {
            let v = event.get(field);
            combos = combos.saturating_mul(v.len().max(1));
            text = text.saturating_add(crate::limits::value_bytes(&v));
        }
        if combos <= 1 {
            return 0;
        }
        combos.saturating_mul(text.saturating_add(24))
    }

    /// A scripted lookup: each value of the (single) input field gives one computed row.
    fn apply_computed(&self, computed: Computed, event: &mut Event) {
        let Some((_, input)) = self.spec.inputs.first() else {
            return;
        };
        let value = event.get(input);
        let rows: Vec<Vec<(&str, Value)>> = value.iter().map(|v| computed.row(&v.display_text())).collect();
        for (column, field) in &self.spec.outputs {
            if self.spec.new_only && event.has(field) {
                continue;
            }
            let values: Vec<Value> = rows
                .iter()
                .flat_map(|row| {
                    row.iter()
                        .filter(|(c, _)| *c == column.as_str())
                        .map(|(_, v)| v.clone())
                })
                .collect();
            if values.is_empty() {
                if !self.spec.new_only && event.has(field) {
                    event.remove(field);
                }
                continue;
            }
            event.set(field.clone(), Value::multi(values));
        }
    }

    fn apply(&self, event: &mut Event) {
        let table = &self.spec.table;
        if let Some(computed) = table.computed {
            return self.apply_computed(computed, event);
        }
        // Each input field may be multivalue: every combination of values is looked up.
        let mut combos: Vec<Vec<String>> = vec![Vec::new()];
        let mut complete = true;
        for (_, field) in &self.spec.inputs {
            let v = event.get(field);
            if v.is_null() {
                complete = false;
                break;
            }
            let values: Vec<String> = v.iter().map(|x| x.display_text()).collect();
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |x| {
                        let mut c = c.clone();
                        c.push(x.clone());
                        c
                    })
                })
                .collect();
        }
        let mut rows = Vec::new();
        if complete {
            for combo in &combos {
                for r in self.matching_rows(combo) {
                    if rows.len() < table.max_matches && !rows.contains(&r) {
                        rows.push(r);
                    }
                }
            }
        }
        for (col, field) in &self.outputs {
            if self.spec.new_only && event.has(field) {
                continue;
            }
            let mut values: Vec<Value> = match col {
                Some(c) => rows
                    .iter()
                    .map(|&r| &table.rows[r][*c])
                    .filter(|cell| !cell.is_empty())
                    .fold(Vec::new(), |mut seen: Vec<Value>, cell| {
                        // Several matching rows give each distinct value once, in file order.
                        let v = Value::str(cell);
                        if !seen.contains(&v) {
                            seen.push(v);
                        }
                        seen
                    }),
                None => Vec::new(),
            };
            if complete && rows.len() < table.min_matches {
                if let Some(default) = &table.default_match {
                    for _ in rows.len()..table.min_matches {
                        values.push(Value::str(default));
                    }
                }
            }
            if values.is_empty() {
                // OUTPUT replaces the field even when nothing matched.
                if !self.spec.new_only && event.has(field) {
                    event.remove(field);
                }
                continue;
            }
            event.set(field.clone(), Value::multi(values));
        }
    }
}

fn normalise(table: &LookupTable, text: &str) -> String {
    if table.case_sensitive {
        text.to_string()
    } else {
        text.to_lowercase()
    }
}

impl Operator for Lookup {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        self.in_flight.settle(ctx);
        for event in batch.iter_mut() {
            let bytes = self.combo_bytes(event);
            if bytes > 0 {
                // Several multivalue inputs multiply: each combination is looked up.
                if !self.in_flight.charge(bytes, ctx, "lookup") {
                    batch.clear();
                    return Flow::Stop;
                }
            }
            self.apply(event);
        }
        Flow::Continue
    }

    fn account(&self, acc: &mut Accounting) {
        if let Some(note) = &self.spec.table.note {
            acc.note(note.clone());
        }
    }
}

/// `inputlookup`: the table's rows, replacing the results (or after them with `append=t`).
pub struct InputLookup(pub InputLookupSpec);

impl InputLookup {
    /// The table's rows as results, each charged to the memory budget; nothing when it is
    /// exhausted.
    fn rows(&self, ctx: &RunContext) -> Vec<Event> {
        let spec = &self.0;
        let table = &spec.table;
        let mut out = Vec::new();
        for r in spec.start..table.rows.len() {
            if spec.max.is_some_and(|m| out.len() >= m) {
                break;
            }
            let mut fields = FieldMap::default();
            for (name, value) in table.row_values(r) {
                fields.insert(Name::from(name), value);
            }
            let event = Event::row(fields);
            if spec.condition.as_ref().is_none_or(|c| c.matches(&event)) {
                if !ctx.limits.charge(event_bytes(&event), "inputlookup") {
                    return Vec::new();
                }
                out.push(event);
            }
        }
        out
    }
}

impl Operator for InputLookup {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        if self.0.append {
            return Flow::Continue;
        }
        batch.clear();
        Flow::Stop
    }

    fn finish(&mut self, out: &mut Vec<Event>, ctx: &RunContext) {
        out.extend(self.rows(ctx));
    }

    fn account(&self, acc: &mut Accounting) {
        if let Some(note) = &self.0.table.note {
            acc.note(note.clone());
        }
    }
}

/// `makeresults`: `count` results holding only `_time`, the time the search runs.
pub struct MakeResults(pub usize);

impl Operator for MakeResults {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        batch.clear();
        Flow::Stop
    }

    fn finish(&mut self, out: &mut Vec<Event>, ctx: &RunContext) {
        let now = ctx.eval.func.now.floor();
        // Charged before any is made: `makeresults count=100000000` stops at the limit.
        let each = event_bytes(&Event::row(FieldMap::default())) + 48 + "_time".len() + 16;
        if !ctx.limits.charge(self.0.saturating_mul(each), "makeresults") {
            return;
        }
        for _ in 0..self.0 {
            let mut fields = FieldMap::default();
            fields.insert(Name::from("_time"), Value::number(now));
            out.push(Event::row(fields));
        }
    }
}
