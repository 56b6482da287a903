//! SPL semantics, one rule per test: each test states how Splunk behaves and checks that
//! Quarry does the same. Read top to bottom, this is the reference of Quarry's SPL.
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

fn events(values: &[Json]) -> String {
    ndjson(values)
}

fn column(rows: &[Json], name: &str) -> Vec<Json> {
    rows.iter()
        .map(|r| r.get(name).cloned().unwrap_or(Json::Null))
        .collect()
}

// ------------------------------------------------------------------ the search command

#[test]
fn search_values_match_case_insensitively_with_wildcards() {
    let data = events(&[
        json!({"r": "SUCCESS"}),
        json!({"r": "success"}),
        json!({"r": "FAILURE"}),
    ]);
    assert_eq!(spl("r=success | stats count", &data), vec![json!({"count": 2})]);
    assert_eq!(spl("r=SUCC* | stats count", &data), vec![json!({"count": 2})]);
    assert_eq!(spl("r=*URE | stats count", &data), vec![json!({"count": 1})]);
}

#[test]
fn where_compares_exactly_and_case_sensitively() {
    let data = events(&[json!({"r": "SUCCESS"}), json!({"r": "success"})]);
    assert_eq!(
        spl("| where r=\"success\" | stats count", &data),
        vec![json!({"count": 1})]
    );
    assert_eq!(
        spl("| where r=\"SUCC*\" | stats count", &data),
        vec![json!({"count": 0})]
    );
}

#[test]
fn search_binds_or_tighter_than_and() {
    // Splunk Search Manual: `A=1 AND B=2 OR C=3` is `A=1 AND (B=2 OR C=3)`.
    let data = events(&[
        json!({"a": 1, "b": 2, "c": 0}),
        json!({"a": 0, "b": 0, "c": 3}),
        json!({"a": 1, "b": 0, "c": 3}),
    ]);
    let rows = spl_with("a=1 AND b=2 OR c=3 | table a b c", &data, input());
    assert_eq!(rows.len(), 2, "{rows:?}");
    let implicit = spl_with("a=1 b=2 OR c=3 | table a b c", &data, input());
    assert_eq!(rows, implicit);
}

#[test]
fn not_applies_to_the_next_term_only() {
    // `error NOT 403 OR 404` is `error AND ((NOT 403) OR 404)`.
    let data = events(&[
        json!({"m": "error 403"}),
        json!({"m": "error 404"}),
        json!({"m": "error 500"}),
        json!({"m": "ok 404"}),
    ]);
    let rows = spl_with("error NOT 403 OR 404 | table m", &data, input());
    assert_eq!(column(&rows, "m"), vec![json!("error 404"), json!("error 500")]);
}

#[test]
fn not_equal_needs_the_field_and_not_does_not() {
    let data = events(&[json!({"r": "x"}), json!({"r": "y"}), json!({"other": 1})]);
    assert_eq!(spl("r!=x | stats count", &data), vec![json!({"count": 1})]);
    assert_eq!(spl("NOT r=x | stats count", &data), vec![json!({"count": 2})]);
}

#[test]
fn in_lists_match_any_value() {
    let data = events(&[json!({"e": "a.b"}), json!({"e": "c d"}), json!({"e": "z"})]);
    assert_eq!(
        spl("e IN (a.b, \"c d\") | stats count", &data),
        vec![json!({"count": 2})]
    );
    assert_eq!(spl("e IN (A*) | stats count", &data), vec![json!({"count": 1})]);
}

#[test]
fn bare_terms_match_tokens_of_the_raw_event() {
    let data = events(&[
        json!({"msg": "login failed"}),
        json!({"msg": "failures"}),
        json!({"msg": "FAILED login"}),
    ]);
    assert_eq!(spl("failed | stats count", &data), vec![json!({"count": 2})]);
    assert_eq!(spl("fail* | stats count", &data), vec![json!({"count": 3})]);
    assert_eq!(spl("\"login failed\" | stats count", &data), vec![json!({"count": 1})]);
}

#[test]
fn search_comparisons_are_numeric_when_both_sides_are_numbers() {
    let data = events(&[json!({"n": 9}), json!({"n": "10"}), json!({"n": 100})]);
    assert_eq!(spl("n>9 | stats count", &data), vec![json!({"count": 2})]);
    assert_eq!(spl("n<=10 | stats count", &data), vec![json!({"count": 2})]);
}

