//! Elastic detection-rules: `rules/**/*.toml`, one rule per file.
//!
//! ```toml
//! [metadata]
//! maturity = "production"
//!
//! [rule]
//! rule_id = "97a8e584-fd3b-421f-9b9d-9c9d9e57e9d7"
//! name = "Potential Abuse of Repeated MFA Push Notifications"
//! type = "eql"                      # query, threshold, new_terms, esql, machine_learning, ...
//! language = "eql"                  # kuery, lucene, esql
//! index = ["filebeat-*", "logs-okta*"]
//! risk_score = 73
//! severity = "high"
//! timestamp_override = "event.ingested"      # the time events are ordered by
//! event_category_override = "event.type"    # what `process where` tests
//! tiebreaker_field = "event.sequence"        # orders events with the same time
//! query = '''
//! sequence by user.email with maxspan=10m [...] [...]
//! '''
//! ```
//!
//! `timestamp_override`, `event_category_override` and `tiebreaker_field` are kept on the rule
//! and honoured when it runs.

use super::{query_line, Format, UpstreamRule};
use crate::lang::Lang;
use crate::rules::{Mitre, Origin, Rule, RuleFile, Severity};
use quarry_syntax::{Code, Diagnostic};
use std::path::Path;
use toml::Value;

/// Does this TOML text hold an Elastic rule (a `[rule]` table)? Decided on the text alone, so
/// that a rule with broken TOML is still reported as one.
pub fn looks_like_rule(text: &str) -> bool {
    text.starts_with("[rule]") || text.contains("\n[rule]")
}

/// Reads one rule.
pub fn parse(text: &str, path: &Path) -> Result<UpstreamRule, Diagnostic> {
    let bad = |message: String| Diagnostic::error(Code::Syntax, format!("{}: {message}", path.display()));
    let doc: toml::Table = toml::from_str(text).map_err(|e| bad(format!("not a rule file: {e}")))?;
    let rule = doc
        .get("rule")
        .and_then(Value::as_table)
        .ok_or_else(|| bad("no [rule] table".into()))?;
    let metadata = doc.get("metadata").and_then(Value::as_table);
    let string = |key: &str| rule.get(key).and_then(Value::as_str).map(str::to_string);
    let name = string("name").ok_or_else(|| bad("no `name` in [rule]".into()))?;
    let id = string("rule_id").unwrap_or_else(|| name.clone());
    let kind = string("type");
    // A machine-learning rule has no query and no language: its type says what it is.
    let language = string("language")
        .or_else(|| kind.clone())
        .unwrap_or_else(|| "unknown".into());
    let runs_as = match language.as_str() {
        "eql" => Some(Lang::Eql),
        _ => None,
    };
    let built = match (runs_as, string("query")) {
        (Some(lang), Some(query)) => {
            let techniques = rule
                .get("threat")
                .and_then(Value::as_array)
                .map(|threats| {
                    threats
                        .iter()
                        .flat_map(|t| t.get("technique").and_then(Value::as_array).into_iter().flatten())
                        .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let tactics = rule
                .get("threat")
                .and_then(Value::as_array)
                .map(|threats| {
                    threats
                        .iter()
                        .filter_map(|t| t.get("tactic")?.get("name")?.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            let file = RuleFile {
                id: id.clone(),
                name: name.clone(),
                language: lang,
                query: query.clone(),
                sourcetype: None,
                index: rule
                    .get("index")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default(),
                severity: string("severity").and_then(|s| severity(&s)),
                risk_score: rule
                    .get("risk_score")
                    .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64))),
                message: None,
                description: string("description").map(|d| d.trim().to_string()),
                behaviour: None,
                origin: Some(Origin {
                    verbatim: true,
                    product: Some("Elastic detection-rules".into()),
                    version: rule.get("version").map(|v| v.to_string()),
                    date: metadata
                        .and_then(|m| m.get("updated_date"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    status: metadata
                        .and_then(|m| m.get("maturity"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    authors: rule
                        .get("author")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")),
                    license: string("license"),
                    url: None,
                }),
                mitre: Some(Mitre { tactics, techniques }),
                parameters: Default::default(),
                tests: Vec::new(),
                timestamp_override: string("timestamp_override"),
                timestamp_override_fallback_disabled: rule
                    .get("timestamp_override_fallback_disabled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                event_category_override: string("event_category_override"),
                tiebreaker_field: string("tiebreaker_field"),
            };
            Some(Rule {
                path: path.to_path_buf(),
                query_line: query_line(text, &query, "query"),
                file,
            })
        }
        _ => None,
    };
    Ok(UpstreamRule {
        format: Format::Elastic,
        id,
        name,
        kind,
        language,
        rule: built,
    })
}

fn severity(text: &str) -> Option<Severity> {
    match text {
        "low" => Some(Severity::Low),
        "medium" => Some(Severity::Medium),
        "high" => Some(Severity::High),
        "critical" => Some(Severity::Critical),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = r#"[metadata]
maturity = "production"

[rule]
author = ["Elastic"]
rule_id = "r1"
name = "Process started by a web server"
type = "eql"
language = "eql"
index = ["logs-endpoint.events.process-*"]
risk_score = 47
severity = "medium"
timestamp_override = "event.ingested"
event_category_override = "event.type"
tiebreaker_field = "event.sequence"
query = '''
process where process.parent.name == "httpd"
'''

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1505"
name = "Server Software Component"
[rule.threat.tactic]
id = "TA0003"
name = "Persistence"
"#;

    #[test]
    fn an_eql_rule_keeps_its_evaluation_settings() {
        assert!(looks_like_rule(RULE));
        let up = parse(RULE, Path::new("rules/linux/x.toml")).unwrap();
        assert_eq!(up.language, "eql");
        let rule = up.rule.unwrap();
        assert_eq!(rule.file.language, Lang::Eql);
        assert_eq!(rule.file.timestamp_override.as_deref(), Some("event.ingested"));
        assert_eq!(rule.file.event_category_override.as_deref(), Some("event.type"));
        assert_eq!(rule.file.tiebreaker_field.as_deref(), Some("event.sequence"));
        assert_eq!(rule.file.severity, Some(Severity::Medium));
        assert_eq!(rule.file.risk_score, Some(47.0));
        assert_eq!(rule.query_line, 17);
        let mitre = rule.file.mitre.unwrap();
        assert_eq!(mitre.techniques, vec!["T1505"]);
        assert_eq!(mitre.tactics, vec!["Persistence"]);
    }

    #[test]
    fn a_kuery_rule_is_read_but_not_runnable() {
        let text = RULE
            .replace("type = \"eql\"", "type = \"query\"")
            .replace("language = \"eql\"", "language = \"kuery\"");
        let up = parse(&text, Path::new("x.toml")).unwrap();
        assert_eq!(up.language, "kuery");
        assert!(up.rule.is_none());
    }
}
