//! The public EQL conformance suite (../shared/conformance/eql): every case runs in-process
//! with the settings the reference runner gives it, and its event ids must equal the
//! expected ones. The reference is the oracle; the few cases Quarry does not pass are listed,
//! with reasons, in tests/conformance/eql-known-failures.toml.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use quarry_engine::eql::{Dialect, EqlOptions, Semantics};
use quarry_engine::event::Event;
use quarry_engine::input::{read_inputs, Flow, ReadOptions};
use quarry_engine::ops::RunContext;
use quarry_engine::time::TimeUnit;
use quarry_syntax::{SourceKind, SourceMap};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn suite_dir() -> PathBuf {
    common::root().join("../shared/conformance/eql")
}

#[derive(serde::Deserialize)]
struct KnownFailures {
    failure: Vec<KnownFailure>,
}

#[derive(serde::Deserialize)]
struct KnownFailure {
    id: String,
    #[allow(dead_code)]
    reason: String,
}

/// The ids of a run's results, flattened as the reference runner reads them (-1 for a
/// missing event).
fn ids(results: &[Event], id_field: &str) -> Vec<i64> {
    let id_of = |e: &Event| {
        let v = e
            .doc
            .as_ref()
            .and_then(|d| d.whole().get(id_field))
            .cloned()
            .unwrap_or(Json::Null);
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .unwrap_or(i64::MIN)
    };
    let mut out = Vec::new();
    for r in results {
        match &r.group {
            Some(g) => out.extend(g.events.iter().map(|e| e.as_ref().map(id_of).unwrap_or(-1))),
            None => out.push(id_of(r)),
        }
    }
    out
}

/// Runs one case; `Err` when the query does not compile.
fn run_case(case: &Json, datasets: &Json) -> Result<Vec<i64>, String> {
    let data = case["data"].as_str().unwrap();
    let facts = &datasets[data];
    let dialect = Dialect::parse(case["dialect"].as_str().unwrap()).unwrap();
    let modes: Vec<&str> = case["case_modes"]
        .as_array()
        .map(|m| m.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    let case_sensitive = dialect == Dialect::Endgame && modes == ["sensitive"];
    let time_field = facts["timestamp_field"].as_str().map(str::to_string);
    let unit = if facts["timestamp_unit"].as_str().unwrap_or("").contains("FILETIME") {
        TimeUnit::FileTime
    } else {
        TimeUnit::Millis
    };
    let opts = EqlOptions {
        semantics: Semantics {
            dialect,
            case_sensitive,
        },
        category_field: facts["category_field"]
            .as_str()
            .unwrap_or("event_type")
            .split(' ')
            .next()
            .unwrap()
            .to_string(),
        tiebreaker: facts["tiebreaker_field"].as_str().map(str::to_string),
        size: case["size"].as_u64(),
        max_samples_per_key: case["max_samples_per_key"].as_u64().unwrap_or(1) as usize,
        time_field: Some(time_field.clone().unwrap_or_else(|| "@timestamp".into())),
        ..EqlOptions::default()
    };
    let mut sources = SourceMap::new();
    let id = sources.add("query", case["query"].as_str().unwrap(), SourceKind::Query);
    let plan = quarry_engine::eql::compile(&sources, id, &opts).map_err(|d| d[0].message.clone())?;
    let read = ReadOptions {
        time_field,
        time_unit: Some(unit),
        ..ReadOptions::default()
    };
    let mut events = Vec::new();
    let path = suite_dir().join("data").join(data).display().to_string();
    read_inputs(&[path], &read, &mut |b| panic!("{b}"), &mut |batch| {
        events.extend(batch);
        Flow::Continue
    });
    let (results, _) = quarry_engine::run::run_events(&plan, events, RunContext::new(0.0));
    Ok(ids(&results, case["id_field"].as_str().unwrap()))
}

fn passes(case: &Json, outcome: &Result<Vec<i64>, String>) -> bool {
    if case["expect_error"].as_bool() == Some(true) {
        return outcome.is_err();
    }
    let Ok(got) = outcome else { return false };
    let as_ids = |v: &Json| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_i64().unwrap())
            .collect::<Vec<i64>>()
    };
    match case["expected_mode"].as_str() {
        Some("any_of") => case["expected"]
            .as_array()
            .unwrap()
            .iter()
            .any(|alt| as_ids(alt) == *got),
        _ => as_ids(&case["expected"]) == *got,
    }
}

#[test]
fn public_eql_conformance_cases() {
    let dir = suite_dir();
    if !dir.is_dir() {
        eprintln!("skipped: ../shared/conformance/eql not present");
        return;
    }
    let datasets: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("data/datasets.json")).unwrap()).unwrap();
    let known: KnownFailures = toml::from_str(
        &std::fs::read_to_string(common::root().join("tests/conformance/eql-known-failures.toml")).unwrap(),
    )
    .unwrap();
    let known: Vec<&str> = known.failure.iter().map(|f| f.id.as_str()).collect();
    let cases = std::fs::read_to_string(dir.join("cases/public.jsonl")).unwrap();
    let mut per_suite: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    for line in cases.lines() {
        let case: Json = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap().to_string();
        let outcome = run_case(&case, &datasets);
        let ok = passes(&case, &outcome);
        let entry = per_suite
            .entry(case["suite"].as_str().unwrap().to_string())
            .or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        }
        match (ok, known.contains(&id.as_str())) {
            (false, false) => unexpected.push(format!(
                "{id}: {}\n    expected {} got {:?}",
                case["query"], case["expected"], outcome
            )),
            (true, true) => fixed.push(id),
            _ => {}
        }
    }
    for (suite, (ok, total)) in &per_suite {
        eprintln!("{suite:20} {ok}/{total}");
    }
    assert!(
        unexpected.is_empty(),
        "{} case(s) fail:\n{}",
        unexpected.len(),
        unexpected.join("\n")
    );
    assert!(
        fixed.is_empty(),
        "now passing, remove from eql-known-failures.toml: {fixed:?}"
    );
}
