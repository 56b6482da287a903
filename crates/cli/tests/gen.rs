//! The `quarry gen okta` command: output to stdout or a file, the truth file, help and errors.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use common::{quarry, text, ScratchDir as Scratch};

const ARGS: &[&str] = &["gen", "okta", "--events", "1500", "--seed", "42", "--rate", "20"];

#[test]
fn stdout_and_output_file_hold_the_same_events() {
    let scratch = Scratch::new("same");
    let stdout = quarry(ARGS);
    assert!(stdout.status.success(), "{}", text(&stdout.stderr));
    assert_eq!(text(&stdout.stdout).lines().count(), 1500);
    assert!(
        text(&stdout.stderr).contains("1500 event(s)"),
        "{}",
        text(&stdout.stderr)
    );
    let out = scratch.file("okta.ndjson");
    let to_file = quarry(&[ARGS, &["--output", &out, "--quiet"]].concat());
    assert!(to_file.status.success(), "{}", text(&to_file.stderr));
    assert!(to_file.stdout.is_empty() && to_file.stderr.is_empty());
    assert!(std::fs::read(&out).unwrap() == stdout.stdout, "file and stdout differ");
    // Another seed, another log.
    let other = quarry(&["gen", "okta", "--events", "1500", "--seed", "43", "--rate", "20", "-q"]);
    assert_ne!(other.stdout, stdout.stdout);
    for line in text(&stdout.stdout).lines().take(50) {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(event["published"].as_str().unwrap().starts_with("2024-03-04T"));
    }
}

#[test]
fn attacks_go_to_the_truth_file() {
    let scratch = Scratch::new("truth");
    let out = scratch.file("okta.ndjson");
    let truth = scratch.file("truth.jsonl");
    let run = quarry(&[
        "gen",
        "okta",
        "-n",
        "3000",
        "--users",
        "30",
        "--span",
        "2h",
        "--start",
        "2023-11-20T08:00:00Z",
        "--attacks",
        "push-fatigue=1,classic-push-fatigue=2,session-cookie=1",
        "--truth",
        &truth,
        "-o",
        &out,
    ]);
    assert!(run.status.success(), "{}", text(&run.stderr));
    let truth = std::fs::read_to_string(&truth).unwrap();
    let kinds: Vec<String> = truth
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["attack"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(kinds.len(), 4);
    assert_eq!(kinds.iter().filter(|k| *k == "classic-push-fatigue").count(), 2);
    let events = std::fs::read_to_string(&out).unwrap();
    let first: serde_json::Value = serde_json::from_str(events.lines().next().unwrap()).unwrap();
    assert_eq!(first["published"], "2023-11-20T08:00:00.000Z");
}

#[test]
fn help_names_the_flags_and_the_attacks() {
    let help = quarry(&["gen", "okta", "--help"]);
    assert!(help.status.success());
    let help = text(&help.stdout);
    for flag in [
        "--events",
        "--seed",
        "--start",
        "--rate",
        "--span",
        "--users",
        "--output",
        "--truth",
        "--attacks",
        "push-fatigue",
        "classic-push-fatigue",
        "session-cookie",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    let top = text(&quarry(&["--help"]).stdout);
    assert!(top.contains("gen"), "{top}");
}

#[test]
fn bad_requests_are_refused() {
    let unknown = quarry(&["gen", "okta", "--attacks", "mfa-bombing=2"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("unknown attack `mfa-bombing`"),
        "{}",
        text(&unknown.stderr)
    );
    let too_fast = quarry(&["gen", "okta", "-n", "100000", "--span", "10s"]);
    assert_eq!(too_fast.status.code(), Some(1), "{}", text(&too_fast.stderr));
    assert!(
        text(&too_fast.stderr).contains("at most 1000"),
        "{}",
        text(&too_fast.stderr)
    );
    let both = quarry(&["gen", "okta", "--rate", "5", "--span", "1h"]);
    assert!(!both.status.success());
    let few_users = quarry(&["gen", "okta", "--users", "2", "--attacks", "session-cookie=3"]);
    assert_eq!(few_users.status.code(), Some(1));
    assert!(
        text(&few_users.stderr).contains("need as many users"),
        "{}",
        text(&few_users.stderr)
    );
    let bad_start = quarry(&["gen", "okta", "--start", "yesterday"]);
    assert_eq!(bad_start.status.code(), Some(1));
}
