//! Lookups, subsearches and multi-event commands, one documented behaviour per test: `lookup`,
//! `inputlookup`, `[ subsearch ]`, `format`, `return`, `join`, `append`, `appendpipe`,
//! `makeresults`, `transaction`, `top`, `rare` and `timechart`. Lookup tables are the small
//! ones in `tests/fixtures/lookups/`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use quarry_cli::diagnostics::render_all;
use quarry_cli::library;
use quarry_cli::output::to_json;
use quarry_engine::eql::EqlOptions;
use quarry_engine::input::ReadOptions;
use quarry_engine::lookup::LookupRegistry;
use quarry_engine::ops::RunContext;
use quarry_engine::plan::EventOrder;
use quarry_syntax::spl::parse_pipeline;
use quarry_syntax::{SourceId, SourceKind, SourceMap};
use serde_json::{json, Value as Json};
use std::sync::Arc;

fn lookups() -> Arc<LookupRegistry> {
    common::fixture_lookups()
}

fn run(query: &str, events: &[Json]) -> Result<Vec<Json>, String> {
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    let macros = library::builtin_macros();
    let compiled = quarry_engine::spl::compile_with_lookups(
        &mut sources,
        id,
        &macros,
        EventOrder::NewestFirst,
        &EqlOptions::default(),
        &lookups(),
    )
    .map_err(|d| render_all(&d, &sources, false))?;
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    let read_events = common::read_events(&text, &ReadOptions::default());
    let (out, _) = quarry_engine::run::run_events(&compiled.plan, read_events, RunContext::new(1_700_000_000.0));
    Ok(out.iter().map(to_json).collect())
}

fn spl(query: &str, events: &[Json]) -> Vec<Json> {
    run(query, events).unwrap_or_else(|e| panic!("{e}"))
}

fn error(query: &str) -> String {
    match run(query, &[]) {
        Ok(_) => panic!("expected `{query}` to fail"),
        Err(e) => e,
    }
}

fn auth() -> Vec<Json> {
    vec![
        json!({"_time": "2024-03-04T10:00:00Z", "user": "alice", "action": "login", "src": "10.1.2.3", "domain": "www.evil.example"}),
        json!({"_time": "2024-03-04T10:01:00Z", "user": "bob", "action": "login", "src": "192.168.1.7", "domain": "example.org"}),
        json!({"_time": "2024-03-04T10:02:00Z", "user": "alice", "action": "download", "src": "10.1.2.3", "domain": "MALWARE.test"}),
        json!({"_time": "2024-03-04T10:03:00Z", "user": "mallory", "action": "login", "src": "8.8.8.8"}),
        json!({"_time": "2024-03-04T10:05:00Z", "user": "alice", "action": "logout", "src": "10.1.2.3"}),
        json!({"_time": "2024-03-04T10:20:00Z", "user": "bob", "action": "download", "src": "192.168.1.7"}),
        json!({"_time": "2024-03-04T10:40:00Z", "user": "bob", "action": "logout", "src": "192.168.1.7"}),
        json!({"_time": "2024-03-04T11:00:00Z", "user": "alice", "action": "login", "src": "10.200.0.1"}),
    ]
}

// ------------------------------------------------------------------ parsing and printing

#[test]
fn new_commands_print_back_to_the_same_tree() {
    for query in [
        "x | lookup local=true users.csv user AS account, host OUTPUTNEW department AS dept, role",
        "x | lookup bad_domains domain",
        "| inputlookup append=t max=5 users.csv where department=finance",
        "x [search action=download | fields user] | join type=left max=0 user [| inputlookup users.csv]",
        "x | append [search y | head 1] | appendpipe [stats count | eval user=\"TOTAL\"]",
        "| makeresults count=2 | transaction user, host maxspan=30m startswith=(action=login) endswith=eval(action==\"logout\")",
        "x | top 5 user host by src showperc=f | rare limit=2 action",
        "x | timechart span=5m limit=0 count, dc(src) as hosts by user",
        "x [search y | format \"[\" \"(\" \"AND\" \")\" \"OR\" \"]\"] [search z | return 2 src=ip $user]",
    ] {
        let tree = parse_pipeline(query, SourceId(0)).unwrap_or_else(|e| panic!("{query}: {e:?}"));
        let printed = tree.to_string();
        let again = parse_pipeline(&printed, SourceId(0)).unwrap_or_else(|e| panic!("{printed}: {e:?}"));
        assert_eq!(tree, again, "printed: {printed}");
    }
}

