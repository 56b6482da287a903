//! Hostile input: what attackers put in log lines, and what careless or malicious queries look
//! like. Each test says what Quarry does with one kind of input; none of them may panic, hang,
//! exhaust memory or quietly drop an event.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use quarry_cli::output::to_json;
use quarry_engine::event::Event;
use quarry_engine::input::{read_bytes, read_inputs, BadLine, Flow, ReadOptions, ReadSummary};
use quarry_engine::limits::{LimitKind, Limits};
use quarry_engine::ops::RunContext;
use quarry_engine::plan::EventOrder;
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{SourceKind, SourceMap};
use serde_json::{json, Value as Json};
use std::time::{Duration, Instant};

fn read_with(bytes: &[u8], opts: &ReadOptions) -> (Vec<Event>, ReadSummary, Vec<BadLine>) {
    let mut events = Vec::new();
    let mut bad = Vec::new();
    let summary = read_bytes(
        bytes,
        "hostile.ndjson",
        opts,
        &mut |b| {
            bad.push(b.clone());
            Flow::Continue
        },
        &mut |batch| {
            events.extend(batch);
            Flow::Continue
        },
    );
    (events, summary, bad)
}

fn read(bytes: &[u8]) -> (Vec<Event>, ReadSummary, Vec<BadLine>) {
    read_with(bytes, &ReadOptions::default())
}

/// Runs an SPL query over events read from `bytes` (bad lines allowed) with `limits`.
fn spl_over(query: &str, bytes: &[u8], limits: Limits) -> (Vec<Json>, Limits) {
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    let compiled = quarry_engine::spl::compile(&mut sources, id, &MacroLibrary::new(), EventOrder::Input)
        .unwrap_or_else(|e| panic!("{query}: {e:?}"));
    let (events, _, _) = read(bytes);
    let mut ctx = RunContext::new(0.0);
    ctx.limits = limits.clone();
    let (out, _) = quarry_engine::run::run_events(&compiled.plan, events, ctx);
    (out.iter().map(to_json).collect(), limits)
}

fn spl(query: &str, bytes: &[u8]) -> Vec<Json> {
    spl_over(query, bytes, Limits::default()).0
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("quarry-hostile-{}-{name}", std::process::id()))
}

fn read_paths(paths: &[String]) -> (Vec<Event>, ReadSummary) {
    let mut events = Vec::new();
    let summary = read_inputs(paths, &ReadOptions::default(), &mut |_| Flow::Continue, &mut |batch| {
        events.extend(batch);
        Flow::Continue
    });
    (events, summary)
}

// --- JSON nesting and lines ---

#[test]
fn json_nested_100000_levels_is_a_bad_line_not_a_stack_overflow() {
    let depth = 100_000;
    let mut line = "{\"a\":".repeat(depth).into_bytes();
    line.extend(b"1");
    line.extend("}".repeat(depth).into_bytes());
    line.extend(b"\n{\"ok\":1}\n");
    let (events, summary, bad) = read(&line);
    assert_eq!(events.len(), 1, "the next line is still read");
    assert_eq!(summary.bad_lines, 1);
    assert_eq!(bad[0].line, 1);
    assert!(bad[0].reason.contains("recursion limit exceeded"), "{}", bad[0].reason);
}

#[test]
fn json_arrays_nested_100000_levels_are_a_bad_line_too() {
    let depth = 100_000;
    let line = format!("{{\"a\":{}{}}}\n", "[".repeat(depth), "]".repeat(depth));
    let (events, summary, _) = read(line.as_bytes());
    assert!(events.is_empty());
    assert_eq!(summary.bad_lines, 1);
}

#[test]
fn a_line_over_the_limit_is_reported_with_its_number_and_the_limit() {
    let opts = ReadOptions {
        max_line: 1000,
        ..ReadOptions::default()
    };
    let mut text = b"{\"a\":1}\n{\"big\":\"".to_vec();
    text.extend(std::iter::repeat_n(b'x', 100_000));
    text.extend(b"\"}\n{\"a\":3}\n");
    let (events, summary, bad) = read_with(&text, &opts);
    assert_eq!(events.len(), 2);
    assert_eq!(summary.oversized_lines, 1);
    assert_eq!(bad[0].line, 2);
    assert_eq!(
        bad[0].reason,
        "line is 100011 bytes or more, over the limit of 1000 bytes; skipped"
    );
}

