//! One pipeline language: SPL's `sequence` command, SPL commands after an EQL query, the rows
//! sequences become, printing mixed pipelines back, and the errors of each part.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{compile, fixtures, query_files, query_text, root, settings};
use quarry_cli::lang::{detect, Lang};
use quarry_cli::output::to_json;
use quarry_engine::event::Event;
use quarry_syntax::SourceId;
use serde_json::json;

const DENY: &str = "user.mfa.okta_verify.deny_push";
const SSO: &str = "user.authentication.sso";

/// A sequence as a comparable value: its join keys and the raw text of its events, in order.
type Seq = (Vec<String>, Vec<String>);

/// The sequences of an EQL query's results.
fn eql_sequences(results: &[Event]) -> Vec<Seq> {
    results
        .iter()
        .map(|r| {
            let group = r.group.as_ref().expect("a sequence");
            (
                group.join_keys.iter().map(|v| v.display_text()).collect(),
                group
                    .events
                    .iter()
                    .flatten()
                    .map(|e| e.get("_raw").display_text())
                    .collect(),
            )
        })
        .collect()
}

/// The sequences of SPL rows (one per event, grouped by `sequence_id`).
fn row_sequences(rows: &[Event], keys: &[&str]) -> Vec<Seq> {
    let mut out: Vec<Seq> = Vec::new();
    let mut current = None;
    for row in rows {
        let id = row.get("sequence_id");
        if current.as_ref() != Some(&id) {
            out.push((keys.iter().map(|k| row.get(k).display_text()).collect(), Vec::new()));
            current = Some(id);
        }
        out.last_mut().unwrap().1.push(row.get("_raw").display_text());
    }
    out
}

fn elastic_rule() -> String {
    let path = root().join("queries/elastic/potential_abuse_of_repeated_mfa_push_notifications.toml");
    quarry_cli::rules::Rule::load(&path)
        .unwrap()
        .query_with(&Default::default())
        .unwrap()
}

/// The Elastic rule rewritten as SPL pipelines: SPL search stages (two ways), and EQL stages
/// in the SPL command.
fn spl_rewrites() -> Vec<String> {
    vec![
        format!(
            "event.module=okta | sequence by user.email with maxspan=10m [search event.action={DENY}] [search event.action={DENY}] [search event.action={SSO}]"
        ),
        format!(
            "event.module=okta (event.action={DENY} OR event.action={SSO}) | sequence by user.email maxspan=10m [search event.action={DENY}] with runs=2 [search event.action={SSO}]"
        ),
        format!(
            "| sequence by user.email with maxspan=10m [any where event.module == \"okta\" and event.action == \"{DENY}\"] with runs=2 [any where event.module == \"okta\" and event.action == \"{SSO}\"]"
        ),
    ]
}

#[test]
fn the_push_fatigue_rule_as_an_spl_pipeline_finds_the_same_sequences() {
    for (files, sourcetype) in [(fixtures("okta"), Some("OktaIM2:log")), (fixtures("okta-ecs"), None)] {
        let eql = eql_sequences(&query_files(&elastic_rule(), &files, sourcetype).unwrap());
        assert_eq!(eql.len(), 2, "the rule fires twice on the fixtures: {eql:?}");
        for spl in spl_rewrites() {
            assert_eq!(detect(&spl), Lang::Spl);
            let rows = query_files(&spl, &files, sourcetype).unwrap();
            assert_eq!(row_sequences(&rows, &["user.email"]), eql, "{spl} ({sourcetype:?})");
        }
    }
}

/// Results as JSON lines.
fn json_lines(events: &[Event]) -> String {
    events.iter().map(|e| format!("{}\n", to_json(e))).collect()
}