#[test]
fn field_equals_star_means_the_field_exists() {
    let data = events(&[json!({"x": ""}), json!({"x": "a"}), json!({"y": 1}), json!({"x": null})]);
    assert_eq!(spl("x=* | stats count", &data), vec![json!({"count": 2})]);
}

// ------------------------------------------------------------------ fields of JSON events

#[test]
fn dotted_names_reach_into_objects_and_braces_name_arrays() {
    let data = events(&[json!({"client": {"ip": "1.1.1.1"}, "target": [{"id": "a"}, {"id": "b"}]})]);
    let rows = spl("| table client.ip target{}.id", &data);
    assert_eq!(rows, vec![json!({"client.ip": "1.1.1.1", "target{}.id": ["a", "b"]})]);
}

#[test]
fn a_top_level_key_with_dots_wins_over_the_nested_path() {
    let data = events(&[json!({"event.action": "flat", "event": {"action": "nested"}})]);
    assert_eq!(
        spl("| table event.action", &data),
        vec![json!({"event.action": "flat"})]
    );
}

#[test]
fn every_event_has_the_default_fields() {
    let data = events(&[json!({"published": "2024-03-04T10:00:00Z"})]);
    let rows = spl("| table _time source sourcetype host index", &data);
    assert_eq!(
        rows,
        vec![
            json!({"_time": "2024-03-04T10:00:00.000+00:00", "source": "events.ndjson", "host": "localhost", "index": "main"})
        ]
    );
}

// ------------------------------------------------------------------ eval

#[test]
fn double_quotes_make_strings_and_single_quotes_name_fields() {
    let data = events(&[json!({"outcome": {"result": "SUCCESS"}})]);
    let rows = spl(
        "| eval s=\"outcome.result\", f='outcome.result', eq_s=if(\"outcome.result\"=\"SUCCESS\",1,0), eq_f=if('outcome.result'=\"SUCCESS\",1,0) | table s f eq_s eq_f",
        &data,
    );
    assert_eq!(
        rows,
        vec![json!({"s": "outcome.result", "f": "SUCCESS", "eq_s": 0, "eq_f": 1})]
    );
}

#[test]
fn an_unquoted_dot_concatenates() {
    let data = events(&[json!({"a": "x", "b": "y", "n": 5})]);
    let rows = spl("| eval c=a.b, d=a . \"-\" . n | table c d", &data);
    assert_eq!(rows, vec![json!({"c": "xy", "d": "x-5"})]);
}

#[test]
fn null_propagates_through_arithmetic_and_concatenation() {
    let data = events(&[json!({"a": 1})]);
    let rows = spl(
        "| eval x=a+missing, y=\"p\".missing, z=coalesce(missing, a) | table a x y z",
        &data,
    );
    assert_eq!(rows, vec![json!({"a": 1, "z": 1})]);
}

#[test]
fn division_by_zero_is_null() {
    let data = events(&[json!({"a": 6, "b": 0, "c": 4})]);
    let rows = spl("| eval x=a/b, y=a%b, z=a/3, w=a/c | table x y z w", &data);
    assert_eq!(rows, vec![json!({"z": 2, "w": 1.5})]);
}

#[test]
fn round_rounds_half_away_from_zero() {
    let data = events(&[json!({"a": 2.5, "b": -2.5, "c": 0.125})]);
    let rows = spl(
        "| eval x=round(a), y=round(b), z=round(c, 2), r=round(1/3, 2) | table x y z r",
        &data,
    );
    assert_eq!(rows, vec![json!({"x": 3, "y": -3, "z": 0.13, "r": 0.33})]);
}

#[test]
fn numbers_compare_numerically_and_strings_lexicographically() {
    let data = events(&[json!({"n": "10", "m": 9, "s": "10", "t": "9x"})]);
    let rows = spl(
        "| eval numeric=if(n>m,1,0), text=if(s<t,1,0) | table numeric text",
        &data,
    );
    assert_eq!(rows, vec![json!({"numeric": 1, "text": 1})]);
}

