//! Projected parsing never changes an answer: a run parses each line only for the fields its
//! query has asked for so far, and an event asked for any other field parses its whole line.
//! Every query here runs twice over the same log — through `run` (projected, parsed on several
//! threads) and over events parsed whole — and must give the same results.
#![allow(clippy::unwrap_used)]

mod common;

use common::{fixtures, query_files, query_text};
use quarry_cli::output::to_json;
use serde_json::Value as Json;
use std::path::PathBuf;

/// Events with the shapes that make field names subtle: dotted keys beside nested objects,
/// arrays of objects and of arrays, escaped keys and values, and fields that appear only late
/// in the log, after the run has learned what to parse.
fn tricky_log(name: &str) -> PathBuf {
    let mut lines = Vec::new();
    for n in 0..3000 {
        let late = if n > 2500 {
            format!(r#","late":{{"x":{n}}},"rare.key":"r{n}""#)
        } else {
            String::new()
        };
        lines.push(format!(
            r#"{{"_time":{n},"event_type":"e{k}","user":"u{u}","event.action":"flat{k}","event":{{"action":"nested{k}","outcome":"ok"}},"target":[{{"id":"t{n}","type":"User"}},{{"id":"s{k}"}}],"grid":[[{n},1],[2]],"esc\"key":"v\u0041{k}","msg":"line \"{n}\" \\ end","n":{n}{late}}}"#,
            k = n % 7,
            u = n % 13,
        ));
    }
    let path = std::env::temp_dir().join(format!("quarry-projection-{name}-{}.ndjson", std::process::id()));
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// A result without its `source` (the file's path in one run, a name in the other).
fn sourceless(event: &quarry_engine::Event) -> Json {
    let mut json = to_json(event);
    if let Some(object) = json.as_object_mut() {
        object.shift_remove("source");
    }
    json
}

fn same_answers(query: &str, files: &[PathBuf], sourcetype: Option<&str>) {
    let projected: Vec<Json> = query_files(query, files, sourcetype)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .iter()
        .map(sourceless)
        .collect();
    let text: String = files.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    let whole: Vec<Json> = query_text(query, &text, sourcetype)
        .unwrap()
        .iter()
        .map(sourceless)
        .collect();
    assert_eq!(projected, whole, "{query}");
}

#[test]
fn spl_queries_read_the_same_fields_projected_or_whole() {
    let log = tricky_log("spl");
    for query in [
        "event.action=flat3 | stats count by user",
        "| stats count by event.action event.outcome",
        "| stats values(target{}.id) as ids dc(target{}.type) as types by user | sort user",
        "| eval g=mvjoin('grid{}{}', \"-\") | stats count by g | sort - count | head 5",
        "| stats count by \"esc\\\"key\"",
        "| where isnotnull(late.x) | stats count min(late.x) max('rare.key')",
        "| eval x=if(n > 2900, 'late.x', 'event.action') | stats count by x | sort - count | head 3",
        "msg=\"*2999*\" | table msg n",
        "| head 3 | table *",
        "| stats values(*) as * by user | sort user | head 2",
        "| fillnull value=NA | stats count by late.x | sort - count | head 2",
        // Held by fillnull (which lets go of their trees) before stats reads fields no earlier
        // command read; then every field of the filled results.
        "n>2400 | fillnull value=NA | stats count by late.x rare.key target{}.id | sort - count | head 4",
        "n>2990 | fillnull value=NA | table *",
        "| spath input=_raw path=event.outcome output=o | stats count by o",
        // Held by sort before streamstats asks for `user` and `target{}.id`.
        "| sort 0 n | streamstats count as c by user | where c=3 | table user target{}.id n | head 5",
    ] {
        same_answers(query, std::slice::from_ref(&log), None);
    }
    std::fs::remove_file(&log).ok();
}

#[test]
fn eql_queries_read_the_same_fields_projected_or_whole() {
    let log = tricky_log("eql");
    for query in [
        "any where event.action == \"flat2\" | head 4",
        "any where target.id == \"t7\"",
        "any where late.x > 2990",
        "sequence by user [any where event.action == \"flat1\"] [any where event.action == \"flat2\"] | head 3",
    ] {
        same_answers(query, std::slice::from_ref(&log), None);
    }
    std::fs::remove_file(&log).ok();
}

#[test]
fn shipped_rule_queries_read_the_same_fields_projected_or_whole() {
    let okta = fixtures("okta");
    for query in [
        "eventType=user.mfa.okta_verify.deny_push | stats count by actor.alternateId",
        "| stats dc(client.ipAddress) as ips values(outcome.result) as results by actor.alternateId",
        "tag=authentication | stats count by action, user",
        "| eval n=mvcount('target{}.alternateId') | stats count by n",
        "eventType=user.* | fillnull value=NULL | stats count by user src client.device outcome.reason | sort - count",
    ] {
        same_answers(query, &okta, Some("OktaIM2:log"));
    }
}

/// `fillnull` without a list learns every event's field names without reading their values
/// (projected lines are scanned, aliases of present fields are listed from the names): the
/// names are the ones an event lists when every value is read, projected or whole.
#[test]
fn field_names_told_without_values_are_the_field_names() {
    let okta = fixtures("okta");
    let sorted = |mut names: Vec<quarry_engine::event::Name>| {
        names.sort();
        names
    };
    let projected = query_files("| eval late=if(len(uuid) > 0, null(), 1)", &okta, Some("OktaIM2:log")).unwrap();
    let text: String = okta.iter().map(|f| std::fs::read_to_string(f).unwrap()).collect();
    let whole = query_text("| eval late=if(len(uuid) > 0, null(), 1)", &text, Some("OktaIM2:log")).unwrap();
    assert!(projected.len() > 100);
    for event in projected.iter().chain(&whole) {
        let told = sorted(event.field_names_besides(|_| false));
        assert_eq!(told, sorted(event.field_names()), "{:?}", event.get("_raw"));
        assert!(told.iter().any(|n| n.as_ref() == "user"), "an alias is among them");
    }
}

/// Before a `stats` that reads a fixed set of fields, `fillnull` without a list fills and holds
/// only those; the results are those of filling every field seen, which it still does when a
/// command in between (here an `eval`) could read any field.
#[test]
fn fillnull_before_stats_fills_what_stats_reads_as_if_it_filled_everything() {
    let log = tricky_log("fillnull-stats");
    let okta = fixtures("okta");
    let cases: [(&str, &[PathBuf], Option<&str>); 5] = [
        ("n>2400 | fillnull value=NA | stats count by late.x rare.key target{}.id", std::slice::from_ref(&log), None),
        ("| fillnull value=0 | stats count min(_time) as first max(late.x) as x by user late.x", std::slice::from_ref(&log), None),
        // A field no event has stays null: its events join no group.
        ("| fillnull | stats count by user never.seen", std::slice::from_ref(&log), None),
        ("eventType=user.* | fillnull value=NULL | stats count by user src client.device outcome.reason", &okta, Some("OktaIM2:log")),
        ("| eval g='authenticationContext.externalSessionId' | fillnull value=NULL | stats min(_time) as _time dc(client.ipAddress) as ips by g eventType debugContext.debugData.behaviors", &okta, Some("OktaIM2:log")),
    ];
    for (query, files, sourcetype) in cases {
        let (head, stats) = query.rsplit_once("| stats").unwrap();
        let filled_everything = format!("{head}| eval quarry_test_unused=1 | stats{stats}");
        let rows = |q: &str| -> Vec<Json> {
            let mut rows: Vec<Json> = query_files(q, files, sourcetype)
                .unwrap_or_else(|e| panic!("{q}: {e}"))
                .iter()
                .map(sourceless)
                .collect();
            rows.sort_by_key(|row| row.to_string());
            rows
        };
        let restricted = rows(query);
        assert_eq!(restricted, rows(&filled_everything), "{query}");
        if !query.contains("never.seen") {
            assert!(!restricted.is_empty(), "{query} gives results");
        } else {
            assert!(restricted.is_empty(), "{query} gives no results");
        }
        same_answers(query, files, sourcetype);
    }
    std::fs::remove_file(&log).ok();
}
