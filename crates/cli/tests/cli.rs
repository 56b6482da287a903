//! The `quarry` binary: output formats, exit codes, and what it says about bad input.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, root, text, Scratch};

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn quarry_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quarry runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

const FIXTURES: [&str; 3] = [
    "tests/fixtures/okta/benign.ndjson",
    "tests/fixtures/okta/push_spam.ndjson",
    "tests/fixtures/okta/session_cookie_replay.ndjson",
];

#[test]
fn every_subcommand_has_help() {
    for sub in ["query", "run", "check"] {
        let out = quarry(&[sub, "--help"]);
        assert!(out.status.success(), "{sub}");
        assert!(text(&out.stdout).contains("Usage: quarry"), "{sub}");
    }
}

#[test]
fn query_prints_an_aligned_table_by_default() {
    let out = quarry(&[
        "query",
        "--sourcetype",
        "OktaIM2:log",
        "eventType=user.session.start | stats count by user",
        FIXTURES[0],
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "user               count\n-----------------  -----\nalice@example.com  1\ncarol@example.com  1\ndave@example.com   1\n"
    );
    assert!(text(&out.stderr).contains("1 input(s), 18 line(s), 18 event(s), 0 bad line(s), 3 result(s)"));
}

#[test]
fn json_and_csv_output() {
    let q = "eventType=user.authentication.auth_via_mfa | stats count values(outcome.result) as results by actor.alternateId";
    let out = quarry(&["query", "-q", "--format", "json", q, FIXTURES[1]]);
    assert_eq!(
        text(&out.stdout),
        "{\"actor.alternateId\":\"bob@example.com\",\"count\":5,\"results\":[\"FAILURE\",\"SUCCESS\"]}\n"
    );
    let out = quarry(&["query", "-q", "--format", "csv", q, FIXTURES[1]]);
    assert_eq!(
        text(&out.stdout),
        "actor.alternateId,count,results\nbob@example.com,5,\"FAILURE\nSUCCESS\"\n"
    );
}

#[test]
fn raw_events_come_out_as_their_json_newest_first() {
    let out = quarry(&[
        "query",
        "-q",
        "--format",
        "json",
        "eventType=user.session.end | eval seen=1",
        FIXTURES[0],
    ]);
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["published"], "2024-03-04T08:14:59.000Z");
    assert_eq!(lines[0]["seen"], 1);
    assert_eq!(lines[0]["actor"]["alternateId"], "carol@example.com");
}

#[test]
fn a_bad_line_is_reported_with_its_place_counted_and_skipped() {
    let log = Scratch::new("bad.ndjson", b"{\"a\":1}\n{\"a\": oops}\n{\"a\":2}\n");
    let out = quarry(&["query", "| stats count", log.path()]);
    assert!(out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains(&format!("{}:2: invalid JSON", log.path())), "{err}");
    assert!(err.contains("3 line(s), 2 event(s), 1 bad line(s)"), "{err}");
    assert!(text(&out.stdout).contains("2"));
    let strict = quarry(&["query", "--strict", "| stats count", log.path()]);
    assert_eq!(strict.status.code(), Some(2));
    assert!(text(&strict.stderr).contains("--strict"));
}

