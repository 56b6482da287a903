//! The shipped rules: each runs on each fixture with its output pinned by a snapshot, plus the
//! facts the snapshots stand for, asserted directly.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

mod common;

use quarry_cli::commands::run::{alert_json, run_rule};
use quarry_cli::rules::{collect, Rule};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

fn rule_files() -> Vec<PathBuf> {
    collect(&[common::root().join("queries")]).unwrap()
}

/// Raw Okta System Log fixtures (read with the OktaIM2:log profile).
fn fixtures() -> Vec<PathBuf> {
    fixtures_in("tests/fixtures/okta")
}

/// The same kind of events as Elastic's Okta integration indexes them (ECS).
fn ecs_fixtures() -> Vec<PathBuf> {
    fixtures_in("tests/fixtures/okta-ecs")
}

fn fixtures_in(dir: &str) -> Vec<PathBuf> {
    let dir = common::root().join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ndjson"))
        .collect();
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(common::root()).unwrap_or(path).display().to_string()
}

/// Alerts of one rule over raw Okta logs, as `quarry run --sourcetype OktaIM2:log --format json`
/// prints them.
fn alerts(rule: &Path, inputs: &[PathBuf]) -> Vec<Json> {
    alerts_with(rule, inputs, Some("OktaIM2:log"))
}

fn alerts_with(rule: &Path, inputs: &[PathBuf], sourcetype: Option<&str>) -> Vec<Json> {
    let rule = Rule::load(rule).unwrap();
    let flags = common::run_flags(sourcetype);
    // Paths relative to the workspace root keep `source` stable in snapshots.
    std::env::set_current_dir(common::root()).unwrap();
    let inputs: Vec<String> = inputs.iter().map(|p| relative(p)).collect();
    let mut found = Vec::new();
    let run = run_rule(rule, &inputs, &flags, &Default::default(), &mut |rule, event| {
        found.push(alert_json(rule, &event))
    })
    .unwrap_or_else(|f| panic!("{}", f.message));
    assert_eq!(run.report.read.bad_lines, 0);
    assert_eq!(run.results, found.len() as u64);
    found
}

#[test]
fn every_rule_on_every_fixture() {
    let settings = common::settings("rules");
    let raw = fixtures().into_iter().map(|f| (f, Some("OktaIM2:log"), ""));
    let ecs = ecs_fixtures().into_iter().map(|f| (f, None, "ecs-"));
    let all: Vec<_> = raw.chain(ecs).collect();
    for rule in rule_files() {
        for (fixture, sourcetype, prefix) in &all {
            let found = alerts_with(&rule, std::slice::from_ref(fixture), *sourcetype);
            let lines: Vec<String> = found.iter().map(|a| a.to_string()).collect();
            let name = format!(
                "{}@{prefix}{}",
                rule.file_stem().unwrap().to_string_lossy(),
                fixture.file_stem().unwrap().to_string_lossy()
            );
            settings.bind(|| insta::assert_snapshot!(name, lines.join("\n")));
        }
    }
}

fn rule(name: &str) -> PathBuf {
    common::root().join("queries/splunk").join(format!("{name}.toml"))
}

fn elastic_rule() -> PathBuf {
    common::root().join("queries/elastic/potential_abuse_of_repeated_mfa_push_notifications.toml")
}