fn snapshot(name: &str, query: &str, files: &[std::path::PathBuf]) {
    let rows = query_files(query, files, Some("OktaIM2:log")).unwrap_or_else(|e| panic!("{e}"));
    let text = format!("{query}\n---\n{}", json_lines(&rows));
    settings("pipelines").bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn eql_then_spl_counts_sequences_per_user_and_hour() {
    snapshot(
        "eql_then_stats",
        &format!(
            "sequence by user.email with maxspan=10m [any where event.action == \"{DENY}\"] with runs=2 [any where event.action == \"{SSO}\"] | where sequence_stage = 2 | bin _time span=1h | stats count as sequences by user.email, _time"
        ),
        &fixtures("okta"),
    );
}

#[test]
fn eql_sequences_flow_on_as_one_row_per_event() {
    snapshot(
        "eql_then_table",
        &format!(
            "{} | table sequence_id, sequence_stage, _time, user.email, eventType, client.ipAddress",
            elastic_rule().trim()
        ),
        &fixtures("okta"),
    );
}

#[test]
fn eql_pipes_stay_eql_until_the_first_spl_command() {
    snapshot(
        "eql_event_query_then_spl",
        "authentication where event.action : \"user.mfa.*\" | tail 6 | stats count by user.email | sort - count, user.email",
        &fixtures("okta"),
    );
}

#[test]
fn spl_then_sequence_pairs_failures_with_a_later_success() {
    snapshot(
        "spl_then_sequence",
        "eventType=user.authentication.auth_via_mfa | sequence by user maxspan=5m [search outcome.result=FAILURE] [search outcome.result=SUCCESS] | table sequence_id, sequence_stage, _time, user, outcome.result, client.ipAddress",
        &fixtures("okta"),
    );
}

#[test]
fn summary_mode_gives_one_row_per_sequence() {
    snapshot(
        "spl_then_sequence_summary",
        "eventType=user.authentication.auth_via_mfa | sequence by user with maxspan=5m mode=summary [search outcome.result=FAILURE] [search outcome.result=SUCCESS] | table sequence_id, user, _time, duration, event_count, stage1.client.ipAddress, stage2.outcome.result",
        &fixtures("okta"),
    );
}

// ------------------------------------------------------------ semantics on small logs

fn ndjson(values: &[serde_json::Value]) -> String {
    common::ndjson(values)
}

fn ev(id: i64, t: i64, action: &str, user: &str) -> serde_json::Value {
    json!({"id": id, "@timestamp": t, "action": action, "user": user})
}

/// `id` of each row, `sequence_id:sequence_stage` too.
fn shape(rows: &[Event]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            format!(
                "{}:{}:{}",
                r.get("sequence_id").display_text(),
                r.get("sequence_stage").display_text(),
                r.get("id").display_text()
            )
        })
        .collect()
}

fn run(query: &str, events: &[serde_json::Value]) -> Vec<String> {
    shape(&query_text(query, &ndjson(events), None).unwrap_or_else(|e| panic!("{e}")))
}

#[test]
fn spl_stages_match_as_splunk_search_and_eql_stages_as_elasticsearch() {
    let events = [ev(1, 0, "Login.Fail", "a"), ev(2, 10, "login.ok", "a")];
    // SPL search: case-insensitive, wildcards.
    assert_eq!(
        run(
            "| sequence by user [search action=login.fail] [search action=LOGIN.*]",
            &events
        ),
        ["1:1:1", "1:2:2"]
    );
    // EQL `==` is exact; `:` is case-insensitive with wildcards.
    assert!(run(
        "| sequence by user [any where action == \"login.fail\"] [any where true]",
        &events
    )
    .is_empty());
    assert_eq!(
        run(
            "| sequence by user [any where action : \"login.f*\"] [search action=login.ok]",
            &events
        ),
        ["1:1:1", "1:2:2"]
    );
}

#[test]
fn maxspan_is_inclusive_and_the_latest_partial_is_extended() {
    let events = [
        ev(1, 0, "fail", "a"),
        ev(2, 100, "fail", "a"),
        ev(3, 400, "ok", "a"),
        ev(4, 1000, "fail", "b"),
        ev(5, 1301, "ok", "b"),
    ];
    // a: the later failure (2) pairs with the success, 300 s apart: inside a 5m bound. b: 301 s.
    assert_eq!(
        run(
            "| sequence by user maxspan=5m [search action=fail] [search action=ok]",
            &events
        ),
        ["1:1:2", "1:2:3"]
    );
}

