//! Hostile queries over the commands that hold results or multiply them, and hostile regexes
//! through every command and function that takes one.
//!
//! A command that holds its input until the end (`transaction`, `append`, `format`, ...) or
//! emits more than it receives (`mvexpand`, `join max=0`, `makeresults count=`, `lookup` over
//! multivalue inputs) charges the run's memory budget. Past the budget the run stops with an
//! error naming the command and the limit, and no partial answer is finished; with enough
//! memory the same query gives the whole answer. Regexes run on a linear-time engine, so a
//! pattern that backtracks exponentially under PCRE finishes at once.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use quarry_cli::library;
use quarry_cli::output::to_json;
use quarry_engine::eql::EqlOptions;
use quarry_engine::input::ReadOptions;
use quarry_engine::limits::{LimitKind, Limits, DEFAULT_MAX_MEMORY};
use quarry_engine::lookup::LookupRegistry;
use quarry_engine::ops::RunContext;
use quarry_engine::plan::EventOrder;
use quarry_syntax::{SourceKind, SourceMap};
use serde_json::{json, Value as Json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const SMALL: usize = 1 << 20;

fn lookups() -> Arc<LookupRegistry> {
    common::fixture_lookups()
}

/// Runs `query` over NDJSON `text` under `limits`; the results and the limit hit, if any.
fn run(query: &str, text: &str, limits: Limits) -> (Vec<Json>, Option<quarry_engine::limits::LimitError>) {
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    let compiled = quarry_engine::spl::compile_with_lookups(
        &mut sources,
        id,
        &library::builtin_macros(),
        EventOrder::Input,
        &EqlOptions::default(),
        &lookups(),
    )
    .unwrap_or_else(|e| panic!("{query}: {e:?}"));
    let events = common::read_events(text, &ReadOptions::default());
    let mut ctx = RunContext::new(1_700_000_000.0);
    ctx.limits = limits.clone();
    let (out, _) = quarry_engine::run::run_events(&compiled.plan, events, ctx);
    (out.iter().map(to_json).collect(), limits.exceeded())
}

/// Runs `query` with a 1 MiB budget and checks it stops with a memory error naming `command`.
fn assert_over_budget(query: &str, text: &str, command: &str) {
    let started = Instant::now();
    let (out, error) = run(query, text, Limits::new(SMALL, None));
    let error = error.unwrap_or_else(|| panic!("{query}: no limit error ({} results)", out.len()));
    assert_eq!(error.kind, LimitKind::Memory);
    assert_eq!(
        error.message,
        format!(
            "memory limit exceeded: `{command}` needs more than the 1 MiB allowed to blocking commands (raise it with --max-memory)"
        ),
        "{query}"
    );
    assert!(
        out.is_empty(),
        "{query}: a partial answer was finished: {} results",
        out.len()
    );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(20), "{query} took {elapsed:?}");
}

/// Runs `query` under the default budget; it must not hit a limit.
fn within_budget(query: &str, text: &str) -> Vec<Json> {
    let (out, error) = run(query, text, Limits::default());
    assert!(error.is_none(), "{query}: {error:?}");
    out
}

/// `n` events, one user each, a second apart.
fn users(n: usize) -> String {
    (0..n)
        .map(|k| format!("{{\"_time\":{k},\"user\":\"u{}\",\"n\":{k}}}\n", k % 10))
        .collect()
}

/// One event whose field `s` holds the numbers `0..n` separated by commas.
fn numbers(n: usize) -> String {
    let list: Vec<String> = (0..n).map(|k| k.to_string()).collect();
    format!("{{\"s\":\"{}\"}}\n", list.join(","))
}

// --- fan-out ---

#[test]
fn mvexpand_of_a_huge_multivalue_stops_at_the_limit_and_expands_with_enough_memory() {
    let text = numbers(200_000);
    let query = "| eval x=split(s, \",\") | mvexpand x | stats count dc(x) as distinct";
    assert_over_budget(query, &text, "mvexpand");
    assert_eq!(
        within_budget(query, &text),
        vec![json!({"count": 200000, "distinct": 200000})]
    );
}

#[test]
fn mvexpand_limit_bounds_the_fan_out_before_it_is_charged() {
    let query = "| eval x=split(s, \",\") | mvexpand x limit=3 | table x";
    let (out, error) = run(query, &numbers(200_000), Limits::new(SMALL, None));
    assert!(error.is_none(), "{error:?}");
    assert_eq!(out, vec![json!({"x": "0"}), json!({"x": "1"}), json!({"x": "2"})]);
}

#[test]
fn mvexpand_inside_foreach_is_charged_too() {
    let query = "| eval x=split(s, \",\") | foreach x [mvexpand <<FIELD>>] | stats count";
    assert_over_budget(query, &numbers(200_000), "mvexpand");
}

#[test]
fn join_max_0_multiplying_rows_stops_at_the_limit_and_joins_with_enough_memory() {
    let query =
        "| makeresults count=400 | eval k=1 | join max=0 k [| makeresults count=400 | eval k=1, j=1] | stats count sum(j) as j";
    assert_over_budget(query, "", "join");
    assert_eq!(within_budget(query, ""), vec![json!({"count": 160000, "j": 160000})]);
}

