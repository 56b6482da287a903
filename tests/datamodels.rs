//! CIM data models: `tstats ... from datamodel=`, `| datamodel` and `| from datamodel:` over raw
//! events. An event belongs to a dataset when it matches the constraints of the dataset and its
//! parents (tags given by a source profile's event types); model fields are named
//! `<Dataset>.<field>` and read from the event's `<field>`. The fixture
//! `tests/fixtures/cim/sysmon.ndjson` holds ten Sysmon events read with the `sysmon:json`
//! profile: five process starts (EventID 1), a file creation, a registry value set, a network
//! connection, a DNS query and a process end, which belongs to no dataset.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{ndjson, spl, spl_error, spl_with, Opts};
use serde_json::{json, Value as Json};

fn sysmon(query: &str) -> Vec<Json> {
    let data = std::fs::read_to_string(common::root().join("tests/fixtures/cim/sysmon.ndjson")).unwrap();
    spl_with(
        query,
        &data,
        Opts {
            sourcetype: Some("sysmon:json"),
            ..Opts::default()
        },
    )
}

fn count(query: &str) -> Json {
    let rows = sysmon(query);
    assert_eq!(rows.len(), 1, "{query}: {rows:?}");
    rows[0]["count"].clone()
}

// ------------------------------------------------------------------ which events a dataset has

#[test]
fn a_dataset_holds_the_events_that_match_its_constraint_search() {
    // Processes: tag=process tag=report; Filesystem and Registry: tag=endpoint plus their own tag.
    assert_eq!(count("| tstats count from datamodel=Endpoint.Processes"), json!(5));
    assert_eq!(count("| tstats count from datamodel=Endpoint.Filesystem"), json!(1));
    assert_eq!(count("| tstats count from datamodel=Endpoint.Registry"), json!(1));
    assert_eq!(
        count("| tstats count from datamodel=Network_Traffic.All_Traffic"),
        json!(1)
    );
    assert_eq!(count("| tstats count from datamodel=Network_Resolution"), json!(1));
    assert_eq!(count("| tstats count from datamodel=Endpoint.Services"), json!(0));
}

#[test]
fn a_model_without_a_dataset_holds_the_events_of_any_of_its_root_datasets() {
    // Endpoint's roots: Ports, Processes, Services, Filesystem, Registry.
    assert_eq!(count("| tstats count from datamodel=Endpoint"), json!(7));
}

#[test]
fn tstats_without_a_data_model_counts_raw_events() {
    assert_eq!(count("| tstats count where EventCode=1"), json!(5));
    assert_eq!(count("| tstats count"), json!(10));
}

// ------------------------------------------------------------------ field names

#[test]
fn model_fields_are_named_after_their_dataset() {
    assert_eq!(
        sysmon("| tstats count from datamodel=Endpoint.Processes by Processes.process_name"),
        vec![
            json!({"Processes.process_name": "7z.exe", "count": 1}),
            json!({"Processes.process_name": "cmd.exe", "count": 1}),
            json!({"Processes.process_name": "powershell.exe", "count": 1}),
            json!({"Processes.process_name": "whoami.exe", "count": 2}),
        ]
    );
}

#[test]
fn the_where_clause_searches_model_fields_case_insensitively() {
    assert_eq!(
        sysmon(
            "| tstats count values(Processes.process_name) as process_name from datamodel=Endpoint.Processes \
             where Processes.parent_process_name=winword.exe OR Processes.process=\"*-enc*\" by Processes.user"
        ),
        vec![json!({"Processes.user": "CORP\\alice", "count": 2, "process_name": ["cmd.exe", "powershell.exe"]})]
    );
}

#[test]
fn a_field_the_dataset_does_not_define_is_null() {
    // file_name belongs to Filesystem, not to Processes: no group can be formed.
    assert_eq!(
        sysmon("| tstats count from datamodel=Endpoint.Processes by Filesystem.file_name"),
        Vec::<Json>::new()
    );
    assert_eq!(
        sysmon("| tstats count from datamodel=Endpoint.Filesystem by Filesystem.file_name Filesystem.action"),
        vec![json!({"Filesystem.action": "created", "Filesystem.file_name": "updater.exe", "count": 1})]
    );
}

#[test]
fn time_host_source_and_sourcetype_keep_their_names() {
    assert_eq!(
        sysmon("| tstats count min(_time) as first from datamodel=Endpoint.Registry by sourcetype host"),
        vec![json!({"sourcetype": "sysmon:json", "host": "localhost", "count": 1, "first": 1709547720})]
    );
}

