//! `streamstats`, one rule per test: each event passes through with the aggregates of the
//! events seen so far added to it. Read top to bottom, this is the reference of the command;
//! the examples follow the Splunk Search Reference ("streamstats") and its SPL2 usage page.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{ndjson, spl, spl_error, spl_with, Opts};
use quarry_engine::plan::EventOrder;
use serde_json::{json, Value as Json};

fn input() -> Opts {
    Opts {
        order: EventOrder::Input,
        ..Opts::default()
    }
}

fn column(rows: &[Json], name: &str) -> Vec<Json> {
    rows.iter()
        .map(|r| r.get(name).cloned().unwrap_or(Json::Null))
        .collect()
}

/// The SPL2 usage page's data: bytes per server, one action each, in this order (the page
/// names the field `host`, which every event here already has).
fn servers() -> String {
    ndjson(&[
        json!({"server": "x", "bytes": 100, "action": "LOGON"}),
        json!({"server": "y", "bytes": 200, "action": "APP_START"}),
        json!({"server": "x", "bytes": 400, "action": "FILE_DOWNLOAD"}),
        json!({"server": "x", "bytes": 50, "action": "REBOOT"}),
        json!({"server": "y", "bytes": 150, "action": "LOGON"}),
        json!({"server": "x", "bytes": 100, "action": "LOGON"}),
    ])
}

// ------------------------------------------------------------------ running aggregates

#[test]
fn each_event_gets_the_aggregate_of_the_events_seen_so_far_and_is_otherwise_unchanged() {
    let data = ndjson(&[
        json!({"n": 1, "s": "a"}),
        json!({"n": 2, "s": "b"}),
        json!({"n": 3, "s": "c"}),
    ]);
    assert_eq!(
        spl_with("| streamstats count sum(n) as total", &data, input()),
        vec![
            json!({"n": 1, "s": "a", "count": 1, "total": 1}),
            json!({"n": 2, "s": "b", "count": 2, "total": 3}),
            json!({"n": 3, "s": "c", "count": 3, "total": 6}),
        ]
    );
}

#[test]
fn events_are_seen_newest_first_as_splunk_returns_them() {
    // The file runs oldest first; Splunk hands streamstats the newest event first.
    let data = ndjson(&[
        json!({"_time": 100, "v": "old"}),
        json!({"_time": 300, "v": "new"}),
        json!({"_time": 200, "v": "mid"}),
    ]);
    let rows = spl("| streamstats count | table v count", &data);
    assert_eq!(
        rows,
        vec![
            json!({"v": "new", "count": 1}),
            json!({"v": "mid", "count": 2}),
            json!({"v": "old", "count": 3}),
        ]
    );
    // In file order when asked to read events as they come.
    let rows = spl_with("| streamstats count | table v count", &data, input());
    assert_eq!(column(&rows, "v"), vec![json!("old"), json!("new"), json!("mid")]);
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(3)]);
}

#[test]
fn after_stats_the_rows_come_in_the_order_stats_gives() {
    // Search Reference, example 3: a running total over the rows of a transforming command.
    let data = ndjson(&[
        json!({"_time": 86400, "ip": "a"}),
        json!({"_time": 86400 * 2, "ip": "b"}),
        json!({"_time": 86400 * 2 + 5, "ip": "c"}),
        json!({"_time": 86400 * 3, "ip": "a"}),
    ]);
    let rows = spl(
        "| bin _time span=1d as day | stats count by day | streamstats sum(count) as cumulative | table day count cumulative",
        &data,
    );
    assert_eq!(
        rows,
        vec![
            json!({"day": 86400, "count": 1, "cumulative": 1}),
            json!({"day": 86400 * 2, "count": 2, "cumulative": 3}),
            json!({"day": 86400 * 3, "count": 1, "cumulative": 4}),
        ]
    );
}

#[test]
fn by_keeps_one_running_aggregate_per_group() {
    let rows = spl_with(
        "| streamstats sum(bytes) as total_bytes by server | table server bytes total_bytes",
        &servers(),
        input(),
    );
    assert_eq!(
        column(&rows, "total_bytes"),
        vec![json!(100), json!(200), json!(500), json!(550), json!(350), json!(650)]
    );
}

