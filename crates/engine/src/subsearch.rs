//! Running subsearches: a [`SubsearchRunner`] in the run context runs a sub-plan over the
//! run's inputs again (files are re-read; events in memory are reused), and [`format`]
//! writes results as a search string the way Splunk's `format` and `return` commands do.

use crate::event::Event;
use crate::input::{Flow as ReadFlow, ReadOptions};
use crate::ops::RunContext;
use crate::plan::{FormatSpec, Plan, ReturnSpec};
use crate::value::Value;
use std::fmt::Debug;
use std::sync::Arc;

/// Runs a sub-plan over the inputs of the run it belongs to.
pub trait SubsearchRunner: Send + Sync + Debug {
    /// The results of `plan`, at most `max`.
    fn run(&self, plan: &Plan, ctx: &RunContext, max: usize) -> Vec<Event>;
}

/// Re-reads input files (standard input cannot be read twice: a subsearch over `-` sees no
/// events).
#[derive(Debug)]
pub struct FileInputs {
    pub inputs: Vec<String>,
    pub read: ReadOptions,
}

impl SubsearchRunner for FileInputs {
    fn run(&self, plan: &Plan, ctx: &RunContext, max: usize) -> Vec<Event> {
        let inputs: Vec<String> = self.inputs.iter().filter(|i| i.as_str() != "-").cloned().collect();
        let mut out = Vec::new();
        crate::run::run(
            plan,
            &inputs,
            &self.read,
            ctx.clone(),
            &mut |_| ReadFlow::Continue,
            &mut |batch| out.extend(batch),
        );
        out.truncate(max);
        out
    }
}

/// Events already in memory.
#[derive(Debug)]
pub struct MemoryInputs(pub Arc<Vec<Event>>);

impl SubsearchRunner for MemoryInputs {
    fn run(&self, plan: &Plan, ctx: &RunContext, max: usize) -> Vec<Event> {
        let (mut out, _) = crate::run::run_events(plan, self.0.as_ref().clone(), ctx.clone());
        out.truncate(max);
        out
    }
}

/// Runs `plan` with the context's runner; without one (a run with no inputs to re-read) the
/// subsearch sees no events.
pub fn run_subsearch(plan: &Plan, ctx: &RunContext, max: usize) -> Vec<Event> {
    match &ctx.subsearch {
        Some(runner) => runner.run(plan, ctx, max),
        None => {
            let (mut out, _) = crate::run::run_events(plan, Vec::new(), ctx.clone());
            out.truncate(max);
            out
        }
    }
}

/// The search string a subsearch's results stand for: the `search` (or `query`) field of the
/// first result when `format` or `return` made one, otherwise the results as `format` writes
/// them by default.
pub fn search_text(results: &[Event]) -> String {
    if let Some(first) = results.first() {
        for name in ["search", "query"] {
            let v = first.get(name);
            if !v.is_null() {
                return v.display_text();
            }
        }
    }
    format(results, &FormatSpec::default_format())
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Fields a result contributes to a search string: every field with a value, except
/// internal ones (`_time`, `_raw`, ...).
fn result_fields(event: &Event) -> Vec<(String, Value)> {
    event
        .field_names()
        .into_iter()
        .filter(|n| !n.starts_with('_'))
        .map(|n| {
            let v = event.get(&n);
            (n.to_string(), v)
        })
        .filter(|(_, v)| !v.is_null())
        .collect()
}

/// Writes results as a search string (`format`, `return`).
pub fn format(results: &[Event], spec: &FormatSpec) -> String {
    match spec {
        FormatSpec::Format {
            strings,
            mvsep,
            max_results,
            empty,
        } => {
            let [row_prefix, col_prefix, col_sep, col_end, row_sep, row_end] = strings;
            let take = if *max_results == 0 { results.len() } else { *max_results };
            let rows: Vec<String> = results
                .iter()
                .take(take)
                .map(|event| {
                    let cols: Vec<String> = result_fields(event)
                        .into_iter()
                        .map(|(name, value)| {
                            if value.is_multi() {
                                let parts: Vec<String> = value
                                    .iter()
                                    .map(|v| format!("{name}={}", quote(&v.display_text())))
                                    .collect();
                                format!("( {} )", parts.join(&format!(" {mvsep} ")))
                            } else {
                                format!("{name}={}", quote(&value.display_text()))
                            }
                        })
                        .collect();
                    format!("{col_prefix} {} {col_end}", cols.join(&format!(" {col_sep} ")))
                })
                .collect();
            if rows.is_empty() {
                return empty.clone();
            }
            format!("{row_prefix} {} {row_end}", rows.join(&format!(" {row_sep} ")))
        }
        FormatSpec::Return { count, items } => {
            let rows: Vec<String> = results
                .iter()
                .take(*count)
                .map(|event| {
                    let parts: Vec<String> = items
                        .iter()
                        .filter_map(|item| match item {
                            ReturnSpec::Named { name, field } => {
                                let v = event.get(field);
                                (!v.is_null()).then(|| format!("{name}={}", quote(&v.display_text())))
                            }
                            ReturnSpec::Value(field) => {
                                let v = event.get(field);
                                (!v.is_null()).then(|| v.display_text())
                            }
                        })
                        .collect();
                    parts.join(" ")
                })
                .filter(|row| !row.is_empty())
                .collect();
            if rows.len() == 1 {
                rows[0].clone()
            } else {
                rows.iter().map(|r| format!("({r})")).collect::<Vec<_>>().join(" OR ")
            }
        }
    }
}
