//! Lookup tables as the publishers lay them out: security_content's `lookups/` (a `<name>.yml`
//! definition beside each CSV), an app's `lookups/*.csv` with `transforms.conf` stanzas. This
//! module only finds them and answers "is lookup `x` defined, and is its file there?"; loading
//! the tables is the engine's business (it is handed the same paths).

use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// What a lookup name refers to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupDef {
    /// A CSV table on disk.
    File(PathBuf),
    /// A definition whose CSV file is not there.
    MissingFile(String),
    /// A KV store collection (not a file).
    Collection(String),
    /// An external or scripted lookup (`external_cmd`).
    External,
}

/// Lookup names and CSV file names found in some files and directories.
#[derive(Clone, Debug, Default)]
pub struct LookupIndex {
    defs: BTreeMap<String, LookupDef>,
}

impl LookupIndex {
    /// Reads definitions from `paths`: directories (their `*.csv`, `*.yml` definitions and
    /// `transforms.conf`), `transforms.conf` files, `.yml` definitions, or CSV files. Later
    /// paths win. Unreadable files are skipped: they only make a lookup count as missing.
    pub fn load(paths: &[PathBuf]) -> LookupIndex {
        let mut index = LookupIndex::default();
        for path in paths {
            index.add(path);
        }
        index
    }

    fn add(&mut self, path: &Path) {
        if path.is_dir() {
            let Ok(entries) = std::fs::read_dir(path) else { return };
            let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            files.sort();
            // Tables first, so definitions can find their file among them.
            for file in files.iter().filter(|f| has_ext(f, "csv")) {
                self.add(file);
            }
            for file in files.iter().filter(|f| !has_ext(f, "csv") && f.is_file()) {
                self.add(file);
            }
            return;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if has_ext(path, "csv") || has_ext(path, "gz") {
            self.defs
                .insert(file_name.to_string(), LookupDef::File(path.to_path_buf()));
            // A table without a definition also answers to its name without `.csv`, as a
            // lookup given with `--lookups` is meant to (a definition of that name wins).
            let stem = file_name.trim_end_matches(".gz").trim_end_matches(".csv");
            self.defs
                .entry(stem.to_string())
                .or_insert_with(|| LookupDef::File(path.to_path_buf()));
        } else if has_ext(path, "yml") || has_ext(path, "yaml") {
            let Ok(text) = std::fs::read_to_string(path) else {
                return;
            };
            let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&text) else {
                return;
            };
            let Some(name) = doc.get("name").and_then(|n| n.as_str()) else {
                return;
            };
            let def = match (
                doc.get("filename").and_then(|f| f.as_str()),
                doc.get("collection").and_then(|c| c.as_str()),
            ) {
                (Some(file), _) => self.file_def(dir, file),
                (None, Some(collection)) => LookupDef::Collection(collection.to_string()),
                // An ML model or other definition with neither: not a table.
                (None, None) => return,
            };
            self.defs.insert(name.to_string(), def);
        } else if file_name.ends_with("transforms.conf") {
            let Ok(text) = std::fs::read_to_string(path) else {
                return;
            };
            // An app keeps its tables in `lookups/` beside `default/`.
            let tables = dir.parent().map(|app| app.join("lookups")).unwrap_or_default();
            self.add_transforms(&text, &tables);
        }
    }

    fn file_def(&self, dir: &Path, file: &str) -> LookupDef {
        let path = dir.join(file);
        if path.is_file() {
            LookupDef::File(path)
        } else {
            match self.defs.get(file) {
                Some(LookupDef::File(p)) => LookupDef::File(p.clone()),
                _ => LookupDef::MissingFile(file.to_string()),
            }
        }
    }

    fn add_transforms(&mut self, text: &str, tables: &Path) {
        let mut stanza: Option<String> = None;
        let mut settings: BTreeMap<String, String> = BTreeMap::new();
        let finish = |index: &mut LookupIndex, stanza: Option<String>, settings: &mut BTreeMap<String, String>| {
            if let Some(name) = stanza {
                let def = if let Some(file) = settings.get("filename") {
                    Some(index.file_def(tables, file))
                } else if let Some(c) = settings.get("collection") {
                    Some(LookupDef::Collection(c.clone()))
                } else if settings.contains_key("external_cmd") {
                    Some(LookupDef::External)
                } else {
                    None
                };
                if let Some(def) = def {
                    index.defs.insert(name, def);
                }
            }
            settings.clear();
        };
        for (_, line) in quarry_syntax::spl::macros::logical_lines(text) {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                finish(self, stanza.take(), &mut settings);
                stanza = Some(name.trim().to_string());
            } else if let Some((k, v)) = line.split_once('=') {
                settings.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        finish(self, stanza.take(), &mut settings);
    }

    pub fn get(&self, name: &str) -> Option<&LookupDef> {
        self.defs.get(name)
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// Why lookup `name` cannot be used, or `None` when its table is there.
    pub fn missing(&self, name: &str) -> Option<String> {
        match self.defs.get(name) {
            Some(LookupDef::File(_)) => None,
            Some(LookupDef::MissingFile(file)) => Some(format!("missing lookup: {name} (no file {file})")),
            Some(LookupDef::Collection(_)) => Some(format!("missing lookup: {name} (KV store collection)")),
            Some(LookupDef::External) => Some(format!("missing lookup: {name} (external lookup)")),
            None => Some(format!("missing lookup: {name}")),
        }
    }
}

fn has_ext(path: &Path, ext: &str) -> bool {
    path.extension().and_then(|e| e.to_str()) == Some(ext)
}

/// The lookup tables a query uses: the table argument of every `lookup`, `inputlookup` and
/// `outputlookup` command, subsearches included, in order of appearance (each once).
pub fn used_by(query: &str) -> Vec<String> {
    static COMMAND: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(re) = COMMAND
        .get_or_init(|| Regex::new(r"(?i)(?:^|[|\[])\s*(?:input|output)?lookup\s+").ok())
        .as_ref()
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for m in re.find_iter(query) {
        let rest = &query[m.end()..];
        // Options (`local=true`, `append=t`) come before the table name.
        let name = rest
            .split_whitespace()
            .find(|token| !token.contains('='))
            .map(|t| t.trim_matches(|c| c == '"' || c == '\'' || c == ']' || c == '|'))
            .filter(|t| !t.is_empty());
        if let Some(name) = name {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_names_are_read_after_options_and_in_subsearches() {
        let query =
            "`sysmon` | lookup local=true update=true attacker_tools attacker_tool_names AS Image OUTPUT description \
                     | search [| inputlookup append=t \"known_hosts.csv\" | fields dest] | lookup attacker_tools x";
        assert_eq!(used_by(query), vec!["attacker_tools", "known_hosts.csv"]);
        assert!(used_by("index=main lookup_table=x | stats count").is_empty());
    }
}
