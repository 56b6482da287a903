//! Lookup tables: CSV files and the definitions that say how to match them.
//!
//! A [`LookupRegistry`] is filled from
//! - Splunk security_content `lookups/*.yml` (`name`, `filename`, `match_type`,
//!   `case_sensitive_match`, `min_matches`, `default_match`, `max_matches`; a definition with
//!   `collection` names a KV-store collection, one with an `.mlmodel` file an ML model),
//! - `transforms.conf` stanzas (`filename`, `match_type`, `case_sensitive_match`,
//!   `max_matches`, `min_matches`, `default_match`, `external_type = kvstore` with
//!   `fields_list`),
//! - a bare `name.csv` file (exact, case-sensitive matching).
//!
//! Matching follows transforms.conf: matching is case-sensitive unless
//! `case_sensitive_match = false`; `max_matches` defaults to 100 (the first rows in file
//! order); with `min_matches` above the number of matches, `default_match` fills in.
//!
//! A KV-store collection that has never been filled is an empty table in Splunk, and that is
//! what one reads as here: no rows, the columns of its `fields_list` (without `_key`). Its
//! table carries a note the run prints once. A CSV file of the same name, given after the
//! definition, replaces it (`--lookups previously_seen_users.csv`).

use crate::value::Value;
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Splunk's `max_matches` default for lookups that are not time-bounded.
pub const DEFAULT_MAX_MATCHES: usize = 100;

/// How a column's cells match event values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchType {
    Exact,
    /// `WILDCARD(col)`: a cell may hold `*`.
    Wildcard,
    /// `CIDR(col)`: a cell is a network; an IP address inside it matches.
    Cidr,
}

/// A loaded table with its matching rules.
#[derive(Debug)]
pub struct LookupTable {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Columns that do not match exactly, by column name.
    pub match_types: BTreeMap<String, MatchType>,
    pub case_sensitive: bool,
    pub max_matches: usize,
    pub min_matches: usize,
    pub default_match: Option<String>,
    /// Said once by a run that uses the table (a KV-store collection read as empty).
    pub note: Option<String>,
    /// The file its definition names (`filename`), if any.
    pub file: Option<String>,
    /// Rows computed from the inputs instead of read from a file (an app's scripted lookup that
    /// Quarry implements).
    pub computed: Option<Computed>,
}

/// Scripted lookups of well-known apps, computed in Quarry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Computed {
    /// URL Toolbox's `ut_shannon_lookup word OUTPUT ut_shannon`: the Shannon entropy, in bits,
    /// of the characters of `word` (`-sum(p * log2(p))` over each distinct character's share),
    /// as its `ut_shannon.py` computes it.
    Shannon,
}

impl Computed {
    /// The output columns for one input value.
    pub fn row(self, input: &str) -> Vec<(&'static str, Value)> {
        match self {
            Computed::Shannon => vec![("ut_shannon", Value::number(shannon_entropy(input)))],
        }
    }
}

/// Shannon entropy of the characters of `word`, in bits; 0 for an empty word.
pub fn shannon_entropy(word: &str) -> f64 {
    let mut counts: BTreeMap<char, usize> = BTreeMap::new();
    let mut length = 0usize;
    for c in word.chars() {
        *counts.entry(c).or_default() += 1;
        length += 1;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / length as f64;
            -p * p.log2()
        })
        .sum()
}

/// The scripted lookups Quarry computes itself, by name.
fn builtin(name: &str) -> Option<&'static LookupEntry> {
    static SHANNON: std::sync::OnceLock<LookupEntry> = std::sync::OnceLock::new();
    match name {
        "ut_shannon_lookup" => Some(SHANNON.get_or_init(|| {
            LookupEntry::Table(Arc::new(LookupTable {
                name: "ut_shannon_lookup".into(),
                columns: vec!["word".into(), "ut_shannon".into()],
                rows: Vec::new(),
                match_types: BTreeMap::new(),
                case_sensitive: true,
                max_matches: 1,
                min_matches: 0,
                default_match: None,
                note: None,
                file: None,
                computed: Some(Computed::Shannon),
            }))
        })),
        _ => None,
    }
}

impl LookupTable {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    pub fn match_type(&self, column: &str) -> MatchType {
        self.match_types.get(column).copied().unwrap_or(MatchType::Exact)
    }

    /// A matcher for one cell, built once per lookup command.
    pub fn cell_matcher(&self, kind: MatchType, cell: &str) -> CellMatcher {
        match kind {
            MatchType::Exact if self.case_sensitive => CellMatcher::Exact(cell.to_string()),
            MatchType::Exact => CellMatcher::ExactFolded(cell.to_lowercase()),
            MatchType::Wildcard => CellMatcher::Wildcard(crate::pattern::Wildcard::new(cell, self.case_sensitive)),
            MatchType::Cidr => match cell.trim().parse::<IpNet>() {
                Ok(net) => CellMatcher::Network(net),
                Err(_) => match cell.trim().parse::<IpAddr>() {
                    Ok(ip) => CellMatcher::Network(IpNet::from(ip)),
                    Err(_) => CellMatcher::Never,
                },
            },
        }
    }

