//! Inputs the fuzz targets found (and a few hand-picked hostile ones), run through the same
//! functions as the targets (`tests/fuzz_harness`), so CI checks them on stable without
//! cargo-fuzz. A new finding goes in `tests/fuzz/<target>/` under a name saying what it broke.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod fuzz_harness;

use std::path::Path;
use std::time::{Duration, Instant};

/// Runs every file in `tests/fuzz/<target>/` through `run`; each must finish (no panic) well
/// within `budget`.
fn replay(target: &str, budget: Duration, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz").join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|f| f == ".keep") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        let started = Instant::now();
        run(&data);
        let took = started.elapsed();
        assert!(took < budget, "{}: took {took:?}", path.display());
        n += 1;
    }
    n
}

#[test]
fn spl_parse_findings() {
    assert!(replay("spl_parse", Duration::from_secs(10), fuzz_harness::spl_parse) > 0);
}

#[test]
fn eql_parse_findings() {
    replay("eql_parse", Duration::from_secs(10), fuzz_harness::eql_parse);
}

#[test]
fn macro_expand_findings() {
    replay("macro_expand", Duration::from_secs(10), fuzz_harness::macro_expand);
}

#[test]
fn json_read_findings() {
    assert!(
        replay("json_read", Duration::from_secs(10), |d| drop(fuzz_harness::json_read(
            d
        ))) > 0
    );
}

#[test]
fn query_eval_findings() {
    assert!(replay("query_eval", Duration::from_secs(20), fuzz_harness::query_eval) > 0);
}

/// The evaluation target is only as good as its queries: every one of them compiles.
#[test]
fn every_fixed_query_of_the_evaluation_target_compiles() {
    assert_eq!(
        fuzz_harness::compiled_query_count(),
        (fuzz_harness::SPL_QUERIES.len(), fuzz_harness::EQL_QUERIES.len())
    );
}
