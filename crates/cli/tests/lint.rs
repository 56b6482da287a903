//! `quarry lint` as a command: what it prints, its JSON, and its exit codes.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, text};

const VERBATIM: &str = "queries/splunk/okta_mismatch_between_source_and_response_for_verify_push_request.toml";
const CORRECTED: &str =
    "queries/splunk/okta_mismatch_between_source_and_response_for_verify_push_request_corrected.toml";

#[test]
fn findings_are_rendered_with_carets_codes_and_help_and_exit_1() {
    let out = quarry(&["lint", VERBATIM]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for code in ["L0001", "L0002", "L0003", "L0004", "L0005"] {
        assert!(stdout.contains(&format!("warning[{code}]")), "{code}\n{stdout}");
    }
    assert!(stdout.contains(&format!("--> {VERBATIM}:41:16")), "{stdout}");
    assert!(stdout.contains("= help: did you mean 'outcome.result'?"), "{stdout}");
    assert!(stdout.contains("-------"), "{stdout}");
    assert!(
        stdout.trim_end().ends_with(
            "quarry lint: 1 query checked, 11 finding(s) in 1 (L0001 x5, L0002 x3, L0003 x1, L0004 x1, L0005 x1)"
        ),
        "{stdout}"
    );
}

#[test]
fn clean_rules_exit_0() {
    let out = quarry(&["lint", CORRECTED, "queries/elastic"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout), "quarry lint: 2 queries checked, 0 finding(s) in 0\n");
}

#[test]
fn json_gives_one_finding_per_line_with_places() {
    let out = quarry(&["lint", "--format", "json", VERBATIM]);
    assert_eq!(out.status.code(), Some(1));
    let findings: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(findings.len(), 11);
    let first = &findings[0];
    assert_eq!(first["code"], "L0002");
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["rule"], VERBATIM);
    assert_eq!(first["location"]["source"], VERBATIM);
    assert_eq!(first["location"]["line"], 41);
    assert_eq!(first["location"]["column"], 16);
    assert_eq!(first["location"]["text"], "\"authenticationContext.externalSessionId\"");
    assert!(first["help"][0].as_str().unwrap().contains("did you mean"));
    let never = findings.iter().find(|f| f["code"] == "L0004").unwrap();
    let secondary: Vec<&str> = never["labels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["primary"] == false)
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(secondary
        .iter()
        .any(|m| m.starts_with("`suspect_ip_from_source` is always 0")));
    // The summary goes to stderr, so stdout stays JSON.
    assert!(text(&out.stderr).contains("11 finding(s)"));
}

#[test]
fn queries_on_the_command_line() {
    let out = quarry(&["lint", "--lang", "spl", "x | eval y=if(a=1, 0, 0)"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("warning[L0003]"));
    let out = quarry(&[
        "lint",
        "--sourcetype",
        "OktaIM2:log",
        "eventType=x | stats count by actor.alternateID",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("did you mean `actor.alternateId`?"));
    let out = quarry(&["lint", "process where process.name == \"cmd*\""]);
    assert!(text(&out.stdout).contains("warning[L0008]"));
    let out = quarry(&[
        "lint",
        "--eql-dialect",
        "endgame",
        "process where process.name == \"cmd*\"",
    ]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn errors_and_missing_files() {
    let out = quarry(&["lint", "x | eval y=(("]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("error"), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 could not be examined"));
    let out = quarry(&["lint", "queries/nope.toml"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_lists_every_finding() {
    let out = quarry(&["lint", "--help"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for n in 1..=9 {
        assert!(help.contains(&format!("L000{n}")), "L000{n}\n{help}");
    }
    assert!(help.contains("--format"));
}
