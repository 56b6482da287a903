//! Automatic time spans: `bin _time`, `bucket _time` and `tstats ... by _time` without `span=`.
//! Splunk picks the bucket size from the search's time range, the smallest of its automatic
//! spans (1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 1d, 30d) that gives at most `bins` buckets
//! (100 unless `bins=` says otherwise). Quarry reads files, which is Splunk's all-time search,
//! and for that the range is the events' own, earliest to latest `_time`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{ndjson, spl, spl_error, spl_with, Opts};
use quarry_engine::plan::EventOrder;
use serde_json::{json, Value as Json};

/// Events at these offsets in seconds from 2024-03-04T10:00:00Z (1709546400).
fn at(offsets: &[f64]) -> String {
    let events: Vec<Json> = offsets.iter().map(|s| json!({"_time": 1_709_546_400.0 + s})).collect();
    ndjson(&events)
}

/// The distinct bucket starts, as offsets from 10:00:00, in input order.
fn buckets(query: &str, data: &str) -> Vec<i64> {
    let opts = Opts {
        order: EventOrder::Input,
        ..Opts::default()
    };
    let rows = spl_with(&format!("{query} | eval t=_time-1709546400 | table t"), data, opts);
    let mut seen = Vec::new();
    for row in rows {
        let t = row["t"].as_i64().unwrap();
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    seen
}

#[test]
fn events_within_fifty_seconds_fall_in_one_second_buckets() {
    // 49.5 s / 100 buckets needs 0.5 s: the smallest span, 1s.
    assert_eq!(buckets("| bin _time", &at(&[0.7, 1.2, 20.9, 50.2])), vec![0, 1, 20, 50]);
}

#[test]
fn events_over_three_hours_fall_in_five_minute_buckets() {
    // 3 h / 100 buckets needs 108 s: 1m is too small, 5m is the next span.
    assert_eq!(
        buckets("| bin _time", &at(&[0.0, 299.0, 300.0, 3601.0, 10_800.0])),
        vec![0, 300, 3600, 10_800]
    );
}

#[test]
fn a_day_of_events_falls_in_thirty_minute_buckets() {
    // 86400 s / 100 needs 864 s: past 10m (600 s), so 30m.
    assert_eq!(
        buckets("| bin _time", &at(&[0.0, 1799.0, 1800.0, 86_400.0])),
        vec![0, 1800, 86_400]
    );
}

#[test]
fn bins_sets_the_most_buckets_the_span_may_give() {
    // 3 h / 10 buckets needs 1080 s: 30m.
    assert_eq!(
        buckets("| bin _time bins=10", &at(&[0.0, 1799.0, 1800.0, 10_800.0])),
        vec![0, 1800, 10_800]
    );
    // bucket is bin's other name.
    assert_eq!(
        buckets("| bucket _time bins=10", &at(&[0.0, 1799.0, 1800.0, 10_800.0])),
        vec![0, 1800, 10_800]
    );
}

#[test]
fn a_span_given_with_bins_wins() {
    assert_eq!(
        buckets("| bin _time span=1h bins=1000", &at(&[0.0, 1799.0, 3600.0])),
        vec![0, 3600]
    );
}

#[test]
fn as_writes_the_bucket_to_another_field() {
    let rows = spl(
        "| bin _time as b | eval b=b-1709546400, t=_time-1709546400 | table t b",
        &at(&[0.0, 10_800.0, 301.0]),
    );
    let pairs: Vec<(f64, i64)> = rows
        .iter()
        .map(|r| (r["t"].as_f64().unwrap(), r["b"].as_i64().unwrap()))
        .collect();
    let mut pairs = pairs;
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(pairs, vec![(0.0, 0), (301.0, 300), (10_800.0, 10_800)]);
}

#[test]
fn a_single_event_gets_a_one_second_bucket() {
    assert_eq!(buckets("| bin _time", &at(&[12.5])), vec![12]);
}

#[test]
fn stats_by_the_automatic_bucket_counts_each_bucket() {
    let rows = spl(
        "| bin _time | stats count by _time | eval t=_time-1709546400 | table t count",
        &at(&[0.0, 100.0, 200.0, 400.0, 10_800.0]),
    );
    assert_eq!(
        rows,
        vec![
            json!({"t": 0, "count": 3}),
            json!({"t": 300, "count": 1}),
            json!({"t": 10_800, "count": 1}),
        ]
    );
}

#[test]
fn automatic_spans_are_for_time_only() {
    let e = spl_error("| bin n");
    assert!(
        e.contains("unsupported: bin without span= on a field other than _time"),
        "{e}"
    );
}

#[test]
fn bins_must_be_a_positive_whole_number() {
    let e = spl_error("| bin _time bins=0");
    assert!(e.contains("bad bins `0`"), "{e}");
}

#[test]
fn tstats_by_time_without_a_span_uses_the_automatic_span() {
    // The process starts run 10:00:05 to 11:30:00: 5395 s / 100 needs 54 s, so 1m buckets.
    let data = std::fs::read_to_string(common::root().join("tests/fixtures/cim/sysmon.ndjson")).unwrap();
    let rows = spl_with(
        "| tstats count from datamodel=Endpoint.Processes by _time Processes.dest",
        &data,
        Opts {
            sourcetype: Some("sysmon:json"),
            ..Opts::default()
        },
    );
    assert_eq!(
        rows,
        vec![
            json!({"_time": "2024-03-04T10:00:00.000+00:00", "Processes.dest": "ws1.corp.example", "count": 2}),
            json!({"_time": "2024-03-04T10:20:00.000+00:00", "Processes.dest": "ws1.corp.example", "count": 1}),
            json!({"_time": "2024-03-04T11:10:00.000+00:00", "Processes.dest": "ws2.corp.example", "count": 1}),
            json!({"_time": "2024-03-04T11:30:00.000+00:00", "Processes.dest": "ws2.corp.example", "count": 1}),
        ]
    );
}