#[test]
fn missing_files_and_directories_are_input_errors() {
    let out = quarry(&["query", "| stats count", "no/such/file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no/such/file.json: no such file"),
        "{}",
        text(&out.stderr)
    );
    let out = quarry(&["query", "| stats count", "tests"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("tests: is a directory"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn gzip_input_is_read_and_a_truncated_gzip_is_an_error() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(root().join(FIXTURES[0])).unwrap()).unwrap();
    let bytes = gz.finish().unwrap();
    let good = Scratch::new("log.ndjson.gz", &bytes);
    let out = quarry(&["query", "-q", "--format", "json", "| stats count", good.path()]);
    assert_eq!(text(&out.stdout), "{\"count\":18}\n");
    let cut = Scratch::new("cut.ndjson.gz", &bytes[..bytes.len() / 2]);
    let out = quarry(&["query", "| stats count", cut.path()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("truncated"), "{}", text(&out.stderr));
}

#[test]
fn a_line_over_the_limit_is_an_error_but_the_rest_still_runs() {
    let mut content = b"{\"a\":1}\n".to_vec();
    content.extend(format!("{{\"a\":\"{}\"}}\n", "x".repeat(5000)).bytes());
    content.extend(b"{\"a\":3}\n");
    let log = Scratch::new("long.ndjson", &content);
    let out = quarry(&[
        "query",
        "--max-line-bytes",
        "1000",
        "--format",
        "json",
        "| stats count",
        log.path(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains(":2: line is"), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("over the limit of 1000 bytes"));
    assert_eq!(text(&out.stdout), "{\"count\":2}\n");
}

#[test]
fn stdin_is_read_with_a_dash_or_no_file() {
    let out = quarry_stdin(
        &["query", "-q", "--format", "json", "| stats count", "-"],
        b"{\"a\":1}\n{\"a\":2}\n",
    );
    assert_eq!(text(&out.stdout), "{\"count\":2}\n");
    let out = quarry_stdin(&["query", "-q", "--format", "json", "| stats count"], b"[{\"a\":1}]");
    assert_eq!(text(&out.stdout), "{\"count\":1}\n");
}

#[test]
fn check_parses_both_seed_searches() {
    let out = quarry(&["check", "queries/splunk"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("ok: queries/splunk/okta_mismatch_between_source_and_response_for_verify_push_request.toml")
    );
    assert!(stdout.contains("ok: queries/splunk/okta_suspicious_use_of_a_session_cookie.toml"));
}

#[test]
fn an_unknown_command_fails_with_unsupported_and_a_caret() {
    let out = quarry(&["check", "eventType=x | frobnicate y"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("unsupported: frobnicate"), "{err}");
    assert!(
        err.contains("eventType=x | frobnicate y\n  |               ^^^^^^^^^^"),
        "{err}"
    );
    let out = quarry(&["check", "eventType=x | cluster showcount=true"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unsupported: cluster"));
    let out = quarry(&["check", "--parse-only", "eventType=x | cluster showcount=true"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn syntax_errors_show_the_query_a_caret_and_a_hint() {
    let out = quarry(&["query", "eventType=x | eval y=(1+2", "-"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[E0001]: expected `)`"), "{err}");
    assert!(
        err.contains("1 | eventType=x | eval y=(1+2\n  |                          ^"),
        "{err}"
    );
    assert!(err.contains("help: every `(` needs a matching `)`"), "{err}");
}

#[test]
fn errors_inside_a_macro_point_at_the_body_and_the_call() {
    let conf = Scratch::new("macros.conf", b"[broken]\ndefinition = x | stats count by\n");
    let out = quarry(&["check", "--macros", conf.path(), "`broken`"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("macro `broken`"), "{err}");
    assert!(err.contains("in the expansion of this macro"), "{err}");
}

#[test]
fn run_prints_one_alert_per_line_for_the_replayed_cookie_only() {
    // The ESCU rules: the session-cookie rule fires once, the verbatim mismatch rule never.
    let mut args = vec![
        "run",
        "queries/splunk",
        "--sourcetype",
        "OktaIM2:log",
        "--format",
        "json",
        "--input",
    ];
    args.extend(FIXTURES);
    let out = quarry(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let alerts: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // In time order: the replayed cookie (March 4, 08:15), then the push spam that only the
    // corrected mismatch rule sees (10:00). The verbatim mismatch rule gives nothing.
    let names: Vec<&str> = alerts.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Okta Suspicious Use of a Session Cookie",
            "Okta Mismatch Between Source and Response for Verify Push Request (corrected)"
        ]
    );
    assert_eq!(alerts[0]["rule"], "71ad47d1-d6bd-4e0a-b35c-020ad9a6959e");
    assert_eq!(alerts[0]["severity"], "high");
    assert_eq!(alerts[0]["risk_score"], 56);
    assert_eq!(alerts[0]["result"]["user"], "carol@example.com");
    let keys: Vec<&str> = alerts[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["rule", "name", "severity", "risk_score", "message", "result"]);
    // One line per rule on stderr: events it was given (its prefilter's) of those read, alerts,
    // time.
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("quarry: read: 3 input(s), 39 line(s), 39 event(s), 0 bad line(s) in "),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "quarry: Okta Mismatch Between Source and Response for Verify Push Request: 16 of 39 event(s), 0 alert(s), "
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("quarry: Okta Suspicious Use of a Session Cookie: 9 of 39 event(s), 1 alert(s), "),
        "{stderr}"
    );
}

#[test]
fn run_reads_each_input_once_per_source_type() {
    // Without --sourcetype the Splunk rules read raw Okta with their own profile and the
    // Elastic rule reads the ECS file as it is: two passes, each named.
    let out = quarry(&[
        "run",
        "queries",
        "--format",
        "json",
        "--input",
        "tests/fixtures/okta-ecs/push_fatigue_classic.ndjson",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("quarry: read (no sourcetype): 1 input(s)"), "{stderr}");
    assert!(
        stderr.contains("quarry: read (sourcetype OktaIM2:log): 1 input(s)"),
        "{stderr}"
    );
    let alerts = text(&out.stdout);
    assert_eq!(alerts.lines().count(), 2, "{alerts}");
    assert!(alerts
        .lines()
        .all(|l| l.contains("Potential Abuse of Repeated MFA Push Notifications")));
}

#[test]
fn run_parameters_must_belong_to_some_rule() {
    let out = quarry(&[
        "run",
        "queries/splunk",
        "--param",
        "nonesuch=3",
        "--input",
        "tests/fixtures/okta/benign.ndjson",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--param nonesuch: no rule declares a parameter `nonesuch`"));
}

#[test]
fn run_table_output_lists_alerts() {
    let mut args = vec!["run", "queries/splunk", "--input"];
    args.extend(FIXTURES);
    let out = quarry(&args);
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("_time"), "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.contains("Okta Suspicious Use of a Session Cookie"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let cells: Vec<&str> = row.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(
        cells[..4],
        [
            "2024-03-04T08:15:02.331+00:00",
            "Okta Suspicious Use of a Session Cookie",
            "high",
            "56"
        ]
    );
}

#[test]
fn a_sequence_in_a_table_shows_its_join_key_and_one_line_per_event() {
    let out = quarry(&[
        "query",
        "--sourcetype",
        "OktaIM2:log",
        r#"sequence by user.email with maxspan=10m
             [authentication where event.action == "user.mfa.okta_verify.deny_push"] with runs=2
             [any where event.action : "user.authentication.*"]"#,
        "tests/fixtures/okta/push_fatigue_classic.ndjson",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("_time") && lines[0].contains("join_keys") && lines[0].contains("events"));
    // Two sequences of three events: a header, a rule, and six event lines.
    assert_eq!(lines.len(), 8, "{stdout}");
    assert!(lines[2].contains("erin@example.com") && lines[2].contains("2024-03-05T09:00:00.000+00:00  {\"actor\""));
    assert!(lines[5].contains("judy@example.com"));
    assert!(text(&out.stderr).contains("2 result(s)"));
}

#[test]
fn check_accepts_every_shipped_rule() {
    let out = quarry(&["check", "queries"]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn test_runs_the_library_cases() {
    let out = quarry(&["test", "queries"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("ok   Okta Suspicious Use of a Session Cookie › one device token from two IP addresses and two operating systems (true positive)"), "{stdout}");
    assert!(stdout.trim_end().ends_with(", 0 failed"), "{stdout}");
}

#[test]
fn a_failing_rule_test_shows_what_differs_and_exits_1() {
    let log = Scratch::new(
        "denials.ndjson",
        include_bytes!("../../../tests/fixtures/okta/push_rejections_classic.ndjson"),
    );
    let log_name = std::path::Path::new(log.path())
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let rule = Scratch::new(
        "denials.toml",
        format!(
            r#"
id = "t-1"
name = "Denials"
language = "spl"
sourcetype = "OktaIM2:log"
message = "$user$ denied $count$ pushes"
query = 'eventType=user.mfa.okta_verify.deny_push | stats count by user | where count >= $at_least$'

[parameters.at_least]
default = 5

[[tests]]
name = "the wrong user"
kind = "true-positive"
input = "{log_name}"
alerts = 1
expect = [{{ user = "leo@example.com", count = 5 }}]

[[tests]]
name = "too strict"
kind = "false-positive"
input = "{log_name}"
parameters = {{ at_least = 4 }}
alerts = 0
"#
        )
        .as_bytes(),
    );
    let out = quarry(&["test", rule.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAIL Denials › the wrong user (true positive)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(r#"alert 1: user: expected "leo@example.com", got "nina@example.com""#),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAIL Denials › too strict (false positive)"),
        "{stdout}"
    );
    assert!(stdout.contains("expected 0 alert(s), got 1"), "{stdout}");
    assert!(
        stdout.contains("got alert 1: nina@example.com denied 5 pushes"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("0 passed, 2 failed"), "{stdout}");
}

#[test]
fn run_feeds_every_rule_from_one_reading_of_the_logs() {
    let mut args = vec![
        "run",
        "queries",
        "--sourcetype",
        "OktaIM2:log",
        "--format",
        "json",
        "--input",
    ];
    args.extend(FIXTURES);
    args.push("tests/fixtures/okta/push_rejections_classic.ndjson");
    let out = quarry(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    let reads: Vec<&str> = stderr.lines().filter(|l| l.starts_with("quarry: read")).collect();
    assert_eq!(reads.len(), 1, "{stderr}");
    let rules = std::fs::read_dir(root().join("queries"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
        .filter(|f| {
            let path = f.as_ref().unwrap().path();
            let dir = path.parent().and_then(|d| d.file_name()).unwrap_or_default();
            path.extension().is_some_and(|e| e == "toml") && dir != "profiles" && dir != "datamodels"
        })
        .count();
    let per_rule = stderr.lines().filter(|l| l.contains(" alert(s), ")).count();
    assert_eq!(per_rule, rules, "{stderr}");
    // Alerts come out in time order, whichever rule found them.
    let times: Vec<String> = text(&out.stdout)
        .lines()
        .map(|l| {
            let alert: serde_json::Value = serde_json::from_str(l).unwrap();
            let result = &alert["result"];
            let time = result["_time"]
                .as_str()
                .or_else(|| result["events"][0]["published"].as_str());
            time.unwrap().to_string()
        })
        .collect();
    assert!(times.len() >= 3, "{times:?}");
    assert!(times.windows(2).all(|w| w[0][..19] <= w[1][..19]), "{times:?}");
}

#[test]
fn eql_reads_overlapping_logs_as_one_stream_in_time_order() {
    // Two exports of the same morning: the second deny (09:10) is in the other file, and a
    // file-by-file read would meet it after the 09:20 sign-on, too late for the reorder window.
    let first = Scratch::new(
        "morning-a.ndjson",
        br#"{"@timestamp":"2024-03-05T09:00:00Z","event":{"category":"authentication","action":"deny"},"user":{"name":"erin"}}
{"@timestamp":"2024-03-05T09:20:00Z","event":{"category":"authentication","action":"sso"},"user":{"name":"erin"}}
{"@timestamp":"2024-03-05T09:40:00Z","event":{"category":"authentication","action":"sso"},"user":{"name":"frank"}}
"#,
    );
    let second = Scratch::new(
        "morning-b.ndjson",
        br#"{"@timestamp":"2024-03-05T09:10:00Z","event":{"category":"authentication","action":"deny"},"user":{"name":"erin"}}
"#,
    );
    let query = r#"sequence by user.name with maxspan=30m [authentication where event.action == "deny"] with runs=2 [authentication where event.action == "sso"]"#;
    for files in [[first.path(), second.path()], [second.path(), first.path()]] {
        let out = quarry(&["query", "--format", "json", query, files[0], files[1]]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert_eq!(stdout.lines().count(), 1, "{stdout}{}", text(&out.stderr));
        assert!(stdout.contains(r#""join_keys":["erin"]"#), "{stdout}");
        assert!(!text(&out.stderr).contains("reorder window"), "{}", text(&out.stderr));
    }
    // `--order input` reads the files as given: the deny arrives after the sign-on has gone
    // by, the sequence is missed, and the late event is reported.
    let out = quarry(&[
        "query",
        "--order",
        "input",
        "--format",
        "json",
        query,
        first.path(),
        second.path(),
    ]);
    assert_eq!(text(&out.stdout), "");
    assert!(
        text(&out.stderr).contains("1 event(s) arrived more than the reorder window"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_shows_where_a_pipeline_switches_language() {
    let out = quarry(&[
        "check",
        "sequence by user.email with maxspan=10m [any where true] [any where true] | head 5 | stats count by user.email",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "ok: query (eql, then spl)\n  eql: sequence by user.email with maxspan=10m [any where true] [any where true] | head 5\n  spl: | stats count by user.email\n"
    );
    let out = quarry(&["check", "x=1 | sequence by user [search a] [any where b == 1]"]);
    assert_eq!(
        text(&out.stdout),
        "ok: query (spl)\n  spl: x=1 | sequence by user [search a] [any where b == 1]\n    stage 1 (spl): search a\n    stage 2 (eql): any where b == 1\n"
    );
    let out = quarry(&["check", "| sequence by user [search a] [search b | head 1]"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`|` is not allowed inside `[...]`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn run_takes_rule_files_with_mixed_pipelines() {
    let out = quarry(&[
        "run",
        "tests/fixtures/rules",
        "--format",
        "json",
        "--input",
        "tests/fixtures/okta/push_spam.ndjson",
        "tests/fixtures/okta/push_fatigue_classic.ndjson",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let alerts: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let messages: Vec<&str> = alerts.iter().map(|a| a["message"].as_str().unwrap()).collect();
    assert_eq!(
        messages,
        [
            "bob@example.com passed MFA 33.567s after a failure (failure from 203.0.113.77)",
            "erin@example.com had 1 push-fatigue sequence(s) in one hour",
            "judy@example.com had 1 push-fatigue sequence(s) in one hour",
        ]
    );
}

#[test]
fn run_stats_say_how_many_events_each_rule_was_given() {
    let mut args = vec![
        "run",
        "queries/splunk",
        "--sourcetype",
        "OktaIM2:log",
        "--stats",
        "--quiet",
        "--input",
    ];
    args.extend(FIXTURES);
    let out = quarry(&args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats: serde_json::Value = serde_json::from_str(text(&out.stderr).lines().last().unwrap()).unwrap();
    assert_eq!(stats["events"], 39);
    let given: Vec<(String, u64)> = stats["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap().to_string(), r["events"].as_u64().unwrap()))
        .collect();
    // Each rule sees only the lines its own prefilter passes: the push events, or the
    // policy evaluations of the session-cookie search.
    assert_eq!(
        given,
        [
            (
                "Okta Mismatch Between Source and Response for Verify Push Request".to_string(),
                16
            ),
            (
                "Okta Mismatch Between Source and Response for Verify Push Request (corrected)".to_string(),
                16
            ),
            ("Okta Suspicious Use of a Session Cookie".to_string(), 9),
        ]
    );
}
