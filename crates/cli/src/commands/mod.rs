//! The subcommands and what they share: the flags that say how to read inputs, the macro and
//! profile environment, compiling a query, and the end-of-run accounting.

pub mod check;
pub mod gen;
pub mod lint;
pub mod port;
pub mod query;
pub mod repl;
pub mod run;
pub mod test;

use crate::diagnostics::{render_all, stderr_color};
use crate::lang::{detect, Lang};
use crate::library;
use crate::Exit;
use clap::Args;
use quarry_engine::eql::{Dialect, EqlOptions, Semantics};
use quarry_engine::geoip::GeoIp;
use quarry_engine::input::{ReadOptions, ReadSummary, DEFAULT_MAX_LINE};
use quarry_engine::ops::Accounting;
use quarry_engine::plan::{EventOrder, Plan};
use quarry_engine::profile::{Profile, ProfileSet};
use quarry_engine::run::RunReport;
use quarry_engine::time::TimeUnit;
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{Code, Diagnostic, SourceId, SourceKind, SourceMap};
use std::path::PathBuf;
use std::sync::Arc;

/// Flags that say where definitions come from and how inputs are read.
#[derive(Args, Clone, Debug, Default)]
pub struct InputFlags {
    /// Source type of the inputs; applies its source profile (time field, aliases, event types).
    #[arg(long, value_name = "NAME")]
    pub sourcetype: Option<String>,
    /// Field holding each event's time (default: the profile's, else the first of _time,
    /// @timestamp, timestamp, published).
    #[arg(long, value_name = "FIELD")]
    pub time_field: Option<String>,
    /// How numbers (and digit strings) in the time field are read. ISO 8601 text always parses.
    #[arg(long, value_name = "UNIT", value_parser = parse_time_unit)]
    pub time_unit: Option<TimeUnit>,
    /// Value of the `host` field of every event.
    #[arg(long, default_value = "localhost")]
    pub host: String,
    /// Value of the `index` field of every event.
    #[arg(long, default_value = "main")]
    pub index: String,
    /// Macro definitions: a macros.conf, a macros/*.yml file, or a directory of them (repeatable).
    #[arg(long, value_name = "FILE")]
    pub macros: Vec<PathBuf>,
    /// Lookup tables: a CSV file, a lookups/*.yml definition, a transforms.conf, or a directory
    /// of them (repeatable).
    #[arg(long, value_name = "DIR|FILE")]
    pub lookups: Vec<PathBuf>,
    /// Where `outputlookup` writes lookup tables (DIR/<name>.csv); without it they are not
    /// written.
    #[arg(long, value_name = "DIR")]
    pub lookup_output: Option<PathBuf>,
    /// A source profile file (TOML) to add to the shipped ones (repeatable).
    #[arg(long, value_name = "FILE")]
    pub profile: Vec<PathBuf>,
    /// MaxMind-format database for `iplocation` (default: $QUARRY_GEOIP).
    #[arg(long, value_name = "FILE")]
    pub geoip: Option<PathBuf>,
    /// Treat a bad input line as fatal (exit code 2) instead of reporting and skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Longest input line in bytes; longer lines are reported and skipped.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_LINE)]
    pub max_line_bytes: usize,
    /// Result order for events: `time` (newest first, as Splunk) or `input` (as read, streaming).
    #[arg(long, value_name = "ORDER", default_value = "time", value_parser = parse_order)]
    pub order: EventOrder,
    /// Do not print the end-of-run summary on stderr.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print the end-of-run accounting on stderr as one JSON object instead of a line of text.
    #[arg(long)]
    pub stats: bool,
    /// Memory allowed to blocking commands (sort, stats groups, dedup, tail, event ordering),
    /// e.g. 512M or 4G (default 2G); past it the run stops with exit code 3.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<usize>,
    /// Stop a run that takes longer (e.g. 30s, 5m) with exit code 3.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
    /// Reader threads: several inputs are read at once, one thread each, when there are at
    /// most this many (0: up to 64), and each input's lines are parsed on this many threads
    /// (0: one per core, up to 8). `1` reads everything on one thread. Results do not depend
    /// on it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// Parse every line. By default a line that looks like a JSON object but lacks the text
    /// every event the queries keep must contain is skipped unparsed (and so not checked;
    /// --strict checks every line too).
    #[arg(long)]
    pub no_prefilter: bool,
}