/// The users a push-fatigue alert names (the join key of each sequence).
fn alerted_users(found: &[Json]) -> Vec<String> {
    found
        .iter()
        .map(|a| a["result"]["join_keys"][0].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn the_push_fatigue_rule_alerts_on_raw_okta_logs_through_the_profile() {
    let fixture = common::root().join("tests/fixtures/okta/push_fatigue_classic.ndjson");
    let found = alerts(&elastic_rule(), std::slice::from_ref(&fixture));
    // erin: two denials then SSO within 10 minutes; judy: exactly 10 minutes (inclusive).
    // Not frank (one denial), gina (11 minutes), hank/ivan (one denial each).
    assert_eq!(alerted_users(&found), ["erin@example.com", "judy@example.com"]);
    let events = found[0]["result"]["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(events[2]["eventType"], "user.authentication.sso");
    assert_eq!(
        found[0]["message"].as_str().unwrap().split(' ').next(),
        Some("erin@example.com")
    );
}

#[test]
fn the_push_fatigue_rule_alerts_the_same_on_ecs_events() {
    let fixture = common::root().join("tests/fixtures/okta-ecs/push_fatigue_classic.ndjson");
    let found = alerts_with(&elastic_rule(), std::slice::from_ref(&fixture), None);
    assert_eq!(alerted_users(&found), ["erin@example.com", "judy@example.com"]);
    // Without the profile, raw Okta events have no ECS fields: nothing matches.
    let raw = common::root().join("tests/fixtures/okta/push_fatigue_classic.ndjson");
    assert!(alerts_with(&elastic_rule(), std::slice::from_ref(&raw), None).is_empty());
}

#[test]
fn the_session_cookie_rule_fires_exactly_for_the_replayed_device_token() {
    let found = alerts(&rule("okta_suspicious_use_of_a_session_cookie"), &fixtures());
    assert_eq!(found.len(), 1, "{found:#?}");
    let result = &found[0]["result"];
    assert_eq!(
        result["debugContext.debugData.dtHash"],
        "8f0c2a5e7b1d4c3a9e6f0b2d4a6c8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d"
    );
    assert_eq!(result["user"], "carol@example.com");
    assert_eq!(result["dc_src_ip"], 2);
    assert_eq!(result["dc_userAgentOS"], 2);
    assert_eq!(
        found[0]["message"],
        "A user [carol@example.com] is attempting to use a session cookie from multiple IP addresses or devices. Investigate further to determine if this was authorized."
    );
    assert_eq!(found[0]["risk_score"], 56);
}

#[test]
fn the_verbatim_mismatch_rule_never_fires_not_even_on_push_spam() {
    let found = alerts(
        &rule("okta_mismatch_between_source_and_response_for_verify_push_request"),
        &fixtures(),
    );
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn why_the_mismatch_rule_cannot_fire() {
    // Its aggregation, run on the push spam, shows the counters the final search tests: the
    // string literals make every one of them zero, and everything lands in one group.
    let query = Rule::load(&rule(
        "okta_mismatch_between_source_and_response_for_verify_push_request",
    ))
    .unwrap()
    .file
    .query;
    let upto_search = &query[..query.find("| search").unwrap()];
    let data = std::fs::read_to_string(common::root().join("tests/fixtures/okta/push_spam.ndjson")).unwrap();
    let rows = common::spl_with(
        &format!("{upto_search} | table groupby total_pushes total_successes total_rejected suspect_device_from_source suspect_ip_from_source ratio src dc_ip"),
        &data,
        common::Opts {
            sourcetype: Some("OktaIM2:log"),
            ..common::Opts::default()
        },
    );
    assert_eq!(
        rows,
        vec![serde_json::json!({
            "groupby": "authenticationContext.externalSessionId",
            "total_pushes": 0, "total_successes": 0, "total_rejected": 0,
            "suspect_device_from_source": 0, "suspect_ip_from_source": 0,
            "src": ["", "client.ipAddress"], "dc_ip": 2
        })]
    );
}

#[test]
fn rule_files_are_complete() {
    for path in rule_files() {
        let rule = Rule::load(&path).unwrap();
        let f = &rule.file;
        assert!(
            f.severity.is_some() && f.risk_score.is_some() && f.message.is_some(),
            "{}",
            path.display()
        );
        let origin = f.origin.as_ref().expect("origin");
        assert!(
            origin.url.is_some() && origin.version.is_some() && origin.license.is_some(),
            "{}",
            path.display()
        );
        assert!(
            !f.mitre.as_ref().expect("mitre").techniques.is_empty(),
            "{}",
            path.display()
        );
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        // `x.eql.toml` and `x.spl.toml` are one detection in two languages.
        assert_eq!(
            stem.replace('.', "_"),
            file_name_for(&f.name),
            "rule files are named after the detection"
        );
    }
}

/// A detection's name as a file name: lower case, runs of other characters as one `_`.
fn file_name_for(name: &str) -> String {
    let lowered: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join("_")
}

/// Rules marked verbatim hold the seeds' text, byte for byte (checked where ../shared is
/// present), and every seed rule is marked verbatim.
#[test]
fn rule_queries_are_verbatim_copies_of_the_seeds() {
    let seed_rules = [
        "splunk/okta_mismatch_between_source_and_response_for_verify_push_request.toml",
        "splunk/okta_suspicious_use_of_a_session_cookie.toml",
        "elastic/potential_abuse_of_repeated_mfa_push_notifications.toml",
    ];
    for seed_rule in seed_rules {
        let rule = Rule::load(&common::root().join("queries").join(seed_rule)).unwrap();
        assert!(
            rule.file.origin.unwrap().verbatim,
            "{seed_rule} is a verbatim vendor rule"
        );
    }
    let seeds = common::root().join("../shared/seeds");
    if !seeds.is_dir() {
        eprintln!("skipped: ../shared/seeds not present");
        return;
    }
    let mut texts = String::new();
    for entry in std::fs::read_dir(&seeds).unwrap() {
        texts.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    for path in rule_files() {
        let file = Rule::load(&path).unwrap().file;
        if file.origin.is_some_and(|o| o.verbatim) {
            assert!(texts.contains(&file.query), "{} is not verbatim", path.display());
        }
    }
}

#[test]
fn the_corrected_mismatch_rule_fires_on_pushes_answered_from_elsewhere_only() {
    let corrected = rule("okta_mismatch_between_source_and_response_for_verify_push_request_corrected");
    for fixture in fixtures() {
        let found = alerts(&corrected, std::slice::from_ref(&fixture));
        if fixture.ends_with("push_rejections_identity_engine.ndjson") {
            // Six pushes from a new device in Bucharest, all rejected from Portland.
            assert_eq!(found.len(), 1, "{found:#?}");
            assert_eq!(found[0]["result"]["actor.alternateId"], "kim@example.com");
            assert_eq!(found[0]["result"]["total_rejected"], 6);
        } else if fixture.ends_with("push_spam.ndjson") {
            assert_eq!(found.len(), 1, "{found:#?}");
            let result = &found[0]["result"];
            assert_eq!(result["groupby"], "102Qx7hVn0aTq6Sg1KpZb9mRw");
            assert_eq!(result["src"], "198.51.100.23");
            assert_eq!(result["dest"], "203.0.113.77");
            assert_eq!(result["total_rejected"], 4);
        } else {
            assert!(found.is_empty(), "{}: {found:#?}", fixture.display());
        }
    }
}

#[test]
fn the_rule_library_passes_its_own_tests() {
    use quarry_cli::commands::test::{render, run_tests};
    std::env::set_current_dir(common::root()).unwrap();
    let report = run_tests(
        &[PathBuf::from("queries")],
        &common::run_flags(None),
        &Default::default(),
        None,
    )
    .unwrap();
    let text = render(&report);
    assert_eq!(report.failed(), 0, "{text}");
    // Every rule has an attack case and a look-alike that must stay quiet.
    assert!(report.incomplete.is_empty(), "{text}");
    assert!(report.cases.len() >= 2 * rule_files().len(), "{text}");
}

/// The real public Okta events (../shared/okta-samples, present in CI) load, and every shipped
/// rule runs on them without a bad line or an error.
#[test]
fn every_rule_runs_on_the_public_okta_samples() {
    let samples = common::root().join("../shared/okta-samples");
    if !samples.is_dir() {
        eprintln!("skipped: ../shared/okta-samples not present");
        return;
    }
    // Panther's test cases wrap each event with its expected outcome: keep the events.
    let panther = std::fs::read_to_string(samples.join("panther_tests.jsonl")).unwrap();
    let events: Vec<String> = panther
        .lines()
        .map(|l| serde_json::from_str::<Json>(l).unwrap()["event"].to_string())
        .collect();
    assert_eq!(events.len(), 122);
    let panther_file = std::env::temp_dir().join(format!("quarry-panther-{}.ndjson", std::process::id()));
    std::fs::write(&panther_file, events.join("\n") + "\n").unwrap();
    let mut runs: Vec<(PathBuf, Option<&str>)> = vec![
        (samples.join("raw/all_raw_dedup.ndjson"), Some("OktaIM2:log")),
        (panther_file.clone(), Some("OktaIM2:log")),
    ];
    for ecs in fixtures_in("../shared/okta-samples/ecs") {
        runs.push((ecs, None));
    }
    let mut lines = Vec::new();
    for rule in rule_files() {
        for (input, sourcetype) in &runs {
            // alerts_with asserts that no line was bad.
            let found = alerts_with(&rule, std::slice::from_ref(input), *sourcetype);
            lines.push(format!(
                "{} on {}: {} alert(s)",
                rule.file_stem().unwrap().to_string_lossy(),
                input.file_name().unwrap().to_string_lossy(),
                found.len()
            ));
        }
    }
    std::fs::remove_file(&panther_file).unwrap();
    eprintln!("{}", lines.join("\n"));
    // Every real raw event has its time read from `published`, except Okta's documentation
    // example, which is dated September 31.
    let raw = std::fs::read_to_string(samples.join("raw/all_raw_dedup.ndjson")).unwrap();
    let undated = common::spl_with(
        r#"| where isnull(_time) | table published"#,
        &raw,
        common::Opts {
            sourcetype: Some("OktaIM2:log"),
            ..common::Opts::default()
        },
    );
    assert_eq!(
        undated,
        vec![serde_json::json!({"published": "2017-09-31T22:23:07.777Z"})]
    );
}

/// `quarry run DIR` reads the logs once for every rule, giving each rule only the lines its
/// own prefilter passes: every rule must alert exactly as it does alone.
#[test]
fn all_rules_in_one_pass_alert_as_each_rule_alone() {
    use quarry_cli::commands::run::{run_prepared, Preparer};
    let log = std::env::temp_dir().join(format!("quarry-one-pass-{}.ndjson", std::process::id()));
    std::fs::write(&log, common::generated_okta(6000, 5)).unwrap();
    let flags = common::run_flags(Some("OktaIM2:log"));
    let inputs = vec![log.display().to_string()];
    let eql = Default::default();
    let mut preparer = Preparer::new(&flags, &eql);
    let prepared: Vec<_> = rule_files()
        .iter()
        .map(|path| {
            preparer
                .prepare(Rule::load(path).unwrap(), &Default::default(), None)
                .unwrap()
        })
        .collect();
    let mut together: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let passes = run_prepared(prepared, &inputs, &flags, None, &mut |rule, event| {
        together
            .entry(rule.path.display().to_string())
            .or_default()
            .push(alert_json(rule, &event).to_string())
    });
    assert_eq!(passes.len(), 1, "every shipped rule reads Okta logs the same way");
    assert!(passes[0].read.prefiltered > 0, "lines no rule needs are skipped");
    let mut alerting = 0;
    for path in rule_files() {
        let mut alone = Vec::new();
        run_rule(Rule::load(&path).unwrap(), &inputs, &flags, &eql, &mut |rule, event| {
            alone.push(alert_json(rule, &event).to_string())
        })
        .unwrap_or_else(|f| panic!("{}", f.message));
        let key = Rule::load(&path).unwrap().path.display().to_string();
        let in_pass = together.remove(&key).unwrap_or_default();
        assert_eq!(in_pass, alone, "{}", path.display());
        alerting += usize::from(!alone.is_empty());
    }
    assert!(together.is_empty(), "alerts of unknown rules: {together:?}");
    assert!(
        alerting >= 5,
        "the generated attacks make most rules alert ({alerting})"
    );
    std::fs::remove_file(&log).ok();
}