// ------------------------------------------------------------------ by, span and options

#[test]
fn by_time_with_a_span_buckets_the_events() {
    assert_eq!(
        sysmon("| tstats count from datamodel=Endpoint.Processes by _time span=1h"),
        vec![
            json!({"_time": "2024-03-04T10:00:00.000+00:00", "count": 3}),
            json!({"_time": "2024-03-04T11:00:00.000+00:00", "count": 2}),
        ]
    );
}

#[test]
fn a_comma_may_follow_the_span_in_the_by_list() {
    // ESCU writes `by _time span=1h, All_Traffic.src`: the comma separates by-fields.
    let with_comma = sysmon("| tstats count from datamodel=Endpoint.Processes by _time span=1h, Processes.dest");
    let without = sysmon("| tstats count from datamodel=Endpoint.Processes by _time span=1h Processes.dest");
    assert_eq!(with_comma, without);
    assert!(!with_comma.is_empty());
}

#[test]
fn by_time_without_a_span_sizes_the_buckets_from_the_events_time_range() {
    // Splunk sizes the buckets from the search's time range; over files (all time), from the
    // events': the processes run 10:00:05 to 11:30:00, 5395 s / 100 buckets needs 54 s, so 1m.
    assert_eq!(
        sysmon("| tstats count from datamodel=Endpoint.Processes by _time Processes.dest"),
        vec![
            json!({"_time": "2024-03-04T10:00:00.000+00:00", "Processes.dest": "ws1.corp.example", "count": 2}),
            json!({"_time": "2024-03-04T10:20:00.000+00:00", "Processes.dest": "ws1.corp.example", "count": 1}),
            json!({"_time": "2024-03-04T11:10:00.000+00:00", "Processes.dest": "ws2.corp.example", "count": 1}),
            json!({"_time": "2024-03-04T11:30:00.000+00:00", "Processes.dest": "ws2.corp.example", "count": 1}),
        ]
    );
}

#[test]
fn summariesonly_and_allow_old_summaries_change_nothing_over_raw_events() {
    let plain = sysmon("| tstats count from datamodel=Endpoint.Processes by Processes.dest");
    for options in [
        "summariesonly=true",
        "summariesonly=false allow_old_summaries=true",
        "local=true",
    ] {
        let q = format!("| tstats {options} count from datamodel=Endpoint.Processes by Processes.dest");
        assert_eq!(sysmon(&q), plain, "{q}");
    }
}

#[test]
fn the_run_says_once_that_summary_options_have_no_effect() {
    let data = std::fs::read_to_string(common::root().join("tests/fixtures/cim/sysmon.ndjson")).unwrap();
    let opts = Opts {
        sourcetype: Some("sysmon:json"),
        ..Opts::default()
    };
    let (_, accounting) = common::run(
        "| tstats summariesonly=t allow_old_summaries=t count from datamodel=Endpoint.Processes",
        &data,
        &opts,
    )
    .unwrap();
    assert_eq!(
        accounting.notes,
        vec![
            "tstats: summariesonly, allow_old_summaries select accelerated data model summaries in Splunk \
              and have no effect on the raw events Quarry reads"
                .to_string()
        ]
    );
    let (_, accounting) = common::run("| tstats count from datamodel=Endpoint.Processes", &data, &opts).unwrap();
    assert!(accounting.notes.is_empty());
}

#[test]
fn fillnull_value_keeps_rows_whose_by_field_is_null() {
    // The file creation carries no hash: without fillnull_value its null by-field drops it.
    assert_eq!(
        sysmon("| tstats count from datamodel=Endpoint.Filesystem by Filesystem.file_hash"),
        Vec::<Json>::new()
    );
    assert_eq!(
        sysmon("| tstats fillnull_value=null count from datamodel=Endpoint.Filesystem by Filesystem.file_hash"),
        vec![json!({"Filesystem.file_hash": "null", "count": 1})]
    );
}

#[test]
fn drop_dm_object_name_strips_the_dataset_prefix() {
    let expected = vec![
        json!({"dest": "ws1.corp.example", "count": 3}),
        json!({"dest": "ws2.corp.example", "count": 2}),
    ];
    assert_eq!(
        sysmon("| tstats count from datamodel=Endpoint.Processes by Processes.dest | `drop_dm_object_name(Processes)`"),
        expected
    );
    assert_eq!(
        sysmon(
            "| tstats count from datamodel=Endpoint.Processes by Processes.dest | `drop_dm_object_name(\"Processes\")`"
        ),
        expected
    );
}