#[test]
fn invalid_utf8_is_a_bad_line_with_the_byte_position() {
    let (events, summary, bad) = read(b"{\"a\":\"ok\"}\n{\"a\":\"\xff\xfe\"}\n{\"a\":\"fine\"}\n");
    assert_eq!(events.len(), 2);
    assert_eq!(summary.bad_lines, 1);
    assert_eq!(bad[0].line, 2);
    assert_eq!(bad[0].reason, "invalid UTF-8 at byte 6");
}

#[test]
fn nul_bytes_outside_strings_are_bad_lines_and_escaped_nuls_are_text() {
    let (events, _, bad) = read(b"{\"a\":1}\x00\n{\"cmd\":\"a\\u0000b\"}\n");
    assert_eq!(bad.len(), 1);
    assert!(bad[0].reason.starts_with("invalid JSON"), "{}", bad[0].reason);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].get("cmd").display_text(), "a\0b");
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_are_not_part_of_the_event() {
    let (events, summary, _) = read(b"\xEF\xBB\xBF{\"a\":\"x\"}\r\n{\"a\":\"y\"}\r\n");
    assert_eq!(summary.bad_lines, 0);
    let values: Vec<String> = events.iter().map(|e| e.get("a").display_text()).collect();
    assert_eq!(values, ["x", "y"]);
    assert_eq!(events[1].get("_raw").display_text(), "{\"a\":\"y\"}");
}

#[test]
fn an_empty_file_has_no_lines_and_no_errors() {
    let (events, summary, _) = read(b"");
    assert!(events.is_empty());
    assert_eq!((summary.lines, summary.bad_lines), (0, 0));
    assert!(summary.errors.is_empty());
}

#[test]
fn a_directory_given_as_a_log_file_is_an_input_error() {
    let dir = std::env::temp_dir().display().to_string();
    let (_, summary) = read_paths(&[dir]);
    assert_eq!(summary.errors.len(), 1);
    assert_eq!(summary.errors[0].message, "is a directory, not a log file");
}

#[test]
fn a_truncated_gzip_keeps_the_events_before_the_cut_and_is_an_input_error() {
    let mut body = Vec::new();
    for n in 0..2000 {
        body.extend(format!("{{\"n\":{n},\"pad\":\"{}\"}}\n", n * 7919 % 100_003).into_bytes());
    }
    // Compress with the gzip tool when it is there; otherwise this test has nothing to do.
    let plain = temp_path("gz-plain.ndjson");
    std::fs::write(&plain, &body).unwrap();
    let Ok(out) = std::process::Command::new("gzip").arg("-c").arg(&plain).output() else {
        return;
    };
    std::fs::remove_file(&plain).ok();
    let gz = out.stdout;
    let cut = temp_path("cut.ndjson.gz");
    std::fs::write(&cut, &gz[..gz.len() / 2]).unwrap();
    let (events, summary) = read_paths(&[cut.display().to_string()]);
    std::fs::remove_file(&cut).ok();
    assert!(!events.is_empty() && events.len() < 2000, "{} events", events.len());
    assert_eq!(summary.errors.len(), 1);
    assert!(
        summary.errors[0].message.contains("truncated input"),
        "{}",
        summary.errors[0].message
    );
}

// --- numbers and keys ---

#[test]
fn a_number_beyond_f64_keeps_the_event_and_its_text() {
    let (events, summary, _) = read(b"{\"n\":1e400,\"m\":-2E+999,\"s\":\"1e400\",\"k\":1}\n");
    assert_eq!(summary.bad_lines, 0);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].get("n").display_text(), "1e400");
    assert_eq!(events[0].get("m").display_text(), "-2E+999");
    assert_eq!(events[0].get("k").display_text(), "1");
    // The raw text is the line as written.
    assert!(events[0].get("_raw").display_text().contains("1e400,"));
}

