#![allow(clippy::unwrap_used)] // tests fail loudly by design
//! `quarry lint`: one test per finding with a minimal query, near misses that must stay quiet,
//! the shipped rules (the verbatim mismatch rule names every reason it cannot fire; every
//! other rule is clean), and a census of the public corpora (run with `--ignored`).

mod common;

use common::{codes, lint};
use quarry_cli::rules::{collect, Rule};
use std::collections::BTreeMap;

fn rule_path(name: &str) -> std::path::PathBuf {
    common::root().join("queries").join(name)
}

/// Lints a shipped rule as `quarry lint` does: named by its path relative to the workspace,
/// with its own sourcetype.
fn lint_rule(path: &std::path::Path) -> (Vec<quarry_syntax::Diagnostic>, String) {
    let rule = Rule::load(path).unwrap();
    let name = path.strip_prefix(common::root()).unwrap().display().to_string();
    let query = rule.query_with(&Default::default()).unwrap();
    common::lint_named(&name, &query, rule.query_line, rule.file.sourcetype.as_deref())
}

fn has(findings: &[quarry_syntax::Diagnostic], code: &str, text: &str) -> bool {
    findings
        .iter()
        .any(|d| d.code.as_str() == code && (d.message.contains(text) || d.help.iter().any(|h| h.contains(text))))
}

// ------------------------------------------------------------------ L0001