// ------------------------------------------------------------------ child datasets

/// Events already tagged (a `tag` field in the JSON stands for the tags of event types).
fn logons() -> String {
    ndjson(&[
        json!({"tag": "authentication", "action": "failure", "user": "alice", "src": "10.0.0.9"}),
        json!({"tag": "authentication", "action": "failure", "user": "alice", "src": "10.0.0.9"}),
        json!({"tag": "authentication", "action": "success", "user": "alice", "src": "10.0.0.9"}),
        // A computer account logging on successfully is left out of the model.
        json!({"tag": "authentication", "action": "success", "user": "WS1$", "src": "10.0.0.7"}),
        json!({"tag": "authentication", "action": "failure", "user": "WS1$", "src": "10.0.0.7"}),
        json!({"tag": "network", "action": "failure", "user": "bob"}),
    ])
}

#[test]
fn calculated_fields_fill_empty_model_fields() {
    // Authentication computes `user` as "unknown" and `app` as the sourcetype when they are empty.
    let data = ndjson(&[json!({"tag": "authentication", "action": "failure", "sourcetype": "sshd"})]);
    assert_eq!(
        spl(
            "| tstats count from datamodel=Authentication by Authentication.user Authentication.app",
            &data
        ),
        vec![json!({"Authentication.user": "unknown", "Authentication.app": "sshd", "count": 1})]
    );
}

#[test]
fn the_root_dataset_leaves_out_successful_logons_of_computer_accounts() {
    assert_eq!(
        spl(
            "| tstats count from datamodel=Authentication by Authentication.user",
            &logons()
        ),
        vec![
            json!({"Authentication.user": "WS1$", "count": 1}),
            json!({"Authentication.user": "alice", "count": 3}),
        ]
    );
}

#[test]
fn a_child_dataset_adds_its_constraint_to_its_parents_and_keeps_their_field_names() {
    let failed = vec![
        json!({"Authentication.user": "WS1$", "count": 1}),
        json!({"Authentication.user": "alice", "count": 2}),
    ];
    assert_eq!(
        spl(
            "| tstats count from datamodel=Authentication.Failed_Authentication by Authentication.user",
            &logons()
        ),
        failed
    );
    // nodename= in the where clause selects the same dataset.
    assert_eq!(
        spl(
            "| tstats count from datamodel=Authentication where nodename=Authentication.Failed_Authentication \
             by Authentication.user",
            &logons()
        ),
        failed
    );
}

