//! What the last ESCU detections need, one documented behaviour per test: KV-store
//! collections read as empty tables, `outputlookup` and `map`. Definitions and tables are in
//! `tests/fixtures/escu_last_mile/`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use quarry_cli::diagnostics::render_all;
use quarry_cli::output::to_json;
use quarry_engine::eql::EqlOptions;
use quarry_engine::input::ReadOptions;
use quarry_engine::lookup::LookupRegistry;
use quarry_engine::ops::{Accounting, RunContext};
use quarry_engine::plan::EventOrder;
use quarry_engine::subsearch::MemoryInputs;
use quarry_syntax::spl::macros::{MacroDef, MacroLibrary};
use quarry_syntax::spl::parse_pipeline;
use quarry_syntax::{SourceKind, SourceMap};
use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixture(path: &str) -> PathBuf {
    common::root().join("tests/fixtures/escu_last_mile").join(path)
}

/// The definitions directory, then `extra` paths, as `--lookups` loads them.
fn registry(extra: &[PathBuf], output: Option<&Path>) -> Arc<LookupRegistry> {
    let mut registry = LookupRegistry::new();
    registry.load(&fixture("definitions")).unwrap();
    for path in extra {
        registry.load(path).unwrap();
    }
    if let Some(dir) = output {
        registry.set_output_dir(dir.to_path_buf());
    }
    Arc::new(registry)
}

struct Run {
    results: Vec<Json>,
    accounting: Accounting,
}

/// Runs `query` over `events`; subsearches (and `map`'s searches) read the same events.
fn run_with(query: &str, events: &[Json], lookups: &Arc<LookupRegistry>, macros: &MacroLibrary) -> Result<Run, String> {
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    let compiled = quarry_engine::spl::compile_with_lookups(
        &mut sources,
        id,
        macros,
        EventOrder::NewestFirst,
        &EqlOptions::default(),
        lookups,
    )
    .map_err(|d| render_all(&d, &sources, false))?;
    let text: String = events.iter().map(|e| format!("{e}\n")).collect();
    let read = common::read_events(&text, &ReadOptions::default());
    let mut ctx = RunContext::new(1_700_000_000.0);
    ctx.subsearch = Some(Arc::new(MemoryInputs(Arc::new(read.clone()))));
    let (out, accounting) = quarry_engine::run::run_events(&compiled.plan, read, ctx);
    Ok(Run {
        results: out.iter().map(to_json).collect(),
        accounting,
    })
}