#[test]
fn comparisons_with_a_multivalue_match_any_value() {
    let data = events(&[json!({"ips": ["10.0.0.1", "192.0.2.1"]})]);
    let rows = spl(
        "| where 'ips{}'=\"192.0.2.1\" | eval n=mvcount('ips{}') | table n",
        &data,
    );
    assert_eq!(rows, vec![json!({"n": 2})]);
}

#[test]
fn three_valued_logic() {
    let data = events(&[json!({"a": 1})]);
    let rows = spl(
        "| eval f=if(missing=1 AND a=2, \"t\", \"f\"), t=if(missing=1 OR a=1, \"t\", \"f\"), n=if(NOT missing=1, \"t\", \"f\") | table f t n",
        &data,
    );
    // false AND null is false; true OR null is true; NOT null is null (not true).
    assert_eq!(rows, vec![json!({"f": "f", "t": "t", "n": "f"})]);
}

#[test]
fn like_uses_percent_and_underscore() {
    let data = events(&[json!({"b": "{New Device=POSITIVE, New IP=NEGATIVE}"})]);
    let rows = spl(
        "| eval x=if(b LIKE \"%New Device=POSITIVE%\",1,0), y=if(like(b, \"_New%\"),1,0), z=if(b LIKE \"%new device%\",1,0) | table x y z",
        &data,
    );
    assert_eq!(rows, vec![json!({"x": 1, "y": 1, "z": 0})]);
}

#[test]
fn functions_are_matched_in_any_case() {
    let data = events(&[json!({"a": "Hello"})]);
    let rows = spl(
        "| eval x=UPPER(a), y=If(LEN(a)=5, \"five\", \"other\") | table x y",
        &data,
    );
    assert_eq!(rows, vec![json!({"x": "HELLO", "y": "five"})]);
}

#[test]
fn eval_functions() {
    let data = events(&[json!({"s": " a,b,c ", "ip": "10.1.2.3", "t": 1709546400})]);
    let rows = spl(
        "| eval parts=split(trim(s), \",\"), n=mvcount(parts), second=mvindex(parts, 1), last=mvindex(parts, -1), joined=mvjoin(parts, \"|\"), sub=substr(trim(s), 3, 1), rep=replace(s, \"([a-c])\", \"<\\1>\"), internal=if(cidrmatch(\"10.0.0.0/8\", ip), \"yes\", \"no\"), day=strftime(t, \"%Y-%m-%d\"), back=strptime(\"2024-03-04\", \"%Y-%m-%d\"), num=tonumber(\"42\"), str=tostring(3.5), m=if(match(s, \"b,c\"), 1, 0), case=case(n=2, \"two\", n=3, \"three\"), lo=min(3, 1, 2), hi=max(\"a\", \"b\") | fields - s ip t",
        &data,
    );
    assert_eq!(
        rows[0],
        json!({"parts": ["a", "b", "c"], "n": 3, "second": "b", "last": "c", "joined": "a|b|c", "sub": "b",
               "rep": " <a>,<b>,<c> ", "internal": "yes", "day": "2024-03-04", "back": 1709510400, "num": 42,
               "str": "3.5", "m": 1, "case": "three", "lo": 1, "hi": "b"})
    );
}

#[test]
fn several_assignments_see_the_earlier_ones() {
    let data = events(&[json!({"a": 1})]);
    assert_eq!(spl("| eval b=a+1, c=b*10 | table c", &data), vec![json!({"c": 20})]);
}

#[test]
fn eval_cannot_assign_a_boolean_and_if_needs_one() {
    assert!(spl_error("| eval x=a>1").contains("eval cannot assign a Boolean"));
    assert!(spl_error("| eval x=if(a, 1, 0)").contains("must be a Boolean"));
    assert!(spl_error("| where a").contains("expects a Boolean"));
}

// ------------------------------------------------------------------ stats

#[test]
fn stats_by_drops_events_whose_by_field_is_null() {
    let data = events(&[
        json!({"u": "a"}),
        json!({"u": "b"}),
        json!({"other": 1}),
        json!({"u": null}),
    ]);
    let rows = spl("| stats count by u", &data);
    assert_eq!(rows, vec![json!({"u": "a", "count": 1}), json!({"u": "b", "count": 1})]);
    // ... which is why rules put fillnull first.
    let rows = spl("| fillnull value=NULL u | stats count by u", &data);
    assert_eq!(column(&rows, "u"), vec![json!("NULL"), json!("a"), json!("b")]);
}

