//! Operators that run a second pipeline: a search with subsearches, `join`, `append`,
//! `appendpipe`; and `format`/`return`, which turn results into a search string.

use super::budget::{copy_bytes, InFlight, CHECK_EVERY};
use super::{Accounting, Flow, Operator, RunContext};
use crate::event::{Event, FieldMap, Name};
use crate::limits::event_bytes;
use crate::plan::{FormatSpec, JoinKind, JoinSpec, Plan, SubsearchFilterSpec, JOIN_MAXOUT, SUBSEARCH_MAXOUT};
use crate::search::CSearch;
use crate::subsearch::{format, run_subsearch, search_text};
use crate::value::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// A search holding subsearches: they run when the first event arrives (or at the end, when
/// none does), then the search filters like any other.
pub struct SubsearchFilter {
    spec: SubsearchFilterSpec,
    search: Option<CSearch>,
    notes: Vec<String>,
}

impl SubsearchFilter {
    pub fn new(spec: SubsearchFilterSpec) -> SubsearchFilter {
        SubsearchFilter {
            spec,
            search: None,
            notes: Vec::new(),
        }
    }

    fn resolve(&mut self, ctx: &RunContext) -> &CSearch {
        if self.search.is_none() {
            let mut subs = Vec::new();
            for plan in &self.spec.plans {
                let results = run_subsearch(plan, ctx, SUBSEARCH_MAXOUT);
                if results.is_empty() {
                    subs.push(CSearch::Or(Vec::new()));
                    continue;
                }
                let text = search_text(&results);
                if text.trim().is_empty() {
                    // `return` over no results writes nothing: the subsearch adds no condition.
                    subs.push(CSearch::All);
                    continue;
                }
                match crate::lower::spl::compile_search_text(&text) {
                    Ok(s) => subs.push(s),
                    Err(_) => {
                        self.notes.push(format!(
                            "a subsearch's results do not form a search; it matched nothing: {text}"
                        ));
                        subs.push(CSearch::Or(Vec::new()));
                    }
                }
            }
            let resolved = crate::lower::multi::resolve_search(&self.spec.expr, &mut subs.into_iter())
                .unwrap_or(CSearch::Or(Vec::new()));
            self.search = Some(resolved);
        }
        self.search.get_or_insert(CSearch::Or(Vec::new()))
    }
}

impl Operator for SubsearchFilter {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let search = self.resolve(ctx);
        batch.retain(|e| search.matches(e));
        Flow::Continue
    }

    fn account(&self, acc: &mut Accounting) {
        for note in &self.notes {
            acc.note(note.clone());
        }
    }
}

/// `join`: the subsearch runs once, its rows are indexed by the join fields, and each result
/// is joined with up to `max` of them (in the subsearch's result order). The rows held and
/// the joined results beyond the input (`max=0` multiplies them) are charged to the memory
/// budget.
pub struct Join {
    spec: JoinSpec,
    rows: Option<HashMap<Vec<String>, Vec<Event>>>,
    in_flight: InFlight,
}

impl Join {
    pub fn new(spec: JoinSpec) -> Join {
        Join {
            spec,
            rows: None,
            in_flight: InFlight::default(),
        }
    }

    fn key(&self, event: &Event) -> Option<Vec<String>> {
        self.spec
            .fields
            .iter()
            .map(|f| {
                let v = event.get(f);
                (!v.is_null()).then(|| v.display_text())
            })
            .collect()
    }

    fn index(&mut self, ctx: &RunContext) {
        if self.rows.is_some() {
            return;
        }
        let mut rows: HashMap<Vec<String>, Vec<Event>> = HashMap::new();
        let mut found = run_subsearch(&self.spec.plan, ctx, JOIN_MAXOUT);
        if !super::sort::charge_events(&mut found, ctx, "join") {
            self.rows = Some(rows);
            return;
        }
        for row in found {
            if let Some(key) = self.key(&row) {
                rows.entry(key).or_default().push(row);
            }
        }
        self.rows = Some(rows);
    }
}

/// `event` with the fields of `row` added (replacing its own when `overwrite`).
fn merge(event: &Event, row: &Event, overwrite: bool) -> Event {
    let mut out = event.clone();
    for name in row.field_names() {
        if overwrite || !out.has(&name) {
            let v = row.get(&name);
            out.set(name, v);
        }
    }
    out
}

impl Operator for Join {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        self.in_flight.settle(ctx);
        self.index(ctx);
        let Some(rows) = &self.rows else { return Flow::Continue };
        if !ctx.limits.check_time() {
            batch.clear();
            return Flow::Stop;
        }
        let mut out = Vec::with_capacity(batch.len());
        let mut made = 0;
        for event in batch.drain(..) {
            let matches = self.key(&event).and_then(|k| rows.get(&k));
            match matches {
                Some(list) => {
                    let take = if self.spec.max == 0 { list.len() } else { self.spec.max };
                    let each = copy_bytes(&event);
                    let bytes: usize = list.iter().take(take).map(|row| each + copy_bytes(row)).sum();
                    made += take.min(list.len());
                    let in_time = made < CHECK_EVERY || {
                        made = 0;
                        ctx.limits.check_time()
                    };
                    if !in_time || !self.in_flight.charge(bytes, ctx, "join") {
                        // Returning drops the rest of the batch (it is being drained).
                        return Flow::Stop;
                    }
                    for row in list.iter().take(take) {
                        out.push(merge(&event, row, self.spec.overwrite));
                    }
                }
                None if self.spec.kind == JoinKind::Left => out.push(event),
                None => {}
            }
        }
        *batch = out;
        Flow::Continue
    }
}

/// `append`: results pass; the subsearch's results follow them.
pub struct Append(pub Arc<Plan>);

impl Operator for Append {
    fn push(&mut self, _batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, ctx: &RunContext) {
        let mut results = run_subsearch(&self.0, ctx, JOIN_MAXOUT);
        if super::sort::charge_events(&mut results, ctx, "append") {
            out.extend(results);
        }
    }
}

/// `appendpipe`: results pass (a copy is kept); the pipeline's results over them follow.
pub struct AppendPipe {
    plan: Arc<Plan>,
    seen: Vec<Event>,
}

impl AppendPipe {
    pub fn new(plan: Arc<Plan>) -> AppendPipe {
        AppendPipe { plan, seen: Vec::new() }
    }
}

impl Operator for AppendPipe {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let bytes: usize = batch.iter().map(event_bytes).sum();
        if !ctx.limits.charge(bytes, "appendpipe") {
            batch.clear();
            return Flow::Stop;
        }
        self.seen.extend(batch.iter().cloned());
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, ctx: &RunContext) {
        let seen = std::mem::take(&mut self.seen);
        let (results, _) = crate::run::run_events(&self.plan, seen, ctx.clone());
        out.extend(results);
    }
}

/// `format` and `return`: every result is consumed; one row with `search` comes out.
pub struct Format {
    spec: FormatSpec,
    seen: Vec<Event>,
}

impl Format {
    pub fn new(spec: FormatSpec) -> Format {
        Format { spec, seen: Vec::new() }
    }
}

impl Operator for Format {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        if !super::sort::charge_events(batch, ctx, "format") {
            return Flow::Stop;
        }
        self.seen.append(batch);
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        let text = format(&self.seen, &self.spec);
        let mut fields = FieldMap::default();
        fields.insert(Name::from("search"), Value::str(text));
        out.push(Event::row(fields));
    }
}
