//! Properties of generated Okta logs: determinism, shape, order, size, attacks.

use super::*;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

fn config(events: u64, seed: u64) -> OktaConfig {
    OktaConfig {
        events,
        seed,
        start_ms: 1_709_510_400_000, // 2024-03-04T00:00:00Z
        rate: 5.0,
        users: OktaConfig::default_users(events),
        attacks: vec![
            (AttackKind::PushFatigue, 2),
            (AttackKind::ClassicPushFatigue, 2),
            (AttackKind::SessionCookie, 2),
        ],
    }
}

fn generate(config: &OktaConfig) -> (Vec<u8>, Vec<u8>) {
    let mut out = Vec::new();
    let mut truth = Vec::new();
    let summary = generate_okta(config, &mut out, Some(&mut truth)).unwrap();
    assert_eq!(summary.events, config.events);
    assert_eq!(summary.bytes, out.len() as u64);
    (out, truth)
}

fn lines(bytes: &[u8]) -> Vec<Json> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

const TOP: [&str; 17] = [
    "actor",
    "client",
    "device",
    "authenticationContext",
    "displayMessage",
    "eventType",
    "outcome",
    "published",
    "securityContext",
    "severity",
    "debugContext",
    "legacyEventType",
    "transaction",
    "uuid",
    "version",
    "request",
    "target",
];

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = generate(&config(3000, 11));
    let b = generate(&config(3000, 11));
    assert!(a == b, "two runs with one seed differ");
    let c = generate(&config(3000, 12));
    assert_ne!(a.0, c.0);
}