#[test]
fn stats_output_is_sorted_by_the_by_values() {
    let data = events(&[
        json!({"u": "c"}),
        json!({"u": "a"}),
        json!({"u": "b"}),
        json!({"u": "a"}),
    ]);
    let rows = spl("| stats count by u", &data);
    assert_eq!(column(&rows, "u"), vec![json!("a"), json!("b"), json!("c")]);
}

#[test]
fn values_are_distinct_and_sorted_and_list_keeps_arrival_order() {
    let data = events(&[
        json!({"v": "b"}),
        json!({"v": "a"}),
        json!({"v": "b"}),
        json!({"v": "10"}),
        json!({"v": "9"}),
    ]);
    let rows = spl_with("| stats values(v) as vals list(v) as lst", &data, input());
    assert_eq!(
        rows,
        vec![json!({"vals": ["10", "9", "a", "b"], "lst": ["b", "a", "b", "10", "9"]})]
    );
}

#[test]
fn dc_counts_distinct_values() {
    let data = events(&[
        json!({"ip": "1"}),
        json!({"ip": "2"}),
        json!({"ip": "1"}),
        json!({"x": 1}),
    ]);
    assert_eq!(
        spl("| stats dc(ip) as n distinct_count(ip) as m", &data),
        vec![json!({"n": 2, "m": 2})]
    );
}

#[test]
fn stats_functions() {
    let data = events(&[
        json!({"n": 2, "_time": 100}),
        json!({"n": 4, "_time": 300}),
        json!({"n": 9, "_time": 200}),
        json!({"x": "no n", "_time": 50}),
    ]);
    let rows = spl(
        "| stats count, count(n) as cn, sum(n) as s, avg(n) as a, min(n) as lo, max(n) as hi, range(n) as r, earliest(n) as e, latest(n) as l, stdev(n) as sd, median(n) as med",
        &data,
    );
    assert_eq!(
        rows,
        vec![
            json!({"count": 4, "cn": 3, "s": 15, "a": 5, "lo": 2, "hi": 9, "r": 7, "e": 2, "l": 4, "sd": 3.605551275463989, "med": 4})
        ]
    );
}

#[test]
fn first_and_last_follow_result_order_newest_first() {
    // Splunk hands events to stats newest first.
    let data = events(&[json!({"v": "old", "_time": 1}), json!({"v": "new", "_time": 2})]);
    assert_eq!(
        spl("| stats first(v) as f last(v) as l", &data),
        vec![json!({"f": "new", "l": "old"})]
    );
}

#[test]
fn eval_inside_an_aggregation() {
    let data = events(&[
        json!({"r": "FAILURE"}),
        json!({"r": "SUCCESS"}),
        json!({"r": "FAILURE"}),
    ]);
    let rows = spl(
        "| stats sum(eval(if(r=\"FAILURE\",1,0))) as failures count(eval(r=\"SUCCESS\")) as ok",
        &data,
    );
    assert_eq!(rows, vec![json!({"failures": 2, "ok": 1})]);
    assert!(spl_error("| stats sum(eval(x))").contains("must be renamed with `as`"));
}

#[test]
fn by_fields_with_or_without_commas_and_multivalue_keys() {
    let data = events(&[json!({"u": "a", "t": ["x", "y"]}), json!({"u": "a", "t": ["x"]})]);
    let rows = spl("| stats count by u, t{}", &data);
    assert_eq!(
        rows,
        vec![
            json!({"u": "a", "t{}": "x", "count": 2}),
            json!({"u": "a", "t{}": "y", "count": 1})
        ]
    );
    assert_eq!(spl("| stats count by u t{}", &data), rows);
}

#[test]
fn wildcard_aggregation_applies_to_every_field() {
    let data = events(&[json!({"g": 1, "a": "x", "b": 2}), json!({"g": 1, "a": "y"})]);
    let rows = spl(
        "| stats values(*) as * by g | fields - host, index, source, _time",
        &data,
    );
    assert_eq!(rows, vec![json!({"g": 1, "a": ["x", "y"], "b": 2})]);
}

#[test]
fn stats_over_nothing() {
    assert_eq!(spl("| stats count dc(x) as d", ""), vec![json!({"count": 0, "d": 0})]);
    assert_eq!(spl("| stats count by x", ""), Vec::<Json>::new());
}

