//! Rule files: one TOML file per detection, holding the query exactly as its authors publish
//! it and what Quarry needs to run and report it.
//!
//! ```toml
//! id = "71ad47d1-d6bd-4e0a-b35c-020ad9a6959e"
//! name = "Okta Suspicious Use of a Session Cookie"
//! language = "spl"                 # or "eql"
//! sourcetype = "OktaIM2:log"       # how to read inputs unless --sourcetype says otherwise
//! index = ["logs-okta*"]           # an Elastic rule's indices (informational)
//! severity = "high"                # low, medium, high, critical
//! risk_score = 56
//! message = "A user [$user$] ..."  # $field$ is filled from the result
//! description = "..."
//! behaviour = "..."                # what the rule really does, in Quarry's words
//! query = '''...'''               # `$name$` stands for a parameter's value
//! timestamp_override = "event.ingested"     # EQL, as Elastic's rule settings: the time field
//! event_category_override = "event.type"    # what `process where` tests
//! tiebreaker_field = "event.sequence"       # orders events with the same time
//!
//! [origin]                         # verbatim, product, url, version, date, status, authors, license
//! [mitre]                          # tactics, techniques
//!
//! [parameters.threshold]           # tunables: a default, overridden by `--param threshold=3`
//! default = 5
//! description = "..."
//!
//! [[tests]]                        # the rule's own test cases, run by `quarry test`
//! name = "five rejections in an hour"
//! kind = "true-positive"           # "false-positive"; "false-negative" (a miss, with `reason`)
//! input = "../../tests/fixtures/okta/x.ndjson"   # relative to the rule file; or inputs = [...]
//! sourcetype = "OktaIM2:log"       # optional: overrides the rule's
//! parameters = { threshold = 3 }   # optional
//! alerts = 1                       # how many alerts
//! expect = [{ user = "bob@example.com" }]   # optional: key fields of each alert, in time order
//! ```

use crate::lang::Lang;
use indexmap::IndexMap;
use quarry_engine::value::Value;
use quarry_syntax::{Code, Diagnostic};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub id: String,
    pub name: String,
    pub language: Lang,
    pub query: String,
    #[serde(default)]
    pub sourcetype: Option<String>,
    /// The indices an Elastic rule searches (informational).
    #[serde(default)]
    pub index: Vec<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub risk_score: Option<f64>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub behaviour: Option<String>,
    #[serde(default)]
    pub origin: Option<Origin>,
    #[serde(default)]
    pub mitre: Option<Mitre>,
    #[serde(default)]
    pub parameters: IndexMap<String, Parameter>,
    #[serde(default)]
    pub tests: Vec<RuleTest>,
    /// EQL: the field events are ordered by instead of `@timestamp` (Elastic's
    /// `timestamp_override`; `@timestamp` still serves events without it).
    #[serde(default)]
    pub timestamp_override: Option<String>,
    /// EQL: with `timestamp_override`, events without that field are not timed by
    /// `@timestamp` (Elastic's `timestamp_override_fallback_disabled`).
    #[serde(default)]
    pub timestamp_override_fallback_disabled: bool,
    /// EQL: the field `process where ...` tests instead of `event.category`.
    #[serde(default)]
    pub event_category_override: Option<String>,
    /// EQL: the field that orders events with the same timestamp.
    #[serde(default)]
    pub tiebreaker_field: Option<String>,
}

/// A tunable of a rule: `$name$` in the query stands for its value.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub default: toml::Value,
    #[serde(default)]
    pub description: Option<String>,
}

/// Whether a test case shows the rule firing or staying quiet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestKind {
    /// The rule fires on an attack.
    TruePositive,
    /// The rule stays quiet on traffic that looks similar but is not an attack.
    FalsePositive,
    /// An attack the rule is meant to catch but, as published, misses (its `reason` says why):
    /// the test pins the miss so that a change in it is noticed.
    FalseNegative,
}