#[test]
fn an_event_whose_by_field_is_null_passes_unchanged() {
    // Unlike `stats`, which drops it: it joins no group, and gets no field.
    let data = ndjson(&[
        json!({"u": "a"}),
        json!({"x": 1}),
        json!({"u": "a"}),
        json!({"u": null}),
    ]);
    assert_eq!(
        spl_with("| streamstats count by u", &data, input()),
        vec![
            json!({"u": "a", "count": 1}),
            json!({"x": 1}),
            json!({"u": "a", "count": 2}),
            json!({"u": null}),
        ]
    );
}

#[test]
fn count_counts_events_and_count_of_a_field_counts_its_values() {
    let data = ndjson(&[json!({"ip": ["1"]}), json!({"other": 1}), json!({"ip": ["2", "3"]})]);
    let rows = spl_with(
        "| streamstats count, count(ip{}) as ips | table count ips",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"count": 1, "ips": 1}),
            json!({"count": 2, "ips": 1}),
            json!({"count": 3, "ips": 3}),
        ]
    );
}

#[test]
fn the_stats_functions_run_over_the_events_seen_so_far() {
    let data = ndjson(&[
        json!({"_time": 30, "n": 4, "ip": "b"}),
        json!({"_time": 10, "n": 2, "ip": "a"}),
        json!({"_time": 20, "n": 9, "ip": "b"}),
    ]);
    let rows = spl_with(
        "| streamstats dc(ip) as dc, values(ip) as vals, list(ip) as lst, sum(n) as s, avg(n) as a, min(n) as lo, max(n) as hi, first(n) as f, last(n) as l, earliest(n) as e, latest(n) as lt, stdev(n) as sd | fields - _time, ip, n",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"dc": 1, "vals": "b", "lst": "b", "s": 4, "a": 4, "lo": 4, "hi": 4, "f": 4, "l": 4, "e": 4, "lt": 4, "sd": 0}),
            json!({"dc": 2, "vals": ["a", "b"], "lst": ["b", "a"], "s": 6, "a": 3, "lo": 2, "hi": 4, "f": 4, "l": 2, "e": 2, "lt": 4, "sd": std::f64::consts::SQRT_2}),
            json!({"dc": 2, "vals": ["a", "b"], "lst": ["b", "a", "b"], "s": 15, "a": 5, "lo": 2, "hi": 9, "f": 4, "l": 9, "e": 2, "lt": 4, "sd": 3.605551275463989}),
        ]
    );
}

#[test]
fn an_eval_expression_inside_an_aggregation() {
    let data = ndjson(&[json!({"r": "REJECT"}), json!({"r": "ALLOW"}), json!({"r": "REJECT"})]);
    let rows = spl_with(
        "| streamstats sum(eval(if(r=\"REJECT\",1,0))) as rejects, count(eval(r=\"ALLOW\")) as allowed | table rejects allowed",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"rejects": 1, "allowed": 0}),
            json!({"rejects": 1, "allowed": 1}),
            json!({"rejects": 2, "allowed": 1}),
        ]
    );
}

#[test]
fn wildcard_aggregations_name_one_field_per_field() {
    // Search Reference, example 4: `streamstats sum(*) as accu_total_*`.
    let data = ndjson(&[json!({"a": 1, "b": 10}), json!({"a": 2})]);
    let rows = spl_with(
        "| streamstats sum(*) as accu_total_* | table accu_total_*",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"accu_total_a": 1, "accu_total_b": 10}),
            json!({"accu_total_a": 3, "accu_total_b": 10}),
        ]
    );
}

// ------------------------------------------------------------------ current, window, global

#[test]
fn current_false_leaves_the_current_event_out() {
    let data = ndjson(&[json!({"n": 1}), json!({"n": 2}), json!({"n": 3})]);
    // A count over nothing is 0; a sum over nothing is no field at all.
    assert_eq!(
        spl_with("| streamstats current=f count sum(n) as s", &data, input()),
        vec![
            json!({"n": 1, "count": 0}),
            json!({"n": 2, "count": 1, "s": 1}),
            json!({"n": 3, "count": 2, "s": 3}),
        ]
    );
}

