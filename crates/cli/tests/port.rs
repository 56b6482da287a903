//! Rule repositories read as their publishers ship them (`tests/fixtures/upstream/`): the
//! `quarry port` report, and `run`, `check` and `lint` given those files directly.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, text};

use serde_json::Value as Json;
use std::process::Output;

const UPSTREAM: &str = "tests/fixtures/upstream";

/// `quarry port --format json`: the rows by rule name, and the summary.
fn port_json(extra: &[&str]) -> (Vec<Json>, Json) {
    let mut args = vec!["port", "--format", "json"];
    args.extend_from_slice(extra);
    let out = quarry(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mut lines: Vec<Json> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.pop().unwrap()["summary"].clone();
    (lines, summary)
}

fn row<'a>(rows: &'a [Json], name: &str) -> &'a Json {
    rows.iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no row for {name}"))
}

fn strings(v: &Json) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn port_reports_every_rule_of_every_layout_and_exits_zero() {
    let (rows, summary) = port_json(&[UPSTREAM]);
    let mut seen: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["format"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    seen.sort();
    let expected = [
        ("elastic", "Okta User Session Impersonation", "other-language"),
        (
            "elastic",
            "Potential Abuse of Repeated MFA Push Notifications",
            "runnable",
        ),
        ("elastic", "Shell Started by a Web Server", "runnable"),
        ("escu", "Attacker Tools On Endpoint", "unsupported"),
        ("escu", "Okta Suspicious Use of a Session Cookie", "runnable"),
        ("savedsearches", "Okta Session Cookie Replay", "runnable"),
        ("savedsearches", "Okta Sign-ins From Unknown Hosts", "runnable"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(seen, expected);
    assert_eq!(summary["rules"], 7);
    assert_eq!(summary["status"]["runnable"], 5);
    assert_eq!(summary["status"]["unsupported"], 1);
    assert_eq!(summary["status"]["other-language"], 1);
    assert_eq!(summary["languages"]["spl"]["runnable"], 3);
    assert_eq!(summary["languages"]["eql"]["runnable"], 2);
}

#[test]
fn port_lists_every_missing_piece_of_a_rule_not_only_the_first() {
    let (rows, _) = port_json(&[UPSTREAM]);
    let r = row(&rows, "Attacker Tools On Endpoint");
    assert_eq!(r["parses"], true);
    assert_eq!(r["runnable"], false);
    let mut missing = strings(&r["missing"]);
    missing.sort();
    assert_eq!(
        missing,
        vec![
            "missing lookup: endpoint_owners",
            "missing macro: endpoint_allowlist",
            "unsupported: another_missing_one (not a Splunk eval function)",
            "unsupported: cluster",
            "unsupported: no_such_function (not a Splunk eval function)",
        ]
    );
}

#[test]
fn port_finds_lookups_next_to_the_rules_by_definition() {
    let (rows, _) = port_json(&[UPSTREAM]);
    // security_content: attacker_tools.yml names attacker_tools.csv beside it.
    let escu = strings(&row(&rows, "Attacker Tools On Endpoint")["missing"]);
    assert!(!escu.iter().any(|m| m.contains("attacker_tools")), "{escu:?}");
    // An app: transforms.conf names lookups/app_hosts.csv; seen_sessions is a KV store
    // collection, which reads as an empty table with its fields_list columns: nothing missing.
    let app = row(&rows, "Okta Sign-ins From Unknown Hosts");
    let missing = strings(&app["missing"]);
    assert!(!missing.iter().any(|m| m.contains("app_hosts")), "{missing:?}");
    assert!(!missing.iter().any(|m| m.contains("seen_sessions")), "{missing:?}");
    assert_eq!(app["status"], "runnable");
    assert_eq!(
        strings(&app["notes"]),
        vec!["lookup seen_sessions is a KV store collection: read as empty; give its rows with --lookups seen_sessions.csv"]
    );
}

#[test]
fn port_takes_macros_and_lookups_that_are_not_next_to_the_rules() {
    let (rows, _) = port_json(&[
        UPSTREAM,
        "--macros",
        "tests/fixtures/upstream/extra/macros.conf",
        "--lookups",
        "tests/fixtures/upstream/extra/lookups",
    ]);
    let missing = strings(&row(&rows, "Attacker Tools On Endpoint")["missing"]);
    assert!(!missing.iter().any(|m| m.contains("endpoint_allowlist")), "{missing:?}");
    assert!(!missing.iter().any(|m| m.contains("endpoint_owners")), "{missing:?}");
    assert!(missing.contains(&"unsupported: cluster".to_string()));
}

#[test]
fn port_names_rules_in_languages_quarry_does_not_run() {
    let (rows, _) = port_json(&[UPSTREAM]);
    let r = row(&rows, "Okta User Session Impersonation");
    assert_eq!(r["language"], "kuery");
    assert_eq!(r["type"], "query");
    assert_eq!(strings(&r["missing"]), vec!["unsupported: kuery rules"]);
}

#[test]
fn port_with_input_counts_the_alerts_of_runnable_rules() {
    let (rows, summary) = port_json(&[
        UPSTREAM,
        "--sourcetype",
        "OktaIM2:log",
        "--input",
        "tests/fixtures/okta/session_cookie_replay.ndjson",
    ]);
    assert_eq!(row(&rows, "Okta Suspicious Use of a Session Cookie")["alerts"], 1);
    assert_eq!(row(&rows, "Okta Session Cookie Replay")["alerts"], 1);
    assert_eq!(row(&rows, "Shell Started by a Web Server")["alerts"], 0);
    // Rules that cannot run have no count.
    assert_eq!(row(&rows, "Attacker Tools On Endpoint")["alerts"], Json::Null);
    // Its KV-store lookup reads as empty: it runs, and finds no sign-in on these logs.
    assert_eq!(row(&rows, "Okta Sign-ins From Unknown Hosts")["alerts"], 0);
    assert_eq!(summary["run"]["rules_run"], 5);
    assert_eq!(summary["run"]["rules_alerting"], 2);
    assert_eq!(summary["run"]["alerts"], 2);
}

#[test]
fn port_summary_ranks_the_missing_pieces() {
    let (_, summary) = port_json(&[UPSTREAM]);
    // Ranked by how many rules miss a piece, then by name.
    let ranked: Vec<(String, u64)> = summary["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m[0].as_str().unwrap().to_string(), m[1].as_u64().unwrap()))
        .collect();
    assert_eq!(ranked.len(), 6);
    assert_eq!(ranked[0], ("missing lookup: endpoint_owners".to_string(), 1));
    assert!(ranked.contains(&("unsupported: cluster".to_string(), 1)));
}

#[test]
fn port_table_and_markdown_end_with_the_summary() {
    let table = quarry(&["port", UPSTREAM]);
    assert_eq!(table.status.code(), Some(0));
    let table = text(&table.stdout);
    assert!(table.starts_with("rule "), "{table}");
    assert!(
        table.contains("7 rule(s): 5 runnable, 1 unsupported, 1 other-language"),
        "{table}"
    );
    assert!(table.contains("  spl: 4 rule(s), 4 parse, 3 runnable (75%)"), "{table}");
    let md = quarry(&["port", "--format", "markdown", UPSTREAM]);
    assert_eq!(md.status.code(), Some(0));
    let md = text(&md.stdout);
    assert!(
        md.contains("| rule | file | language | status | missing | lint |"),
        "{md}"
    );
    assert!(md.contains("| runnable | 5 |"), "{md}");
    assert!(md.contains("| unsupported: cluster | 1 |"), "{md}");
}

#[test]
fn port_of_a_missing_path_is_an_input_error() {
    let out = quarry(&["port", "tests/fixtures/upstream/no_such_dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no such file or directory"));
}

#[test]
fn run_reads_an_escu_detection_with_the_macros_of_its_checkout() {
    let out = quarry(&[
        "run",
        "tests/fixtures/upstream/security_content/detections/application/okta_suspicious_use_of_a_session_cookie.yml",
        "--sourcetype",
        "OktaIM2:log",
        "--input",
        "tests/fixtures/okta/session_cookie_replay.ndjson",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let alert: Json = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(alert["rule"], "71ad47d1-d6bd-4e0a-b35c-020ad9a6959e");
    // The message and score come from the detection's `rba` section.
    assert_eq!(alert["risk_score"], 56);
    assert_eq!(
        alert["message"],
        "A user [carol@example.com] is attempting to use a session cookie from multiple IP addresses or devices. Investigate further to determine if this was authorized."
    );
}

#[test]
fn run_reads_every_search_of_a_savedsearches_conf() {
    let out = quarry(&[
        "run",
        "tests/fixtures/upstream/splunk_app/default/savedsearches.conf",
        "--sourcetype",
        "OktaIM2:log",
        "--input",
        "tests/fixtures/okta/session_cookie_replay.ndjson",
        "--format",
        "json",
    ]);
    // The second search uses a KV store lookup, which a laptop does not have: it reads as an
    // empty collection (as one never filled does in Splunk) and the run says so once. Its other
    // lookup, app_hosts, is found through the app's transforms.conf.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("note: lookup seen_sessions is a KV store collection: read as empty; give its rows with --lookups seen_sessions.csv"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Okta Sign-ins From Unknown Hosts: 0 of 9 event(s), 0 alert(s)"),
        "{stderr}"
    );
    assert!(!stderr.contains("app_hosts"), "{stderr}");
    let alert: Json = serde_json::from_str(text(&out.stdout).trim()).unwrap();
    assert_eq!(alert["name"], "Okta Session Cookie Replay");
    assert_eq!(alert["severity"], "high");
    assert_eq!(
        alert["message"],
        "Session cookie of carol@example.com replayed from 2 addresses"
    );
}

const MFA_RULE: &str =
    "tests/fixtures/upstream/detection-rules/rules/integrations/okta/credential_access_mfa_push_brute_force.toml";

fn alerts(out: &Output) -> Vec<Json> {
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn run_orders_an_elastic_rule_by_its_timestamp_override() {
    // By event.ingested, mallory's three events are three minutes apart; by @timestamp, 31.
    // trent's second denial has no event.ingested and is timed by @timestamp.
    let out = quarry(&[
        "run",
        MFA_RULE,
        "--input",
        "tests/fixtures/upstream/logs/okta_ingested.ndjson",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let keys: Vec<Json> = alerts(&out)
        .iter()
        .map(|a| a["result"]["join_keys"][0].clone())
        .collect();
    assert_eq!(keys, vec!["mallory@example.com", "trent@example.com"]);
    // --time-field says otherwise: @timestamp, and mallory's sequence is too slow.
    let out = quarry(&[
        "run",
        MFA_RULE,
        "--input",
        "tests/fixtures/upstream/logs/okta_ingested.ndjson",
        "--format",
        "json",
        "--time-field",
        "@timestamp",
    ]);
    let keys: Vec<Json> = alerts(&out)
        .iter()
        .map(|a| a["result"]["join_keys"][0].clone())
        .collect();
    assert_eq!(keys, vec!["trent@example.com"]);
}

#[test]
fn run_tests_an_elastic_rules_event_category_override() {
    let out = quarry(&[
        "run",
        "tests/fixtures/upstream/detection-rules/rules/linux",
        "--input",
        "tests/fixtures/upstream/logs/linux_process.ndjson",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let found = alerts(&out);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["result"]["event"]["sequence"], 1);
    // The same query without the override tests event.category, which these events lack.
    let out = quarry(&[
        "query",
        "--format",
        "json",
        "process where process.name == \"sh\" and process.parent.name == \"httpd\"",
        "tests/fixtures/upstream/logs/linux_process.ndjson",
    ]);
    assert_eq!(text(&out.stdout).trim(), "");
}

#[test]
fn check_finds_the_macros_of_an_escu_checkout_and_names_what_is_undefined() {
    let out = quarry(&["check", "tests/fixtures/upstream/security_content"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ok: tests/fixtures/upstream/security_content/detections/application/okta_suspicious_use_of_a_session_cookie.yml (spl)"),
        "{stdout}"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("undefined macro `endpoint_allowlist`"), "{stderr}");
    assert!(stderr.contains("quarry: 1 of 2 failed"), "{stderr}");
}

#[test]
fn check_and_lint_report_a_rule_in_another_language_and_go_on() {
    let check = quarry(&["check", "tests/fixtures/upstream/detection-rules"]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = text(&check.stderr);
    assert!(
        stderr.contains("rule `Okta User Session Impersonation`: unsupported: kuery"),
        "{stderr}"
    );
    assert!(stderr.contains("quarry: 1 of 3 failed"), "{stderr}");
    assert_eq!(text(&check.stdout).matches("ok: ").count(), 2);
    let lint = quarry(&["lint", "tests/fixtures/upstream/detection-rules"]);
    assert_eq!(lint.status.code(), Some(1));
    assert!(
        text(&lint.stdout).contains("3 queries checked, 0 finding(s) in 0, 1 could not be examined"),
        "{}",
        text(&lint.stdout)
    );
}

#[test]
fn port_reports_a_detection_whose_yaml_is_broken() {
    let dir = std::env::temp_dir().join(format!("quarry-port-broken-{}", std::process::id()));
    let file = dir.join("detections/endpoint/broken.yml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "name: Broken\nsearch: '`sysmon` | stats count\n  by: [dest\n").unwrap();
    let (rows, summary) = port_json(&[dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], "unreadable");
    assert!(
        rows[0]["errors"][0]
            .as_str()
            .unwrap()
            .contains("broken.yml: not a detection"),
        "{}",
        rows[0]
    );
    assert_eq!(summary["status"]["unreadable"], 1);
}