#[test]
fn eventstats_adds_group_results_to_each_event() {
    let data = events(&[
        json!({"u": "a", "n": 1}),
        json!({"u": "a", "n": 3}),
        json!({"u": "b", "n": 5}),
    ]);
    let rows = spl_with("| eventstats sum(n) as total by u | table u n total", &data, input());
    assert_eq!(column(&rows, "total"), vec![json!(4), json!(4), json!(5)]);
}

// ------------------------------------------------------------------ other commands

#[test]
fn bin_rounds_down_to_the_span() {
    let data = events(&[json!({"_time": 125.7, "n": 37})]);
    let rows = spl(
        "| bin span=1m _time | bucket n span=10 as nb | eval t=_time | table t nb",
        &data,
    );
    assert_eq!(rows, vec![json!({"t": 120, "nb": "30-40"})]);
    let rows = spl(
        "| eval g=_time | bin span=2s g | table g",
        &events(&[json!({"_time": 1709546405.2})]),
    );
    assert_eq!(rows, vec![json!({"g": 1709546404})]);
}

#[test]
fn fillnull_without_fields_fills_every_field_seen_in_the_results() {
    let data = events(&[json!({"a": 1}), json!({"b": 2})]);
    let rows = spl_with("| fillnull | table a b", &data, input());
    assert_eq!(rows, vec![json!({"a": 1, "b": "0"}), json!({"a": "0", "b": 2})]);
    let rows = spl_with("| fillnull value=NULL b c | table a b c", &data, input());
    assert_eq!(
        rows,
        vec![json!({"a": 1, "b": "NULL", "c": "NULL"}), json!({"b": 2, "c": "NULL"})]
    );
}

#[test]
fn fillnull_without_fields_fills_what_the_pipeline_emptied_and_not_what_it_empties_later() {
    let data = events(&[json!({"a": 1, "b": 1}), json!({"b": 2}), json!({"a": 3})]);
    // `a` emptied before the fill is filled; `b` removed after it stays removed.
    let rows = spl_with(
        "| eval a=if(a=1, null(), a) | fillnull value=X | eval c=if(b=2, null(), b) | table a b c",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"a": "X", "b": 1, "c": 1}),
            json!({"a": "X", "b": 2}),
            json!({"a": 3, "b": "X", "c": "X"}),
        ]
    );
    let rows = spl_with("| fillnull value=X | fields - b | table *", &data, input());
    assert_eq!(column(&rows, "b"), vec![Json::Null, Json::Null, Json::Null]);
    assert_eq!(column(&rows, "a"), vec![json!(1), json!("X"), json!(3)]);
}

#[test]
fn fillnull_results_carry_the_filled_fields_into_the_output() {
    let data = events(&[json!({"a": 1, "n": {"x": [1, 2]}}), json!({"b": 2})]);
    let rows = spl_with("| fillnull value=-", &data, input());
    assert_eq!(
        rows,
        vec![
            json!({"a": 1, "n": {"x": [1, 2]}, "b": "-"}),
            json!({"b": 2, "a": "-", "n.x{}": "-"}),
        ]
    );
}

#[test]
fn a_second_fillnull_keeps_what_the_first_filled() {
    let data = events(&[json!({"a": 1}), json!({"b": 2})]);
    let rows = spl_with(
        "| fillnull value=X | eval c=if(isnull(b) OR b=\"X\", 1, null()) | fillnull value=Y | table a b c",
        &data,
        input(),
    );
    assert_eq!(
        rows,
        vec![json!({"a": 1, "b": "X", "c": 1}), json!({"a": "X", "b": 2, "c": "Y"})]
    );
}

#[test]
fn fillnull_fills_every_result_of_a_large_result_set() {
    let data = events(
        &(0..3000)
            .map(|i| if i % 2 == 0 { json!({"a": i}) } else { json!({"b": i}) })
            .collect::<Vec<_>>(),
    );
    let rows = spl("| fillnull value=X | stats count by a b", &data);
    assert_eq!(rows.len(), 3000);
    let filled = spl("| fillnull value=X | where a=\"X\" OR b=\"X\" | stats count", &data);
    assert_eq!(filled, vec![json!({"count": 3000})]);
    assert_eq!(
        spl("| fillnull value=X | head 3 | stats count", &data),
        vec![json!({"count": 3})]
    );
}