#[test]
fn window_aggregates_the_last_n_events() {
    let data = ndjson(&[json!({"n": 1}), json!({"n": 2}), json!({"n": 3}), json!({"n": 4})]);
    let rows = spl_with("| streamstats window=2 count avg(n) as a", &data, input());
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(2), json!(2)]);
    assert_eq!(column(&rows, "a"), vec![json!(1), json!(1.5), json!(2.5), json!(3.5)]);
    // window=0 is no window at all.
    let rows = spl_with("| streamstats window=0 count", &data, input());
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(3), json!(4)]);
}

#[test]
fn current_false_with_window_1_gives_the_previous_event() {
    let data = ndjson(&[json!({"ip": "a"}), json!({"ip": "b"}), json!({"ip": "b"})]);
    let rows = spl_with(
        "| streamstats current=f window=1 last(ip) as previous | table ip previous",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"ip": "a"}),
            json!({"ip": "b", "previous": "a"}),
            json!({"ip": "b", "previous": "b"}),
        ]
    );
}

#[test]
fn with_by_the_window_is_one_for_all_groups_unless_global_is_false() {
    // "Defines whether the window is global or for each field in the by clause."
    let data = ndjson(&[
        json!({"g": "a"}),
        json!({"g": "a"}),
        json!({"g": "b"}),
        json!({"g": "a"}),
    ]);
    // The last two events of all, counted per group: the fourth sees only itself among them.
    let rows = spl_with("| streamstats window=2 count by g", &data, input());
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(1), json!(1)]);
    // The last two events of each group.
    let rows = spl_with("| streamstats window=2 global=false count by g", &data, input());
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(1), json!(2)]);
}

// ------------------------------------------------------------------ time_window

/// Push rejections in the file out of time order; `t` is seconds after 2024-03-04T10:00:00Z.
fn rejections() -> String {
    let base = 1_709_546_400;
    let event = |t: i64, user: &str| json!({"_time": base + t, "user": user, "outcome": "REJECT"});
    ndjson(&[
        event(1800, "alice"),
        event(0, "alice"),
        event(7200, "alice"),
        event(100, "bob"),
        event(2400, "alice"),
        event(600, "alice"),
        event(3000, "alice"),
        event(1200, "alice"),
        event(5000, "bob"),
    ])
}

#[test]
fn a_sliding_one_hour_count_by_user_over_events_out_of_order_in_the_file() {
    // Events come newest first, so each count is of the user's events in the hour after it
    // (Search Reference: "the number of events in the next 5 minutes").
    let rows = spl(
        "| streamstats time_window=1h count as rejections by user | where rejections >= 5 | table _time user rejections",
        &rejections(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"_time": "2024-03-04T10:10:00.000+00:00", "user": "alice", "rejections": 5}),
            json!({"_time": "2024-03-04T10:00:00.000+00:00", "user": "alice", "rejections": 6}),
        ]
    );
    // Sorted oldest first, each count is of the hour before it.
    let rows = spl(
        "| sort _time | streamstats time_window=1h count as rejections by user | where rejections >= 5 | table _time user rejections",
        &rejections(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"_time": "2024-03-04T10:40:00.000+00:00", "user": "alice", "rejections": 5}),
            json!({"_time": "2024-03-04T10:50:00.000+00:00", "user": "alice", "rejections": 6}),
        ]
    );
}

#[test]
fn a_time_window_holds_events_less_than_the_window_apart() {
    // An hour apart, so a one-hour window holds only the event itself: the far edge is open.
    let data = ndjson(&(0..5).map(|i| json!({"_time": 3600 * i})).collect::<Vec<_>>());
    let counts = |q: &str| column(&spl(q, &data), "count");
    assert_eq!(counts("| streamstats time_window=1h count"), vec![json!(1); 5]);
    assert_eq!(
        counts("| streamstats time_window=2h count"),
        vec![json!(1), json!(2), json!(2), json!(2), json!(2)]
    );
    assert_eq!(
        counts("| streamstats time_window=61m count"),
        counts("| streamstats time_window=2h count")
    );
}

#[test]
fn window_caps_the_events_of_a_time_window() {
    let data = ndjson(&[
        json!({"_time": 1}),
        json!({"_time": 2}),
        json!({"_time": 3}),
        json!({"_time": 4}),
    ]);
    let rows = spl("| streamstats time_window=1h window=2 count", &data);
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(2), json!(2)]);
}

