//! `quarry port`: what it takes to run a whole rule repository. Every rule is read as its
//! publisher ships it, then taken through the same expansion, parsing, planning and lint as
//! `quarry check` and `quarry lint`; the report says, per rule, whether it parses, whether it
//! can run, and every piece that is missing (not only the first), and sums it up.

pub mod report;

use crate::commands::run::{rule_eql_options, run_prepared, Preparer};
use crate::commands::{EqlFlags, InputFlags};
use crate::lang::Lang;
use crate::library;
use crate::rules::Rule;
use crate::upstream::lookups::used_by;
use crate::upstream::{self, Definitions, Format, UpstreamRule};
use indexmap::IndexMap;
use quarry_engine::eql::Semantics;
use quarry_engine::lookup::{LookupEntry, LookupRegistry};
use quarry_engine::profile::Profile;
use quarry_syntax::spl::ast::{AggArg, Command, Expr, ExprKind};
use quarry_syntax::spl::macros::{MacroDef, MacroLibrary};
use quarry_syntax::{Code, Diagnostic, SourceKind, SourceMap};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a rule stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Parses, and everything it uses is there: it runs.
    Runnable,
    /// Parses, but uses commands, functions, macros or lookups that are not available.
    Unsupported,
    /// Parses, but cannot run as written (a type error, a bad option).
    Error,
    /// Does not parse.
    ParseError,
    /// In a language Quarry does not run (KQL, ES|QL, Lucene, machine learning).
    OtherLanguage,
    /// The file could not be read as a rule.
    Unreadable,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Runnable,
        Status::Unsupported,
        Status::Error,
        Status::ParseError,
        Status::OtherLanguage,
        Status::Unreadable,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Status::Runnable => "runnable",
            Status::Unsupported => "unsupported",
            Status::Error => "error",
            Status::ParseError => "parse-error",
            Status::OtherLanguage => "other-language",
            Status::Unreadable => "unreadable",
        }
    }
}

/// One line of the report.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub file: String,
    pub id: String,
    pub name: String,
    /// `escu`, `savedsearches`, `elastic` or `quarry`.
    pub format: &'static str,
    /// The publisher's rule type (`TTP`, `eql`, `threshold`, ...).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub language: String,
    pub parses: bool,
    pub runnable: bool,
    pub status: Status,
    /// Every piece the rule needs that is not there: `unsupported: tstats`,
    /// `missing macro: x`, `missing lookup: y`.
    pub missing: Vec<String>,
    /// Why it does not parse or cannot run, besides missing pieces.
    pub errors: Vec<String>,
    /// Lint findings: `L0005 <message>`.
    pub lint: Vec<String>,
    /// What a run of the rule would say about its inputs: a KV-store collection read as empty.
    pub notes: Vec<String>,
    /// Alerts raised on the `--input` logs (runnable rules, when inputs were given).
    pub alerts: Option<u64>,
}

/// What the report needs besides the rules.
#[derive(Clone, Debug, Default)]
pub struct PortOptions {
    /// `--macros`: added after the definitions found next to each rule (they win).
    pub macros: Vec<PathBuf>,
    /// `--lookups`: lookup files and directories added to those found next to each rule.
    pub lookups: Vec<PathBuf>,
    /// `--sourcetype`: the source profile lint checks field names against.
    pub sourcetype: Option<String>,
    /// `--profile` files.
    pub profiles: Vec<PathBuf>,
}

/// A rule file found under the paths given, with the rules it holds.
struct Found {
    path: PathBuf,
    rules: Result<Vec<UpstreamRule>, Diagnostic>,
}

/// Rule files under `paths` (directories searched recursively, hidden ones skipped): Quarry's
/// own TOML rules and the publishers' formats. Sorted, so reports are stable.
pub fn rule_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Diagnostic> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut out);
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

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            walk(&entry, out);
        } else if name == "savedsearches.conf"
            || matches!(
                entry.extension().and_then(|e| e.to_str()),
                Some("yml" | "yaml" | "toml")
            )
        {
            out.push(entry);
        }
    }
}

/// Reads one file: a publisher's, or Quarry's own. `None` for files that hold no rule
/// (macro and lookup definitions, profiles).
fn read_file(path: &Path) -> Option<Found> {
    let rules = match upstream::detect(path) {
        Some(_) => upstream::read(path),
        None if crate::rules::is_quarry_rule_file(path) => Rule::load(path).map(|rule| {
            vec![UpstreamRule {
                format: Format::Quarry,
                id: rule.file.id.clone(),
                name: rule.file.name.clone(),
                kind: None,
                language: rule.file.language.name().into(),
                rule: Some(rule),
            }]
        }),
        None => return None,
    };
    Some(Found {
        path: path.to_path_buf(),
        rules,
    })
}

