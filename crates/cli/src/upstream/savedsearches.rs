//! A Splunk app's `savedsearches.conf`: one stanza per saved search, the query in
//! `search = ...`, continued over several lines with a `\` at the end of each (the line
//! breaks stay in the query, as Splunk keeps them).
//!
//! ```text
//! [Okta Multiple Failed MFAs]
//! description = Many failed MFA attempts for one user
//! search = `okta` eventType=user.authentication.auth_via_mfa outcome.result=FAILURE \
//! | stats count by user \
//! | where count > 5
//! action.risk.param._risk_message = Multiple failed MFA requests for user $user$
//! action.risk.param._risk_score = 42
//! action.notable.param.severity = medium
//! ```
//!
//! Stanzas without `search`, and `[default]`, are not rules.

use super::{Format, UpstreamRule};
use crate::lang::Lang;
use crate::rules::{Origin, Rule, RuleFile, Severity};
use indexmap::IndexMap;
use quarry_syntax::spl::macros::logical_lines;
use quarry_syntax::{Code, Diagnostic};
use std::path::Path;

/// Reads every saved search of the file.
pub fn parse(text: &str, path: &Path) -> Result<Vec<UpstreamRule>, Diagnostic> {
    // Each stanza's settings: key to (line, value).
    type Settings = IndexMap<String, (usize, String)>;
    let mut stanzas: Vec<(String, Settings)> = Vec::new();
    for (line_no, line) in logical_lines(text) {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(stanza) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            stanzas.push((stanza.trim().to_string(), IndexMap::new()));
            continue;
        }
        let Some((key, value)) = trimmed.split_once('=') else {
            return Err(Diagnostic::error(
                Code::Syntax,
                format!("{}:{line_no}: expected `key = value` or `[stanza]`", path.display()),
            ));
        };
        // Settings before the first stanza belong to [default].
        if let Some((_, settings)) = stanzas.last_mut() {
            settings.insert(key.trim().to_string(), (line_no, value.trim().to_string()));
        }
    }
    let mut rules = Vec::new();
    for (stanza, settings) in stanzas {
        if stanza == "default" {
            continue;
        }
        let Some((line, search)) = settings.get("search").cloned() else {
            continue;
        };
        let get = |key: &str| settings.get(key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
        let severity = get("action.notable.param.severity").and_then(|s| severity(&s));
        let risk_score = get("action.risk.param._risk_score")
            .and_then(|s| s.parse().ok())
            .or_else(|| get("action.risk.param._risk").and_then(|s| risk_from_json(&s)));
        let file = RuleFile {
            id: stanza.clone(),
            name: stanza.clone(),
            language: Lang::Spl,
            query: search,
            sourcetype: None,
            index: Vec::new(),
            severity,
            risk_score,
            message: get("action.risk.param._risk_message"),
            description: get("description"),
            behaviour: None,
            origin: Some(Origin {
                verbatim: true,
                product: Some("Splunk saved search".into()),
                status: get("disabled").map(|d| {
                    if matches!(d.as_str(), "1" | "true" | "True") {
                        "disabled".into()
                    } else {
                        "enabled".into()
                    }
                }),
                ..Origin::default()
            }),
            mitre: None,
            parameters: Default::default(),
            tests: Vec::new(),
            timestamp_override: None,
            timestamp_override_fallback_disabled: false,
            event_category_override: None,
            tiebreaker_field: None,
        };
        rules.push(UpstreamRule {
            format: Format::SavedSearches,
            id: stanza.clone(),
            name: stanza,
            kind: None,
            language: "spl".into(),
            rule: Some(Rule {
                path: path.to_path_buf(),
                query_line: line,
                file,
            }),
        });
    }
    Ok(rules)
}

/// Splunk ES severities; `informational` is the lowest Quarry has.
fn severity(text: &str) -> Option<Severity> {
    match text.to_ascii_lowercase().as_str() {
        "informational" | "low" => Some(Severity::Low),
        "medium" => Some(Severity::Medium),
        "high" => Some(Severity::High),
        "critical" => Some(Severity::Critical),
        _ => None,
    }
}

/// The highest `risk_score` in `action.risk.param._risk` (a JSON list of risk objects).
fn risk_from_json(text: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value
        .as_array()?
        .iter()
        .filter_map(|o| o.get("risk_score").and_then(|s| s.as_f64()))
        .reduce(f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "[default]\ndispatch.earliest_time = -24h\n\n\
[Okta Multiple Failed MFAs]\n\
description = Many failed MFA attempts\n\
search = `okta` outcome.result=FAILURE \\\n| stats count by user \\\n| where count > 5\n\
action.risk.param._risk = [{\"risk_object_field\": \"user\", \"risk_score\": 42}]\n\
action.notable.param.severity = medium\n\n\
[A report without a search]\n\
cron_schedule = 0 * * * *\n";

    #[test]
    fn continued_lines_keep_their_line_breaks() {
        let rules = parse(CONF, Path::new("default/savedsearches.conf")).unwrap();
        assert_eq!(rules.len(), 1);
        let rule = rules[0].rule.as_ref().unwrap();
        assert_eq!(
            rule.file.query,
            "`okta` outcome.result=FAILURE \n| stats count by user \n| where count > 5"
        );
        assert_eq!(rule.query_line, 6);
        assert_eq!(rule.file.risk_score, Some(42.0));
        assert_eq!(rule.file.severity, Some(Severity::Medium));
    }
}