#[test]
fn a_time_window_needs_events_in_time_order() {
    // Splunk fails the search ("time_window can only be used on input that is sorted in time
    // order"); read in file order, Quarry stops at the first event out of order and says why.
    let (rows, acc) = common::run(
        "| streamstats time_window=1h count as rejections by user",
        &rejections(),
        &input(),
    )
    .unwrap();
    assert_eq!(rows.len(), 2, "the third event goes back in time");
    assert!(
        acc.notes.iter().any(
            |n| n.contains("streamstats stopped: time_window needs events in time order")
                && n.contains("2024-03-04T12:00:00.000+00:00")
        ),
        "{:?}",
        acc.notes
    );
    // Either direction is fine.
    let data = ndjson(&[
        json!({"_time": 3}),
        json!({"_time": 2}),
        json!({"_time": 2}),
        json!({"_time": 1}),
    ]);
    let rows = spl_with("| streamstats time_window=1h count", &data, input());
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(3), json!(4)]);
}

#[test]
fn an_event_without_a_time_passes_a_time_window_unchanged() {
    let data = ndjson(&[
        json!({"_time": 1, "v": 1}),
        json!({"v": 2}),
        json!({"_time": 2, "v": 3}),
    ]);
    let (rows, acc) = common::run("| streamstats time_window=1h count", &data, &input()).unwrap();
    let rows: Vec<Json> = rows.iter().map(quarry_cli::output::to_json).collect();
    assert_eq!(column(&rows, "count"), vec![json!(1), Json::Null, json!(2)]);
    assert!(
        acc.notes.iter().any(|n| n.contains("1 event(s) without a time")),
        "{:?}",
        acc.notes
    );
}

// ------------------------------------------------------------------ resets

#[test]
fn reset_on_change_starts_again_when_the_by_values_change() {
    // The Search Reference's day and night shifts.
    let shifts = ["DAY", "DAY", "NIGHT", "NIGHT", "NIGHT", "NIGHT", "DAY", "NIGHT"];
    let data = ndjson(&shifts.iter().map(|s| json!({"shift": s})).collect::<Vec<_>>());
    let rows = spl_with("| streamstats count by shift reset_on_change=true", &data, input());
    assert_eq!(
        column(&rows, "count"),
        [1, 2, 1, 2, 3, 4, 1, 1].iter().map(|n| json!(n)).collect::<Vec<_>>()
    );
    // Events missing a by-field neither count nor reset.
    let data = ndjson(&[json!({"shift": "DAY"}), json!({"x": 1}), json!({"shift": "DAY"})]);
    let rows = spl_with("| streamstats reset_on_change=true count by shift", &data, input());
    assert_eq!(column(&rows, "count"), vec![json!(1), Json::Null, json!(2)]);
}

#[test]
fn reset_after_starts_again_after_the_event_for_every_group() {
    // SPL2 usage page: the REBOOT event still counts; both hosts start again after it.
    let rows = spl_with(
        "| streamstats reset_after=\"(action=\\\"REBOOT\\\")\" sum(bytes) as total_bytes by server",
        &servers(),
        input(),
    );
    assert_eq!(
        column(&rows, "total_bytes"),
        vec![json!(100), json!(200), json!(500), json!(550), json!(150), json!(100)]
    );
}

#[test]
fn reset_before_starts_again_with_the_event() {
    let rows = spl_with(
        "| streamstats reset_before=\"(action=\\\"REBOOT\\\")\" sum(bytes) as total_bytes by server",
        &servers(),
        input(),
    );
    assert_eq!(
        column(&rows, "total_bytes"),
        vec![json!(100), json!(200), json!(500), json!(50), json!(150), json!(150)]
    );
}

#[test]
fn reset_after_sees_the_fields_streamstats_added() {
    let data = ndjson(&(0..5).map(|n| json!({"n": n})).collect::<Vec<_>>());
    let rows = spl_with("| streamstats count reset_after=\"(count>=2)\"", &data, input());
    assert_eq!(
        column(&rows, "count"),
        vec![json!(1), json!(2), json!(1), json!(2), json!(1)]
    );
}