/// A rule to examine: its file, the rule (or why the file could not be read), and the
/// definitions next to it.
struct Work {
    path: PathBuf,
    rule: Result<UpstreamRule, Diagnostic>,
    defs: Option<Arc<Defs>>,
}

/// The definitions one directory's rules use, loaded once.
struct Defs {
    macros: MacroLibrary,
    lookups: Arc<LookupRegistry>,
}

/// Builds the report over the rule files under `paths`; with `inputs`, runnable rules are run
/// over them and their alerts counted.
pub fn port(
    paths: &[PathBuf],
    options: &PortOptions,
    inputs: &[String],
    flags: &InputFlags,
    eql: &EqlFlags,
) -> Result<Vec<Row>, Diagnostic> {
    let files = rule_files(paths)?;
    let found: Vec<Found> = files.par_iter().filter_map(|p| read_file(p)).collect();
    let base = library::builtin_macros();
    let mut profiles = library::builtin_profiles()?;
    for path in &options.profiles {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Diagnostic::error(Code::Input, format!("{}: {e}", path.display())))?;
        profiles.insert(Profile::parse(&text, &path.display().to_string())?);
    }
    let profile = options.sourcetype.as_deref().and_then(|st| profiles.get(st));
    // One set of definitions per place in the tree.
    let mut defs: IndexMap<Definitions, Arc<Defs>> = IndexMap::new();
    let mut work: Vec<Work> = Vec::new();
    for f in found {
        let near = upstream::definitions_near(&f.path);
        if !defs.contains_key(&near) {
            let mut macros = base.clone();
            for path in near.macros.iter().chain(&options.macros) {
                library::load_macros(&mut macros, path)?;
            }
            // The engine's own tables, so that a lookup counts as available exactly when a run
            // could use it. A definition file that cannot be read leaves its lookups missing.
            let mut lookups = LookupRegistry::new();
            for path in near.lookups.iter().chain(&options.lookups) {
                let _ = lookups.load(path);
            }
            let loaded = Defs {
                macros,
                lookups: Arc::new(lookups),
            };
            defs.insert(near.clone(), Arc::new(loaded));
        }
        let d = defs.get(&near).cloned();
        match f.rules {
            Ok(rules) => work.extend(rules.into_iter().map(|r| Work {
                path: f.path.clone(),
                rule: Ok(r),
                defs: d.clone(),
            })),
            Err(e) => work.push(Work {
                path: f.path,
                rule: Err(e),
                defs: None,
            }),
        }
    }
    let mut rows: Vec<Row> = work
        .par_iter()
        .map(|Work { path, rule, defs }| match (rule, defs) {
            (Ok(rule), Some(defs)) => analyse(path, rule, defs, profile.as_deref(), flags, eql),
            (Ok(rule), None) => unreadable(path, &rule.name),
            (Err(e), _) => {
                let mut row = unreadable(path, &path.display().to_string());
                row.errors.push(e.message.clone());
                row
            }
        })
        .collect();
    if !inputs.is_empty() {
        count_alerts(&mut rows, &work, inputs, flags, eql)?;
    }
    Ok(rows)
}

fn unreadable(path: &Path, name: &str) -> Row {
    Row {
        file: path.display().to_string(),
        id: String::new(),
        name: name.to_string(),
        format: "unknown",
        kind: None,
        language: "unknown".into(),
        parses: false,
        runnable: false,
        status: Status::Unreadable,
        missing: Vec::new(),
        errors: Vec::new(),
        lint: Vec::new(),
        notes: Vec::new(),
        alerts: None,
    }
}