#[test]
fn a_subsearch_may_start_with_a_generating_command_without_a_pipe() {
    let with_pipe = parse_pipeline("x [| inputlookup users.csv]", SourceId(0)).unwrap();
    let without = parse_pipeline("x [inputlookup users.csv]", SourceId(0)).unwrap();
    assert_eq!(with_pipe, without);
}

// ------------------------------------------------------------------ lookup

#[test]
fn lookup_output_writes_the_named_columns_under_their_aliases() {
    let rows = spl(
        "action=download | lookup users.csv user OUTPUT department AS dept | table user dept",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"user": "bob", "dept": "engineering"}),
            json!({"user": "alice", "dept": "finance"})
        ]
    );
}

#[test]
fn lookup_without_output_writes_every_other_column_and_several_matches_make_a_multivalue() {
    let rows = spl(
        "user=bob action=login | lookup users.csv user | table user department role",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![json!({"user": "bob", "department": "engineering", "role": ["developer", "oncall"]})]
    );
}

#[test]
fn lookup_matches_case_sensitively_unless_the_definition_says_otherwise() {
    let data = vec![json!({"user": "ALICE"})];
    // users.csv is a bare file: transforms.conf's default case_sensitive_match = true.
    assert_eq!(
        spl("* | lookup users.csv user OUTPUT role | table user role", &data),
        vec![json!({"user": "ALICE"})]
    );
    // bad_domains.yml says case_sensitive_match: 'false'.
    let data = vec![json!({"domain": "Malware.TEST"})];
    assert_eq!(
        spl("* | lookup bad_domains domain OUTPUT threat | table threat", &data),
        vec![json!({"threat": "malware"})]
    );
}

#[test]
fn wildcard_columns_match_patterns_and_default_match_fills_in_below_min_matches() {
    let rows = spl(
        "domain=* | lookup bad_domains domain OUTPUT threat | table domain threat",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"domain": "MALWARE.test", "threat": "malware"}),
            json!({"domain": "example.org", "threat": "none"}),
            json!({"domain": "www.evil.example", "threat": "phishing"}),
        ]
    );
}

#[test]
fn cidr_columns_match_addresses_inside_the_network() {
    let rows = spl(
        "* | lookup office_networks network AS src OUTPUT zone | dedup src | table src zone",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"src": "10.200.0.1", "zone": "internal"}),
            json!({"src": "192.168.1.7", "zone": "lab"}),
            json!({"src": "10.1.2.3", "zone": ["internal", "datacenter"]}),
            json!({"src": "8.8.8.8"}),
        ]
    );
}

#[test]
fn output_replaces_a_field_and_outputnew_only_fills_a_missing_one() {
    let data = vec![
        json!({"user": "alice", "role": "guest"}),
        json!({"user": "nobody", "role": "guest"}),
    ];
    assert_eq!(
        spl("* | lookup users.csv user OUTPUT role | table user role", &data),
        vec![json!({"user": "alice", "role": "admin"}), json!({"user": "nobody"})]
    );
    assert_eq!(
        spl("* | lookup users.csv user OUTPUTNEW role | table user role", &data),
        vec![
            json!({"user": "alice", "role": "guest"}),
            json!({"user": "nobody", "role": "guest"})
        ]
    );
}

#[test]
fn a_missing_lookup_fails_at_plan_time_with_its_reason() {
    assert!(error("x | lookup nope user").contains("missing lookup: nope"));
    // A KV-store collection reads as an empty table of its fields_list; this one lists none.
    assert!(error("x | lookup kv_sessions user").contains("lookup table kv_sessions has no column `user`"));
    assert!(error("x | lookup ml_model user").contains("missing lookup: ml_model (ML model)"));
    assert!(error("x | lookup users.csv nosuch").contains("has no column `nosuch`"));
}

// ------------------------------------------------------------------ inputlookup

#[test]
fn inputlookup_generates_the_rows_of_a_table_filtered_by_where() {
    assert_eq!(
        spl("| inputlookup users.csv where department=finance | table user", &auth()),
        vec![json!({"user": "alice"}), json!({"user": "carol"})]
    );
    assert_eq!(
        spl("| inputlookup start=1 users.csv max=2 | table user role", &[]),
        vec![
            json!({"user": "bob", "role": "developer"}),
            json!({"user": "carol", "role": "analyst"})
        ]
    );
}

#[test]
fn inputlookup_append_adds_the_rows_after_the_results() {
    let rows = spl(
        "user=mallory | table user | inputlookup append=true max=1 users.csv | table user",
        &auth(),
    );
    assert_eq!(rows, vec![json!({"user": "mallory"}), json!({"user": "alice"})]);
}

// ------------------------------------------------------------------ subsearches

