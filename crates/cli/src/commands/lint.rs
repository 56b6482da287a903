//! `quarry lint`: explains why rules cannot do what they say. Each finding is printed like any
//! other diagnostic (the query with a caret under the cause, a code, a `help:` line), or as
//! one JSON object per line with `--format json`.

use super::{names_rules, rule_queries, Failure};
use crate::diagnostics::render;
use crate::lang::{detect, Lang};
use crate::library;
use crate::Exit;
use clap::{Args, ValueEnum};
use indexmap::IndexMap;
use quarry_engine::eql::{Dialect, Semantics};
use quarry_engine::profile::{Profile, ProfileSet};
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{Diagnostic, Severity, SourceKind, SourceMap, Span};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// The list of findings and the exit codes, for `--help`.
fn after_help() -> String {
    let mut text = String::from("Findings:\n");
    for f in quarry_engine::lint::FINDINGS {
        text.push_str(&format!("  {}  {}\n", f.code, f.summary));
    }
    text.push_str("\nExit codes: 0 no findings, 1 findings (or a query that cannot be examined), 2 unreadable input.");
    text
}

#[derive(Args, Debug)]
#[command(after_help = after_help())]
pub struct LintArgs {
    /// Language of queries given as text (detected when not given).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// Source type whose profile says which fields exist (default: each rule's own).
    #[arg(long, value_name = "NAME")]
    pub sourcetype: Option<String>,
    /// Macro definitions: a macros.conf, a macros/*.yml file, or a directory of them (repeatable).
    #[arg(long, value_name = "FILE")]
    pub macros: Vec<PathBuf>,
    /// A source profile file (TOML) to add to the shipped ones (repeatable).
    #[arg(long, value_name = "FILE")]
    pub profile: Vec<PathBuf>,
    /// EQL semantics the findings assume: `elasticsearch` or `endgame`.
    #[arg(long, value_name = "DIALECT", default_value = "elasticsearch", value_parser = parse_dialect)]
    pub eql_dialect: Dialect,
    /// Output: `text` (rendered diagnostics) or `json` (one finding per line).
    #[arg(long, value_enum, default_value = "text")]
    pub format: LintFormat,
    /// Rule files, directories of rule files, or queries.
    #[arg(required = true)]
    pub items: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
}

fn parse_dialect(text: &str) -> Result<Dialect, String> {
    Dialect::parse(text).ok_or_else(|| format!("unknown dialect `{text}` (elasticsearch, endgame)"))
}

/// One query to lint: a rule's or one given on the command line.
struct Item {
    name: String,
    text: String,
    first_line: usize,
    lang: Lang,
    sourcetype: Option<String>,
    /// The rule file, for macros kept next to it.
    path: Option<PathBuf>,
}

/// What linting one item gave.
pub struct Outcome {
    pub sources: SourceMap,
    /// Findings, or the errors of a query that could not be examined.
    pub result: Result<Vec<Diagnostic>, Vec<Diagnostic>>,
}