/// Expansion, parsing, planning and lint of one rule.
fn analyse(
    path: &Path,
    up: &UpstreamRule,
    defs: &Defs,
    profile: Option<&Profile>,
    flags: &InputFlags,
    eql: &EqlFlags,
) -> Row {
    let mut row = Row {
        file: path.display().to_string(),
        id: up.id.clone(),
        name: up.name.clone(),
        format: up.format.name(),
        kind: up.kind.clone(),
        language: up.language.clone(),
        parses: false,
        runnable: false,
        status: Status::OtherLanguage,
        missing: Vec::new(),
        errors: Vec::new(),
        lint: Vec::new(),
        notes: Vec::new(),
        alerts: None,
    };
    let Some(rule) = &up.rule else {
        row.missing.push(format!("unsupported: {} rules", up.language));
        return row;
    };
    let text = match rule.query_with(&Default::default()) {
        Ok(text) => text,
        Err(d) => {
            row.errors.push(d.message);
            row.status = Status::Error;
            return row;
        }
    };
    let name = path.display().to_string();
    let mut found = Problems::default();
    match rule.file.language {
        Lang::Spl => analyse_spl(&name, &text, rule.query_line, defs, profile, &mut found, &mut row),
        Lang::Eql => {
            let options = rule_eql_options(rule, flags, eql);
            let mut sources = SourceMap::new();
            let id = sources.add_at_line(&name, &text, SourceKind::Query, rule.query_line);
            match quarry_syntax::eql::parse_query(&text, id) {
                Err(errors) => found.classify(&errors),
                Ok(_) => {
                    row.parses = true;
                    if let Err(errors) = quarry_engine::eql::compile(&sources, id, &options) {
                        found.classify(&errors);
                    }
                    let semantics = Semantics {
                        dialect: eql.eql_dialect,
                        case_sensitive: eql.case_sensitive,
                    };
                    if let Ok(findings) = quarry_engine::lint::lint_eql(&sources, id, semantics) {
                        row.lint = findings.iter().map(finding).collect();
                    }
                }
            }
        }
    }
    row.missing = found.missing;
    row.errors = found.errors;
    row.runnable = row.parses && row.missing.is_empty() && row.errors.is_empty();
    row.status = if row.runnable {
        Status::Runnable
    } else if !row.errors.is_empty() && !row.parses {
        Status::ParseError
    } else if !row.missing.is_empty() {
        // Includes queries the parser stops at for a construct it does not take yet
        // (`unsupported: subsearch`): they are Splunk, just not Quarry's yet.
        Status::Unsupported
    } else {
        Status::Error
    };
    row
}

/// Problems found, each once, in the order found.
#[derive(Default)]
struct Problems {
    missing: Vec<String>,
    errors: Vec<String>,
}

impl Problems {
    fn missing(&mut self, what: String) {
        if !self.missing.contains(&what) {
            self.missing.push(what);
        }
    }

    fn error(&mut self, what: String) {
        if !self.errors.contains(&what) {
            self.errors.push(what);
        }
    }

    /// Unsupported and unknown names are missing pieces; anything else is an error.
    fn classify(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            match d.code {
                Code::Unsupported | Code::Unknown => self.missing(d.message.clone()),
                _ => self.error(d.message.clone()),
            }
        }
    }
}

/// A lint finding in one line: its code and message.
fn finding(d: &Diagnostic) -> String {
    format!("{} {}", d.code.as_str(), d.message)
}

/// How many times macro expansion is retried with stand-ins for undefined macros: each round
/// finds the macros called from the bodies of the last round's.
const MACRO_ROUNDS: usize = 8;

fn analyse_spl(
    name: &str,
    text: &str,
    first_line: usize,
    defs: &Defs,
    profile: Option<&Profile>,
    found: &mut Problems,
    row: &mut Row,
) {
    // Undefined macros are all reported: each gets an empty stand-in and expansion is tried
    // again, so that parsing and planning can go on to find what else is missing.
    let mut macros = Cow::Borrowed(&defs.macros);
    let mut expanded = None;
    for _ in 0..MACRO_ROUNDS {
        let mut sources = SourceMap::new();
        let id = sources.add_at_line(name, text, SourceKind::Query, first_line);
        match macros.expand(&mut sources, id) {
            Ok(done) => {
                expanded = Some((sources, id, done));
                break;
            }
            Err(errors) => {
                let undefined: Vec<&Diagnostic> = errors.iter().filter(|d| d.code == Code::UndefinedMacro).collect();
                if undefined.is_empty() {
                    found.classify(&errors);
                    break;
                }
                for d in undefined {
                    let Some(key) = d.message.split('`').nth(1) else {
                        found.error(d.message.clone());
                        continue;
                    };
                    found.missing(format!("missing macro: {key}"));
                    macros.to_mut().insert(stand_in(key));
                }
            }
        }
    }
    let Some((mut sources, query, expanded)) = expanded else {
        return;
    };
    let expanded_text = sources.text(expanded).to_string();
    let pipeline = match quarry_syntax::spl::parse_pipeline(&expanded_text, expanded) {
        Ok(p) => p,
        Err(errors) => {
            found.classify(&errors);
            return;
        }
    };
    row.parses = true;
    let ctx = quarry_engine::lower::spl::SplContext {
        lookups: defs.lookups.clone(),
        ..Default::default()
    };
    if let Err(errors) = quarry_engine::lower::spl::lower_with(&pipeline, &ctx) {
        found.classify(&errors);
    }
    // Planning reports the first problem of each command; every function is looked at here.
    for command in &pipeline.commands {
        for_each_call(command, &mut |call: &str| {
            if quarry_engine::func::lookup(call).is_none() {
                let lower = call.to_ascii_lowercase();
                if quarry_engine::func::KNOWN_UNIMPLEMENTED.contains(&lower.as_str()) {
                    found.missing(format!("unsupported: {call}"));
                } else {
                    found.missing(format!("unsupported: {call} (not a Splunk eval function)"));
                }
            }
        });
    }
    for table in used_by(&expanded_text) {
        match defs.lookups.get(&table) {
            Some(LookupEntry::Table(t)) => {
                if let Some(note) = &t.note {
                    if !row.notes.contains(note) {
                        row.notes.push(note.clone());
                    }
                }
            }
            Some(LookupEntry::Missing(reason)) => found.missing(format!("missing lookup: {table} ({reason})")),
            None => found.missing(format!("missing lookup: {table}")),
        }
    }
    if let Ok(findings) = quarry_engine::lint::lint_spl(&mut sources, query, &macros, profile) {
        row.lint = findings.iter().map(finding).collect();
    }
}

