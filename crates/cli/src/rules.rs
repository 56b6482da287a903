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
//! query = '''...'''
//!
//! [origin]                         # verbatim, product, url, version, date, status, authors, license
//! [mitre]                          # tactics, techniques
//! ```

use crate::lang::Lang;
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
    pub fn load(path: &Path) -> Result<Rule, Diagnostic> {
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
        Ok(Rule {
            path: path.to_path_buf(),
            file,
            query_line,
        })
    }

    /// The alert message with `$field$` filled from a result (missing fields become empty).
    pub fn message_for(&self, get: &dyn Fn(&str) -> Value) -> String {
        let Some(template) = &self.file.message else {
            return self.file.name.clone();
        };
        fill_template(template, get)
    }
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

/// Is this file a rule (a TOML file with a `query`)? Profiles and other files are not.
pub fn is_rule_file(path: &Path) -> bool {
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
}