fn parse_size(text: &str) -> Result<usize, String> {
    quarry_engine::limits::parse_size(text).ok_or_else(|| format!("bad size `{text}` (e.g. 512M, 2G)"))
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    quarry_engine::limits::parse_duration(text).ok_or_else(|| format!("bad duration `{text}` (e.g. 30s, 5m, 1h)"))
}

impl InputFlags {
    /// The run's limits, counted from now.
    pub fn limits(&self) -> quarry_engine::limits::Limits {
        let memory = self.max_memory.unwrap_or(quarry_engine::limits::DEFAULT_MAX_MEMORY);
        quarry_engine::limits::Limits::new(memory, self.timeout)
    }
}

fn parse_time_unit(text: &str) -> Result<TimeUnit, String> {
    TimeUnit::parse(text).ok_or_else(|| format!("unknown time unit `{text}` (s, ms, us, ns, filetime)"))
}

fn parse_order(text: &str) -> Result<EventOrder, String> {
    match text {
        "time" => Ok(EventOrder::NewestFirst),
        "input" => Ok(EventOrder::Input),
        _ => Err(format!("unknown order `{text}` (time, input)")),
    }
}

/// Flags for EQL queries.
#[derive(Args, Clone, Debug)]
pub struct EqlFlags {
    /// EQL semantics: `elasticsearch` (what Elastic's rules run under) or `endgame`.
    #[arg(long, value_name = "DIALECT", default_value = "elasticsearch", value_parser = parse_dialect)]
    pub eql_dialect: Dialect,
    /// endgame's case-sensitive mode (endgame compares strings without case by default).
    #[arg(long)]
    pub case_sensitive: bool,
    /// Cap on the number of results, like the `size` of an Elasticsearch request.
    #[arg(long, value_name = "N")]
    pub size: Option<u64>,
    /// `sample`: samples per join key.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub max_samples_per_key: usize,
    /// Field holding the event category that `process where ...` tests.
    #[arg(long, value_name = "FIELD", default_value = "event.category")]
    pub category_field: String,
    /// Field that orders events with the same timestamp.
    #[arg(long, value_name = "FIELD")]
    pub tiebreaker: Option<String>,
    /// Most partial sequences kept in memory; the oldest are evicted (and counted) beyond it.
    #[arg(long, value_name = "N", default_value_t = quarry_engine::eql::DEFAULT_MAX_PARTIALS)]
    pub max_partials: usize,
    /// How late an event may arrive and still be put in time order (Elasticsearch dialect):
    /// a duration such as 5m or 1h, `0`, or `all` to sort every event first.
    #[arg(long, value_name = "SPAN", default_value = "5m", value_parser = parse_window)]
    pub reorder_window: Window,
}

/// A reorder window: a bound in nanoseconds, or everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window(pub Option<i64>);

fn parse_window(text: &str) -> Result<Window, String> {
    if text == "all" {
        return Ok(Window(None));
    }
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let n: i64 = text[..digits]
        .parse()
        .map_err(|_| format!("bad window `{text}` (e.g. 5m, 1h, 0, all)"))?;
    let unit = &text[digits..];
    let per: i64 = match unit {
        "" | "s" => 1_000_000_000,
        "ms" => 1_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        "d" => 86_400_000_000_000,
        _ => return Err(format!("bad window unit `{unit}` (ms, s, m, h, d)")),
    };
    Ok(Window(Some(n.saturating_mul(per))))
}

impl Default for EqlFlags {
    fn default() -> EqlFlags {
        EqlFlags {
            eql_dialect: Dialect::Elasticsearch,
            case_sensitive: false,
            size: None,
            max_samples_per_key: 1,
            category_field: "event.category".into(),
            tiebreaker: None,
            max_partials: quarry_engine::eql::DEFAULT_MAX_PARTIALS,
            reorder_window: Window(Some(quarry_engine::eql::DEFAULT_REORDER_WINDOW)),
        }
    }
}