/// An empty definition standing in for the undefined macro `key` (`name` or `name(N)`).
fn stand_in(key: &str) -> MacroDef {
    let (name, arity) = match key.strip_suffix(')').and_then(|k| k.rsplit_once('(')) {
        Some((name, n)) => (name, n.parse().unwrap_or(0)),
        None => (key, 0),
    };
    MacroDef {
        name: name.to_string(),
        args: (0..arity).map(|i| format!("arg{i}")).collect(),
        definition: String::new(),
        is_eval: false,
        origin: "missing".into(),
    }
}

/// Calls `visit` with the name of every function called in the eval expressions of `command`.
fn for_each_call(command: &Command, visit: &mut dyn FnMut(&str)) {
    match command {
        Command::Eval(e) => e.assignments.iter().for_each(|a| calls_in(&a.expr, visit)),
        Command::Where(w) => calls_in(&w.expr, visit),
        Command::Stats(s) => {
            for agg in &s.aggregations {
                if let Some(AggArg::Eval(e)) = &agg.arg {
                    calls_in(e, visit);
                }
            }
        }
        _ => {}
    }
}

fn calls_in(expr: &Expr, visit: &mut dyn FnMut(&str)) {
    match &expr.kind {
        ExprKind::Call { name, args } => {
            visit(&name.name);
            args.iter().for_each(|a| calls_in(a, visit));
        }
        ExprKind::Unary { expr, .. } | ExprKind::Group(expr) => calls_in(expr, visit),
        ExprKind::Binary { left, right, .. } => {
            calls_in(left, visit);
            calls_in(right, visit);
        }
        ExprKind::In { expr, list } => {
            calls_in(expr, visit);
            list.iter().for_each(|e| calls_in(e, visit));
        }
        ExprKind::Field(_) | ExprKind::Str(_) | ExprKind::Number(_) => {}
    }
}

/// Runs the runnable rules over `inputs` (one pass per way of reading them, as `quarry run`)
/// and records each one's alert count.
fn count_alerts(
    rows: &mut [Row],
    work: &[Work],
    inputs: &[String],
    flags: &InputFlags,
    eql: &EqlFlags,
) -> Result<(), Diagnostic> {
    let mut preparer = Preparer::new(flags, eql);
    let mut prepared = Vec::new();
    let mut index: IndexMap<(PathBuf, String), usize> = IndexMap::new();
    for (n, (row, w)) in rows.iter_mut().zip(work).enumerate() {
        let Ok(UpstreamRule { rule: Some(rule), .. }) = &w.rule else {
            continue;
        };
        if !row.runnable {
            continue;
        }
        match preparer.prepare(rule.clone(), &IndexMap::new(), None) {
            Ok(p) => {
                index.insert((rule.path.clone(), rule.file.id.clone()), n);
                row.alerts = Some(0);
                prepared.push(p);
            }
            Err(failure) => row.errors.push(failure.message),
        }
    }
    let geoip = preparer.geoip();
    let mut counts = vec![0u64; rows.len()];
    let passes = run_prepared(prepared, inputs, flags, geoip, &mut |rule, _event| {
        if let Some(&n) = index.get(&(rule.path.clone(), rule.file.id.clone())) {
            counts[n] += 1;
        }
    });
    if let Some(e) = passes.iter().flat_map(|p| &p.read.errors).next() {
        return Err(Diagnostic::error(Code::Input, e.to_string()));
    }
    for (row, count) in rows.iter_mut().zip(counts) {
        if row.alerts.is_some() {
            row.alerts = Some(count);
        }
    }
    Ok(())
}
