//! Logs from `quarry gen okta` against the shipped rules: every injected attack is found by
//! the rule written for it, and nothing else is.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use quarry_cli::commands::run::{alert_json, run_rule};
use quarry_cli::gen::plan::AttackKind;
use quarry_cli::gen::{generate_okta, OktaConfig};
use quarry_cli::rules::Rule;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// A generated log on disk with its truth, removed afterwards.
struct Log {
    path: PathBuf,
    truth: Vec<Json>,
}

impl Log {
    fn new(name: &str, seed: u64, events: u64, attacks: Vec<(AttackKind, u32)>) -> Log {
        let config = OktaConfig {
            events,
            seed,
            start_ms: 1_709_510_400_000,
            rate: 10.0,
            users: 40,
            attacks,
        };
        let mut out = Vec::new();
        let mut truth = Vec::new();
        generate_okta(&config, &mut out, Some(&mut truth)).unwrap();
        let dir = std::env::temp_dir().join(format!("quarry-gen-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.ndjson"));
        std::fs::write(&path, out).unwrap();
        let truth = String::from_utf8(truth)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        Log { path, truth }
    }

    fn truth_of(&self, kind: &str) -> Vec<&Json> {
        self.truth.iter().filter(|t| t["attack"] == kind).collect()
    }

    /// Alerts of a shipped rule, as `quarry run --sourcetype OktaIM2:log` reports them.
    fn alerts(&self, rule: &str) -> Vec<Json> {
        let rule = Rule::load(&common::root().join("queries").join(rule)).unwrap();
        let flags = common::run_flags(Some("OktaIM2:log"));
        let inputs = [self.path.display().to_string()];
        let mut found = Vec::new();
        let run = run_rule(rule, &inputs, &flags, &Default::default(), &mut |rule, event| {
            found.push(alert_json(rule, &event))
        })
        .unwrap_or_else(|f| panic!("{}", f.message));
        assert_eq!(run.report.read.bad_lines, 0);
        found
    }
}

impl Drop for Log {
    fn drop(&mut self) {
        std::fs::remove_file(&self.path).ok();
    }
}

const SESSION_COOKIE: &str = "splunk/okta_suspicious_use_of_a_session_cookie.toml";
const PUSH_NOTIFICATIONS: &str = "elastic/potential_abuse_of_repeated_mfa_push_notifications.toml";
const MISMATCH: &str = "splunk/okta_mismatch_between_source_and_response_for_verify_push_request.toml";
const MISMATCH_CORRECTED: &str =
    "splunk/okta_mismatch_between_source_and_response_for_verify_push_request_corrected.toml";

/// The same attacked log, in a file of its own for each test (tests run in parallel).
fn attacked_log(name: &str) -> Log {
    Log::new(
        name,
        7,
        4000,
        vec![
            (AttackKind::PushFatigue, 2),
            (AttackKind::ClassicPushFatigue, 3),
            (AttackKind::SessionCookie, 2),
        ],
    )
}

#[test]
fn the_session_cookie_rule_finds_exactly_the_replayed_cookies() {
    let log = attacked_log("cookie");
    let found: BTreeSet<(String, String)> = log
        .alerts(SESSION_COOKIE)
        .iter()
        .map(|a| {
            let r = &a["result"];
            assert_eq!(r["dc_src_ip"], 2, "{a}");
            assert_eq!(r["dc_userAgentOS"], 2, "{a}");
            (
                r["user"].as_str().unwrap().to_string(),
                r["debugContext.debugData.dtHash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let injected: BTreeSet<(String, String)> = log
        .truth_of("session-cookie")
        .iter()
        .map(|t| {
            (
                t["user"].as_str().unwrap().to_string(),
                t["dtHash"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(injected.len(), 2);
    assert_eq!(found, injected);
}

#[test]
fn the_push_notification_rule_finds_exactly_the_classic_push_fatigue() {
    let log = attacked_log("classic");
    let alerts = log.alerts(PUSH_NOTIFICATIONS);
    let truth: BTreeMap<&str, BTreeSet<&str>> = log
        .truth_of("classic-push-fatigue")
        .iter()
        .map(|t| {
            let uuids = t["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u.as_str().unwrap())
                .collect();
            (t["user"].as_str().unwrap(), uuids)
        })
        .collect();
    assert_eq!(truth.len(), 3);
    let users: BTreeSet<&str> = alerts
        .iter()
        .map(|a| a["result"]["join_keys"][0].as_str().unwrap())
        .collect();
    assert_eq!(alerts.len(), users.len(), "one alert per attack");
    assert_eq!(users, truth.keys().copied().collect());
    // Each alert is two rejections and the attacker's sign-on, all from the injected sequence.
    for a in &alerts {
        let user = a["result"]["join_keys"][0].as_str().unwrap();
        let events = a["result"]["events"].as_array().unwrap();
        let types: Vec<&str> = events.iter().map(|e| e["eventType"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "user.mfa.okta_verify.deny_push",
                "user.mfa.okta_verify.deny_push",
                "user.authentication.sso"
            ]
        );
        for e in events {
            assert!(truth[user].contains(e["uuid"].as_str().unwrap()), "{user}: {e}");
        }
    }
}

#[test]
fn the_corrected_mismatch_rule_finds_exactly_the_identity_engine_push_fatigue() {
    let log = attacked_log("identity-engine");
    let found: BTreeSet<String> = log
        .alerts(MISMATCH_CORRECTED)
        .iter()
        .map(|a| a["result"]["groupby"].as_str().unwrap().to_string())
        .collect();
    let injected: BTreeSet<String> = log
        .truth_of("push-fatigue")
        .iter()
        .map(|t| t["externalSessionId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(injected.len(), 2);
    assert_eq!(found, injected);
    assert!(log.alerts(MISMATCH).is_empty(), "the verbatim rule never fires");
}

#[test]
fn benign_traffic_raises_no_alert() {
    let log = Log::new("benign", 11, 6000, Vec::new());
    assert!(log.truth.is_empty());
    for rule in [SESSION_COOKIE, PUSH_NOTIFICATIONS, MISMATCH, MISMATCH_CORRECTED] {
        let alerts = log.alerts(rule);
        assert!(alerts.is_empty(), "{rule}: {alerts:#?}");
    }
}