#[test]
fn a_subsearch_becomes_a_disjunction_of_its_results() {
    let rows = spl(
        "action=login [search action=download | dedup user | fields user] | stats count by user",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![json!({"user": "alice", "count": 2}), json!({"user": "bob", "count": 1})]
    );
}

#[test]
fn a_subsearch_with_no_results_matches_nothing() {
    assert_eq!(
        spl("* [search action=nothing | fields user] | stats count", &auth()),
        vec![json!({"count": 0})]
    );
}

#[test]
fn format_writes_results_as_a_search_string() {
    let rows = spl("action=download | table user src | format", &auth());
    assert_eq!(
        rows,
        vec![
            json!({"search": "( ( user=\"bob\" AND src=\"192.168.1.7\" ) OR ( user=\"alice\" AND src=\"10.1.2.3\" ) )"})
        ]
    );
    // Internal fields are left out; no results give `emptystr` (default `NOT( )`).
    assert_eq!(
        spl("action=download | table _time user | format", &auth())[0]["search"],
        json!("( ( user=\"bob\" ) OR ( user=\"alice\" ) )")
    );
    assert_eq!(spl("action=none | format", &auth()), vec![json!({"search": "NOT( )"})]);
    assert_eq!(
        spl("action=none | format emptystr=\"nothing\"", &auth()),
        vec![json!({"search": "nothing"})]
    );
    let custom = spl(
        "action=logout user=bob | table user | format \"[\" \"{\" \"&\" \"}\" \"|\" \"]\"",
        &auth(),
    );
    assert_eq!(custom, vec![json!({"search": "[ { user=\"bob\" } ]"})]);
}

#[test]
fn return_writes_field_value_pairs_or_bare_values() {
    assert_eq!(
        spl("action=download | return user", &auth()),
        vec![json!({"search": "user=\"bob\""})]
    );
    assert_eq!(
        spl("action=download | return 2 account=user", &auth()),
        vec![json!({"search": "(account=\"bob\") OR (account=\"alice\")"})]
    );
    assert_eq!(
        spl("action=download | return $user", &auth()),
        vec![json!({"search": "bob"})]
    );
    // In a subsearch the string is the search; an empty one adds no condition.
    assert_eq!(
        spl("* [search action=nothing | return user] | stats count", &auth()),
        vec![json!({"count": 8})]
    );
    assert_eq!(
        spl("* [search action=download | return 5 src] | stats count", &auth()),
        vec![json!({"count": 6})]
    );
}

// ------------------------------------------------------------------ join, append, appendpipe

#[test]
fn join_is_inner_by_default_and_takes_one_subsearch_row() {
    let rows = spl(
        "action=login | join user [| inputlookup users.csv] | table user role",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"user": "alice", "role": "admin"}),
            json!({"user": "bob", "role": "developer"}),
            json!({"user": "alice", "role": "admin"}),
        ]
    );
}

#[test]
fn join_type_left_keeps_results_without_a_match_and_max_0_takes_every_match() {
    let rows = spl(
        "action=login | join type=left max=0 user [| inputlookup users.csv] | table user role",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"user": "alice", "role": "admin"}),
            json!({"user": "mallory"}),
            json!({"user": "bob", "role": "developer"}),
            json!({"user": "bob", "role": "oncall"}),
            json!({"user": "alice", "role": "admin"}),
        ]
    );
}

#[test]
fn join_overwrite_false_keeps_the_results_own_fields() {
    let data = vec![json!({"user": "alice", "role": "guest"})];
    assert_eq!(
        spl(
            "* | join overwrite=false user [| inputlookup users.csv] | table user role department",
            &data
        ),
        vec![json!({"user": "alice", "role": "guest", "department": "finance"})]
    );
}

#[test]
fn append_adds_a_subsearchs_results_after_the_results() {
    let rows = spl(
        "action=logout | stats count | append [search action=login | stats count as logins]",
        &auth(),
    );
    assert_eq!(rows, vec![json!({"count": 2}), json!({"logins": 4})]);
}

#[test]
fn appendpipe_runs_a_pipeline_over_the_results_and_adds_its_output() {
    let rows = spl(
        "* | stats count by action | appendpipe [stats sum(count) as count | eval action=\"total\"]",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"action": "download", "count": 2}),
            json!({"action": "login", "count": 4}),
            json!({"action": "logout", "count": 2}),
            json!({"action": "total", "count": 8}),
        ]
    );
}

#[test]
fn makeresults_generates_results_stamped_with_the_search_time() {
    assert_eq!(
        spl("| makeresults count=2 | eval n=1 | table _time n", &auth()),
        vec![
            json!({"_time": "2023-11-14T22:13:20.000+00:00", "n": 1}),
            json!({"_time": "2023-11-14T22:13:20.000+00:00", "n": 1}),
        ]
    );
}