#[test]
fn a_number_beyond_i64_is_read_as_a_float() {
    let out = spl(
        "| eval big=n+0, t=typeof(n) | table big t",
        b"{\"n\":123456789012345678901234567890}\n",
    );
    assert_eq!(out, vec![json!({"big": 1.2345678901234568e29, "t": "Number"})]);
}

#[test]
fn a_duplicate_key_keeps_its_last_value() {
    let out = spl("| table a", b"{\"a\":\"first\",\"a\":\"second\"}\n");
    assert_eq!(out, vec![json!({"a": "second"})]);
}

#[test]
fn a_key_with_dots_wins_over_the_nested_path_it_collides_with() {
    let out = spl(
        "| table a.b a.c",
        b"{\"a.b\":\"flat\",\"a\":{\"b\":\"nested\",\"c\":\"only nested\"}}\n",
    );
    assert_eq!(out, vec![json!({"a.b": "flat", "a.c": "only nested"})]);
}

// --- queries ---

#[test]
fn deeply_nested_queries_are_errors_not_stack_overflows() {
    let depth = 100_000;
    let queries = [
        format!("{}a=1{}", "(".repeat(depth), ")".repeat(depth)),
        format!("| eval x={}1{}", "(".repeat(depth), ")".repeat(depth)),
        format!("| eval x={}1{}", "abs(".repeat(depth), ")".repeat(depth)),
        format!("| where {}a=1", "NOT ".repeat(depth)),
        format!("| eval x=1{}", "+1".repeat(depth)),
    ];
    for query in queries {
        let mut sources = SourceMap::new();
        let id = sources.add("query", query.as_str(), SourceKind::Query);
        let err = quarry_engine::spl::compile(&mut sources, id, &MacroLibrary::new(), EventOrder::Input)
            .err()
            .unwrap_or_else(|| panic!("expected an error for {}...", &query[..40]));
        let message = &err[0].message;
        assert!(
            message.contains("too deeply") || message.contains("too long"),
            "{message}"
        );
    }
    let eql = format!("any where {}a == 1{}", "(".repeat(depth), ")".repeat(depth));
    let mut sources = SourceMap::new();
    let id = sources.add("query", eql.as_str(), SourceKind::Query);
    let err = quarry_engine::eql::compile(&sources, id, &Default::default()).unwrap_err();
    assert!(err[0].message.contains("too deeply"), "{}", err[0].message);
}

#[test]
fn recursive_macros_are_an_error_not_an_endless_expansion() {
    let mut macros = MacroLibrary::new();
    macros
        .load_conf("[a]\ndefinition = `b` x\n[b]\ndefinition = `a` y\n", "macros.conf")
        .unwrap();
    let mut sources = SourceMap::new();
    let id = sources.add("query", "`a`", SourceKind::Query);
    let err = macros.expand(&mut sources, id).unwrap_err();
    assert!(!err.is_empty());
}

/// The regex engine is linear-time (Rust's `regex`): a pattern that backtracks exponentially
/// elsewhere finishes at once.
#[test]
fn catastrophic_backtracking_patterns_finish_in_linear_time() {
    let evil = format!("{}b", "a".repeat(50_000));
    let line = format!("{{\"s\":\"{evil}\"}}\n");
    let started = Instant::now();
    let out = spl(
        "| eval m=if(match(s, \"^(a+)+$\"), \"yes\", \"no\"), r=len(replace(s, \"(a|aa)+$\", \"\")), n=if(like(s, \"%a%a%a%a%c\"), 1, 0) | table m r n",
        line.as_bytes(),
    );
    assert_eq!(out, vec![json!({"m": "no", "r": 50001, "n": 0})]);
    let searched = spl("s=*a*a*a*a*a*a*c | table s", line.as_bytes());
    assert!(searched.is_empty());
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
}

