//! The memory budget from the command line: a query whose commands multiply or hold results
//! beyond `--max-memory` exits 3 with an error naming the command and the limit; with enough
//! memory the same query gives its whole answer.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, text, Scratch as Log};

/// One event whose `s` holds `0..n` separated by commas.
fn numbers(name: &str, n: usize) -> Log {
    let list: Vec<String> = (0..n).map(|k| k.to_string()).collect();
    Log::new(name, format!("{{\"s\":\"{}\"}}\n", list.join(",")))
}

/// Checks that `query` over `log` exits 3 under `memory`, naming `command` and the limit.
fn stops_at_the_limit(query: &str, log: &Log, memory: &str, command: &str, limit: &str) {
    let out = quarry(&["query", "--max-memory", memory, query, log.path()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{query}: {stderr}");
    assert!(
        stderr.contains(&format!(
            "quarry: error: memory limit exceeded: `{command}` needs more than the {limit} allowed to blocking commands (raise it with --max-memory)"
        )),
        "{query}: {stderr}"
    );
    assert!(out.stdout.is_empty(), "{query}: {}", text(&out.stdout));
}

/// The JSON lines `query` over `log` prints with the default budget.
fn answer(query: &str, log: &Log) -> String {
    let out = quarry(&["query", "--format", "json", query, log.path()]);
    assert_eq!(out.status.code(), Some(0), "{query}: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn mvexpand_of_a_huge_multivalue_exits_3_and_expands_with_enough_memory() {
    let log = numbers("mvexpand.ndjson", 200_000);
    let query = "| eval x=split(s, \",\") | mvexpand x | stats count dc(x) as distinct";
    stops_at_the_limit(query, &log, "1M", "mvexpand", "1 MiB");
    assert_eq!(answer(query, &log), "{\"count\":200000,\"distinct\":200000}\n");
}

#[test]
fn join_max_0_multiplying_rows_exits_3_and_joins_with_enough_memory() {
    let log = Log::new("join.ndjson", "{\"k\":1}\n".repeat(400));
    let query = "| join max=0 k [| makeresults count=400 | eval k=1, j=1] | stats count sum(j) as j";
    stops_at_the_limit(query, &log, "1M", "join", "1 MiB");
    assert_eq!(answer(query, &log), "{\"count\":160000,\"j\":160000}\n");
}

#[test]
fn transaction_over_more_events_than_the_budget_exits_3() {
    let events: String = (0..20_000)
        .map(|k| format!("{{\"_time\":{k},\"user\":\"u{}\"}}\n", k % 10))
        .collect();
    let log = Log::new("transaction.ndjson", events);
    let query = "| transaction user maxpause=20s | stats count sum(eventcount) as events";
    stops_at_the_limit(query, &log, "1M", "transaction", "1 MiB");
    assert_eq!(answer(query, &log), "{\"count\":10,\"events\":20000}\n");
}

#[test]
fn makeresults_of_a_hundred_million_rows_exits_3_under_the_default_budget() {
    let log = Log::new("one.ndjson", "{}\n");
    let out = quarry(&["query", "| makeresults count=100000000 | stats count", log.path()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("memory limit exceeded: `makeresults` needs more than the 2 GiB"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        answer("| makeresults count=100000 | stats count", &log),
        "{\"count\":100000}\n"
    );
}