/// One test case of a rule: a log and the alerts the rule must give on it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTest {
    pub name: String,
    pub kind: TestKind,
    #[serde(default)]
    pub input: Option<PathBuf>,
    #[serde(default)]
    pub inputs: Vec<PathBuf>,
    #[serde(default)]
    pub sourcetype: Option<String>,
    #[serde(default)]
    pub parameters: IndexMap<String, toml::Value>,
    pub alerts: usize,
    #[serde(default)]
    pub expect: Vec<IndexMap<String, toml::Value>>,
    /// Why a false-negative case is missed.
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Origin {
    /// The query is the publisher's text, byte for byte (a shipped vendor rule); false for
    /// Quarry's own rules and corrections.
    #[serde(default)]
    pub verbatim: bool,
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub authors: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mitre {
    #[serde(default)]
    pub tactics: Vec<String>,
    #[serde(default)]
    pub techniques: Vec<String>,
}

/// A rule file read from disk.
#[derive(Clone, Debug)]
pub struct Rule {
    pub path: PathBuf,
    pub file: RuleFile,
    /// The line of the file where the query text starts (for diagnostics).
    pub query_line: usize,
}

impl Rule {
    /// Reads a rule file: Quarry's own TOML, or a publisher's file holding one rule (an ESCU
    /// detection, an Elastic rule; see [`crate::upstream`]).
    pub fn load(path: &Path) -> Result<Rule, Diagnostic> {
        if crate::upstream::is_upstream_file(path) {
            let mut rules = crate::upstream::runnable(path)?;
            return match rules.len() {
                1 => Ok(rules.remove(0)),
                n => Err(Diagnostic::error(
                    Code::Input,
                    format!("{}: holds {n} rules; expected one", path.display()),
                )),
            };
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::error(Code::Input, format!("{}: {e}", path.display())))?;
        Rule::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Rule, Diagnostic> {
        let file: RuleFile = toml::from_str(text)
            .map_err(|e| Diagnostic::error(Code::Syntax, format!("{}: not a rule file: {e}", path.display())))?;
        let query_line = text
            .find(file.query.as_str())
            .map(|pos| text[..pos].matches('\n').count() + 1)
            .unwrap_or(1);
        let rule = Rule {
            path: path.to_path_buf(),
            file,
            query_line,
        };
        rule.validate()?;
        Ok(rule)
    }

    fn validate(&self) -> Result<(), Diagnostic> {
        let bad = |message: String| Diagnostic::error(Code::Semantic, format!("{}: {message}", self.path.display()));
        for (name, parameter) in &self.file.parameters {
            if !is_parameter_name(name) {
                return Err(bad(format!("parameter `{name}`: use letters, digits and `_`")));
            }
            parameter_text(&parameter.default).map_err(|e| bad(format!("parameter `{name}`: {e}")))?;
        }
        for test in &self.file.tests {
            if test.input.is_none() && test.inputs.is_empty() {
                return Err(bad(format!("test `{}` names no input", test.name)));
            }
            match test.kind {
                TestKind::TruePositive if test.alerts == 0 => {
                    return Err(bad(format!("true-positive test `{}` expects no alert", test.name)))
                }
                TestKind::FalsePositive if test.alerts > 0 => {
                    return Err(bad(format!("false-positive test `{}` expects alerts", test.name)))
                }
                TestKind::FalseNegative if test.alerts > 0 || test.reason.is_none() => {
                    return Err(bad(format!(
                        "false-negative test `{}` expects no alert and says why (`reason`)",
                        test.name
                    )))
                }
                _ => {}
            }
            if test.expect.len() > test.alerts {
                return Err(bad(format!(
                    "test `{}` describes {} alerts but expects {}",
                    test.name,
                    test.expect.len(),
                    test.alerts
                )));
            }
            for name in test.parameters.keys() {
                if !self.file.parameters.contains_key(name) {
                    return Err(bad(format!("test `{}` sets unknown parameter `{name}`", test.name)));
                }
            }
        }
        Ok(())
    }

    /// The query with each `$name$` of a declared parameter replaced by its value: `overrides`
    /// first, then the parameter's default. Text between other `$` signs is left alone.
    pub fn query_with(&self, overrides: &IndexMap<String, toml::Value>) -> Result<String, Diagnostic> {
        self.fill_parameters(&self.file.query, overrides)
    }

    /// `text` with each `$name$` of a declared parameter replaced by its value.
    pub fn fill_parameters(&self, text: &str, overrides: &IndexMap<String, toml::Value>) -> Result<String, Diagnostic> {
        for name in overrides.keys() {
            if !self.file.parameters.contains_key(name) {
                let known: Vec<&str> = self.file.parameters.keys().map(String::as_str).collect();
                return Err(Diagnostic::error(
                    Code::Semantic,
                    format!(
                        "{}: unknown parameter `{name}` (the rule has: {})",
                        self.path.display(),
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                ));
            }
        }
        let mut out = text.to_string();
        for (name, parameter) in &self.file.parameters {
            let value = overrides.get(name).unwrap_or(&parameter.default);
            let value = parameter_text(value).map_err(|e| {
                Diagnostic::error(
                    Code::Semantic,
                    format!("{}: parameter `{name}`: {e}", self.path.display()),
                )
            })?;
            out = out.replace(&format!("${name}$"), &value);
        }
        Ok(out)
    }

    /// Where a test's inputs are: relative to the rule file.
    pub fn test_inputs(&self, test: &RuleTest) -> Vec<PathBuf> {
        let base = self.path.parent().unwrap_or(Path::new("."));
        test.input.iter().chain(&test.inputs).map(|p| base.join(p)).collect()
    }

    /// The alert message with `$field$` filled from a result (missing fields become empty).
    pub fn message_for(&self, get: &dyn Fn(&str) -> Value) -> String {
        let Some(template) = &self.file.message else {
            return self.file.name.clone();
        };
        fill_template(template, get)
    }
}

fn is_parameter_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A parameter value as query text: numbers and words as they are.
pub fn parameter_text(value: &toml::Value) -> Result<String, String> {
    match value {
        toml::Value::Integer(n) => Ok(n.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        toml::Value::Boolean(b) => Ok(b.to_string()),
        toml::Value::String(s) if !s.contains('$') => Ok(s.clone()),
        toml::Value::String(_) => Err("a value may not contain `$`".into()),
        _ => Err("a value must be a number, a boolean or a string".into()),
    }
}

/// Parses `name=value` from the command line: numbers become numbers, anything else text.
pub fn parse_param(text: &str) -> Result<(String, toml::Value), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}`: a parameter is given as name=value"))?;
    let value = if let Ok(n) = value.parse::<i64>() {
        toml::Value::Integer(n)
    } else if let Ok(f) = value.parse::<f64>() {
        toml::Value::Float(f)
    } else {
        toml::Value::String(value.to_string())
    };
    Ok((name.to_string(), value))
}

/// Replaces each `$name$` with the field's value (multivalues joined with ", ").
pub fn fill_template(template: &str, get: &dyn Fn(&str) -> Value) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('$') {
            Some(end) if end > 0 && !after[..end].contains(char::is_whitespace) => {
                let value = get(&after[..end]);
                out.push_str(&value.iter().map(|v| v.display_text()).collect::<Vec<_>>().join(", "));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every rule of a rule file: one for Quarry's own files, one or more for a publisher's.
pub fn load_all(path: &Path) -> Result<Vec<Rule>, Diagnostic> {
    if crate::upstream::is_upstream_file(path) {
        crate::upstream::runnable(path)
    } else {
        Rule::load(path).map(|r| vec![r])
    }
}

/// Is this file a rule file: a TOML file with a `query`, or a publisher's rule file (see
/// [`crate::upstream`])? Profiles and other files are not.
pub fn is_rule_file(path: &Path) -> bool {
    is_quarry_rule_file(path) || crate::upstream::is_upstream_file(path)
}

/// Is this file one of Quarry's own rule files (a TOML file with a top-level `query`)?
pub fn is_quarry_rule_file(path: &Path) -> bool {
    if path.extension().and_then(|e| e.to_str()) != Some("toml") {
        return false;
    }
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| toml::from_str::<toml::Table>(&t).ok())
        .is_some_and(|t| t.contains_key("query"))
}

/// The rule files named on the command line: files as given, directories searched
/// recursively (sorted), keeping only rule files.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out)?;
        } else if path.is_file() {
            out.push(path.clone());
        } else {
            return Err(Diagnostic::error(
                Code::Input,
                format!("{}: no such file or directory", path.display()),
            ));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Diagnostic> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Diagnostic::error(Code::Input, format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            walk(&entry, out)?;
        } else if is_rule_file(&entry) {
            out.push(entry);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_fields() {
        let get = |name: &str| match name {
            "user" => Value::from("alice@example.com"),
            "ips" => Value::multi([Value::from("1.1.1.1"), Value::from("2.2.2.2")]),
            _ => Value::Null,
        };
        assert_eq!(
            fill_template("user [$user$] from $ips$", &get),
            "user [alice@example.com] from 1.1.1.1, 2.2.2.2"
        );
        assert_eq!(fill_template("cost $5 and $missing$", &get), "cost $5 and ");
    }

    const PARAMETERISED: &str = r#"
id = "x"
name = "Repeated rejections"
language = "eql"
query = 'sequence by user.email with maxspan=$window$ [any where true] with runs=$threshold$'

[parameters.threshold]
default = 5
[parameters.window]
default = "1h"

[[tests]]
name = "three"
kind = "true-positive"
input = "x.ndjson"
parameters = { threshold = 3 }
alerts = 1
"#;

    #[test]
    fn parameters_fill_the_query_from_defaults_and_overrides() {
        let rule = Rule::parse(PARAMETERISED, Path::new("queries/x.toml")).unwrap();
        assert_eq!(
            rule.query_with(&IndexMap::new()).unwrap(),
            "sequence by user.email with maxspan=1h [any where true] with runs=5"
        );
        let mut three = IndexMap::new();
        three.insert("threshold".to_string(), toml::Value::Integer(3));
        assert!(rule.query_with(&three).unwrap().ends_with("runs=3"));
        let mut unknown = IndexMap::new();
        unknown.insert("thresold".to_string(), toml::Value::Integer(3));
        let err = rule.query_with(&unknown).unwrap_err();
        assert!(err
            .message
            .contains("unknown parameter `thresold` (the rule has: threshold, window)"));
        assert_eq!(
            rule.test_inputs(&rule.file.tests[0]),
            vec![PathBuf::from("queries/x.ndjson")]
        );
    }

    #[test]
    fn a_true_positive_test_must_expect_an_alert() {
        let text = PARAMETERISED.replace("alerts = 1", "alerts = 0");
        let err = Rule::parse(&text, Path::new("x.toml")).unwrap_err();
        assert!(
            err.message.contains("true-positive test `three` expects no alert"),
            "{}",
            err.message
        );
    }

    #[test]
    fn command_line_parameters_are_typed() {
        assert_eq!(
            parse_param("threshold=3").unwrap(),
            ("threshold".into(), toml::Value::Integer(3))
        );
        assert_eq!(parse_param("window=30m").unwrap().1, toml::Value::String("30m".into()));
        assert!(parse_param("threshold").is_err());
    }
}