#[test]
fn eql_regex_and_wildcards_finish_in_linear_time() {
    let evil = format!("{}b", "a".repeat(50_000));
    let line = format!("{{\"event_type\":\"x\",\"s\":\"{evil}\"}}\n");
    let started = Instant::now();
    let got = common::eql(
        "any where s regex \"(a+)+$\" or s : \"*a*a*a*a*a*a*c\"",
        &line,
        quarry_engine::eql::Dialect::Elasticsearch,
    );
    assert!(got.is_ok(), "{got:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

// --- limits ---

#[test]
fn blocking_commands_past_the_memory_limit_stop_with_a_limit_error() {
    let mut text = Vec::new();
    for n in 0..5000 {
        text.extend(format!("{{\"n\":{n},\"user\":\"u{n}\"}}\n").into_bytes());
    }
    for query in [
        "| sort n",
        "| stats count by user",
        "| dedup user",
        "| eventstats count by user",
        "| tail 4000",
    ] {
        let (out, limits) = spl_over(query, &text, Limits::new(64 * 1024, None));
        let error = limits.exceeded().unwrap_or_else(|| panic!("{query}: no limit error"));
        assert_eq!(error.kind, LimitKind::Memory);
        assert!(error.message.contains("memory limit exceeded"), "{}", error.message);
        assert!(error.message.contains("64 KiB"), "{}", error.message);
        assert!(
            out.is_empty(),
            "{query}: a partial answer was finished: {} results",
            out.len()
        );
    }
    // The same queries run under the default budget.
    let (out, limits) = spl_over("| stats count by user", &text, Limits::default());
    assert!(limits.exceeded().is_none());
    assert_eq!(out.len(), 5000);
}

#[test]
fn a_run_past_its_deadline_stops_with_a_timeout() {
    let mut sources = SourceMap::new();
    let id = sources.add("query", "| stats count", SourceKind::Query);
    let compiled = quarry_engine::spl::compile(&mut sources, id, &MacroLibrary::new(), EventOrder::Input).unwrap();
    let path = temp_path("deadline.ndjson");
    std::fs::write(&path, "{\"a\":1}\n".repeat(5000)).unwrap();
    let mut ctx = RunContext::new(0.0);
    ctx.limits = Limits::new(quarry_engine::limits::DEFAULT_MAX_MEMORY, Some(Duration::ZERO));
    let limits = ctx.limits.clone();
    let mut results = 0;
    let report = quarry_engine::run::run(
        &compiled.plan,
        &[path.display().to_string()],
        &ReadOptions::default(),
        ctx,
        &mut |_| Flow::Continue,
        &mut |batch| results += batch.len(),
    );
    std::fs::remove_file(&path).ok();
    assert_eq!(limits.exceeded().unwrap().kind, LimitKind::Timeout);
    assert_eq!(results, 0, "no count is given for input not read");
    assert!(report.read.stopped_early);
}

#[test]
fn partial_sequences_past_the_memory_limit_stop_with_a_limit_error() {
    let mut text = String::new();
    for n in 0..3000 {
        text.push_str(&format!(
            "{{\"@timestamp\":{n},\"event_type\":\"x\",\"user\":\"u{n}\",\"a\":1}}\n"
        ));
    }
    let opts = quarry_engine::eql::EqlOptions {
        category_field: "event_type".into(),
        time_field: Some("@timestamp".into()),
        ..Default::default()
    };
    let mut sources = SourceMap::new();
    let id = sources.add(
        "query",
        "sequence by user [any where a == 1] [any where a == 2]",
        SourceKind::Query,
    );
    let plan = quarry_engine::eql::compile(&sources, id, &opts).unwrap();
    let (events, _, _) = read(text.as_bytes());
    let mut ctx = RunContext::new(0.0);
    ctx.limits = Limits::new(256 * 1024, None);
    let limits = ctx.limits.clone();
    let (out, _) = quarry_engine::run::run_events(&plan, events, ctx);
    assert!(out.is_empty());
    let error = limits.exceeded().unwrap();
    assert!(error.message.contains("`sequence`"), "{}", error.message);
}