// ------------------------------------------------------------------ transaction

#[test]
fn transaction_maxpause_splits_on_gaps_and_adds_duration_and_eventcount() {
    let rows = spl(
        "* | transaction user maxpause=10m | table user eventcount duration action",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"user": "alice", "eventcount": 1, "duration": 0, "action": "login"}),
            json!({"user": "bob", "eventcount": 1, "duration": 0, "action": "logout"}),
            json!({"user": "bob", "eventcount": 1, "duration": 0, "action": "download"}),
            json!({"user": "mallory", "eventcount": 1, "duration": 0, "action": "login"}),
            json!({"user": "bob", "eventcount": 1, "duration": 0, "action": "login"}),
            json!({"user": "alice", "eventcount": 3, "duration": 300, "action": ["download", "login", "logout"]}),
        ]
    );
}

#[test]
fn transaction_maxspan_bounds_first_to_last_event() {
    let rows = spl(
        "user=bob | transaction user maxspan=30m | table eventcount duration",
        &auth(),
    );
    assert_eq!(
        rows,
        vec![
            json!({"eventcount": 1, "duration": 0}),
            json!({"eventcount": 2, "duration": 1140})
        ]
    );
}

#[test]
fn transaction_startswith_and_endswith_keep_only_complete_transactions() {
    let rows = spl(
        "* | transaction user startswith=(action=login) endswith=(action=logout) | table user eventcount",
        &auth(),
    );
    // alice's 11:00 login never ends; mallory never logs out; bob's transaction is complete.
    assert_eq!(
        rows,
        vec![
            json!({"user": "bob", "eventcount": 3}),
            json!({"user": "alice", "eventcount": 3})
        ]
    );
    let kept = spl(
        "user=alice | transaction user startswith=(action=login) endswith=(action=logout) keepevicted=true | table eventcount closed_txn",
        &auth(),
    );
    assert_eq!(
        kept,
        vec![
            json!({"eventcount": 1, "closed_txn": 0}),
            json!({"eventcount": 3, "closed_txn": 1})
        ]
    );
}

// ------------------------------------------------------------------ top, rare

#[test]
fn top_counts_values_with_their_percentage_most_common_first_ties_by_value() {
    assert_eq!(
        spl("* | top user", &auth()),
        vec![
            json!({"user": "alice", "count": 4, "percent": 50}),
            json!({"user": "bob", "count": 3, "percent": 37.5}),
            json!({"user": "mallory", "count": 1, "percent": 12.5}),
        ]
    );
}

#[test]
fn top_options_rename_hide_and_limit_columns() {
    assert_eq!(
        spl("* | top limit=1 countfield=n showperc=f action by user", &auth()),
        vec![
            json!({"user": "alice", "action": "login", "n": 2}),
            json!({"user": "bob", "action": "download", "n": 1}),
            json!({"user": "mallory", "action": "login", "n": 1}),
        ]
    );
    assert_eq!(
        spl("* | top 1 useother=t user", &auth()),
        vec![
            json!({"user": "alice", "count": 4, "percent": 50}),
            json!({"user": "OTHER", "count": 4, "percent": 50}),
        ]
    );
}

#[test]
fn rare_lists_the_least_common_values_first() {
    assert_eq!(
        spl("* | rare action showcount=false", &auth()),
        vec![
            json!({"action": "download", "percent": 25}),
            json!({"action": "logout", "percent": 25}),
            json!({"action": "login", "percent": 50}),
        ]
    );
}

// ------------------------------------------------------------------ timechart

#[test]
fn timechart_gives_one_row_per_bucket_including_empty_ones() {
    assert_eq!(
        spl("* | timechart span=30m count", &auth()),
        vec![
            json!({"_time": "2024-03-04T10:00:00.000+00:00", "count": 6}),
            json!({"_time": "2024-03-04T10:30:00.000+00:00", "count": 1}),
            json!({"_time": "2024-03-04T11:00:00.000+00:00", "count": 1}),
        ]
    );
}

#[test]
fn timechart_by_makes_a_column_per_value_and_limit_groups_the_rest_as_other() {
    assert_eq!(
        spl("* | timechart span=1h limit=1 count by user", &auth()),
        vec![
            json!({"_time": "2024-03-04T10:00:00.000+00:00", "alice": 3, "OTHER": 4}),
            json!({"_time": "2024-03-04T11:00:00.000+00:00", "alice": 1, "OTHER": 0}),
        ]
    );
}

#[test]
fn timechart_without_span_is_not_supported() {
    assert!(error("x | timechart count").contains("unsupported: timechart without span="));
}