    /// The row as an event's fields: every non-empty cell.
    pub fn row_values(&self, row: usize) -> impl Iterator<Item = (&str, Value)> {
        self.columns
            .iter()
            .zip(&self.rows[row])
            .filter(|(_, cell)| !cell.is_empty())
            .map(|(c, cell)| (c.as_str(), Value::str(cell)))
    }
}

/// One cell's matching rule, ready to test event values.
#[derive(Clone, Debug)]
pub enum CellMatcher {
    Exact(String),
    /// Case-insensitive: the cell lower-cased.
    ExactFolded(String),
    Wildcard(crate::pattern::Wildcard),
    Network(IpNet),
    /// A CIDR cell that is not a network.
    Never,
}

impl CellMatcher {
    pub fn matches(&self, value: &str) -> bool {
        match self {
            CellMatcher::Exact(cell) => cell == value,
            CellMatcher::ExactFolded(cell) => *cell == value.to_lowercase(),
            CellMatcher::Wildcard(w) => w.matches(value),
            CellMatcher::Network(net) => value.trim().parse::<IpAddr>().is_ok_and(|ip| net.contains(&ip)),
            CellMatcher::Never => false,
        }
    }
}

/// What a name resolves to.
#[derive(Clone, Debug)]
pub enum LookupEntry {
    Table(Arc<LookupTable>),
    /// Defined, but its data is not here: the reason (`kvstore collection`, `ML model`,
    /// `file x.csv not found`).
    Missing(String),
}

/// Every lookup known to a run, by name (and by file name).
#[derive(Clone, Debug, Default)]
pub struct LookupRegistry {
    entries: BTreeMap<String, LookupEntry>,
    /// Where `outputlookup` writes tables; `None`: nowhere.
    output_dir: Option<PathBuf>,
}

/// One definition before its file is read.
#[derive(Clone, Debug, Default)]
struct Definition {
    name: String,
    filename: Option<String>,
    collection: bool,
    /// An external (scripted) lookup: `external_type` other than `kvstore`.
    external: bool,
    /// A KV-store collection's fields (`fields_list`), `_key` included when listed.
    fields_list: Vec<String>,
    /// A time-bounded lookup (`time_field`): not implemented.
    time_bounded: bool,
    match_type: Option<String>,
    case_sensitive: Option<bool>,
    max_matches: Option<usize>,
    min_matches: Option<usize>,
    default_match: Option<String>,
}