pub fn run(args: LintArgs) -> Result<Exit, Failure> {
    let (items, skipped) = items(&args)?;
    let base_macros = load_macros(library::builtin_macros(), &args.macros)?;
    let profiles = load_profiles(&args.profile)?;
    if let Some(st) = &args.sourcetype {
        if profiles.get(st).is_none() {
            let known: Vec<&str> = profiles.sourcetypes().collect();
            eprintln!(
                "quarry: note: no source profile for sourcetype `{st}` (known: {}); fields are not checked",
                known.join(", ")
            );
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut counts: IndexMap<&'static str, usize> = IndexMap::new();
    let (mut with_findings, mut failed) = (0, skipped);
    for item in &items {
        let mut macros = base_macros.clone();
        if let Some(dir) = item.path.as_deref().and_then(Path::parent) {
            for conf in library::macros_near(dir) {
                library::load_macros(&mut macros, &conf).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
            }
            macros = load_macros(macros, &args.macros)?;
        }
        let sourcetype = args.sourcetype.as_deref().or(item.sourcetype.as_deref());
        let profile = sourcetype.and_then(|st| profiles.get(st));
        let outcome = lint_one(item, &macros, profile.as_deref(), args.eql_dialect);
        match &outcome.result {
            Ok(findings) => {
                if !findings.is_empty() {
                    with_findings += 1;
                }
                for f in findings {
                    *counts.entry(f.code.as_str()).or_default() += 1;
                    let written = match args.format {
                        LintFormat::Text => writeln!(out, "{}\n", render(f, &outcome.sources, color)),
                        LintFormat::Json => writeln!(out, "{}", finding_json(f, &item.name, &outcome.sources)),
                    };
                    written.map_err(|e| Failure::new(Exit::InputError, format!("writing findings: {e}")))?;
                }
            }
            Err(errors) => {
                failed += 1;
                for e in errors {
                    eprintln!("{}\n", render(e, &outcome.sources, crate::diagnostics::stderr_color()));
                }
            }
        }
    }
    out.flush()
        .map_err(|e| Failure::new(Exit::InputError, format!("writing findings: {e}")))?;
    let total: usize = counts.values().sum();
    let summary = summary(items.len() + skipped, with_findings, failed, total, &counts);
    match args.format {
        LintFormat::Text => println!("{summary}"),
        LintFormat::Json => eprintln!("{summary}"),
    }
    Ok(if total > 0 || failed > 0 {
        Exit::QueryError
    } else {
        Exit::Ok
    })
}

/// Lints one query with the given definitions.
fn lint_one(item: &Item, macros: &MacroLibrary, profile: Option<&Profile>, dialect: Dialect) -> Outcome {
    let mut sources = SourceMap::new();
    let id = sources.add_at_line(&item.name, &item.text, SourceKind::Query, item.first_line);
    let result = match item.lang {
        Lang::Spl => quarry_engine::lint::lint_spl(&mut sources, id, macros, profile),
        Lang::Eql => quarry_engine::lint::lint_eql(
            &sources,
            id,
            Semantics {
                dialect,
                case_sensitive: false,
            },
        ),
    };
    Outcome { sources, result }
}

/// The queries to lint, and how many rules could not be (in a language Quarry does not run).
fn items(args: &LintArgs) -> Result<(Vec<Item>, usize), Failure> {
    let mut items = Vec::new();
    let mut skipped = 0;
    for arg in &args.items {
        let path = PathBuf::from(arg);
        if names_rules(&path) {
            let (found, unsupported) = rule_queries(path)?;
            for message in unsupported {
                eprintln!("quarry: error: {message}");
                skipped += 1;
            }
            for found in found {
                items.push(Item {
                    name: found.path.display().to_string(),
                    text: found.text,
                    first_line: found.rule.query_line,
                    lang: found.rule.file.language,
                    sourcetype: found.rule.file.sourcetype.clone(),
                    path: Some(found.path),
                });
            }
        } else if looks_like_path(arg) {
            return Err(Failure::new(
                Exit::InputError,
                format!("{arg}: no such rule file or directory"),
            ));
        } else {
            items.push(Item {
                name: "query".into(),
                text: arg.clone(),
                first_line: 1,
                lang: args.lang.unwrap_or_else(|| detect(arg)),
                sourcetype: None,
                path: None,
            });
        }
    }
    Ok((items, skipped))
}

/// A name ending in `.toml` or a path that exists but is not a rule: not a query.
fn looks_like_path(arg: &str) -> bool {
    let path = Path::new(arg);
    arg.ends_with(".toml") || (path.exists() && !arg.contains(char::is_whitespace))
}

fn load_macros(mut macros: MacroLibrary, files: &[PathBuf]) -> Result<MacroLibrary, Failure> {
    for path in files {
        library::load_macros(&mut macros, path).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
    }
    Ok(macros)
}

fn load_profiles(files: &[PathBuf]) -> Result<ProfileSet, Failure> {
    let mut profiles = library::builtin_profiles().map_err(|d| Failure::new(Exit::QueryError, d.message))?;
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::new(Exit::InputError, format!("{}: {e}", path.display())))?;
        let profile = Profile::parse(&text, &path.display().to_string())
            .map_err(|d| Failure::new(Exit::QueryError, d.message))?;
        profiles.insert(profile);
    }
    Ok(profiles)
}

fn summary(
    items: usize,
    with_findings: usize,
    failed: usize,
    total: usize,
    counts: &IndexMap<&'static str, usize>,
) -> String {
    let what = if items == 1 { "query" } else { "queries" };
    let mut line = format!("quarry lint: {items} {what} checked, {total} finding(s) in {with_findings}");
    if failed > 0 {
        line.push_str(&format!(", {failed} could not be examined"));
    }
    if !counts.is_empty() {
        let mut codes: Vec<(&&str, &usize)> = counts.iter().collect();
        codes.sort();
        let parts: Vec<String> = codes.iter().map(|(c, n)| format!("{c} x{n}")).collect();
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    line
}

/// Where a span is in the text the user wrote: source name, 1-based line and column.
fn location(span: Span, sources: &SourceMap) -> serde_json::Value {
    let (resolved, _) = sources.resolve(span);
    let (line, column) = sources.line_col(resolved.source, resolved.start as usize);
    let (end_line, end_column) = sources.line_col(resolved.source, resolved.end as usize);
    json!({
        "source": sources.get(resolved.source).map(|s| s.name.clone()),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "text": sources.snippet(resolved),
    })
}

/// One finding as JSON: code, severity, message, every label with its place, help and notes.
pub fn finding_json(d: &Diagnostic, item: &str, sources: &SourceMap) -> serde_json::Value {
    let labels: Vec<serde_json::Value> = d
        .labels
        .iter()
        .map(|l| {
            let mut v = location(l.span, sources);
            v["primary"] = json!(l.primary);
            v["message"] = json!(l.message);
            v
        })
        .collect();
    let primary = d.primary_span().map(|s| location(s, sources));
    json!({
        "rule": item,
        "code": d.code.as_str(),
        "severity": match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        },
        "message": d.message,
        "location": primary,
        "labels": labels,
        "help": d.help,
        "notes": d.notes,
    })
}
