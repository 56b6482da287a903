//! Splunk security_content (ESCU) detections: `detections/**/*.yml`, one per file.
//!
//! ```yaml
//! name: Okta Multiple Failed MFAs
//! id: 826dbaae-a1e6-4c8c-b384-d16898956e73
//! type: Anomaly                      # TTP, Hunting, Correlation, Baseline, ...
//! status: production
//! search: '`okta` eventType=user.authentication.auth_via_mfa ... | `okta_multiple_failed_mfas_filter`'
//! rba:                               # newer releases
//!   message: Multiple failed MFA requests for user $user$
//!   risk_objects: [{field: user, type: user, score: 42}]
//! tags:                              # older releases keep message and score here
//!   message: ...
//!   risk_score: 42
//!   mitre_attack_id: [T1110]
//! ```

use super::{query_line, Format, UpstreamRule};
use crate::lang::Lang;
use crate::rules::{Mitre, Origin, Rule, RuleFile};
use quarry_syntax::{Code, Diagnostic};
use serde_yaml_ng::Value as Yaml;
use std::path::Path;

/// Does this YAML text look like a detection: top-level `name` and `search` keys? Macro and
/// lookup definitions have `definition` and `filename` instead. Decided on the text alone, so
/// that a detection with broken YAML is still reported as one.
pub fn looks_like_detection(text: &str) -> bool {
    let has_key = |key: &str| text.starts_with(&format!("{key}:")) || text.contains(&format!("\n{key}:"));
    has_key("search") && has_key("name")
}

/// Reads one detection.
pub fn parse(text: &str, path: &Path) -> Result<UpstreamRule, Diagnostic> {
    let bad = |message: String| Diagnostic::error(Code::Syntax, format!("{}: {message}", path.display()));
    let doc: Yaml = serde_yaml_ng::from_str(text).map_err(|e| bad(format!("not a detection: {e}")))?;
    let string = |v: Option<&Yaml>| v.and_then(scalar_text);
    let search = string(doc.get("search")).ok_or_else(|| bad("no `search`".into()))?;
    let name = string(doc.get("name")).ok_or_else(|| bad("no `name`".into()))?;
    let id = string(doc.get("id")).unwrap_or_else(|| name.clone());
    let tags = doc.get("tags");
    let rba = doc.get("rba");
    let message = string(rba.and_then(|r| r.get("message"))).or_else(|| string(tags.and_then(|t| t.get("message"))));
    let risk_score = risk_score(rba, tags);
    let techniques = tags
        .and_then(|t| t.get("mitre_attack_id"))
        .and_then(Yaml::as_sequence)
        .map(|s| s.iter().filter_map(scalar_text).collect())
        .unwrap_or_default();
    let file = RuleFile {
        id: id.clone(),
        name: name.clone(),
        language: Lang::Spl,
        query: search.clone(),
        sourcetype: None,
        index: Vec::new(),
        severity: None,
        risk_score,
        message,
        description: string(doc.get("description")).map(|d| d.trim().to_string()),
        behaviour: None,
        origin: Some(Origin {
            verbatim: true,
            product: Some("Splunk ES Content Update".into()),
            version: string(doc.get("version")),
            date: string(doc.get("date")),
            status: string(doc.get("status")),
            authors: string(doc.get("author")),
            ..Origin::default()
        }),
        mitre: Some(Mitre {
            tactics: Vec::new(),
            techniques,
        }),
        parameters: Default::default(),
        tests: Vec::new(),
        timestamp_override: None,
        timestamp_override_fallback_disabled: false,
        event_category_override: None,
        tiebreaker_field: None,
    };
    Ok(UpstreamRule {
        format: Format::Escu,
        id,
        name,
        kind: string(doc.get("type")),
        language: "spl".into(),
        rule: Some(Rule {
            path: path.to_path_buf(),
            query_line: query_line(text, &search, "search:"),
            file,
        }),
    })
}

/// `rba.risk_objects[].score` (the highest), else `tags.risk_score`.
fn risk_score(rba: Option<&Yaml>, tags: Option<&Yaml>) -> Option<f64> {
    let from_rba = rba
        .and_then(|r| r.get("risk_objects"))
        .and_then(Yaml::as_sequence)
        .and_then(|objects| {
            objects
                .iter()
                .filter_map(|o| o.get("score").and_then(number))
                .reduce(f64::max)
        });
    from_rba.or_else(|| tags.and_then(|t| t.get("risk_score")).and_then(number))
}

fn number(v: &Yaml) -> Option<f64> {
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// A scalar as text (numbers and booleans as written).
fn scalar_text(v: &Yaml) -> Option<String> {
    match v {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DETECTION: &str = r#"name: Okta Multiple Failed MFAs
id: 826dbaae-a1e6-4c8c-b384-d16898956e73
version: 3
type: Anomaly
status: production
search: '`okta` eventType=user.authentication.auth_via_mfa outcome.result=FAILURE
  | stats count by user | where count > 5 | `okta_multiple_failed_mfas_filter`'
rba:
  message: Multiple failed MFA requests for user $user$
  risk_objects:
  - field: user
    type: user
    score: 42
  - field: src
    type: system
    score: 20
tags:
  mitre_attack_id:
  - T1110
"#;

    #[test]
    fn a_detection_becomes_a_rule_with_its_message_and_highest_risk_score() {
        assert!(looks_like_detection(DETECTION));
        let up = parse(DETECTION, Path::new("detections/application/x.yml")).unwrap();
        assert_eq!(up.kind.as_deref(), Some("Anomaly"));
        let rule = up.rule.unwrap();
        assert_eq!(rule.file.language, Lang::Spl);
        assert_eq!(rule.file.risk_score, Some(42.0));
        assert_eq!(
            rule.file.message.as_deref(),
            Some("Multiple failed MFA requests for user $user$")
        );
        // YAML folds the quoted line break into a space.
        assert_eq!(
            rule.file.query,
            "`okta` eventType=user.authentication.auth_via_mfa outcome.result=FAILURE | stats count by user | where count > 5 | `okta_multiple_failed_mfas_filter`"
        );
        assert_eq!(rule.query_line, 6);
    }

    #[test]
    fn macro_and_lookup_definitions_are_not_detections() {
        assert!(!looks_like_detection(
            "name: okta\ndefinition: sourcetype=\"OktaIM2:log\"\n"
        ));
        assert!(!looks_like_detection("name: x\nfilename: x.csv\n"));
    }
}
