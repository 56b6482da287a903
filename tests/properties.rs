//! Properties checked on generated input (proptest):
//! - SPL and EQL queries generated from a grammar parse, print, and parse again to the same
//!   tree (spans do not take part in equality);
//! - reading several inputs on one thread and on two gives the same results and the same
//!   accounting.
//!
//! Case counts are kept modest so the suite stays fast in CI; `PROPTEST_CASES` raises them.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use proptest::prelude::*;
use proptest::test_runner::Config;
use quarry_cli::output::to_json;
use quarry_engine::input::{Flow, ReadOptions};
use quarry_engine::ops::RunContext;
use quarry_engine::plan::EventOrder;
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{SourceId, SourceKind, SourceMap};
use serde_json::Value as Json;

fn config(cases: u32) -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..Config::default()
    }
}

// --- SPL ---

fn spl_field() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "user",
        "src",
        "count_x",
        "x1",
        "a.b",
        "target{}.id",
        "event.action",
        "_time",
        "dest_ip",
    ])
    .prop_map(str::to_string)
}

/// A quoted string with characters that need escaping.
fn spl_string() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.*%:/\\\\\"-]{0,8}".prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
}

fn spl_number() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..100_000).prop_map(|n| n.to_string()),
        (0u32..1000, 1u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
    ]
}

fn spl_value() -> impl Strategy<Value = String> {
    prop_oneof![spl_string(), spl_number(), "[a-z][a-z0-9_]{0,5}\\*?".prop_map(|s| s)]
}

fn search_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (spl_field(), spl_value()).prop_map(|(f, v)| format!("{f}={v}")),
        (
            spl_field(),
            prop::sample::select(vec!["!=", ">", ">=", "<", "<="]),
            spl_number()
        )
            .prop_map(|(f, op, v)| format!("{f}{op}{v}")),
        (spl_field(), prop::collection::vec(spl_value(), 1..4))
            .prop_map(|(f, vs)| format!("{f} IN ({})", vs.join(", "))),
        "[a-z][a-z0-9]{1,6}".prop_map(|s| s),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} OR {b}")),
            inner.clone().prop_map(|a| format!("NOT {a}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

/// A field in an eval expression: names other than plain words are single-quoted.
fn eval_field() -> impl Strategy<Value = String> {
    spl_field().prop_map(|f| {
        if f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            f
        } else {
            format!("'{f}'")
        }
    })
}

fn eval_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        eval_field(),
        spl_string(),
        spl_number(),
        Just("null()".to_string()),
        Just("true()".to_string()),
    ];
    leaf.prop_recursive(4, 32, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", ".", "=", "==", "!=", "<", ">=", "AND", "OR", "XOR", "LIKE"
                ]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            inner.clone().prop_map(|a| format!("NOT {a}")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("({a})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("if({c}, {a}, {b})")),
            (
                prop::sample::select(vec!["len", "lower", "upper", "tostring", "abs", "isnull", "mvcount"]),
                inner.clone()
            )
                .prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
            (inner.clone(), spl_string()).prop_map(|(a, r)| format!("match({a}, {r})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("case({a}, {b}, true(), 0)")),
        ]
    })
}

fn spl_command() -> impl Strategy<Value = String> {
    let agg = prop_oneof![
        Just("count".to_string()),
        (
            prop::sample::select(vec!["sum", "avg", "min", "max", "dc", "values", "latest", "earliest"]),
            spl_field()
        )
            .prop_map(|(f, x)| format!("{f}({x})")),
    ];
    let named_agg = (agg, prop::option::of("[a-z][a-z0-9_]{0,5}")).prop_map(|(a, name)| match name {
        Some(n) => format!("{a} as {n}"),
        None => a,
    });
    prop_oneof![
        search_expr().prop_map(|s| format!("search {s}")),
        eval_expr().prop_map(|e| format!("where {e}")),
        prop::collection::vec(("[a-z][a-z0-9_]{0,5}", eval_expr()), 1..3).prop_map(|assigns| {
            let parts: Vec<String> = assigns.into_iter().map(|(f, e)| format!("{f}={e}")).collect();
            format!("eval {}", parts.join(", "))
        }),
        (
            prop::sample::select(vec!["stats", "eventstats", "streamstats"]),
            prop::collection::vec(named_agg, 1..3),
            prop::collection::vec(spl_field(), 0..3)
        )
            .prop_map(|(cmd, aggs, by)| {
                let by = if by.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", by.join(", "))
                };
                format!("{cmd} {}{by}", aggs.join(", "))
            }),
        (1u32..100).prop_map(|n| format!("head {n}")),
        (1u32..100).prop_map(|n| format!("tail {n}")),
        (prop::option::of(Just("-")), spl_field()).prop_map(|(d, f)| format!("sort {}{f}", d.unwrap_or(""))),
        prop::collection::vec(spl_field(), 1..3).prop_map(|fs| format!("dedup {}", fs.join(" "))),
        prop::collection::vec(spl_field(), 1..3).prop_map(|fs| format!("fields - {}", fs.join(", "))),
        prop::collection::vec(spl_field(), 1..3).prop_map(|fs| format!("table {}", fs.join(" "))),
        (spl_field(), "[a-z][a-z0-9_]{0,5}").prop_map(|(a, b)| format!("rename {a} as {b}")),
        (spl_value(), prop::collection::vec(spl_field(), 0..2))
            .prop_map(|(v, fs)| format!("fillnull value={v} {}", fs.join(" "))),
        (spl_field(), prop::sample::select(vec!["1h", "5m", "30s", "1d"]))
            .prop_map(|(f, s)| format!("bin {f} span={s}")),
    ]
}

