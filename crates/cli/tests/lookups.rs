//! `--lookups` and subsearches from the command line: tables load from a directory, a missing
//! one fails `check` with its name, and a subsearch re-reads the query's input files.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn quarry(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("quarry runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

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