impl LookupRegistry {
    pub fn new() -> LookupRegistry {
        LookupRegistry::default()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The table for a name as a query writes it: a definition's name, or a file name
    /// (`users.csv`).
    /// The scripted lookups Quarry computes itself (URL Toolbox's `ut_shannon_lookup`) answer
    /// when nothing loaded gives the name a table.
    pub fn get(&self, name: &str) -> Option<&LookupEntry> {
        let loaded = self
            .entries
            .get(name)
            .or_else(|| self.entries.get(&name.to_ascii_lowercase()));
        match loaded {
            Some(table @ LookupEntry::Table(_)) => Some(table),
            other => builtin(name).or(other),
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Makes `outputlookup` write its tables into `dir`.
    pub fn set_output_dir(&mut self, dir: PathBuf) {
        self.output_dir = Some(dir);
    }

    /// The file `outputlookup <name>` writes: in the output directory, the name when it is a
    /// file name (`x.csv`), else the file its definition names, else `<name>.csv`. `None`
    /// when the run writes no tables.
    pub fn output_path(&self, name: &str) -> Option<PathBuf> {
        let dir = self.output_dir.as_ref()?;
        let file = if is_csv(Path::new(name)) {
            name.to_string()
        } else {
            match self.get(name) {
                Some(LookupEntry::Table(t)) if t.file.is_some() => t.file.clone().unwrap_or_default(),
                _ => format!("{name}.csv"),
            }
        };
        Some(dir.join(file))
    }

    /// Adds a table directly (tests, embedding).
    pub fn insert(&mut self, table: LookupTable) {
        self.entries
            .insert(table.name.clone(), LookupEntry::Table(Arc::new(table)));
    }

    /// Loads a directory (every `*.yml`, `transforms.conf` and `*.csv` in it), a definition
    /// file, or a CSV file.
    pub fn load(&mut self, path: &Path) -> Result<usize, String> {
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| format!("{}: {e}", path.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            let mut n = 0;
            // Definitions first, so that a CSV named by one is not also loaded bare.
            for file in files.iter().filter(|f| !is_csv(f)) {
                n += self.load_file(file)?;
            }
            for file in files.iter().filter(|f| is_csv(f)) {
                let stem = file_name(file);
                if !self.entries.contains_key(&stem) {
                    n += self.load_file(file)?;
                }
            }
            return Ok(n);
        }
        self.load_file(path)
    }

    fn load_file(&mut self, path: &Path) -> Result<usize, String> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = file_name(path);
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => {
                // A CSV named like a KV-store collection gives the collection's rows.
                let stem = stem_of(&name);
                if self.is_collection(&stem) {
                    let def = Definition {
                        name: stem,
                        filename: Some(name.clone()),
                        ..Definition::default()
                    };
                    self.define(def, dir)?;
                }
                let def = Definition {
                    name: name.clone(),
                    filename: Some(name),
                    ..Definition::default()
                };
                self.define(def, dir)?;
                Ok(1)
            }
            "yml" | "yaml" => {
                let text = read(path)?;
                let def = parse_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                self.define(def, dir)?;
                Ok(1)
            }
            "conf" => {
                let text = read(path)?;
                let defs = parse_transforms(&text);
                let n = defs.len();
                for def in defs {
                    self.define(def, dir)?;
                }
                Ok(n)
            }
            _ => Ok(0),
        }
    }

    fn define(&mut self, def: Definition, dir: &Path) -> Result<(), String> {
        let entry = if def.collection {
            // Its rows given as a CSV file already loaded win over the empty collection.
            match self.entries.get(&format!("{}.csv", def.name)) {
                Some(given @ LookupEntry::Table(_)) => given.clone(),
                _ => LookupEntry::Table(Arc::new(collection_table(&def))),
            }
        } else if def.external {
            LookupEntry::Missing("external lookup".into())
        } else if def.time_bounded {
            LookupEntry::Missing("time-bounded lookups (time_field) are not implemented".into())
        } else {
            match &def.filename {
                None => LookupEntry::Missing("no file or collection defined".into()),
                Some(f) if f.ends_with(".mlmodel") => LookupEntry::Missing("ML model".into()),
                Some(f) => {
                    // An app's `default/transforms.conf` names files in the app's `lookups/`.
                    let beside = dir.join(f);
                    let path = match dir.parent() {
                        Some(app) if !beside.is_file() => app.join("lookups").join(f),
                        _ => beside,
                    };
                    if path.is_file() {
                        LookupEntry::Table(Arc::new(build_table(&def, &path)?))
                    } else {
                        LookupEntry::Missing(format!("file {f} not found"))
                    }
                }
            }
        };
        if let Some(file) = &def.filename {
            // A table is also reachable by its file name, unless a definition has that name.
            self.entries.entry(file.clone()).or_insert_with(|| entry.clone());
        }
        self.entries.insert(def.name.clone(), entry);
        Ok(())
    }
}

impl LookupRegistry {
    /// Whether `name` is a KV-store collection read as empty (no CSV gave its rows).
    fn is_collection(&self, name: &str) -> bool {
        matches!(self.entries.get(name), Some(LookupEntry::Table(t)) if t.note.is_some() && t.rows.is_empty())
    }
}

/// The empty table a KV-store collection reads as: its `fields_list` columns, without `_key`.
fn collection_table(def: &Definition) -> LookupTable {
    LookupTable {
        name: def.name.clone(),
        columns: def.fields_list.iter().filter(|f| *f != "_key").cloned().collect(),
        rows: Vec::new(),
        match_types: BTreeMap::new(),
        case_sensitive: def.case_sensitive.unwrap_or(true),
        max_matches: def.max_matches.unwrap_or(DEFAULT_MAX_MATCHES).clamp(1, 1000),
        min_matches: def.min_matches.unwrap_or(0),
        default_match: def.default_match.clone(),
        file: None,
        computed: None,
        note: Some(format!(
            "lookup {} is a KV store collection: read as empty; give its rows with --lookups {}.csv",
            def.name, def.name
        )),
    }
}

/// `x.csv` without its extension.
fn stem_of(file: &str) -> String {
    match file.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case("csv") => stem.to_string(),
        _ => file.to_string(),
    }
}