#[test]
fn fillnull_fills_derived_fields_but_they_are_computed_before_it() {
    // Splunk computes aliases and calculated fields as it retrieves an event, before the
    // pipeline: `related.user` (actor.alternateId and actor.displayName) of the second event
    // does not take in the alternateId that fillnull gives it.
    let data = events(&[
        json!({"actor": {"alternateId": "a@x.io", "displayName": "A"}}),
        json!({"actor": {"displayName": "B"}}),
    ]);
    let okta = Opts {
        sourcetype: Some("OktaIM2:log"),
        ..input()
    };
    let rows = spl_with(
        "| fillnull value=X | table actor.alternateId user related.user",
        &data,
        okta,
    );
    assert_eq!(
        rows,
        vec![
            json!({"actor.alternateId": "a@x.io", "user": "a@x.io", "related.user": ["a@x.io", "A"]}),
            json!({"actor.alternateId": "X", "user": "X", "related.user": "B"}),
        ]
    );
}

#[test]
fn fields_keeps_or_removes_with_wildcards() {
    let data = events(&[json!({"lat": 1, "lon": 2, "City": "X", "n": 3})]);
    let rows = spl("| fields - lat, lon | table *", &data);
    assert_eq!(
        rows,
        vec![json!({"City": "X", "host": "localhost", "index": "main", "n": 3, "source": "events.ndjson"})]
    );
    let rows = spl("| fields l* | table *", &data);
    assert_eq!(rows, vec![json!({"lat": 1, "lon": 2})]);
}

#[test]
fn rename_moves_values_and_carries_wildcards() {
    let data = events(&[json!({"src_ip": "1", "dest_ip": "2"})]);
    let rows = spl(
        "| rename src_ip as source_address, dest_ip as \"dest address\" | table source_address \"dest address\"",
        &data,
    );
    assert_eq!(rows, vec![json!({"source_address": "1", "dest address": "2"})]);
    let rows = spl("| rename *_ip as ip_* | table ip_*", &data);
    assert_eq!(rows, vec![json!({"ip_dest": "2", "ip_src": "1"})]);
}

#[test]
fn sort_orders_numbers_numerically_and_honours_limits() {
    let data = events(&[json!({"n": 10}), json!({"n": 9}), json!({"n": 100}), json!({"x": 1})]);
    assert_eq!(
        column(&spl("| sort n | table n", &data), "n"),
        vec![json!(9), json!(10), json!(100), Json::Null]
    );
    assert_eq!(
        column(&spl("| sort - n | table n", &data), "n"),
        vec![json!(100), json!(10), json!(9), Json::Null]
    );
    assert_eq!(
        column(&spl("| sort 2 -n | table n", &data), "n"),
        vec![json!(100), json!(10)]
    );
    assert_eq!(
        column(&spl("| sort str(n) | table n", &data), "n")[..3],
        [json!(10), json!(100), json!(9)]
    );
}

#[test]
fn results_come_newest_first_so_head_takes_the_latest() {
    let data = events(&[
        json!({"_time": 1, "v": "a"}),
        json!({"_time": 3, "v": "c"}),
        json!({"_time": 2, "v": "b"}),
    ]);
    assert_eq!(
        column(&spl("| head 2 | table v", &data), "v"),
        vec![json!("c"), json!("b")]
    );
    // tail returns the last results, in reverse order.
    assert_eq!(
        column(&spl("| tail 2 | table v", &data), "v"),
        vec![json!("a"), json!("b")]
    );
    assert_eq!(
        column(&spl_with("| head 2 | table v", &data, input()), "v"),
        vec![json!("a"), json!("c")]
    );
}

#[test]
fn dedup_keeps_the_first_of_each_combination() {
    let data = events(&[
        json!({"_time": 3, "u": "a", "v": 1}),
        json!({"_time": 2, "u": "a", "v": 2}),
        json!({"_time": 1, "u": "b", "v": 3}),
        json!({"_time": 0, "v": 4}),
    ]);
    assert_eq!(
        column(&spl("| dedup u | table v", &data), "v"),
        vec![json!(1), json!(3)]
    );
    assert_eq!(
        column(&spl("| dedup u keepempty=true | table v", &data), "v"),
        vec![json!(1), json!(3), json!(4)]
    );
    assert_eq!(
        column(&spl("| dedup 2 u sortby +v | table v", &data), "v"),
        vec![json!(1), json!(2), json!(3)]
    );
}