#[test]
fn until_ends_a_key_and_missing_events_drop_sequences() {
    let events = [
        ev(1, 0, "fail", "a"),
        ev(2, 10, "logout", "a"),
        ev(3, 20, "ok", "a"),
        ev(4, 30, "fail", "b"),
        ev(5, 40, "ok", "b"),
    ];
    assert_eq!(
        run(
            "| sequence by user [search action=fail] [search action=ok] until [search action=logout]",
            &events
        ),
        ["1:1:4", "1:2:5"]
    );
    assert_eq!(
        run(
            "| sequence by user maxspan=1m [search action=fail] ![search action=logout] [search action=ok]",
            &events
        ),
        ["1:1:4", "1:3:5"]
    );
}

#[test]
fn runs_repeat_a_stage_under_one_stage_number() {
    let events = [ev(1, 0, "fail", "a"), ev(2, 1, "fail", "a"), ev(3, 2, "ok", "a")];
    assert_eq!(
        run(
            "| sequence by user [search action=fail] with runs=2 [search action=ok]",
            &events
        ),
        ["1:1:1", "1:1:2", "1:2:3"]
    );
}

#[test]
fn splunk_field_names_join_and_a_multivalue_key_joins_on_each_value() {
    let events = [
        json!({"id": 1, "@timestamp": 0, "action": "grant", "target": [{"alternateId": "x"}, {"alternateId": "y"}]}),
        json!({"id": 2, "@timestamp": 1, "action": "use", "target": [{"alternateId": "y"}]}),
    ];
    let rows = query_text(
        "| sequence by target{}.alternateId [search action=grant] [search action=use]",
        &ndjson(&events),
        None,
    )
    .unwrap();
    assert_eq!(shape(&rows), ["1:1:1", "1:2:2"]);
    // The join key is the value the sequence joined on, whatever the event holds.
    assert_eq!(rows[0].get("target{}.alternateId").display_text(), "y");
}

#[test]
fn rows_carry_the_sequence_and_feed_spl_commands() {
    let events = [
        ev(1, 0, "fail", "a"),
        ev(2, 10, "ok", "a"),
        ev(3, 20, "fail", "b"),
        ev(4, 90, "ok", "b"),
    ];
    let rows = query_text(
        "| sequence by user mode=summary [search action=fail] [search action=ok] | where duration > 30 | table user, duration, event_count, stage1.id, stage2.action",
        &ndjson(&events),
        None,
    )
    .unwrap();
    let out: Vec<_> = rows.iter().map(to_json).collect();
    assert_eq!(
        out,
        [json!({"user": "b", "duration": 70, "event_count": 2, "stage1.id": 3, "stage2.action": "ok"})]
    );
}

// ------------------------------------------------------------ languages and printing

#[test]
fn the_language_is_the_one_the_pipeline_starts_in() {
    assert_eq!(
        detect("sequence by user.email [any where true] [any where true] | stats count"),
        Lang::Eql
    );
    assert_eq!(detect("any where true | stats count by user.email"), Lang::Eql);
    assert_eq!(detect("| sequence by user [search a] [search b]"), Lang::Spl);
    assert_eq!(
        detect("eventType=x | sequence by user [any where true] [search b]"),
        Lang::Spl
    );
    // --lang forces one: an EQL query read as SPL is a search for its words.
    assert!(compile("any where true | stats count", Some(Lang::Spl), None).is_ok());
    assert!(compile("eventType=x | stats count", Some(Lang::Eql), None).is_err());
}

/// Parses `query` in its language, prints it, parses the print, and checks the trees are
/// equal (spans take no part in equality); returns the print.
fn round_trip(query: &str) -> String {
    match detect(query) {
        Lang::Eql => {
            let tree = quarry_syntax::eql::parse_query(query, SourceId(0)).unwrap_or_else(|e| panic!("{query}: {e:?}"));
            let printed = tree.to_string();
            let again = quarry_syntax::eql::parse_query(&printed, SourceId(0))
                .unwrap_or_else(|e| panic!("reparse of `{printed}`: {e:?}"));
            assert_eq!(tree, again, "{query}\nprinted: {printed}");
            printed
        }
        Lang::Spl => {
            let tree =
                quarry_syntax::spl::parse_pipeline(query, SourceId(0)).unwrap_or_else(|e| panic!("{query}: {e:?}"));
            let printed = tree.to_string();
            let again = quarry_syntax::spl::parse_pipeline(&printed, SourceId(0))
                .unwrap_or_else(|e| panic!("reparse of `{printed}`: {e:?}"));
            assert_eq!(tree, again, "{query}\nprinted: {printed}");
            printed
        }
    }
}