fn spl_query() -> impl Strategy<Value = String> {
    (
        prop::option::of(search_expr()),
        prop::collection::vec(spl_command(), 0..5),
    )
        .prop_map(|(search, cmds)| {
            let mut q = search.unwrap_or_default();
            if q.is_empty() && cmds.is_empty() {
                q.push('*');
            }
            for c in cmds {
                q.push_str(" | ");
                q.push_str(&c);
            }
            q
        })
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn spl_print_then_parse_gives_the_same_tree(query in spl_query()) {
        let first = quarry_syntax::spl::parse_pipeline(&query, SourceId(0))
            .map_err(|e| TestCaseError::fail(format!("generated query does not parse: {query}\n{e:?}")))?;
        let printed = first.to_string();
        let second = quarry_syntax::spl::parse_pipeline(&printed, SourceId(0))
            .map_err(|e| TestCaseError::fail(format!("printed query does not parse: {printed}\n{e:?}")))?;
        prop_assert_eq!(first, second, "query: {}\nprinted: {}", query, printed);
    }
}

// --- EQL ---

fn eql_field() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "user.name",
        "process.name",
        "a",
        "b",
        "event.action",
        "source.ip",
        "process.args[0]",
    ])
    .prop_map(str::to_string)
}

fn eql_string() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _.*?:/\\\\\"-]{0,8}".prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")))
}

fn eql_value() -> impl Strategy<Value = String> {
    prop_oneof![
        eql_string(),
        (0i64..100_000).prop_map(|n| n.to_string()),
        (0u32..1000, 1u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
    ]
}

fn eql_expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        (
            eql_field(),
            prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">=", ":", "like", "like~", "regex"]),
            eql_value()
        )
            .prop_map(|(f, op, v)| format!("{f} {op} {v}")),
        (
            eql_field(),
            prop::sample::select(vec!["in", "not in", "in~"]),
            prop::collection::vec(eql_value(), 1..4)
        )
            .prop_map(|(f, op, vs)| format!("{f} {op} ({})", vs.join(", "))),
        (
            prop::sample::select(vec!["startsWith", "endsWith", "stringContains", "startsWith~"]),
            eql_field(),
            eql_string()
        )
            .prop_map(|(func, f, s)| format!("{func}({f}, {s})")),
        (eql_field(), 0i64..10).prop_map(|(f, n)| format!("length({f}) > {n}")),
        eql_field().prop_map(|f| format!("cidrMatch({f}, \"10.0.0.0/8\", \"192.168.0.0/16\")")),
        (eql_field(), eql_field()).prop_map(|(a, b)| format!("{a} + 1 == {b} * 2")),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b}")),
            inner.clone().prop_map(|a| format!("not {a}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

fn eql_event_query() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["any", "process", "network", "authentication"]),
        eql_expr(),
    )
        .prop_map(|(cat, e)| format!("{cat} where {e}"))
}

fn eql_query() -> impl Strategy<Value = String> {
    let stage = || eql_event_query().prop_map(|q| format!("[{q}]"));
    let sequence = (
        prop::option::of(prop::collection::vec(eql_field(), 1..3)),
        prop::option::of(prop::sample::select(vec!["5m", "30s", "1h", "2d"])),
        prop::collection::vec(stage(), 2..4),
        prop::option::of(stage()),
    )
        .prop_map(|(by, span, stages, until)| {
            let mut q = "sequence".to_string();
            if let Some(by) = by {
                q.push_str(&format!(" by {}", by.join(", ")));
            }
            if let Some(span) = span {
                q.push_str(&format!(" with maxspan={span}"));
            }
            for s in stages {
                q.push_str(&format!(" {s}"));
            }
            if let Some(u) = until {
                q.push_str(&format!(" until {u}"));
            }
            q
        });
    let body = prop_oneof![eql_event_query(), sequence];
    let pipe = prop_oneof![
        (1u32..50).prop_map(|n| format!(" | head {n}")),
        (1u32..50).prop_map(|n| format!(" | tail {n}")),
    ];
    (body, prop::option::of(pipe)).prop_map(|(b, p)| format!("{b}{}", p.unwrap_or_default()))
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn eql_print_then_parse_gives_the_same_tree(query in eql_query()) {
        let first = quarry_syntax::eql::parse_query(&query, SourceId(0))
            .map_err(|e| TestCaseError::fail(format!("generated query does not parse: {query}\n{e:?}")))?;
        let printed = first.to_string();
        let second = quarry_syntax::eql::parse_query(&printed, SourceId(0))
            .map_err(|e| TestCaseError::fail(format!("printed query does not parse: {printed}\n{e:?}")))?;
        prop_assert_eq!(first, second, "query: {}\nprinted: {}", query, printed);
    }
}

