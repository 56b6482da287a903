//! Exit codes and the end-of-run accounting: 0 ok, 1 query or rule error, 2 input error,
//! 3 resource limit; `--stats` gives the accounting as JSON.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, text, Scratch};

fn users(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|k| format!("{{\"_time\":{k},\"user\":\"u{k}\",\"n\":{k}}}\n").into_bytes())
        .collect()
}

#[test]
fn a_clean_run_exits_0_with_an_accounting_line() {
    let log = Scratch::new("ok.ndjson", users(3));
    let out = quarry(&["query", "| stats count", log.path()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stderr).trim(),
        "quarry: 1 input(s), 3 line(s), 3 event(s), 0 bad line(s), 1 result(s)"
    );
}

#[test]
fn a_query_that_does_not_parse_exits_1() {
    let log = Scratch::new("q.ndjson", users(1));
    let out = quarry(&["query", "| stats count by", log.path()]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_unsupported_command_exits_1() {
    let log = Scratch::new("u.ndjson", users(1));
    let out = quarry(&["query", "| cluster showcount=t", log.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unsupported: cluster"));
}

#[test]
fn a_missing_file_or_a_directory_exits_2() {
    let out = quarry(&["query", "| stats count", "/nonexistent/quarry.ndjson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/quarry.ndjson: no such file"));
    let dir = std::env::temp_dir();
    let out = quarry(&["query", "| stats count", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("is a directory, not a log file"));
}

#[test]
fn bad_lines_are_counted_with_their_first_positions_and_strict_makes_them_fatal() {
    let log = Scratch::new("bad.ndjson", b"{\"a\":1}\nnope\n{\"a\":2}\n[1]\n{\"a\":\n");
    let out = quarry(&["query", "| stats count", log.path()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    let p = log.path();
    assert!(
        stderr.contains(&format!(
            "5 line(s), 2 event(s), 3 bad line(s), 1 result(s) (first at {p}:2, {p}:4, {p}:5)"
        )),
        "{stderr}"
    );
    let strict = quarry(&["query", "--strict", "| stats count", log.path()]);
    assert_eq!(strict.status.code(), Some(2));
}

#[test]
fn a_one_gigabyte_line_is_skipped_with_its_number_and_the_limit_without_holding_it() {
    // A sparse file: a gigabyte of NUL bytes and no line end, then nothing.
    let path = Scratch::path_for("gigabyte.ndjson");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(1 << 30).unwrap();
    drop(file);
    let log = Scratch::adopt(path);
    let out = quarry(&["query", "--stats", "| stats count", log.path()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:1: line is 1073741824 bytes or more, over the limit of 67108864 bytes; skipped",
            log.path()
        )),
        "{stderr}"
    );
    let stats: serde_json::Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
    assert_eq!(stats["oversized_lines"], 1);
    assert_eq!(stats["events"], 0);
}

#[test]
fn the_memory_limit_stops_a_blocking_command_with_exit_3() {
    let log = Scratch::new("many.ndjson", users(3000));
    let out = quarry(&["query", "--max-memory", "64K", "| sort - n", log.path()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty(), "no partial results: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("quarry: error: memory limit exceeded: `sort` needs more than the 64 KiB allowed to blocking commands (raise it with --max-memory)"),
        "{stderr}"
    );
    let ok = quarry(&["query", "--max-memory", "64M", "| sort - n | head 1", log.path()]);
    assert_eq!(ok.status.code(), Some(0));
}

#[test]
fn the_memory_limit_applies_to_rules_too() {
    let log = Scratch::new("rules.ndjson", users(3000));
    let rule = Scratch::new(
        "users.rule.toml",
        b"id = \"r1\"\nname = \"every user\"\nlanguage = \"spl\"\nquery = '| stats count by user'\n",
    );
    let out = quarry(&["run", rule.path(), "--max-memory", "1K", "--input", log.path()]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("memory limit exceeded"));
}

#[test]
fn a_timeout_stops_the_run_with_exit_3() {
    let log = Scratch::new("slow.ndjson", users(3000));
    let out = quarry(&["query", "--timeout", "0s", "| stats count", log.path()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("quarry: error: query timed out after 0s (--timeout)"));
    assert!(out.stdout.is_empty());
}

#[test]
fn stats_gives_the_accounting_as_json() {
    let log = Scratch::new("stats.ndjson", b"{\"user\":\"a\"}\n{\"x\":1}\nbad\n{\"user\":\"b\"}\n");
    let out = quarry(&["query", "--stats", "| stats count by user | head 1", log.path()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    let stats: serde_json::Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
    assert_eq!(stats["lines"], 4);
    assert_eq!(stats["events"], 3);
    assert_eq!(stats["bad_lines"], 1);
    assert_eq!(stats["first_bad"][0]["line"], 3);
    assert_eq!(stats["dropped_null_by"], 1);
    assert_eq!(stats["truncated"], 1);
    assert_eq!(stats["results"], 1);
    assert_eq!(stats["limit"], serde_json::Value::Null);
}

#[test]
fn eql_size_cuts_are_counted() {
    let log = Scratch::new(
        "size.ndjson",
        b"{\"@timestamp\":1,\"event\":{\"category\":\"x\"}}\n{\"@timestamp\":2,\"event\":{\"category\":\"x\"}}\n{\"@timestamp\":3,\"event\":{\"category\":\"x\"}}\n",
    );
    let out = quarry(&["query", "--stats", "--size", "1", "x where true", log.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let stats: serde_json::Value = serde_json::from_str(stderr.lines().last().unwrap()).unwrap();
    assert_eq!(stats["results"], 1);
    // Every event was read (EQL sorts them first); the limit cut two results.
    assert_eq!(stats["truncated"], 2, "{stats}");
}

#[test]
fn lines_without_the_queries_text_are_skipped_unparsed_and_counted() {
    let mut log = users(50);
    // A line shaped like an object but broken inside, without the searched text.
    log.extend_from_slice(b"{\"user\": \"u99\", broken}\n");
    let input = Scratch::new("prefilter.ndjson", &log);
    let skipping = quarry(&["query", "--stats", "user=u7 | stats count", input.path()]);
    assert_eq!(skipping.status.code(), Some(0), "{}", text(&skipping.stderr));
    let stats: serde_json::Value = serde_json::from_str(text(&skipping.stderr).lines().last().unwrap()).unwrap();
    assert_eq!(stats["results"], 1);
    assert_eq!(stats["prefiltered"], 50, "every line but u7's is skipped");
    assert_eq!(stats["bad_lines"], 0, "the broken line is skipped, not read");
    assert!(text(&skipping.stdout).contains('1'));

    // --no-prefilter parses every line: same answer, and the broken line is reported.
    let parsing = quarry(&[
        "query",
        "--stats",
        "--no-prefilter",
        "user=u7 | stats count",
        input.path(),
    ]);
    assert_eq!(parsing.status.code(), Some(0), "{}", text(&parsing.stderr));
    let stats: serde_json::Value = serde_json::from_str(text(&parsing.stderr).lines().last().unwrap()).unwrap();
    assert_eq!(stats["prefiltered"], 0);
    assert_eq!(stats["bad_lines"], 1);
    assert_eq!(stats["first_bad"][0]["line"], 51);
    assert_eq!(text(&parsing.stdout), text(&skipping.stdout));
}

#[test]
fn strict_runs_check_every_line_even_those_the_query_cannot_keep() {
    let mut log = users(5);
    log.extend_from_slice(b"{\"user\": \"u99\", broken}\n");
    let input = Scratch::new("prefilter-strict.ndjson", &log);
    let out = quarry(&["query", "--strict", "user=u1 | stats count", input.path()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(":6:"), "{}", text(&out.stderr));
}
