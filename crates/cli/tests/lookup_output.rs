//! `outputlookup` from the command line: without `--lookup-output` nothing is written and the
//! run says so; with it, the table is written where the flag says and reads back with
//! `--lookups`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, text};

const INPUT: &str = "tests/fixtures/okta/session_cookie_replay.ndjson";
const QUERY: &str = "eventType=* | stats count by eventType | outputlookup event_types";

#[test]
fn outputlookup_writes_only_into_the_lookup_output_directory() {
    let out = quarry(&["query", "--format", "csv", QUERY, INPUT]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let results = text(&out.stdout);
    assert!(
        text(&out.stderr)
            .contains("note: outputlookup event_types: not written; give --lookup-output DIR to write lookup tables"),
        "{}",
        text(&out.stderr)
    );

    let dir = std::env::temp_dir().join(format!("quarry-lookup-output-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.display().to_string();
    let out = quarry(&["query", "--lookup-output", &dir_arg, "--format", "csv", QUERY, INPUT]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // The results are the same either way, and the table holds them.
    assert_eq!(text(&out.stdout), results);
    let table = std::fs::read_to_string(dir.join("event_types.csv")).unwrap();
    assert_eq!(table.replace("\r\n", "\n"), results.replace("\r\n", "\n"));
    // It reads back as a lookup table.
    let out = quarry(&[
        "query",
        "--lookups",
        &dir_arg,
        "--format",
        "csv",
        "| inputlookup event_types.csv",
    ]);
    assert_eq!(text(&out.stdout), results);
    let _ = std::fs::remove_dir_all(&dir);
}