#[test]
fn l0001_two_strings_compared() {
    let (f, text) = lint(r#"x | eval ok=if(a=1 AND "outcome.result"="SUCCESS", 1, 2)"#, None);
    assert_eq!(codes(&f), ["L0001"]);
    assert!(f[0].message.contains("always false"), "{text}");
    assert!(f[0].help[0].contains("did you mean 'outcome.result'?"), "{text}");
    assert!(f[0].help[0].contains(r#"'outcome.result'="SUCCESS""#), "{text}");
    assert!(text.contains("^") || text.contains("-----"), "{text}");
}

#[test]
fn l0001_like_against_a_string() {
    let (f, _) = lint(r#"x | where "a.b" LIKE "%x%""#, None);
    assert_eq!(codes(&f), ["L0001", "L0004"]);
    assert!(f[0].help[0].contains(r#"'a.b' LIKE "%x%""#));
    let (f, _) = lint(r#"x | eval y=if(like("abc", "a%"), 1, 2)"#, None);
    assert_eq!(codes(&f), ["L0001"]);
    assert!(f[0].message.contains("always true"));
}

#[test]
fn l0001_near_misses() {
    // A field in single quotes, a number comparison (the `1=1` idiom), a search-language
    // comparison (where double quotes may name a field).
    for q in [
        r#"x | eval ok=if('outcome.result'="SUCCESS", 1, 2)"#,
        r#"x | eval y=case(a=1, "a", 1=1, "b")"#,
        r#""outcome.result"="SUCCESS" | stats count"#,
        r#"x | where outcome="a.b""#,
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
}

// ------------------------------------------------------------------ L0002

#[test]
fn l0002_field_name_stored_as_text() {
    let (f, text) = lint(
        r#"x | eval groupby="authenticationContext.externalSessionId" | stats count by authenticationContext.externalSessionId groupby"#,
        None,
    );
    assert_eq!(codes(&f), ["L0002"], "{text}");
    assert!(f[0].help[0].contains("'authenticationContext.externalSessionId'"));
}

#[test]
fn l0002_field_name_in_a_branch_known_to_the_profile() {
    let q = r#"x | stats values(eval(if(eventType="a", "client.ipAddress", ""))) as src by actor.alternateId"#;
    let (f, _) = lint(q, Some("OktaIM2:log"));
    assert_eq!(codes(&f), ["L0002"]);
    // Without the profile nothing in the query names client.ipAddress as a field.
    assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new());
}

#[test]
fn l0002_near_misses() {
    for q in [
        // Ordinary values, even when a field of that name exists.
        r#"x | eval action="success", user="user" | stats count by user action host"#,
        // A dotted text that names no field.
        r#"x | eval proc="cmd.exe" | stats count by proc host"#,
        // The field itself.
        r#"x | eval g='a.b' | stats count by a.b g"#,
        // A string argument, not a produced value.
        r#"x | eval y=coalesce(a, b) | eval z=replace(y, "a.b", "") | stats count by a.b z"#,
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
}

// ------------------------------------------------------------------ L0003

#[test]
fn l0003_equal_branches() {
    let (f, _) = lint(r#"x | eval y=if(a="b", 0, 0)"#, None);
    assert_eq!(codes(&f), ["L0003"]);
    assert!(f[0].message.contains("give 0"));
    let (f, _) = lint(r#"x | eval y=case(a=1, "k", a=2, "k")"#, None);
    assert_eq!(codes(&f), ["L0003"]);
}

#[test]
fn l0003_near_misses() {
    for q in [
        r#"x | eval y=if(a="b", 1, 0)"#,
        r#"x | eval y=case(a=1, "k", a=2, "j")"#,
        r#"x | eval y=case(a=1, "k")"#,
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
}

// ------------------------------------------------------------------ L0004

#[test]
fn l0004_condition_on_a_constant() {
    let (f, text) = lint("x | eval n=0 | where n > 0", None);
    assert_eq!(codes(&f), ["L0004"], "{text}");
    // The condition and where the constant came from.
    assert!(f[0]
        .labels
        .iter()
        .any(|l| l.primary && l.message.contains("never true")));
    assert!(f[0]
        .labels
        .iter()
        .any(|l| !l.primary && l.message.contains("`n` is always 0")));
}

#[test]
fn l0004_sum_of_a_never_true_condition() {
    let (f, text) = lint(
        r#"x | stats sum(eval(if(a="b" AND "c.d"="e", 1, 0))) as hits by host | search hits > 0"#,
        None,
    );
    assert_eq!(codes(&f), ["L0001", "L0004"], "{text}");
    assert!(
        text.contains("`hits` is always 0: the condition of its `if` is never true"),
        "{text}"
    );
}

#[test]
fn l0004_division_by_zero_gives_null() {
    let (f, text) = lint("x | eval zero=0 | eval r=round(a/zero, 2) | where r < 0.5", None);
    assert_eq!(codes(&f), ["L0004"], "{text}");
    assert!(
        text.contains("`r` is always null: it divides by zero, which gives null"),
        "{text}"
    );
}

#[test]
fn l0004_equal_branches_summed() {
    let (f, text) = lint(
        "x | stats sum(eval(if(a=1, 0, 0))) as s count by host | search s > 0 count > 1",
        None,
    );
    assert_eq!(codes(&f), ["L0003", "L0004"], "{text}");
    assert!(text.contains("both branches of its `if` are the same"), "{text}");
}

#[test]
fn l0004_near_misses() {
    for q in [
        // Always true is not a finding; a field that varies is unknown.
        "x | eval n=0 | where n >= 0",
        "x | eval n=0 | eval n=count | where n > 0",
        r#"x | stats sum(eval(if(a="b", 1, 0))) as hits by host | search hits > 0"#,
        // One side of an OR can still hold.
        "x | eval n=0 | search n > 0 OR m > 0",
        // NOT of a never-matching comparison matches.
        "x | eval n=0 | search NOT n > 0",
        // A command the lint does not model may change the field.
        r#"x | eval n=0 | rex field=_raw "n=(?<n>\d+)" | where n > 0"#,
        // fillnull with a field list fills a field that was null.
        "x | eval n=null() | fillnull value=1 n | where n > 0",
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
}

// ------------------------------------------------------------------ L0005

#[test]
fn l0005_grouping_by_a_constant() {
    let (f, text) = lint(r#"x | eval g="a.b" | stats count by g"#, None);
    assert_eq!(codes(&f), ["L0005"], "{text}");
    assert!(f[0].message.contains("one group"));
    assert!(f[0]
        .labels
        .iter()
        .any(|l| !l.primary && l.message.contains("`g` is always \"a.b\"")));
    assert!(f[0].help[0].contains("eval g='a.b'"));
}

#[test]
fn l0005_near_misses() {
    for q in [
        r#"x | eval g="k" | stats count by g h"#,
        r#"x | eval g="k" | eval g=h | stats count by g"#,
        r#"x | stats count by g"#,
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
}

// ------------------------------------------------------------------ L0006

#[test]
fn l0006_grouping_by_a_field_the_source_never_produces() {
    let (f, text) = lint("eventType=x | stats count by actor.alternateID", Some("OktaIM2:log"));
    assert_eq!(codes(&f), ["L0006"], "{text}");
    assert!(f[0].message.contains("drops every event"));
    assert!(f[0].help[0].contains("did you mean `actor.alternateId`?"), "{text}");
}

#[test]
fn l0006_grouping_by_a_field_that_is_always_null() {
    let (f, _) = lint("x | eval n=null() | stats count by n", None);
    assert_eq!(codes(&f), ["L0006"]);
    assert!(f[0].message.contains("always null"));
}

#[test]
fn l0006_near_misses() {
    for q in [
        // Produced by the source (often null), by an alias, a calculated field, eval,
        // fillnull with a field list, rename, iplocation and an earlier stats.
        "x | stats count by debugContext.debugData.dtHash user event.outcome",
        "x | eval k=1 | fillnull value=none extra | stats count by k extra",
        "x | rename actor.alternateId as who | iplocation client.ipAddress | stats count by who City",
        "x | stats count by eventType | stats count by count",
        // After a command the lint does not model, anything may exist.
        r#"x | rex field=_raw "(?<thing>\w+)" | stats count by thing"#,
        // eventstats keeps the events whose by-field is null.
        "x | eventstats count by nothing_here",
    ] {
        assert_eq!(codes(&lint(q, Some("OktaIM2:log")).0), Vec::<&str>::new(), "{q}");
    }
    // Without a source profile nothing is known about the source's fields.
    assert_eq!(codes(&lint("x | stats count by anything", None).0), Vec::<&str>::new());
}

#[test]
fn l0006_fields_removed_are_gone() {
    let (f, _) = lint(
        "x | fields - client.ipAddress | stats count by client.ipAddress",
        Some("OktaIM2:log"),
    );
    assert_eq!(codes(&f), ["L0006"]);
}

// ------------------------------------------------------------------ L0007

#[test]
fn l0007_undefined_macro() {
    let (f, text) = lint("`nowhere` x | stats count by host | `my_rule_filter`", None);
    assert_eq!(codes(&f), ["L0007"], "{text}");
    assert!(f[0].message.contains("undefined macro `nowhere`"));
    // The rest of the query is still examined.
    let (f, _) = lint("`nowhere` x | eval g=\"k\" | stats count by g", None);
    assert_eq!(codes(&f), ["L0007", "L0005"]);
}

// ------------------------------------------------------------------ L0008

#[test]
fn l0008_wildcard_with_equality() {
    let (f, text) = lint(r#"process where process.name == "cmd*""#, None);
    assert_eq!(codes(&f), ["L0008"], "{text}");
    assert!(f[0].help[0].contains(r#"process.name : "cmd*""#), "{text}");
    assert!(f[0].help[0].contains(r#"process.name like "cmd*""#), "{text}");
    let (f, _) = lint(r#"process where process.name != "c?d.exe""#, None);
    assert!(f[0].help[0].contains("not process.name :"));
    let (f, _) = lint(r#"process where process.args in ("-o*", "x")"#, None);
    assert_eq!(codes(&f), ["L0008"]);
    assert!(f[0].help[0].contains(r#"process.args : ("-o*", "x")"#));
}

#[test]
fn l0008_near_misses() {
    for q in [
        r#"process where process.name : "cmd*""#,
        r#"process where process.name like~ ("cmd*", "x?")"#,
        r#"process where process.name == "cmd.exe" and process.args in ("a", "b")"#,
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
    // endgame's `==` does read `*` as a wildcard.
    let mut sources = quarry_syntax::SourceMap::new();
    let id = sources.add("q", r#"process where name == "cmd*""#, quarry_syntax::SourceKind::Query);
    let endgame = quarry_engine::eql::Semantics {
        dialect: quarry_engine::eql::Dialect::Endgame,
        case_sensitive: false,
    };
    assert!(quarry_engine::lint::lint_eql(&sources, id, endgame).unwrap().is_empty());
}

// ------------------------------------------------------------------ L0009

#[test]
fn l0009_sequence_without_maxspan() {
    let (f, text) = lint("sequence by host.id [process where true] [file where true]", None);
    assert_eq!(codes(&f), ["L0009"], "{text}");
    assert!(f[0].help[0].contains("with maxspan="));
    let (f, _) = lint("sequence with maxspan=0s [process where true] [file where true]", None);
    assert_eq!(codes(&f), ["L0009"]);
    assert!(f[0].message.contains("maxspan=0s"));
}

#[test]
fn l0009_near_misses() {
    for q in [
        "sequence by host.id with maxspan=5m [process where true] [file where true]",
        "process where true",
        "sample by host [process where true] [file where true]",
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
}

// ------------------------------------------------------------------ L0010

#[test]
fn l0010_streamstats_window_by_without_global_false() {
    let q = "x | streamstats current=f window=1 last(n) as previous by user";
    let (f, text) = lint(q, None);
    assert_eq!(codes(&f), ["L0010"], "{text}");
    assert!(f[0].message.contains("window=1 ... by user"), "{text}");
    assert!(f[0].help[0].contains("global=false"), "{text}");
    // Spelled out, `global=true` is the same single window.
    let (f, text) = lint("x | streamstats window=5 global=true count by a b", None);
    assert_eq!(codes(&f), ["L0010"], "{text}");
    assert!(text.contains("a single window"), "{text}");
}

#[test]
fn l0010_near_misses() {
    for q in [
        "x | streamstats current=f window=1 global=false last(n) as previous by user",
        "x | streamstats window=1 global=f count by user",
        "x | streamstats window=1 global=no count by user",
        "x | streamstats window=3 avg(n)",
        "x | streamstats window=0 count by user",
        "x | streamstats count by user",
        "x | streamstats time_window=1h count by user",
    ] {
        assert_eq!(codes(&lint(q, None).0), Vec::<&str>::new(), "{q}");
    }
}

// ------------------------------------------------------------------ shipped rules

/// The verbatim ESCU rule: every reason its `behaviour` gives, and the final search.
#[test]
fn the_verbatim_mismatch_rule_names_every_reason() {
    let path = rule_path("splunk/okta_mismatch_between_source_and_response_for_verify_push_request.toml");
    let (f, text) = lint_rule(&path);
    // 1. eval groupby="..." stores the text, so stats ... by groupby makes one group.
    assert!(has(&f, "L0002", "authenticationContext.externalSessionId"), "{text}");
    assert!(has(&f, "L0005", "`groupby` is always"), "{text}");
    // 2. "outcome.result"="SUCCESS" (twice) and ="FAILURE" compare two strings.
    let outcome = f
        .iter()
        .filter(|d| d.code.as_str() == "L0001" && d.help[0].contains("'outcome.result'"))
        .count();
    assert_eq!(outcome, 3, "{text}");
    // 3. "debugContext.debugData.behaviors" LIKE ... tests the string (New Device, New IP).
    let behaviors = f
        .iter()
        .filter(|d| d.code.as_str() == "L0001" && d.help[0].contains("'debugContext.debugData.behaviors'"))
        .count();
    assert_eq!(behaviors, 2, "{text}");
    // 4. if(..., 0, 0).
    assert!(has(&f, "L0003", "give 0"), "{text}");
    // 5. values(eval(if(..., "client.ipAddress", ""))) as src and as dest.
    let ip = f
        .iter()
        .filter(|d| d.code.as_str() == "L0002" && d.message.contains("client.ipAddress"))
        .count();
    assert_eq!(ip, 2, "{text}");
    // The final search can never match: every constant it reads is named with its origin.
    let never: Vec<_> = f.iter().filter(|d| d.code.as_str() == "L0004").collect();
    assert_eq!(never.len(), 1, "{text}");
    for field in [
        "ratio",
        "total_pushes",
        "total_rejected",
        "suspect_device_from_source",
        "suspect_ip_from_source",
    ] {
        assert!(
            never[0]
                .labels
                .iter()
                .any(|l| !l.primary && l.message.starts_with(&format!("`{field}` is always"))),
            "{field}\n{text}"
        );
    }
    assert!(text.contains("it divides by zero, which gives null"), "{text}");
    assert_eq!(f.len(), 11, "{text}");
    common::settings("lint").bind(|| insta::assert_snapshot!("okta_mismatch_verbatim", text));
}

#[test]
fn every_other_shipped_rule_is_clean() {
    let verbatim = rule_path("splunk/okta_mismatch_between_source_and_response_for_verify_push_request.toml");
    let rules = collect(&[common::root().join("queries")]).unwrap();
    assert!(rules.len() >= 4);
    for path in rules.iter().filter(|p| **p != verbatim) {
        let (f, text) = lint_rule(path);
        assert!(f.is_empty(), "{}:\n{text}", path.display());
    }
}

/// Counts, per code, how many corpus rules get the finding and how often.
#[test]
#[ignore = "a measurement over ../shared/corpus, not a check"]
fn corpus_census() {
    let corpus = common::root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: ../shared/corpus not present");
        return;
    }
    let mut macros = quarry_cli::library::builtin_macros();
    quarry_cli::library::load_macros(&mut macros, &corpus.join("splunk_macros.jsonl")).unwrap();
    let profiles = quarry_cli::library::builtin_profiles().unwrap();
    let census = |label: &str, queries: Vec<(String, String, Option<String>)>, spl: bool| {
        let mut rules: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut total: BTreeMap<&'static str, usize> = BTreeMap::new();
        let mut examples: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        let (mut failed, mut clean) = (0, 0);
        for (name, query, sourcetype) in &queries {
            let mut sources = quarry_syntax::SourceMap::new();
            let id = sources.add(name.as_str(), query.as_str(), quarry_syntax::SourceKind::Query);
            let profile = sourcetype.as_deref().and_then(|s| profiles.get(s));
            let result = if spl {
                quarry_engine::lint::lint_spl(&mut sources, id, &macros, profile.as_deref())
            } else {
                quarry_engine::lint::lint_eql(&sources, id, quarry_engine::eql::Semantics::default())
            };
            let Ok(findings) = result else {
                failed += 1;
                continue;
            };
            if findings.is_empty() {
                clean += 1;
            }
            let mut seen = Vec::new();
            for f in &findings {
                let code = f.code.as_str();
                *total.entry(code).or_default() += 1;
                if !seen.contains(&code) {
                    seen.push(code);
                    *rules.entry(code).or_default() += 1;
                    examples.entry(code).or_default().push(format!(
                        "{name}: {}\n{}",
                        f.message,
                        quarry_cli::diagnostics::render(f, &sources, false)
                    ));
                }
            }
        }
        eprintln!(
            "== {label}: {} queries, {clean} clean, {failed} not examined (parse errors)",
            queries.len()
        );
        for (code, n) in &rules {
            eprintln!("{code}: {n} rule(s), {} finding(s)", total[code]);
        }
        if std::env::var_os("LINT_CENSUS_EXAMPLES").is_some() {
            for (code, list) in &examples {
                for e in list {
                    eprintln!("--- {code} {e}");
                }
            }
        }
    };
    let read = |file: &str, field: &str| -> Vec<(String, String, Option<String>)> {
        std::fs::read_to_string(corpus.join(file))
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let sourcetype = v["test_data"][0]["sourcetype"].as_str().map(str::to_string);
                (
                    v["name"].as_str().unwrap_or_default().to_string(),
                    v[field].as_str().unwrap_or_default().to_string(),
                    sourcetype,
                )
            })
            .collect()
    };
    let escu = read("splunk_detections_public.jsonl", "search");
    let without: Vec<_> = escu.iter().map(|(n, q, _)| (n.clone(), q.clone(), None)).collect();
    census("ESCU detections", without, true);
    let okta: Vec<_> = escu
        .into_iter()
        .filter(|(_, _, s)| s.as_deref().is_some_and(|s| profiles.get(s).is_some()))
        .collect();
    census("ESCU detections with a shipped source profile", okta, true);
    census("Elastic EQL rules", read("elastic_eql_public.jsonl", "query"), false);
}