/// The `fields_list` of a collection: names separated by commas.
fn split_fields(text: &str) -> Vec<String> {
    text.split(',')
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

fn is_csv(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

fn file_name(path: &Path) -> String {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string()
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn build_table(def: &Definition, path: &Path) -> Result<LookupTable, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
        let mut row: Vec<String> = record.iter().map(str::to_string).collect();
        row.resize(columns.len(), String::new());
        rows.push(row);
    }
    let mut match_types = BTreeMap::new();
    if let Some(spec) = &def.match_type {
        for part in spec.split(',') {
            let part = part.trim();
            let Some((kind, rest)) = part.split_once('(') else {
                continue;
            };
            let column = rest.trim_end_matches(')').trim().to_string();
            let kind = match kind.trim().to_ascii_uppercase().as_str() {
                "WILDCARD" => MatchType::Wildcard,
                "CIDR" => MatchType::Cidr,
                "EXACT" => MatchType::Exact,
                other => return Err(format!("{}: unknown match_type {other}", def.name)),
            };
            match_types.insert(column, kind);
        }
    }
    Ok(LookupTable {
        name: def.name.clone(),
        columns,
        rows,
        match_types,
        case_sensitive: def.case_sensitive.unwrap_or(true),
        max_matches: def.max_matches.unwrap_or(DEFAULT_MAX_MATCHES).clamp(1, 1000),
        min_matches: def.min_matches.unwrap_or(0),
        default_match: def.default_match.clone(),
        note: None,
        file: def.filename.clone(),
        computed: None,
    })
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" => Some(true),
        "false" | "f" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// One security_content `lookups/<name>.yml`.
fn parse_yaml(text: &str) -> Result<Definition, String> {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| e.to_string())?;
    let get = |key: &str| -> Option<String> {
        match doc.get(key)? {
            serde_yaml_ng::Value::String(s) => Some(s.clone()),
            serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
            serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    };
    let name = get("name").ok_or("a lookup definition needs a `name`")?;
    Ok(Definition {
        name,
        filename: get("filename"),
        collection: get("collection").is_some(),
        fields_list: get("fields_list").map(|f| split_fields(&f)).unwrap_or_default(),
        time_bounded: get("time_field").is_some(),
        match_type: get("match_type"),
        case_sensitive: get("case_sensitive_match").and_then(|v| parse_bool(&v)),
        max_matches: get("max_matches").and_then(|v| v.trim().parse().ok()),
        min_matches: get("min_matches").and_then(|v| v.trim().parse().ok()),
        default_match: get("default_match"),
        ..Definition::default()
    })
}

/// `transforms.conf`: `[name]` stanzas of `key = value`; stanzas without `filename` or
/// `collection` are not lookups and are skipped.
fn parse_transforms(text: &str) -> Vec<Definition> {
    let mut defs = Vec::new();
    let mut current: Option<Definition> = None;
    let mut lookup = false;
    let flush = |def: Option<Definition>, lookup: bool, defs: &mut Vec<Definition>| {
        if let Some(d) = def {
            if lookup {
                defs.push(d);
            }
        }
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            flush(current.take(), lookup, &mut defs);
            lookup = false;
            current = Some(Definition {
                name: name.trim().to_string(),
                ..Definition::default()
            });
            continue;
        }
        let (Some(def), Some((key, value))) = (current.as_mut(), line.split_once('=')) else {
            continue;
        };
        let value = value.trim().to_string();
        match key.trim() {
            "filename" => {
                def.filename = Some(value);
                lookup = true;
            }
            "collection" => {
                def.collection = true;
                lookup = true;
            }
            "external_type" => {
                if value.eq_ignore_ascii_case("kvstore") {
                    def.collection = true;
                } else {
                    def.external = true;
                }
                lookup = true;
            }
            "fields_list" => def.fields_list = split_fields(&value),
            "match_type" => def.match_type = Some(value),
            "time_field" => def.time_bounded = true,
            "case_sensitive_match" => def.case_sensitive = parse_bool(&value),
            "max_matches" => def.max_matches = value.parse().ok(),
            "min_matches" => def.min_matches = value.parse().ok(),
            "default_match" => def.default_match = Some(value),
            _ => {}
        }
    }
    flush(current.take(), lookup, &mut defs);
    defs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_stanzas_become_definitions() {
        let defs = parse_transforms(
            "[users]\nfilename = users.csv\nmatch_type = WILDCARD(name), CIDR(net)\ncase_sensitive_match = false\n\n[extract]\nREGEX = x\n\n[kv]\ncollection = c\n",
        );
        assert_eq!(defs.len(), 2);
        assert_eq!(defs[0].filename.as_deref(), Some("users.csv"));
        assert_eq!(defs[0].case_sensitive, Some(false));
        assert!(defs[1].collection);
    }

    #[test]
    fn yaml_definition_reads_matching_rules() {
        let def = parse_yaml(
            "name: x\nfilename: x.csv\nmatch_type: WILDCARD(domain)\nmin_matches: 1\ndefault_match: 'false'\ncase_sensitive_match: 'false'\n",
        )
        .unwrap_or_default();
        assert_eq!(def.min_matches, Some(1));
        assert_eq!(def.default_match.as_deref(), Some("false"));
        assert_eq!(def.case_sensitive, Some(false));
    }
}