#[test]
fn iplocation_adds_location_fields_from_a_maxmind_database() {
    use quarry_engine::geoip::{GeoEntry, GeoIp, MmdbWriter};
    let mut w = MmdbWriter::new();
    w.insert(
        "198.51.100.0/24",
        GeoEntry {
            city: "Amsterdam".into(),
            region: "North Holland".into(),
            country: "Netherlands".into(),
            continent: "Europe".into(),
            lat: 52.374,
            lon: 4.8897,
            timezone: "Europe/Amsterdam".into(),
        },
    )
    .unwrap();
    let db = GeoIp::from_bytes(w.to_bytes(), "test.mmdb").unwrap();
    let opts = Opts {
        geoip: Some(std::sync::Arc::new(db)),
        ..Opts::default()
    };
    let data = events(&[json!({"ip": "198.51.100.23"}), json!({"ip": "10.0.0.1"})]);
    let rows = spl_with(
        "| iplocation ip | table ip City Region Country lat lon",
        &data,
        Opts {
            order: EventOrder::Input,
            ..opts.clone()
        },
    );
    assert_eq!(
        rows,
        vec![
            json!({"ip": "198.51.100.23", "City": "Amsterdam", "Region": "North Holland", "Country": "Netherlands", "lat": 52.374, "lon": 4.8897}),
            json!({"ip": "10.0.0.1", "City": "", "Region": "", "Country": "", "lat": "", "lon": ""}),
        ]
    );
    let rows = spl_with(
        "| iplocation prefix=src_ allfields=true ip | table src_Continent src_Timezone",
        &data,
        opts,
    );
    assert_eq!(
        rows[0],
        json!({"src_Continent": "Europe", "src_Timezone": "Europe/Amsterdam"})
    );
}

#[test]
fn iplocation_without_a_database_adds_empty_fields_and_says_so() {
    let (rows, acc) = common::run(
        "| iplocation ip | table City",
        &events(&[json!({"ip": "198.51.100.23"})]),
        &Opts::default(),
    )
    .unwrap();
    assert_eq!(rows[0].get("City"), quarry_engine::Value::from(""));
    assert!(acc.notes.iter().any(|n| n.contains("no GeoIP database")));
}

#[test]
fn comments_and_macros() {
    // Without a sourcetype given, a `sourcetype` key of the event is used.
    let data = events(&[
        json!({"eventtype": "okta_log", "x": 1}),
        json!({"sourcetype": "OktaIM2:log", "x": 2}),
        json!({"x": 3}),
    ]);
    let rows = spl_with(
        "`okta` ```only Okta events``` | table x | `my_rule_filter`",
        &data,
        input(),
    );
    assert_eq!(column(&rows, "x"), vec![json!(1), json!(2)]);
}

// ------------------------------------------------------------------ unsupported is explicit

#[test]
fn unknown_commands_and_functions_fail_with_unsupported_and_a_caret() {
    let e = spl_error("x | mstats count");
    assert!(e.contains("unsupported: mstats"), "{e}");
    assert!(e.contains("^^^^^^"), "{e}");
    let e = spl_error("x | eval y=acos(x)");
    assert!(e.contains("unsupported: acos"), "{e}");
    let e = spl_error("x | eval y=frob(x)");
    assert!(e.contains("unsupported: frob (not a Splunk eval function)"), "{e}");
    let e = spl_error("x | stats bogus(x)");
    assert!(e.contains("unsupported: bogus"), "{e}");
}

#[test]
fn sigfig_is_unsupported_rather_than_wrong() {
    // Splunk takes the precision from how the operands were written: sigfig(1.00*1111) is 1110.
    // Numbers read from JSON no longer carry that, so Quarry refuses instead of guessing.
    let e = spl_error("x | eval y=sigfig(1.00*1111)");
    assert!(e.contains("unsupported: sigfig"), "{e}");
}

#[test]
fn unknown_options_are_errors() {
    let e = spl_error("x | bin spna=1h _time");
    assert!(
        e.contains("bin has no option `spna`") && e.contains("did you mean `span`"),
        "{e}"
    );
}