impl EqlFlags {
    /// The options, with the time field the inputs are read with.
    pub fn options_for(&self, input: &InputFlags) -> EqlOptions {
        EqlOptions {
            time_field: Some(input.time_field.clone().unwrap_or_else(|| "@timestamp".into())),
            ..self.options()
        }
    }

    pub fn options(&self) -> EqlOptions {
        EqlOptions {
            semantics: Semantics {
                dialect: self.eql_dialect,
                case_sensitive: self.case_sensitive,
            },
            category_field: self.category_field.clone(),
            tiebreaker: self.tiebreaker.clone(),
            size: self.size,
            max_samples_per_key: self.max_samples_per_key,
            max_partials: self.max_partials,
            time_field: None,
            reorder_window: self.reorder_window.0,
        }
    }
}

fn parse_dialect(text: &str) -> Result<Dialect, String> {
    Dialect::parse(text).ok_or_else(|| format!("unknown dialect `{text}` (elasticsearch, endgame)"))
}

/// Definitions a command runs with.
pub struct Env {
    pub sources: SourceMap,
    pub macros: MacroLibrary,
    pub profiles: ProfileSet,
    pub geoip: Option<Arc<GeoIp>>,
    pub lookups: Arc<quarry_engine::lookup::LookupRegistry>,
}

/// A failure to report before exiting.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
        }
    }
}

/// The lookup tables for rules in `dir`: those defined next to them (an app's `lookups/` and
/// `transforms.conf`, a security_content checkout's `lookups/`), then the `--lookups` paths,
/// which win; `outputlookup` writes into `--lookup-output`.
pub fn lookups_for(
    dir: Option<&std::path::Path>,
    flags: &InputFlags,
) -> Result<Arc<quarry_engine::lookup::LookupRegistry>, Failure> {
    let near = dir
        .map(|d| crate::upstream::definitions_near(&d.join("rule")).lookups)
        .unwrap_or_default();
    let mut lookups = quarry_engine::lookup::LookupRegistry::new();
    for path in near.iter().chain(&flags.lookups) {
        lookups
            .load(path)
            .map_err(|e| Failure::new(Exit::InputError, format!("lookups: {e}")))?;
    }
    if let Some(out) = &flags.lookup_output {
        lookups.set_output_dir(out.clone());
    }
    Ok(Arc::new(lookups))
}

impl Env {
    /// The shipped library plus what the flags add.
    pub fn load(flags: &InputFlags) -> Result<Env, Failure> {
        let mut macros = library::builtin_macros();
        for path in &flags.macros {
            library::load_macros(&mut macros, path).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
        }
        let lookups = lookups_for(None, flags)?;
        let mut profiles = library::builtin_profiles().map_err(|d| Failure::new(Exit::QueryError, d.message))?;
        for path in &flags.profile {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::new(Exit::InputError, format!("{}: {e}", path.display())))?;
            let profile = Profile::parse(&text, &path.display().to_string())
                .map_err(|d| Failure::new(Exit::QueryError, d.message))?;
            profiles.insert(profile);
        }
        let geoip_path = flags
            .geoip
            .clone()
            .or_else(|| std::env::var_os("QUARRY_GEOIP").map(PathBuf::from));
        let geoip = match geoip_path {
            Some(path) => Some(Arc::new(
                GeoIp::open(&path).map_err(|e| Failure::new(Exit::InputError, e))?,
            )),
            None => None,
        };
        Ok(Env {
            sources: SourceMap::new(),
            macros,
            profiles,
            geoip,
            lookups,
        })
    }

    /// How to read inputs; `default_sourcetype` is a rule's own source type.
    pub fn read_options(&self, flags: &InputFlags, default_sourcetype: Option<&str>) -> Result<ReadOptions, Failure> {
        let sourcetype = flags
            .sourcetype
            .clone()
            .or_else(|| default_sourcetype.map(str::to_string));
        let profile = match &sourcetype {
            Some(st) => {
                let p = self.profiles.get(st);
                if p.is_none() && flags.sourcetype.is_some() {
                    let known: Vec<&str> = self.profiles.sourcetypes().collect();
                    eprintln!(
                        "quarry: note: no source profile for sourcetype `{st}` (known: {}); fields are read as they are",
                        known.join(", ")
                    );
                }
                p
            }
            None => None,
        };
        Ok(ReadOptions {
            time_field: flags.time_field.clone(),
            time_unit: flags.time_unit,
            sourcetype,
            profile,
            host: flags.host.clone(),
            index: flags.index.clone(),
            max_line: flags.max_line_bytes,
            threads: flags.threads,
            // --strict promises every line is checked.
            prefilter: !flags.no_prefilter && !flags.strict,
            ..ReadOptions::default()
        })
    }

    /// Compiles a query in `lang` (or the detected language).
    pub fn compile(
        &mut self,
        name: &str,
        text: &str,
        first_line: usize,
        lang: Option<Lang>,
        order: EventOrder,
        eql: &EqlOptions,
    ) -> Result<Plan, Vec<Diagnostic>> {
        let id = self.add_query(name, text, first_line);
        match lang.unwrap_or_else(|| detect(text)) {
            Lang::Spl => {
                quarry_engine::spl::compile_with_lookups(&mut self.sources, id, &self.macros, order, eql, &self.lookups)
                    .map(|c| c.plan)
            }
            Lang::Eql => quarry_engine::eql::compile(&self.sources, id, eql),
        }
    }

    pub fn add_query(&mut self, name: &str, text: &str, first_line: usize) -> SourceId {
        self.sources.add_at_line(name, text, SourceKind::Query, first_line)
    }

    /// Prints diagnostics to stderr.
    pub fn report(&self, diagnostics: &[Diagnostic]) {
        eprintln!("{}", self.render(diagnostics));
    }

    /// Renders diagnostics for stderr.
    pub fn render(&self, diagnostics: &[Diagnostic]) -> String {
        render_all(diagnostics, &self.sources, stderr_color())
    }
}

