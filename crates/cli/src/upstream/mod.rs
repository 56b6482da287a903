//! Rules as their publishers ship them, read unmodified: Splunk security_content (ESCU)
//! detections (`detections/**/*.yml`), classic Splunk app files (`savedsearches.conf`), and
//! Elastic detection-rules (`rules/**/*.toml`). Each reader turns a file into the rule model
//! the rest of the command uses ([`Rule`]); the macros and lookups a rule needs are found
//! next to it, where the publisher's layout keeps them ([`definitions_near`]).

pub mod elastic_toml;
pub mod escu;
pub mod lookups;
pub mod savedsearches;

use crate::rules::Rule;
use quarry_syntax::{Code, Diagnostic};
use std::path::{Path, PathBuf};

/// Which publisher's layout a rule file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Splunk security_content: one detection per `.yml` file.
    Escu,
    /// A Splunk app's `savedsearches.conf`: one stanza per search.
    SavedSearches,
    /// Elastic detection-rules: one rule per `.toml` file, under `[rule]`.
    Elastic,
    /// Quarry's own rule files (see [`crate::rules`]).
    Quarry,
}

impl Format {
    pub fn name(&self) -> &'static str {
        match self {
            Format::Escu => "escu",
            Format::SavedSearches => "savedsearches",
            Format::Elastic => "elastic",
            Format::Quarry => "quarry",
        }
    }
}

/// One rule read from a publisher's file.
#[derive(Clone, Debug)]
pub struct UpstreamRule {
    pub format: Format,
    /// The publisher's id (ESCU `id`, Elastic `rule_id`, the stanza name of a saved search).
    pub id: String,
    pub name: String,
    /// The publisher's rule type (`TTP`, `Anomaly`, `eql`, `threshold`, ...), when given.
    pub kind: Option<String>,
    /// The query language as the publisher names it: `spl`, `eql`, `kuery`, `esql`, ...
    pub language: String,
    /// The rule, when its language is one Quarry runs (SPL or EQL).
    pub rule: Option<Rule>,
}

/// Is this a rule file in one of the publishers' formats? Decided by name and content:
/// `savedsearches.conf`; a `.yml` with `name` and `search`; a `.toml` with a `[rule]` table.
pub fn is_upstream_file(path: &Path) -> bool {
    detect(path).is_some()
}

/// The format of a file, by its name and (for `.yml`/`.toml`) a look at its text.
pub fn detect(path: &Path) -> Option<Format> {
    let file_name = path.file_name()?.to_str()?;
    if file_name == "savedsearches.conf" {
        return Some(Format::SavedSearches);
    }
    match path.extension()?.to_str()? {
        "yml" | "yaml" => {
            let text = std::fs::read_to_string(path).ok()?;
            escu::looks_like_detection(&text).then_some(Format::Escu)
        }
        "toml" => {
            let text = std::fs::read_to_string(path).ok()?;
            elastic_toml::looks_like_rule(&text).then_some(Format::Elastic)
        }
        _ => None,
    }
}

/// Every rule in a publisher's file (a savedsearches.conf holds many).
pub fn read(path: &Path) -> Result<Vec<UpstreamRule>, Diagnostic> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::error(Code::Input, format!("{}: {e}", path.display())))?;
    match detect(path) {
        Some(Format::Escu) => escu::parse(&text, path).map(|r| vec![r]),
        Some(Format::SavedSearches) => savedsearches::parse(&text, path),
        Some(Format::Elastic) => elastic_toml::parse(&text, path).map(|r| vec![r]),
        Some(Format::Quarry) | None => Err(Diagnostic::error(
            Code::Input,
            format!("{}: not a detection in a known format", path.display()),
        )),
    }
}

/// The rules Quarry can run from a publisher's file; a rule in another language is an
/// `unsupported:` error.
pub fn runnable(path: &Path) -> Result<Vec<Rule>, Diagnostic> {
    read(path)?
        .into_iter()
        .map(|u| {
            u.rule.ok_or_else(|| {
                Diagnostic::error(
                    Code::Unsupported,
                    format!(
                        "{}: rule `{}`: unsupported: {} (Quarry runs SPL and EQL)",
                        path.display(),
                        u.name,
                        u.language
                    ),
                )
            })
        })
        .collect()
}