// --- one reader thread or two ---

/// An event: a distinct time (so the merged order is total), a user, an action, a number.
fn event() -> impl Strategy<Value = (u32, &'static str, &'static str, i64)> {
    (
        0u32..100_000,
        prop::sample::select(vec!["ann", "bob", "cy"]),
        prop::sample::select(vec!["deny", "allow", "push"]),
        -5i64..50,
    )
}

const QUERIES: &[(&str, &str)] = &[
    (
        "spl",
        "| stats count, sum(n) as total, values(action) as actions by user",
    ),
    ("spl", "action=deny | head 7"),
    (
        "spl",
        "| streamstats count as k by user | where k < 3 | table _time user k",
    ),
    ("spl", "| dedup user action | sort - n"),
    (
        "spl",
        "| eventstats max(n) as top by user | where n = top | fields user n",
    ),
    (
        "eql",
        "sequence by user [any where action == \"deny\"] [any where action == \"allow\"]",
    ),
    ("eql", "any where n > 10 | tail 5"),
];

/// Runs every query over `files` with `threads` reader threads; the results and the read
/// counts of each, as text.
fn run_all(files: &[String], threads: usize) -> Vec<(Vec<Json>, (u64, u64, u64))> {
    QUERIES
        .iter()
        .map(|(lang, query)| {
            let mut sources = SourceMap::new();
            let id = sources.add("query", *query, SourceKind::Query);
            let eql = quarry_engine::eql::EqlOptions {
                category_field: "event_type".into(),
                time_field: Some("_time".into()),
                reorder_window: None,
                ..Default::default()
            };
            let plan = if *lang == "spl" {
                quarry_engine::spl::compile_with(&mut sources, id, &MacroLibrary::new(), EventOrder::NewestFirst, &eql)
                    .unwrap()
                    .plan
            } else {
                quarry_engine::eql::compile(&sources, id, &eql).unwrap()
            };
            let read = ReadOptions {
                threads,
                inputs_in_time_order: true,
                batch_size: 5,
                ..ReadOptions::default()
            };
            let mut out = Vec::new();
            let report = quarry_engine::run::run(
                &plan,
                files,
                &read,
                RunContext::new(0.0),
                &mut |_| Flow::Continue,
                &mut |batch| out.extend(batch.iter().map(to_json)),
            );
            (out, (report.read.lines, report.read.events, report.read.bad_lines))
        })
        .collect()
}

proptest! {
    #![proptest_config(config(24))]

    #[test]
    fn one_reader_thread_and_two_give_the_same_results(
        events in prop::collection::vec(event(), 0..40),
        split in prop::collection::vec(any::<bool>(), 40),
    ) {
        // Distinct times: the order of events is total, whichever input they come from.
        let mut seen = std::collections::BTreeSet::new();
        let events: Vec<_> = events.into_iter().filter(|e| seen.insert(e.0)).collect();
        let mut files = [String::new(), String::new()];
        for (k, (t, user, action, n)) in events.iter().enumerate() {
            let line = format!(
                "{{\"_time\":{t},\"event_type\":\"x\",\"user\":\"{user}\",\"action\":\"{action}\",\"n\":{n}}}\n"
            );
            files[usize::from(split[k % split.len()])].push_str(&line);
        }
        // Each input is in time order, as logs are.
        for f in &mut files {
            let mut lines: Vec<&str> = f.lines().collect();
            lines.sort_by_key(|l| l[9..l.find(',').unwrap()].parse::<u32>().unwrap());
            *f = lines.iter().map(|l| format!("{l}\n")).collect();
        }
        let dir = std::env::temp_dir();
        let paths: Vec<String> = (0..2)
            .map(|k| {
                let p = dir.join(format!("quarry-prop-{}-{k}.ndjson", std::process::id()));
                std::fs::write(&p, &files[k]).unwrap();
                p.display().to_string()
            })
            .collect();
        let one = run_all(&paths, 1);
        let two = run_all(&paths, 2);
        for p in &paths {
            std::fs::remove_file(p).ok();
        }
        for ((query, a), b) in QUERIES.iter().zip(&one).zip(&two) {
            prop_assert_eq!(a, b, "{}", query.1);
        }
    }
}