#[test]
fn mixed_pipelines_print_back_and_parse_to_the_same_tree() {
    let printed: Vec<String> = [
        "sequence by user.email with maxspan=10m\n  [any where event.action == \"a\"] with runs=2\n  [any where event.action == \"b\"]\n| head 5 | where sequence_stage=2 | stats count by user.email",
        "any where event.action : \"user.*\" | tail 3 | search user=\"x y\" | table _time, user",
        "sample by host [any where true] [any where true] | stats count",
        "eventType=x | sequence by user, src with maxspan=5m mode=summary [search a=1 OR b=2] by c with runs=2 ![any where x == 1] by d [search NOT c] by e until [search d] by f | table *",
        "| sequence by 'user' [search] [process where pid in (1, 2)] | eval n=1",
        "| sequence [search eventType=\"a b\"] [search eventType=c*]",
    ]
    .iter()
    .map(|q| round_trip(q))
    .collect();
    settings("pipelines").bind(|| insta::assert_snapshot!("round_trip", printed.join("\n")));
}

// ------------------------------------------------------------ errors

#[test]
fn errors_point_at_the_stage_and_say_which_language_it_is() {
    let cases = [
        (
            "spl_stage_in_eql",
            "sequence by user.email [search eventType=x] [any where true]",
        ),
        ("no_language", "| sequence by user [eventType=x] [search y]"),
        (
            "spl_comparison_in_eql_stage",
            "| sequence by user [any where eventType=user.mfa.okta_verify.deny_push] [search y]",
        ),
        (
            "eql_words_in_spl_stage",
            "| sequence by user [search action == \"x\" and user : \"a*\"] [search y]",
        ),
        ("eql_stage_fails", "| sequence by user [search x] [any where nosuch(x)]"),
        ("spl_stage_fails", "| sequence by user [search x] [search earliest=-1d]"),
        ("pipe_in_stage", "| sequence by user [search x | head 1] [search y]"),
        (
            "bad_maxspan",
            "| sequence by user maxspan=10parsecs [search x] [search y]",
        ),
        ("zero_maxspan", "| sequence by user maxspan=0s [search x] [search y]"),
        ("bad_mode", "| sequence by user mode=table [search x] [search y]"),
        ("unknown_option", "| sequence by user maxpsan=10m [search x] [search y]"),
        ("bad_runs", "| sequence by user [search x] with runs=0 [search y]"),
        (
            "runs_on_until",
            "| sequence by user [search x] [search y] until [search z] with runs=2",
        ),
        ("one_stage", "| sequence by user [search x]"),
        (
            "trailing_missing_without_maxspan",
            "| sequence by user [search x] ![search y]",
        ),
        ("unknown_pipe_after_eql", "any where true | statz count"),
        ("spl_error_after_eql", "any where true | head 2 | stats count by"),
        ("macro_after_eql", "any where true | search `okta`"),
    ];
    for (name, query) in cases {
        let error = match compile(query, None, None) {
            Ok(_) => panic!("{name}: `{query}` compiled"),
            Err(e) => e,
        };
        settings("pipelines").bind(|| insta::assert_snapshot!(format!("error_{name}"), error));
    }
}

// ------------------------------------------------------------ rule files

#[test]
fn rule_files_with_mixed_pipelines_run_and_pass_their_tests() {
    let flags = quarry_cli::commands::InputFlags {
        max_line_bytes: quarry_engine::input::DEFAULT_MAX_LINE,
        ..Default::default()
    };
    let report = quarry_cli::commands::test::run_tests(
        &[root().join("tests/fixtures/rules")],
        &flags,
        &quarry_cli::commands::EqlFlags::default(),
        None,
    )
    .unwrap();
    assert!(report.broken.is_empty(), "{:?}", report.broken);
    assert_eq!(report.cases.len(), 5);
    assert_eq!(report.failed(), 0, "{}", quarry_cli::commands::test::render(&report));
}
