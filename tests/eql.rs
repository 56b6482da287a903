//! EQL semantics, one rule per test, in both dialects. Each test that shows a difference
//! between Elasticsearch and endgame runs the same query under both; together they document
//! `crates/engine/src/eql/dialect.rs`.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{eql, eql_with, ndjson};
use quarry_engine::eql::Dialect::{Elasticsearch as ES, Endgame as EG};
use serde_json::json;

fn procs() -> String {
    ndjson(&[
        json!({"id": 1, "@timestamp": 1000, "event_type": "process", "name": "explorer.exe", "pid": 4, "cmd": "net user /add"}),
        json!({"id": 2, "@timestamp": 2000, "event_type": "process", "name": "EXPLORER.EXE", "pid": 8, "cmd": "whoami"}),
        json!({"id": 3, "@timestamp": 3000, "event_type": "file", "name": "lsass.exe", "tags": ["a", "b"]}),
        json!({"id": 4, "@timestamp": 4000, "event_type": "process", "name": "cmd.exe", "exit": 0}),
    ])
}

#[test]
fn equality_is_exact_in_elasticsearch_and_case_blind_in_endgame() {
    let q = "process where name == \"explorer.exe\"";
    assert_eq!(eql(q, &procs(), ES).unwrap(), [1]);
    assert_eq!(eql(q, &procs(), EG).unwrap(), [1, 2]);
    assert_eq!(eql_with(q, &procs(), EG, true).unwrap(), [1]);
}

#[test]
fn a_star_is_literal_for_elasticsearch_equality_and_a_wildcard_in_endgame() {
    let q = "any where name == \"*.exe\"";
    assert_eq!(eql(q, &procs(), ES).unwrap(), Vec::<i64>::new());
    assert_eq!(eql(q, &procs(), EG).unwrap(), [1, 2, 3, 4]);
}

#[test]
fn colon_is_case_insensitive_with_wildcards_and_lists() {
    assert_eq!(eql("any where name : \"explorer.*\"", &procs(), ES).unwrap(), [1, 2]);
    assert_eq!(
        eql("any where name : (\"cmd.ex?\", \"LSASS.EXE\")", &procs(), ES).unwrap(),
        [3, 4]
    );
    assert_eq!(
        eql("any where name !: \"*.exe\"", &procs(), ES).unwrap(),
        Vec::<i64>::new()
    );
}

#[test]
fn like_and_regex_have_sensitive_and_tilde_forms() {
    assert_eq!(eql("any where name like \"EXPLORER.*\"", &procs(), ES).unwrap(), [2]);
    assert_eq!(
        eql("any where name like~ \"EXPLORER.*\"", &procs(), ES).unwrap(),
        [1, 2]
    );
    assert_eq!(
        eql("any where name regex \"[a-z]+\\\\.exe\"", &procs(), ES).unwrap(),
        [1, 3, 4]
    );
    assert_eq!(
        eql("any where name regex~ \"EXPLORER\\\\.EXE\"", &procs(), ES).unwrap(),
        [1, 2]
    );
}

#[test]
fn in_is_sensitive_in_elasticsearch_and_in_tilde_is_not() {
    assert_eq!(eql("any where name in (\"EXPLORER.EXE\")", &procs(), ES).unwrap(), [2]);
    assert_eq!(
        eql("any where name in~ (\"EXPLORER.EXE\")", &procs(), ES).unwrap(),
        [1, 2]
    );
    assert_eq!(
        eql("any where name in (\"EXPLORER.EXE\")", &procs(), EG).unwrap(),
        [1, 2]
    );
    // Neither expands wildcards.
    assert_eq!(
        eql("any where name in~ (\"explorer*\")", &procs(), ES).unwrap(),
        Vec::<i64>::new()
    );
    assert_eq!(
        eql("any where name not in (\"cmd.exe\", \"lsass.exe\")", &procs(), ES).unwrap(),
        [1, 2]
    );
}

#[test]
fn functions_are_sensitive_without_tilde_in_elasticsearch() {
    assert_eq!(
        eql("any where startsWith(name, \"explorer\")", &procs(), ES).unwrap(),
        [1]
    );
    assert_eq!(
        eql("any where startsWith~(name, \"explorer\")", &procs(), ES).unwrap(),
        [1, 2]
    );
    assert_eq!(
        eql("any where startsWith(name, \"explorer\")", &procs(), EG).unwrap(),
        [1, 2]
    );
    assert_eq!(
        eql(
            "any where stringContains(cmd, \"/add\") and endsWith(name, \".exe\")",
            &procs(),
            ES
        )
        .unwrap(),
        [1]
    );
    assert_eq!(
        eql(
            "any where indexOf(name, \"plorer\") == 2 and length(name) == 12",
            &procs(),
            ES
        )
        .unwrap(),
        [1]
    );
    assert_eq!(
        eql("any where indexOf~(name, \"plorer\") == 2", &procs(), ES).unwrap(),
        [1, 2]
    );
    assert_eq!(
        eql("any where substring(name, -4) == \".exe\" and pid == 4", &procs(), ES).unwrap(),
        [1]
    );
}