/// The end-of-run accounting on stderr: what was read, what went wrong, what was dropped.
pub fn print_summary(report: &RunReport, label: Option<&str>) {
    let r = &report.read;
    let prefix = match label {
        Some(l) => format!("quarry: {l}: "),
        None => "quarry: ".to_string(),
    };
    let mut line = format!(
        "{prefix}{} input(s), {} line(s), {} event(s), {} bad line(s), {} result(s)",
        r.inputs, r.lines, r.events, r.bad_lines, report.results
    );
    line.push_str(&accounting_tail(r, &report.ops));
    eprintln!("{line}");
    for note in &report.ops.notes {
        eprintln!("{prefix}note: {note}");
    }
}

/// The parts of the accounting line after the counts: where the first bad lines are, and
/// what operators dropped, evicted or cut. Empty when nothing was lost.
pub fn accounting_tail(r: &ReadSummary, ops: &Accounting) -> String {
    let mut line = String::new();
    if !r.first_bad.is_empty() {
        let shown: Vec<String> = r
            .first_bad
            .iter()
            .take(3)
            .map(|b| format!("{}:{}", b.source, b.line))
            .collect();
        let more = if r.bad_lines > shown.len() as u64 { ", ..." } else { "" };
        line.push_str(&format!(" (first at {}{more})", shown.join(", ")));
    }
    if r.prefiltered > 0 {
        line.push_str(&format!(
            "; {} line(s) without the queries' text skipped unparsed (--no-prefilter parses them)",
            r.prefiltered
        ));
    }
    if ops.dropped_null_by > 0 {
        line.push_str(&format!(
            "; {} event(s) dropped by `stats ... by` (a by-field was null)",
            ops.dropped_null_by
        ));
    }
    if ops.evicted_partials > 0 {
        line.push_str(&format!(
            "; {} partial sequence(s) evicted (--max-partials)",
            ops.evicted_partials
        ));
    }
    if ops.truncated > 0 {
        line.push_str(&format!("; {} result(s) cut by sort/head/--size", ops.truncated));
    }
    if r.stopped_early {
        line.push_str("; stopped reading early");
    }
    line
}

