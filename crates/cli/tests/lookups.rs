//! `--lookups` and subsearches from the command line: tables load from a directory, a missing
//! one fails `check` with its name, and a subsearch re-reads the query's input files.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, text};

#[test]
fn check_finds_lookups_given_with_the_flag_and_names_a_missing_one() {
    let query = "x | lookup bad_domains domain OUTPUT threat";
    let out = quarry(&["check", "--lookups", "tests/fixtures/lookups", query]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = quarry(&["check", query]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("missing lookup: bad_domains"), "{err}");
    assert!(
        err.contains("x | lookup bad_domains domain OUTPUT threat\n  |            ^^^^^^^^^^^"),
        "{err}"
    );
}

#[test]
fn query_runs_subsearches_over_the_same_input_files() {
    let out = quarry(&[
        "query",
        "--format",
        "json",
        "--lookups",
        "tests/fixtures/lookups/users.csv",
        "action=login [search action=download | dedup user | fields user] | lookup users.csv user OUTPUT department | stats count by user department",
        "tests/fixtures/multi/auth.ndjson",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "{\"user\":\"alice\",\"department\":\"finance\",\"count\":2}\n{\"user\":\"bob\",\"department\":\"engineering\",\"count\":1}\n"
    );
}