#[test]
fn makeresults_count_is_charged_before_any_result_is_made() {
    let started = Instant::now();
    let (out, error) = run("| makeresults count=100000000 | stats count", "", Limits::default());
    let error = error.unwrap();
    assert_eq!(error.kind, LimitKind::Memory);
    assert!(
        error.message.contains("`makeresults`") && error.message.contains("2 GiB"),
        "{error}"
    );
    assert!(out.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(
        within_budget("| makeresults count=100000 | stats count", ""),
        vec![json!({"count": 100000})]
    );
}

#[test]
fn lookup_over_multivalue_inputs_charges_every_combination() {
    // 2,000 x 2,000 values: four million combinations to look up.
    let query = "| eval a=split(s, \",\"), b=a | lookup users.csv user AS a, role AS b OUTPUT department | stats count";
    assert_over_budget(query, &numbers(2000), "lookup");
    let small = "| makeresults | eval a=split(\"alice,bob\", \",\"), b=split(\"admin,developer\", \",\") | lookup users.csv user AS a, role AS b OUTPUT department | table department";
    assert_eq!(
        within_budget(small, ""),
        vec![json!({"department": ["finance", "engineering"]})]
    );
}

// --- commands that hold their input ---

#[test]
fn transaction_holds_every_event_within_the_budget() {
    let text = users(20_000);
    let query = "| transaction user maxpause=20s | stats count sum(eventcount) as events";
    assert_over_budget(query, &text, "transaction");
    assert_eq!(within_budget(query, &text), vec![json!({"count": 10, "events": 20000})]);
}

#[test]
fn every_holding_command_stops_at_the_limit() {
    let text = users(20_000);
    for (query, command) in [
        ("| append [| makeresults count=5000] | stats count", "append"),
        ("| appendpipe [stats count] | stats count", "appendpipe"),
        ("| format", "format"),
        ("| eval v=n | mvcombine v", "mvcombine"),
        ("| top limit=0 n", "top"),
        // `timechart` counts with a `stats` step (which the message names), then pivots.
        ("| timechart span=1s count", "stats"),
    ] {
        assert_over_budget(query, &text, command);
    }
    assert_eq!(
        within_budget(
            "| eval v=n | mvcombine v | eval c=mvcount(v) | stats sum(c) as c",
            &text
        ),
        vec![json!({"c": 20000})]
    );
    assert_eq!(
        within_budget("| append [| makeresults count=5000] | stats count", &text),
        vec![json!({"count": 25000})]
    );
}

// --- deadlines ---

#[test]
fn a_deadline_is_honoured_over_events_in_memory() {
    let text = users(5000);
    let (out, error) = run(
        "| transaction user | stats count",
        &text,
        Limits::new(DEFAULT_MAX_MEMORY, Some(Duration::ZERO)),
    );
    let error = error.unwrap();
    assert_eq!(error.kind, LimitKind::Timeout);
    assert_eq!(error.message, "query timed out after 0s (--timeout)");
    assert!(out.is_empty());
}

// --- catastrophic regexes ---

/// Patterns that take exponential time in a backtracking engine on these inputs.
fn hostile_input() -> String {
    let a = format!("{}b", "a".repeat(50_000));
    let x = "x".repeat(50_000);
    format!("{{\"a\":\"{a}\",\"x\":\"{x}\"}}\n")
}

fn finishes_fast(query: &str) -> Vec<Json> {
    let started = Instant::now();
    let out = within_budget(query, &hostile_input());
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(10), "{query} took {elapsed:?}");
    out
}

#[test]
fn rex_with_a_catastrophic_pattern_finishes_and_extracts_nothing() {
    let out = finishes_fast(
        r#"| rex field=a "(?<g>(a+)+$)" | rex field=x "(?<h>(x+x+)+y)" | eval g=coalesce(g, "none"), h=coalesce(h, "none") | table g h"#,
    );
    assert_eq!(out, vec![json!({"g": "none", "h": "none"})]);
}

#[test]
fn the_regex_command_with_a_catastrophic_pattern_finishes() {
    assert!(finishes_fast(r#"| regex a="^(a+)+$" | table a"#).is_empty());
    assert!(finishes_fast(r#"| regex x="(x+x+)+y" | table x"#).is_empty());
    assert_eq!(
        finishes_fast(r#"| regex x!="(x+x+)+y" | eval n=len(x) | table n"#),
        vec![json!({"n": 50000})]
    );
}

#[test]
fn match_replace_and_mvfind_with_catastrophic_patterns_finish() {
    let out = finishes_fast(
        r#"| eval m=if(match(a, "^(a+)+$"), 1, 0), y=if(match(x, "(x+x+)+y"), 1, 0), r=len(replace(x, "(x+x+)+y", "")), f=coalesce(mvfind(mvappend("b", x), "(x+x+)+y"), -1) | table m y r f"#,
    );
    assert_eq!(out, vec![json!({"m": 0, "y": 0, "r": 50000, "f": -1})]);
}

#[test]
fn rex_mode_sed_with_a_catastrophic_pattern_finishes() {
    let out = finishes_fast(
        r#"| rex field=x mode=sed "s/(x+x+)+y/Z/g" | rex field=a mode=sed "s/(a+)+$/Z/" | eval n=len(x), t=substr(a, 1, 1) . len(a) | table n t"#,
    );
    // Neither pattern matches: the values stay as they were.
    assert_eq!(out, vec![json!({"n": 50000, "t": "a50001"})]);
}