/// The end-of-run accounting as one JSON object (`--stats`).
pub fn accounting_json(
    r: &ReadSummary,
    ops: &Accounting,
    results: u64,
    limit: Option<&quarry_engine::limits::LimitError>,
) -> serde_json::Value {
    serde_json::json!({
        "inputs": r.inputs,
        "lines": r.lines,
        "events": r.events,
        "bad_lines": r.bad_lines,
        "oversized_lines": r.oversized_lines,
        "prefiltered": r.prefiltered,
        "first_bad": r.first_bad.iter().map(|b| serde_json::json!({
            "source": b.source, "line": b.line, "reason": b.reason,
        })).collect::<Vec<_>>(),
        "input_errors": r.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "results": results,
        "dropped_null_by": ops.dropped_null_by,
        "evicted_partials": ops.evicted_partials,
        "truncated": ops.truncated,
        "stopped_early": r.stopped_early,
        "notes": ops.notes,
        "limit": limit.map(|l| serde_json::json!({
            "kind": match l.kind {
                quarry_engine::limits::LimitKind::Memory => "memory",
                quarry_engine::limits::LimitKind::Timeout => "timeout",
            },
            "message": l.message,
        })),
    })
}

/// Reports a limit that stopped the run; `Exit::Limit` when there was one.
pub fn report_limit(limits: &quarry_engine::limits::Limits) -> Option<Exit> {
    let error = limits.exceeded()?;
    eprintln!("quarry: error: {error}; the run stopped before the end of its input: results held by blocking commands were not finished, and any results above are incomplete");
    Some(Exit::Limit)
}

/// Reports unreadable inputs; returns the exit code they call for.
pub fn report_input_errors(report: &RunReport) -> Exit {
    for e in &report.read.errors {
        eprintln!("quarry: error: {e}");
    }
    if !report.read.errors.is_empty() || report.read.oversized_lines > 0 {
        Exit::InputError
    } else {
        Exit::Ok
    }
}

/// A rule file's query as it runs: parameters at their defaults.
pub struct RuleQuery {
    pub path: PathBuf,
    pub rule: crate::rules::Rule,
    pub text: String,
}

/// Does a command-line argument name rule files (a directory, or a rule file) rather than
/// being a query?
pub fn names_rules(path: &std::path::Path) -> bool {
    path.is_dir() || (path.is_file() && crate::rules::is_rule_file(path))
}

/// Every rule file under `path`, each with its query as it runs; and, apart, the rules that
/// cannot be run at all (a publisher's rule in a language Quarry does not run), as messages.
pub fn rule_queries(path: PathBuf) -> Result<(Vec<RuleQuery>, Vec<String>), Failure> {
    let mut out = Vec::new();
    let mut unsupported = Vec::new();
    for file in crate::rules::collect(&[path]).map_err(|d| Failure::new(Exit::InputError, d.message))? {
        let rules = match crate::rules::load_all(&file) {
            Ok(rules) => rules,
            Err(d) if d.code == Code::Unsupported => {
                unsupported.push(d.message);
                continue;
            }
            Err(d) => return Err(Failure::new(Exit::QueryError, d.message)),
        };
        for rule in rules {
            let text = rule
                .query_with(&Default::default())
                .map_err(|d| Failure::new(Exit::QueryError, d.message))?;
            out.push(RuleQuery {
                path: file.clone(),
                rule,
                text,
            });
        }
    }
    Ok((out, unsupported))
}

/// A diagnostic for a failure that has no source text.
pub fn plain_error(message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Input, message)
}

/// Prints bad input lines as they are found (the first ten, then only a count) and stops the
/// reading under `--strict`.
pub struct BadLines {
    shown: u64,
    strict: bool,
    pub strict_failed: bool,
}

impl BadLines {
    pub fn new(strict: bool) -> BadLines {
        BadLines {
            shown: 0,
            strict,
            strict_failed: false,
        }
    }

    pub fn report(&mut self, bad: &quarry_engine::input::BadLine) -> quarry_engine::run::ReadFlow {
        self.shown += 1;
        if self.shown <= 10 {
            eprintln!("{bad}");
        } else if self.shown == 11 {
            eprintln!("quarry: more bad lines follow; only their count is reported");
        }
        if self.strict {
            self.strict_failed = true;
            return quarry_engine::run::ReadFlow::Stop;
        }
        quarry_engine::run::ReadFlow::Continue
    }
}