fn run(query: &str, events: &[Json]) -> Run {
    run_with(
        query,
        events,
        &registry(&[], None),
        &quarry_cli::library::builtin_macros(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn error(query: &str) -> String {
    match run_with(query, &[], &registry(&[], None), &quarry_cli::library::builtin_macros()) {
        Ok(_) => panic!("expected `{query}` to fail"),
        Err(e) => e,
    }
}

fn sessions() -> Vec<Json> {
    vec![
        json!({"_time": "2024-03-04T10:00:00Z", "user": "alice", "session": "s1", "server": "web1"}),
        json!({"_time": "2024-03-04T10:01:00Z", "user": "bob", "session": "s2", "server": "db1"}),
    ]
}

/// A scratch directory, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("quarry-last-mile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const KV_NOTE: &str =
    "lookup seen_sessions is a KV store collection: read as empty; give its rows with --lookups seen_sessions.csv";

// ------------------------------------------------------------------ KV-store collections

#[test]
fn a_kv_store_collection_reads_as_an_empty_table_and_the_run_says_so_once() {
    let r = run(
        "* | lookup seen_sessions session OUTPUT first_seen | lookup seen_sessions session OUTPUT first_seen | where isnull(first_seen) | table user",
        &sessions(),
    );
    assert_eq!(r.results, vec![json!({"user": "bob"}), json!({"user": "alice"})]);
    assert_eq!(r.accounting.notes, vec![KV_NOTE.to_string()]);
}

#[test]
fn inputlookup_of_a_kv_store_collection_gives_no_rows() {
    let r = run("| inputlookup seen_sessions", &[]);
    assert_eq!(r.results, Vec::<Json>::new());
    assert_eq!(r.accounting.notes, vec![KV_NOTE.to_string()]);
    // append=t keeps the results, as with any empty table.
    let r = run("* | table user | inputlookup append=t seen_sessions", &sessions());
    assert_eq!(r.results, vec![json!({"user": "bob"}), json!({"user": "alice"})]);
}

#[test]
fn a_collections_columns_are_its_fields_list_without_key() {
    // security_content: `collection:` with `fields_list: _key, user, firstTimeSeen, lastTimeSeen`.
    let r = run(
        "* | lookup previously_seen_users user OUTPUT firstTimeSeen | table user firstTimeSeen",
        &sessions(),
    );
    assert_eq!(r.results, vec![json!({"user": "bob"}), json!({"user": "alice"})]);
    assert!(error("x | lookup previously_seen_users _key").contains("has no column `_key`"));
    assert!(error("x | lookup previously_seen_users nosuch").contains("its columns: user, firstTimeSeen, lastTimeSeen"));
}

#[test]
fn a_csv_named_like_the_collection_gives_its_rows_in_either_order() {
    let query = "* | lookup seen_sessions session OUTPUT first_seen | table user first_seen";
    let expected = vec![
        json!({"user": "bob"}),
        json!({"user": "alice", "first_seen": "2024-03-01"}),
    ];
    let macros = quarry_cli::library::builtin_macros();
    // After the definitions.
    let r = run_with(
        query,
        &sessions(),
        &registry(&[fixture("rows/seen_sessions.csv")], None),
        &macros,
    )
    .unwrap();
    assert_eq!(r.results, expected);
    assert!(r.accounting.notes.is_empty(), "{:?}", r.accounting.notes);
    // Before them.
    let mut first = LookupRegistry::new();
    first.load(&fixture("rows/seen_sessions.csv")).unwrap();
    first.load(&fixture("definitions")).unwrap();
    let r = run_with(query, &sessions(), &Arc::new(first), &macros).unwrap();
    assert_eq!(r.results, expected);
    assert!(r.accounting.notes.is_empty(), "{:?}", r.accounting.notes);
}

// ------------------------------------------------------------------ outputlookup

#[test]
fn outputlookup_passes_results_unchanged_and_without_an_output_directory_writes_nothing() {
    let r = run(
        "* | stats count by user | outputlookup users_seen | where count > 0",
        &sessions(),
    );
    assert_eq!(
        r.results,
        vec![json!({"user": "alice", "count": 1}), json!({"user": "bob", "count": 1})]
    );
    assert_eq!(
        r.accounting.notes,
        vec!["outputlookup users_seen: not written; give --lookup-output DIR to write lookup tables".to_string()]
    );
}

fn output_run(query: &str, events: &[Json], dir: &Path) -> Run {
    run_with(
        query,
        events,
        &registry(&[], Some(dir)),
        &quarry_cli::library::builtin_macros(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn outputlookup_writes_the_results_as_csv_into_the_output_directory() {
    let out = Scratch::new("write");
    let r = output_run(
        "* | stats count values(session) as s by user | outputlookup users_seen",
        &sessions(),
        &out.0,
    );
    assert_eq!(r.results.len(), 2);
    let path = out.0.join("users_seen.csv");
    assert_eq!(
        r.accounting.notes,
        vec![format!(
            "outputlookup users_seen: wrote 2 result(s) to {}",
            path.display()
        )]
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "user,count,s\nalice,1,s1\nbob,1,s2\n"
    );
    // A multivalue cell holds one value per line.
    let events = vec![
        json!({"user": "alice", "session": "s1"}),
        json!({"user": "alice", "session": "s2"}),
    ];
    output_run(
        "* | stats values(session) as s by user | outputlookup users_seen",
        &events,
        &out.0,
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "user,s\nalice,\"s1\ns2\"\n");
}

#[test]
fn outputlookup_writes_the_file_a_definition_names_and_reads_back_with_inputlookup() {
    let out = Scratch::new("definition");
    output_run("* | table server user | outputlookup known_hosts", &sessions(), &out.0);
    // `known_hosts` is defined with `filename = known_hosts.csv`.
    let mut registry = LookupRegistry::new();
    registry.load(&out.0.join("known_hosts.csv")).unwrap();
    let r = run_with(
        "| inputlookup known_hosts.csv",
        &[],
        &Arc::new(registry),
        &quarry_cli::library::builtin_macros(),
    )
    .unwrap();
    assert_eq!(
        r.results,
        vec![
            json!({"server": "db1", "user": "bob"}),
            json!({"server": "web1", "user": "alice"})
        ]
    );
}

#[test]
fn outputlookup_append_adds_rows_after_the_files_own() {
    let out = Scratch::new("append");
    output_run(
        "* | where user=\"alice\" | table user session | outputlookup seen.csv",
        &sessions(),
        &out.0,
    );
    output_run(
        "* | where user=\"bob\" | table user server | outputlookup append=t seen.csv",
        &sessions(),
        &out.0,
    );
    assert_eq!(
        std::fs::read_to_string(out.0.join("seen.csv")).unwrap(),
        "user,session,server\nalice,s1,\nbob,,db1\n"
    );
}

#[test]
fn outputlookup_without_results_empties_the_file_unless_override_if_empty_is_false() {
    let out = Scratch::new("empty");
    let path = out.0.join("seen.csv");
    output_run("* | table user | outputlookup seen.csv", &sessions(), &out.0);
    output_run(
        "* | where user=\"nobody\" | outputlookup override_if_empty=false seen.csv",
        &sessions(),
        &out.0,
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "user\nbob\nalice\n");
    output_run("* | where user=\"nobody\" | outputlookup seen.csv", &sessions(), &out.0);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
    // create_empty=false: no results, no file.
    output_run(
        "* | where user=\"nobody\" | outputlookup create_empty=false other.csv",
        &sessions(),
        &out.0,
    );
    assert!(!out.0.join("other.csv").exists());
}

#[test]
fn outputlookup_options_are_checked_at_plan_time() {
    assert!(error("x | outputlookup nosuch=1 seen.csv").contains("nosuch"));
    assert!(error("x | outputlookup key_field=user seen.csv").contains("unsupported: outputlookup key_field="));
}

// ------------------------------------------------------------------ map

fn logons() -> Vec<Json> {
    vec![
        json!({"_time": "2024-03-04T10:00:00Z", "EventCode": 5136, "user": "alice", "TargetLogonId": "0x1"}),
        json!({"_time": "2024-03-04T10:01:00Z", "EventCode": 4624, "TargetLogonId": "0x1", "src": "10.0.0.5"}),
        json!({"_time": "2024-03-04T10:02:00Z", "EventCode": 4624, "TargetLogonId": "0x2", "src": "10.0.0.6"}),
        json!({"_time": "2024-03-04T10:03:00Z", "EventCode": 5136, "user": "bob", "TargetLogonId": "0x2"}),
    ]
}

#[test]
fn map_runs_its_search_once_per_result_with_field_tokens_replaced() {
    let r = run(
        r#"EventCode=5136 | table user TargetLogonId | map search="search EventCode=4624 TargetLogonId=$TargetLogonId$ | eval changed_by=\"$user$\", n=$_serial_id$ | table src changed_by n""#,
        &logons(),
    );
    // Results arrive newest first (bob's change, then alice's); each search's results in turn.
    assert_eq!(
        r.results,
        vec![
            json!({"src": "10.0.0.6", "changed_by": "bob", "n": 1}),
            json!({"src": "10.0.0.5", "changed_by": "alice", "n": 2}),
        ]
    );
}

#[test]
fn map_runs_at_most_maxsearches_searches_and_says_so() {
    let r = run(
        r#"EventCode=5136 | map maxsearches=1 search="search EventCode=4624 TargetLogonId=$TargetLogonId$ | table src""#,
        &logons(),
    );
    assert_eq!(r.results, vec![json!({"src": "10.0.0.6"})]);
    assert_eq!(
        r.accounting.notes,
        vec!["map: 2 results, searches run for the first 1 (maxsearches=1)".to_string()]
    );
    // The default is 10.
    let many: Vec<Json> = (0..12).map(|i| json!({"EventCode": 5136, "n": i})).collect();
    let r = run(r#"EventCode=5136 | map search="| makeresults | eval n=$n$""#, &many);
    assert_eq!(r.results.len(), 10);
}

#[test]
fn macros_in_maps_search_are_expanded() {
    let mut macros = quarry_cli::library::builtin_macros();
    macros.insert(MacroDef {
        name: "wineventlog_security".into(),
        args: Vec::new(),
        definition: "EventCode=*".into(),
        is_eval: false,
        origin: "test".into(),
    });
    let query = r#"EventCode=5136 user=alice | map search="search `wineventlog_security` EventCode=4624 TargetLogonId=$TargetLogonId$ | table src""#;
    let r = run_with(query, &logons(), &registry(&[], None), &macros).unwrap();
    assert_eq!(r.results, vec![json!({"src": "10.0.0.5"})]);
}

#[test]
fn what_maps_search_cannot_run_is_reported_at_plan_time() {
    assert!(error(r#"x | map search="search x | mstats count""#).contains("unsupported: mstats"));
    assert!(error("x | map maxsearches=3").contains("unsupported: map without search="));
    // A saved search by name, or a subsearch, is not run.
    assert!(error("x | map savedsearch_name").contains("unsupported: map"));
}

// ------------------------------------------------------------------ printing

#[test]
fn map_and_outputlookup_print_back_to_the_same_tree() {
    for query in [
        r#"x | map maxsearches=5 search="search user=$user$ | eval a=\"b\"""#,
        "x | outputlookup append=t seen.csv create_empty=false",
    ] {
        let mut sources = SourceMap::new();
        let id = sources.add("query", query, SourceKind::Query);
        let first = parse_pipeline(query, id).unwrap();
        let printed = first.to_string();
        let id2 = sources.add("printed", &printed, SourceKind::Query);
        let second = parse_pipeline(&printed, id2).unwrap();
        assert_eq!(first, second, "{printed}");
    }
}

// ------------------------------------------------------------------ tstats where [subsearch]

#[test]
fn a_subsearch_in_tstats_where_stands_for_its_results_as_a_search() {
    // As in `search`: the subsearch's rows, written as `format` writes them, filter the
    // dataset's events by its model fields.
    let data = std::fs::read_to_string(common::root().join("tests/fixtures/cim/sysmon.ndjson")).unwrap();
    let opts = common::Opts {
        sourcetype: Some("sysmon:json"),
        ..common::Opts::default()
    };
    let rows = common::spl_with(
        "| tstats count from datamodel=Endpoint.Processes \
         where [| makeresults | eval Processes.process_name=\"whoami.exe\" | table Processes.process_name] \
         by Processes.process_name",
        &data,
        opts.clone(),
    );
    assert_eq!(rows, vec![json!({"Processes.process_name": "whoami.exe", "count": 2})]);
    // A subsearch with no results matches nothing.
    let rows = common::spl_with(
        "| tstats count from datamodel=Endpoint.Processes where [| makeresults | where 1=2] by Processes.process_name",
        &data,
        opts,
    );
    assert_eq!(rows, Vec::<Json>::new());
}

#[test]
fn url_toolboxs_shannon_lookup_gives_the_entropy_of_each_word() {
    // URL Toolbox's scripted lookup: -sum(p * log2 p) over each character's share of the word.
    let events = vec![
        json!({"_time": "2024-03-04T10:00:00Z", "user": "aaaa"}),
        json!({"_time": "2024-03-04T10:01:00Z", "user": "abcd"}),
        json!({"_time": "2024-03-04T10:02:00Z", "user": "x7Qz9pLk2Wv"}),
        json!({"_time": "2024-03-04T10:03:00Z", "host": "no user"}),
    ];
    let r = run(
        "| lookup ut_shannon_lookup word AS user | where isnotnull(user) | sort user | table user ut_shannon",
        &events,
    );
    assert_eq!(
        r.results,
        vec![
            json!({"user": "aaaa", "ut_shannon": 0}),
            json!({"user": "abcd", "ut_shannon": 2}),
            json!({"user": "x7Qz9pLk2Wv", "ut_shannon": 3.459431618637298}),
        ]
    );
    // As ESCU's DGA-style detections use it.
    let r = run(
        "| lookup ut_shannon_lookup word as user | where ut_shannon > 3 | table user",
        &events,
    );
    assert_eq!(r.results, vec![json!({"user": "x7Qz9pLk2Wv"})]);
}