#[test]
fn exact_count_and_every_line_is_a_full_log_event() {
    let (out, _) = generate(&config(2500, 3));
    let events = lines(&out);
    assert_eq!(events.len(), 2500);
    for e in &events {
        let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, TOP, "{e}");
        let client: Vec<&str> = e["client"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            client,
            ["userAgent", "zone", "device", "id", "ipAddress", "geographicalContext"]
        );
        let geo: Vec<&str> = e["client"]["geographicalContext"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(geo, ["city", "state", "country", "postalCode", "geolocation"]);
        let security: Vec<&str> = e["securityContext"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(security, ["asNumber", "asOrg", "isp", "domain", "isProxy"]);
        let data = &e["debugContext"]["debugData"];
        assert!(data["requestId"].is_string() && data["requestUri"].is_string() && data["url"].is_string());
        assert_eq!(data["requestId"], e["transaction"]["id"]);
        assert_eq!(e["version"], "0");
        assert!(e["authenticationContext"]["externalSessionId"].is_string());
        if e["eventType"] == "policy.evaluate_sign_on" {
            assert_eq!(data["dtHash"].as_str().unwrap().len(), 64);
            assert!(data["behaviors"].as_str().unwrap().starts_with("{New Geo-Location="));
            assert!(data["risk"].as_str().unwrap().ends_with('}'));
        }
    }
    let uuids: BTreeSet<&str> = events.iter().map(|e| e["uuid"].as_str().unwrap()).collect();
    assert_eq!(uuids.len(), events.len());
}

#[test]
fn published_increases() {
    let (out, _) = generate(&config(4000, 5));
    let events = lines(&out);
    let times: Vec<&str> = events.iter().map(|e| e["published"].as_str().unwrap()).collect();
    for t in &times {
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z'));
    }
    // Same-width ISO 8601 text sorts like time.
    for w in times.windows(2) {
        assert!(w[0] < w[1], "{} then {}", w[0], w[1]);
    }
    assert!(times[0].starts_with("2024-03-04T00:00:00"));
}

#[test]
fn events_are_about_two_kilobytes() {
    let (out, _) = generate(&config(5000, 8));
    let mean = out.len() as f64 / 5000.0;
    assert!((1700.0..=2400.0).contains(&mean), "mean line is {mean} bytes");
}

#[test]
fn one_ip_one_place_and_benign_sessions_keep_one_ip() {
    let (out, truth) = generate(&config(6000, 21));
    let attacked: BTreeSet<String> = lines(&truth)
        .iter()
        .map(|t| t["externalSessionId"].as_str().unwrap().to_string())
        .collect();
    let mut place: BTreeMap<String, String> = BTreeMap::new();
    let mut session_ips: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in lines(&out) {
        let ip = e["client"]["ipAddress"].as_str().unwrap().to_string();
        let geo = e["client"]["geographicalContext"].to_string();
        assert_eq!(place.entry(ip.clone()).or_insert_with(|| geo.clone()), &geo, "{ip}");
        assert_eq!(e["request"]["ipChain"][0]["ip"], e["client"]["ipAddress"]);
        let session = e["authenticationContext"]["externalSessionId"]
            .as_str()
            .unwrap()
            .to_string();
        if session != "unknown" && !attacked.contains(&session) {
            session_ips.entry(session).or_default().insert(ip);
        }
    }
    assert!(session_ips.len() > 300);
    for (session, ips) in &session_ips {
        assert_eq!(ips.len(), 1, "{session}: {ips:?}");
    }
}

#[test]
fn truth_lists_each_attack_and_its_events() {
    let (out, truth) = generate(&config(3000, 4));
    let events = lines(&out);
    let by_uuid: BTreeMap<&str, &Json> = events.iter().map(|e| (e["uuid"].as_str().unwrap(), e)).collect();
    let truths = lines(&truth);
    assert_eq!(truths.len(), 6);
    let mut victims = BTreeSet::new();
    for t in &truths {
        assert!(victims.insert(t["user"].as_str().unwrap()), "one attack per victim");
        let uuids = t["events"].as_array().unwrap();
        assert!(uuids.len() >= 2);
        for u in uuids {
            let e = by_uuid[u.as_str().unwrap()];
            assert_eq!(e["actor"]["alternateId"], t["user"]);
            assert_eq!(e["authenticationContext"]["externalSessionId"], t["externalSessionId"]);
        }
        let kinds: Vec<&str> = uuids
            .iter()
            .map(|u| by_uuid[u.as_str().unwrap()]["eventType"].as_str().unwrap())
            .collect();
        match t["attack"].as_str().unwrap() {
            "push-fatigue" => {
                let rejected = uuids
                    .iter()
                    .map(|u| by_uuid[u.as_str().unwrap()])
                    .filter(|e| {
                        e["eventType"] == "user.authentication.auth_via_mfa"
                            && e["outcome"]["reason"] == "INVALID_CREDENTIALS"
                    })
                    .count();
                assert_eq!(rejected as u64, t["rejected"].as_u64().unwrap());
                assert!(rejected >= 3);
            }
            "classic-push-fatigue" => {
                assert!(kinds.iter().filter(|k| **k == "user.mfa.okta_verify.deny_push").count() >= 2);
                assert!(kinds.contains(&"user.authentication.sso"));
            }
            "session-cookie" => {
                let e = by_uuid[uuids[0].as_str().unwrap()];
                assert_eq!(e["eventType"], "policy.evaluate_sign_on");
                assert_eq!(e["outcome"]["result"], "ALLOW");
                assert_eq!(e["debugContext"]["debugData"]["dtHash"], t["dtHash"]);
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn benign_users_never_deny_two_pushes_close_together() {
    let (out, truth) = generate(&config(20_000, 9));
    let victims: BTreeSet<String> = lines(&truth)
        .iter()
        .map(|t| t["user"].as_str().unwrap().to_string())
        .collect();
    let mut last: BTreeMap<String, i64> = BTreeMap::new();
    let mut denials = 0;
    for e in lines(&out) {
        let user = e["actor"]["alternateId"].as_str().unwrap().to_string();
        let denied = e["eventType"] == "user.mfa.okta_verify.deny_push"
            || (e["eventType"] == "user.authentication.auth_via_mfa"
                && e["outcome"]["result"] == "FAILURE"
                && e["debugContext"]["debugData"]["factor"] == "OKTA_VERIFY_PUSH");
        if !denied || victims.contains(&user) {
            continue;
        }
        denials += 1;
        let t = quarry_engine::time::parse_iso8601_nanos(e["published"].as_str().unwrap()).unwrap() / 1_000_000;
        if let Some(prev) = last.insert(user.clone(), t) {
            assert!(t - prev > 3_600_000, "{user} denied twice within the hour");
        }
    }
    assert!(denials > 0, "benign users deny a push now and then");
}

#[test]
fn a_realistic_mix_of_event_types() {
    let (out, _) = generate(&config(10_000, 2));
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in lines(&out) {
        *counts.entry(e["eventType"].as_str().unwrap().to_string()).or_default() += 1;
    }
    for t in [
        "policy.evaluate_sign_on",
        "user.session.start",
        "user.session.end",
        "user.authentication.sso",
        "user.authentication.auth_via_mfa",
        "user.authentication.verify",
        "system.push.send_factor_verify_push",
        "user.mfa.okta_verify.deny_push",
        "app.oauth2.as.authorize.code",
        "app.oauth2.as.token.grant.access_token",
        "group.user_membership.add",
        "user.account.lock",
    ] {
        assert!(counts.get(t).copied().unwrap_or(0) > 0, "no {t}: {counts:?}");
    }
}

#[test]
fn bad_configurations_are_refused() {
    let mut c = config(100, 1);
    c.rate = 5000.0;
    assert!(matches!(
        generate_okta(&c, &mut Vec::new(), None),
        Err(GenError::Config(_))
    ));
    let mut c = config(20, 1);
    c.attacks = vec![(AttackKind::PushFatigue, 5)];
    assert!(matches!(
        generate_okta(&c, &mut Vec::new(), None),
        Err(GenError::Config(_))
    ));
    let mut c = config(1000, 1);
    c.users = 3;
    assert!(matches!(
        generate_okta(&c, &mut Vec::new(), None),
        Err(GenError::Config(_))
    ));
}