/// Where a rule's definitions are, as the publisher lays them out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Definitions {
    /// Macro files and directories, farthest first (nearer ones replace their definitions).
    pub macros: Vec<PathBuf>,
    /// Lookup definition files and directories (`lookups/`, `transforms.conf`).
    pub lookups: Vec<PathBuf>,
}

/// Definitions next to a rule file: in the rule's directory and each directory above it,
/// `macros.conf`, a `macros/` directory (security_content), `default/macros.conf` (an app);
/// `lookups/` and `default/transforms.conf` for lookups. A security_content detection at
/// `detections/endpoint/x.yml` finds `macros/` and `lookups/` at the top of the checkout. The
/// walk stops at the top of a checkout or app (a directory holding `.git`, `detections/`,
/// `default/` or `macros/`), so tables of an unrelated tree above are never picked up.
pub fn definitions_near(rule_file: &Path) -> Definitions {
    let mut defs = Definitions::default();
    let mut current = rule_file.parent();
    while let Some(dir) = current {
        let dir_or_here = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        for candidate in ["macros.conf", "macros", "default/macros.conf", "local/macros.conf"] {
            let path = dir_or_here.join(candidate);
            if path.exists() && !defs.macros.contains(&path) {
                defs.macros.push(path);
            }
        }
        for candidate in [
            "lookups",
            "transforms.conf",
            "default/transforms.conf",
            "local/transforms.conf",
        ] {
            let path = dir_or_here.join(candidate);
            if path.exists() && !defs.lookups.contains(&path) {
                defs.lookups.push(path);
            }
        }
        let is_top = [".git", "detections", "default", "macros"]
            .iter()
            .any(|marker| dir_or_here.join(marker).exists());
        if is_top {
            break;
        }
        current = dir.parent();
    }
    // Farthest first, so that definitions nearer the rule win.
    defs.macros.reverse();
    defs.lookups.reverse();
    defs
}

/// The line of `text` where `query` starts (1-based), or the line of `key` when the query was
/// rewritten by quoting (YAML, TOML escapes).
pub(crate) fn query_line(text: &str, query: &str, key: &str) -> usize {
    let first = query.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    let pos = (!first.is_empty())
        .then(|| text.find(first))
        .flatten()
        .or_else(|| text.find(key));
    pos.map(|p| text[..p].matches('\n').count() + 1).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixtures() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/upstream")
            .canonicalize()
            .unwrap_or_default()
    }

    #[test]
    fn an_escu_detection_finds_the_macros_and_lookups_of_its_checkout() {
        let root = fixtures().join("security_content");
        let defs = definitions_near(&root.join("detections/endpoint/attacker_tools_on_endpoint.yml"));
        assert_eq!(defs.macros, vec![root.join("macros")]);
        assert_eq!(defs.lookups, vec![root.join("lookups")]);
    }

    #[test]
    fn an_app_search_finds_the_apps_macros_conf_and_transforms_conf() {
        let root = fixtures().join("splunk_app");
        let defs = definitions_near(&root.join("default/savedsearches.conf"));
        assert_eq!(defs.macros, vec![root.join("default/macros.conf")]);
        assert_eq!(
            defs.lookups,
            vec![root.join("lookups"), root.join("default/transforms.conf")]
        );
    }

    #[test]
    fn formats_are_told_apart_by_name_and_content() {
        let root = fixtures();
        let escu = root.join("security_content/detections/application/okta_suspicious_use_of_a_session_cookie.yml");
        assert_eq!(detect(&escu), Some(Format::Escu));
        assert_eq!(detect(&root.join("security_content/macros/okta.yml")), None);
        assert_eq!(
            detect(&root.join("splunk_app/default/savedsearches.conf")),
            Some(Format::SavedSearches)
        );
        assert_eq!(detect(&root.join("splunk_app/default/macros.conf")), None);
        let elastic = root.join("detection-rules/rules/linux/execution_shell_from_web_server.toml");
        assert_eq!(detect(&elastic), Some(Format::Elastic));
    }
}