#[test]
fn string_ordering_follows_case_in_elasticsearch() {
    let q = "any where name >= \"explorer.exe\" and name <= \"explorer.exe\"";
    assert_eq!(eql(q, &procs(), ES).unwrap(), [1]);
    assert_eq!(eql(q, &procs(), EG).unwrap(), [1, 2]);
}

#[test]
fn comparisons_with_null_are_null_but_equals_null_tests_for_it() {
    assert_eq!(eql("process where exit >= 0", &procs(), ES).unwrap(), [4]);
    assert_eq!(eql("process where exit == null", &procs(), ES).unwrap(), [1, 2]);
    assert_eq!(eql("process where exit != null", &procs(), ES).unwrap(), [4]);
    assert_eq!(eql("process where not (exit == 1)", &procs(), ES).unwrap(), [4]);
}

#[test]
fn optional_fields_are_null_when_absent() {
    assert_eq!(
        eql("process where ?nothing == null and pid == 4", &procs(), ES).unwrap(),
        [1]
    );
    assert!(eql("process where ?nothing == null", &procs(), EG).is_err());
}

#[test]
fn multi_valued_fields_match_on_any_value() {
    assert_eq!(eql("file where tags == \"b\"", &procs(), ES).unwrap(), [3]);
}

#[test]
fn integer_division_truncates() {
    assert_eq!(eql("any where pid / 3 == 2", &procs(), ES).unwrap(), [2]);
    assert_eq!(
        eql("any where pid % 3 == 1 and pid * 2 == 8", &procs(), ES).unwrap(),
        [1]
    );
}

#[test]
fn endgame_only_syntax_is_rejected_by_elasticsearch() {
    for q in [
        "process where name = \"cmd.exe\"",
        "process where name == 'cmd.exe'",
        "process where true | unique name",
        "join [process where true] [file where true]",
    ] {
        let e = eql(q, &procs(), ES).unwrap_err();
        assert!(e.contains("unsupported:") && e.contains("endgame"), "{q}: {e}");
        assert!(eql(q, &procs(), EG).is_ok(), "{q}");
    }
}

// ------------------------------------------------------------------ sequences

fn seq_data() -> String {
    ndjson(&[
        json!({"id": 1, "@timestamp": 0, "event_type": "a", "user": "u1"}),
        json!({"id": 2, "@timestamp": 60_000, "event_type": "a", "user": "u1"}),
        json!({"id": 3, "@timestamp": 120_000, "event_type": "b", "user": "u1"}),
        json!({"id": 4, "@timestamp": 180_000, "event_type": "b", "user": "u2"}),
        json!({"id": 5, "@timestamp": 600_000, "event_type": "a", "user": "u2"}),
        json!({"id": 6, "@timestamp": 1_200_000, "event_type": "b", "user": "u2"}),
    ])
}

#[test]
fn sequences_join_by_key_and_extend_the_latest_partial() {
    // For u1, events 1 and 2 both start a sequence; the latest (2) is extended by 3.
    let q = "sequence by user [a where true] [b where true]";
    assert_eq!(eql(q, &seq_data(), ES).unwrap(), [2, 3, 5, 6]);
    assert_eq!(eql(q, &seq_data(), EG).unwrap(), [2, 3, 5, 6]);
}

#[test]
fn maxspan_is_inclusive() {
    // 5 -> 6 is exactly ten minutes apart.
    assert_eq!(
        eql(
            "sequence by user with maxspan=10m [a where true] [b where true]",
            &seq_data(),
            ES
        )
        .unwrap(),
        [2, 3, 5, 6]
    );
    assert_eq!(
        eql(
            "sequence by user with maxspan=599s [a where true] [b where true]",
            &seq_data(),
            ES
        )
        .unwrap(),
        [2, 3]
    );
}

#[test]
fn sub_second_maxspan_is_honoured_by_elasticsearch_and_truncated_by_endgame() {
    let data = ndjson(&[
        json!({"id": 1, "@timestamp": 0, "event_type": "a"}),
        json!({"id": 2, "@timestamp": 400, "event_type": "b"}),
    ]);
    assert_eq!(
        eql("sequence with maxspan=500ms [a where true] [b where true]", &data, ES).unwrap(),
        [1, 2]
    );
    // endgame truncates 500ms to 0 s: only events at the same time fit.
    assert_eq!(
        eql("sequence with maxspan=500ms [a where true] [b where true]", &data, EG).unwrap(),
        Vec::<i64>::new()
    );
}

#[test]
fn until_ends_partial_sequences_of_its_key() {
    let data = ndjson(&[
        json!({"id": 1, "@timestamp": 0, "event_type": "a", "user": "u1"}),
        json!({"id": 2, "@timestamp": 1, "event_type": "stop", "user": "u1"}),
        json!({"id": 3, "@timestamp": 2, "event_type": "b", "user": "u1"}),
        json!({"id": 4, "@timestamp": 3, "event_type": "a", "user": "u1"}),
        json!({"id": 5, "@timestamp": 4, "event_type": "b", "user": "u1"}),
    ]);
    let q = "sequence by user [a where true] [b where true] until [stop where true]";
    assert_eq!(eql(q, &data, ES).unwrap(), [4, 5]);
    assert_eq!(eql(q, &data, EG).unwrap(), [4, 5]);
}