#[test]
fn okta_system_log_events_are_authentication_events() {
    // The Okta profile tags every event `authentication privileged` as Okta's add-on does, and
    // aliases `result` to outcome.result: the 21 fixture events whose outcome is FAILURE are
    // Failed_Authentication (`action="failure" OR result="failure"`).
    let okta = |query: &str| {
        let mut text = String::new();
        for entry in std::fs::read_dir(common::root().join("tests/fixtures/okta")).unwrap() {
            text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
        spl_with(
            query,
            &text,
            Opts {
                sourcetype: Some("OktaIM2:log"),
                ..Opts::default()
            },
        )
    };
    assert_eq!(
        okta("| tstats count from datamodel=Authentication.Privileged_Authentication"),
        vec![json!({"count": 116})]
    );
    assert_eq!(
        okta("| tstats count from datamodel=Authentication where nodename=Authentication.Failed_Authentication by Authentication.dest"),
        vec![json!({"Authentication.dest": "localhost", "count": 21})]
    );
}

// ------------------------------------------------------------------ datamodel and from

#[test]
fn datamodel_search_returns_the_events_with_prefixed_fields() {
    assert_eq!(
        sysmon("| datamodel Endpoint Registry search | table Registry.registry_value_name Registry.action"),
        vec![json!({"Registry.registry_value_name": "Updater", "Registry.action": "modified"})]
    );
}

#[test]
fn from_datamodel_returns_the_events_with_their_own_fields() {
    for query in [
        "| from datamodel:Network_Resolution.DNS | table query answer",
        "| from datamodel Network_Resolution.DNS | table query answer",
    ] {
        assert_eq!(
            sysmon(query),
            vec![json!({"query": "c2.badexample.net", "answer": "203.0.113.7"})],
            "{query}"
        );
    }
}

// ------------------------------------------------------------------ an ESCU detection

#[test]
fn an_escu_tstats_detection_runs_over_the_fixture() {
    // ESCU "System User Discovery With Whoami", up to its time formatting and filter macro.
    let rows = sysmon(
        "| tstats `security_content_summariesonly` count min(_time) as firstTime max(_time) as lastTime \
         from datamodel=Endpoint.Processes where Processes.process_name=whoami.exe \
         by Processes.action Processes.dest Processes.original_file_name Processes.parent_process \
         Processes.parent_process_exec Processes.process_name Processes.user \
         | `drop_dm_object_name(Processes)`",
    );
    assert_eq!(
        rows,
        vec![
            json!({"action": "allowed", "dest": "ws1.corp.example", "original_file_name": "whoami.exe",
                   "parent_process": "cmd.exe /c whoami", "parent_process_exec": "null",
                   "process_name": "whoami.exe", "user": "CORP\\alice",
                   "count": 1, "firstTime": 1709546406, "lastTime": 1709546406}),
            json!({"action": "allowed", "dest": "ws2.corp.example", "original_file_name": "whoami.exe",
                   "parent_process": "cmd.exe", "parent_process_exec": "null",
                   "process_name": "whoami.exe", "user": "CORP\\bob",
                   "count": 1, "firstTime": 1709550600, "lastTime": 1709550600}),
        ]
    );
}

// ------------------------------------------------------------------ what does not run

#[test]
fn data_model_commands_must_come_first() {
    assert!(spl_error("x | tstats count").contains("`tstats` must be the first command"));
}

#[test]
fn unknown_models_and_datasets_are_errors_with_suggestions() {
    let e = spl_error("| tstats count from datamodel=Endpoint.Proceses");
    assert!(e.contains("data model Endpoint has no dataset `Proceses`"), "{e}");
    assert!(e.contains("did you mean `Processes`?"), "{e}");
    let e = spl_error("| tstats count from datamodel=Vulnerabilities");
    assert!(e.contains("unsupported: data model Vulnerabilities"), "{e}");
}

#[test]
fn prestats_output_is_unsupported() {
    let e = spl_error("| tstats prestats=true count from datamodel=Endpoint.Processes");
    assert!(e.contains("unsupported: tstats prestats=true"), "{e}");
}

#[test]
fn commands_that_cannot_run_on_log_events_say_why() {
    for (query, message) in [
        (
            "| mstats count(cpu) where index=metrics",
            "unsupported: mstats (metrics indexes are not log events)",
        ),
        (
            "x | apply model",
            "unsupported: apply (Machine Learning Toolkit models are not available)",
        ),
        (
            "x | fit DensityFunction n",
            "unsupported: fit (Machine Learning Toolkit models are not available)",
        ),
        (
            "| summary model",
            "unsupported: summary (Machine Learning Toolkit models are not available)",
        ),
        ("x | cyberchef infield=a", "unsupported: cyberchef (an add-on command"),
        (
            "x | anomalydetection",
            "unsupported: anomalydetection (statistical models",
        ),
    ] {
        let e = spl_error(query);
        assert!(e.contains(message), "{query}: {e}");
    }
}

// ------------------------------------------------------------------ printing

#[test]
fn the_data_model_commands_print_back_to_the_same_tree() {
    use quarry_syntax::spl::parse_pipeline;
    use quarry_syntax::SourceId;
    for query in [
        "| tstats summariesonly=true count min(_time) as firstTime FROM datamodel=Endpoint.Processes \
         WHERE Processes.process_name IN (\"a.exe\", b.exe) NOT Processes.user=*$ BY _time span=1h \"Processes.dest\"",
        "| tstats count where index=main by sourcetype",
        "| tstats dc(Authentication.user) as n from datamodel=Authentication where nodename=Authentication.Failed_Authentication",
        "| datamodel Endpoint Processes search",
        "| from datamodel:Web.Web",
        "| from datamodel Web.Web",
    ] {
        let tree = parse_pipeline(query, SourceId(0)).unwrap();
        let printed = tree.to_string();
        let again = parse_pipeline(&printed, SourceId(0)).unwrap();
        assert_eq!(tree, again, "{query}\nprinted: {printed}");
    }
}