#[test]
fn a_reset_expression_may_be_written_as_splunk_documents_it() {
    // "Escaping string values": quoted parentheses joined with the expression between them.
    let data = ndjson(&[json!({}), json!({}), json!({})]);
    let rows = spl_with(
        "| streamstats count | eval test=if(count==2,\"yes\",\"no\") | streamstats count as testCount reset_after=\"(\"match(test,\\\"yes\\\")\")\" | table count test testCount",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"count": 1, "test": "no", "testCount": 1}),
            json!({"count": 2, "test": "yes", "testCount": 2}),
            json!({"count": 3, "test": "no", "testCount": 1}),
        ]
    );
    // Without the parentheses.
    let data = ndjson(&(1..=4).map(|n| json!({"n": n})).collect::<Vec<_>>());
    let rows = spl_with("| streamstats reset_before=\"n>2\" count", &data, input());
    assert_eq!(column(&rows, "count"), vec![json!(1), json!(2), json!(1), json!(1)]);
}

#[test]
fn a_reset_also_empties_the_window() {
    let data = ndjson(&(1..=4).map(|n| json!({"n": n})).collect::<Vec<_>>());
    let rows = spl_with(
        "| streamstats window=3 reset_before=\"(n=3)\" sum(n) as s",
        &data,
        input(),
    );
    assert_eq!(column(&rows, "s"), vec![json!(1), json!(3), json!(3), json!(7)]);
}

// ------------------------------------------------------------------ allnum

#[test]
fn allnum_withholds_numeric_results_once_a_value_is_not_a_number() {
    let data = ndjson(&[json!({"v": 1}), json!({"v": "n/a"}), json!({"v": 3})]);
    let rows = spl_with(
        "| streamstats allnum=true sum(v) as s max(v) as m | table s m",
        &data,
        input(),
    );
    assert_eq!(rows, vec![json!({"s": 1, "m": 1}), json!({"m": 1}), json!({"m": 3})]);
    let rows = spl_with("| streamstats sum(v) as s | table s", &data, input());
    assert_eq!(column(&rows, "s"), vec![json!(1), json!(1), json!(4)]);
}

// ------------------------------------------------------------------ mistakes are reported

#[test]
fn unknown_options_are_errors_with_a_caret() {
    let e = spl_error("x | streamstats count windw=3");
    assert!(
        e.contains("streamstats has no option `windw`") && e.contains("did you mean `window`") && e.contains("^^^^^"),
        "{e}"
    );
}

#[test]
fn bad_option_values_are_errors_with_a_caret() {
    let e = spl_error("x | streamstats current=maybe count");
    assert!(
        e.contains("`current` expects true or false") && e.contains("^^^^^"),
        "{e}"
    );
    let e = spl_error("x | streamstats window=three count");
    assert!(e.contains("expected a whole number"), "{e}");
    let e = spl_error("x | streamstats time_window=5x count");
    assert!(
        e.contains("bad time_window `5x`") && e.contains("not a time unit"),
        "{e}"
    );
    let e = spl_error("x | streamstats time_window=300 count");
    assert!(e.contains("a time window needs a unit"), "{e}");
    let e = spl_error("x | streamstats time_window=1mon count");
    assert!(e.contains("unsupported: streamstats time_window in mon"), "{e}");
    let e = spl_error("x | streamstats window=2 count window=3");
    assert!(e.contains("`window` is given twice"), "{e}");
}

#[test]
fn a_reset_expression_is_checked_like_any_expression() {
    let e = spl_error("x | streamstats count reset_after=\"(count>)\"");
    assert!(e.contains("expected an expression"), "{e}");
    // The caret points inside the quotes, at the `)` where an operand was expected.
    let line = e.lines().find(|l| l.contains('^')).unwrap();
    let query_line = e.lines().find(|l| l.contains("reset_after")).unwrap();
    let caret = line.find('^').unwrap();
    assert_eq!(&query_line[caret..caret + 2], ")\"", "{e}");
    let e = spl_error("x | streamstats count reset_before=\"(count)\"");
    assert!(e.contains("`reset_before` expects a Boolean expression"), "{e}");
    let e = spl_error("x | streamstats count reset_after=\"\"");
    assert!(e.contains("expected an expression"), "{e}");
}

#[test]
fn streamstats_needs_an_aggregation() {
    let e = spl_error("x | streamstats by user");
    assert!(e.contains("expected an aggregation"), "{e}");
    let e = spl_error("x | streamstats window=5");
    assert!(e.contains("expected an aggregation"), "{e}");
    let e = spl_error("x | streamstats count by");
    assert!(e.contains("expected a field name"), "{e}");
}