#[test]
fn runs_repeat_a_stage() {
    let data = ndjson(&[
        json!({"id": 1, "@timestamp": 0, "event_type": "a"}),
        json!({"id": 2, "@timestamp": 1, "event_type": "a"}),
        json!({"id": 3, "@timestamp": 2, "event_type": "b"}),
    ]);
    assert_eq!(
        eql("sequence [a where true] with runs=2 [b where true]", &data, ES).unwrap(),
        [1, 2, 3]
    );
}

#[test]
fn multi_valued_keys_join_on_each_value_and_null_keys_do_not_join() {
    let data = ndjson(&[
        json!({"id": 1, "@timestamp": 0, "event_type": "a", "tags": ["x", "y"]}),
        json!({"id": 2, "@timestamp": 1, "event_type": "b", "tags": "y"}),
        json!({"id": 3, "@timestamp": 2, "event_type": "a"}),
        json!({"id": 4, "@timestamp": 3, "event_type": "b"}),
    ]);
    assert_eq!(
        eql("sequence by tags [a where true] [b where true]", &data, ES).unwrap(),
        [1, 2]
    );
    // `?tags` lets null keys join.
    assert_eq!(
        eql("sequence by ?tags [a where true] [b where true]", &data, ES).unwrap(),
        [1, 2, 3, 4]
    );
}

#[test]
fn elasticsearch_orders_events_by_time_and_endgame_by_arrival() {
    let data = ndjson(&[
        json!({"id": 1, "@timestamp": 5, "event_type": "b"}),
        json!({"id": 2, "@timestamp": 1, "event_type": "a"}),
    ]);
    assert_eq!(
        eql("sequence [a where true] [b where true]", &data, ES).unwrap(),
        [2, 1]
    );
    assert_eq!(
        eql("sequence [a where true] [b where true]", &data, EG).unwrap(),
        Vec::<i64>::new()
    );
}

#[test]
fn missing_events_drop_sequences_with_an_event_in_their_gap() {
    let data = ndjson(&[
        json!({"id": 1, "@timestamp": 0, "event_type": "t", "tag": "a"}),
        json!({"id": 2, "@timestamp": 1, "event_type": "t", "tag": "m"}),
        json!({"id": 3, "@timestamp": 2, "event_type": "t", "tag": "b"}),
        json!({"id": 4, "@timestamp": 3, "event_type": "t", "tag": "a"}),
        json!({"id": 5, "@timestamp": 4, "event_type": "t", "tag": "b"}),
    ]);
    let q = "sequence with maxspan=1s [t where tag == \"a\"] ![t where tag == \"m\"] [t where tag == \"b\"]";
    assert_eq!(eql(q, &data, ES).unwrap(), [4, -1, 5]);
}

#[test]
fn samples_pick_one_distinct_event_per_stage_per_key() {
    let data = ndjson(&[
        json!({"id": 1, "event_type": "a", "host": "h2"}),
        json!({"id": 2, "event_type": "b", "host": "h2"}),
        json!({"id": 3, "event_type": "a", "host": "h1"}),
        json!({"id": 4, "event_type": "any", "host": "h1"}),
        json!({"id": 5, "event_type": "b", "host": "h1"}),
    ]);
    // Samples come sorted by key; each stage takes the first matching event not already used.
    assert_eq!(
        eql("sample by host [any where true] [b where true]", &data, ES).unwrap(),
        [3, 5, 1, 2]
    );
}

#[test]
fn head_and_tail_on_sequences() {
    let q = "sequence by user [a where true] [b where true]";
    assert_eq!(eql(&format!("{q} | head 1"), &seq_data(), ES).unwrap(), [2, 3]);
    assert_eq!(eql(&format!("{q} | tail 1"), &seq_data(), ES).unwrap(), [5, 6]);
}

// ------------------------------------------------------------------ endgame extras

#[test]
fn endgame_pipes() {
    assert_eq!(eql("any where true | unique event_type", &procs(), EG).unwrap(), [1, 3]);
    assert_eq!(
        eql("process where true | sort pid | head 2", &procs(), EG).unwrap(),
        [4, 1]
    );
    assert_eq!(eql("process where true | filter pid > 4", &procs(), EG).unwrap(), [2]);
    assert_eq!(
        eql(
            "sequence [process where true] [file where true] | filter events[1].id == 3",
            &procs(),
            EG
        )
        .unwrap(),
        [2, 3]
    );
}

#[test]
fn endgame_join_takes_the_first_event_of_each_stage() {
    assert_eq!(
        eql("join [file where true] [process where pid == 8]", &procs(), EG).unwrap(),
        [3, 2]
    );
}

#[test]
fn method_calls_are_function_calls() {
    assert_eq!(eql("any where name:length() == 12", &procs(), EG).unwrap(), [1, 2]);
}
