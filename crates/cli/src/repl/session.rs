//! A session's state: the definitions, the logs held in memory, the settings the dot
//! commands change, and running a query over the logs and showing what it gives.

use super::catalog::FieldTree;
use super::complete::Vocabulary;
use super::exec::{self, Control, Outcome};
use super::load::{self, human_bytes, thousands, LoadError, Source};
use super::pager::{self, Screen};
use crate::commands::{Env, EqlFlags, Failure, InputFlags};
use crate::lang::{detect, Lang};
use crate::output::{columns, header, to_json, write_csv, Format, ResultWriter};
use quarry_engine::event::{Event, Name};
use quarry_engine::ops::{Accounting, RunContext};
use quarry_engine::plan::{EventOrder, Plan};
use quarry_engine::value::Value;
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most results shown on the screen; `.output FILE` writes them all.
pub const MAX_SHOWN: usize = 10_000;

/// Environment variable: feed queries one event at a time with this many milliseconds
/// before each, so that a small log runs long enough to interrupt.
pub const PAUSE_VAR: &str = "QUARRY_REPL_PAUSE_MS";

/// Where results go.
pub struct OutputFile {
    pub path: PathBuf,
    pub file: BufWriter<File>,
}

pub struct Session {
    pub env: Env,
    pub input: InputFlags,
    pub eql: EqlFlags,
    /// `None`: detect each query's language.
    pub lang: Option<Lang>,
    pub format: Format,
    /// Show how long each query took.
    pub timing: bool,
    pub output: Option<OutputFile>,
    pub sources: Vec<Source>,
    /// Field names of the loaded events.
    pub fields: FieldTree,
    /// Column names that queries produced (`count`, fields made by `eval`).
    pub columns_seen: BTreeSet<String>,
    /// Set by Ctrl-C; cleared before each command.
    pub cancel: Arc<AtomicBool>,
    /// A command is running (else the session waits for input).
    pub busy: Arc<AtomicBool>,
    pub screen: Screen,
    pause: Option<Duration>,
}

/// What a command asks of the loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

impl Session {
    pub fn new(input: InputFlags, eql: EqlFlags, lang: Option<Lang>, format: Format) -> Result<Session, Failure> {
        let env = Env::load(&input)?;
        let pause = std::env::var(PAUSE_VAR)
            .ok()
            .and_then(|ms| ms.trim().parse::<u64>().ok())
            .map(Duration::from_millis);
        Ok(Session {
            env,
            input,
            eql,
            lang,
            format,
            timing: true,
            output: None,
            sources: Vec::new(),
            fields: FieldTree::default(),
            columns_seen: BTreeSet::new(),
            cancel: Arc::new(AtomicBool::new(false)),
            busy: Arc::new(AtomicBool::new(false)),
            screen: Screen::detect(),
            pause,
        })
    }

    pub fn prompt(&self) -> String {
        match self.lang {
            None => "quarry> ".to_string(),
            Some(lang) => format!("quarry({})> ", lang.name()),
        }
    }

    /// What completion offers now.
    pub fn vocabulary(&self) -> Vocabulary {
        let mut fields: BTreeSet<String> = self.fields.names().into_iter().collect();
        fields.extend(self.columns_seen.iter().cloned());
        for name in quarry_engine::event::DEFAULT_FIELDS {
            fields.insert(name.to_string());
        }
        for source in &self.sources {
            if let Some(profile) = &source.read.profile {
                fields.extend(profile.derived_names().iter().map(|n| n.to_string()));
            }
        }
        let macros = self.env.macros.iter().map(|m| (m.name.clone(), m.args.len())).collect();
        let sourcetypes = self.env.profiles.sourcetypes().map(str::to_string).collect();
        Vocabulary::new(fields, macros, sourcetypes)
    }

    /// Clears Ctrl-C before a command.
    pub fn arm(&self) {
        self.cancel.store(false, Ordering::Relaxed);
        self.busy.store(true, Ordering::Relaxed);
    }

    /// A command is over.
    pub fn idle(&self) {
        self.busy.store(false, Ordering::Relaxed);
    }

    pub fn control(&self) -> Control<'_> {
        Control {
            cancel: &self.cancel,
            pause: self.pause,
            progress: self.screen.stderr_tty,
        }
    }

    pub fn total_events(&self) -> usize {
        self.sources.iter().map(|s| s.events as usize).sum()
    }

    /// Reads `path` into memory, with `sourcetype` or the session's.
    pub fn load(&mut self, path: &str, sourcetype: Option<&str>) {
        let flags = InputFlags {
            sourcetype: sourcetype.map(str::to_string).or_else(|| self.input.sourcetype.clone()),
            ..self.input.clone()
        };
        let read = match self.env.read_options(&flags, None) {
            Ok(read) => read,
            Err(failure) => {
                eprintln!("quarry: error: {}", failure.message);
                return;
            }
        };
        let progress = self.screen.stderr_tty;
        match load::load(path, &read, self.input.strict, &self.cancel, progress, &mut self.fields) {
            Ok(source) => {
                let rate = source.bytes as f64 / source.elapsed.as_secs_f64().max(1e-9);
                let kept = source.store.compressed_bytes();
                eprintln!(
                    "loaded {}: {} events, {} bad line(s), {} in {:.2} s ({}/s), kept in {} ({:.0}% of its size)",
                    source.path,
                    thousands(source.events),
                    source.bad_lines,
                    human_bytes(source.bytes),
                    source.elapsed.as_secs_f64(),
                    human_bytes(rate as u64),
                    human_bytes(kept),
                    100.0 * kept as f64 / source.bytes.max(1) as f64
                );
                self.sources.push(source);
            }
            Err(LoadError::Cancelled) => eprintln!("quarry: loading {path} cancelled; nothing was kept"),
            Err(LoadError::Unreadable(message)) => eprintln!("quarry: error: {message}"),
            Err(LoadError::Strict) => eprintln!("quarry: error: bad input lines with --strict; {path} was not loaded"),
        }
    }

    fn order(&self) -> EventOrder {
        self.input.order
    }

    /// The language `text` is in.
    pub fn lang_of(&self, text: &str) -> Lang {
        self.lang.unwrap_or_else(|| detect(text))
    }

    /// Compiles a query, printing its errors.
    pub fn compile(&mut self, text: &str) -> Option<Plan> {
        let options = self.eql.options_for(&self.input);
        let lang = self.lang_of(text);
        match self.env.compile("query", text, 1, Some(lang), self.order(), &options) {
            Ok(plan) => Some(plan),
            Err(diagnostics) => {
                self.env.report(&diagnostics);
                None
            }
        }
    }

    /// Runs a compiled plan over the loaded events.
    pub fn run_plan(&self, plan: &Plan) -> Outcome {
        let merge = self.order() != EventOrder::Input && plan.streams_in_time_order();
        let mut ctx = RunContext::new(quarry_engine::func::FuncContext::wall_clock());
        ctx.geoip = self.env.geoip.clone();
        if plan.has_subsearch() {
            // Subsearches run over the loaded logs.
            ctx.subsearch = Some(Arc::new(exec::StoredInputs(self.sources.clone())));
        }
        exec::run(plan, &self.sources, merge, ctx, &self.control())
    }

    /// Runs a query and shows its results.
    pub fn query(&mut self, text: &str) {
        let started = Instant::now();
        let Some(plan) = self.compile(text) else { return };
        let outcome = self.run_plan(&plan);
        if outcome.cancelled {
            eprintln!(
                "cancelled after {} of {} events ({:.2} s)",
                thousands(outcome.fed),
                thousands(self.total_events() as u64),
                started.elapsed().as_secs_f64()
            );
            return;
        }
        for event in outcome.results.iter().take(100) {
            for (name, _) in columns(event) {
                if !self.columns_seen.contains(name.as_ref()) {
                    self.columns_seen.insert(name.to_string());
                }
            }
        }
        // The time to compile and run; showing (and paging) is the reader's time.
        let elapsed = started.elapsed();
        let shown = match self.show_results(&outcome.results) {
            Ok(shown) => shown,
            Err(e) => {
                eprintln!("quarry: error: writing results: {e}");
                return;
            }
        };
        self.status(outcome.results.len(), shown, elapsed, &outcome.ops);
    }

    /// Writes results to the output file, or shows them; returns how many were shown.
    fn show_results(&mut self, results: &[Event]) -> io::Result<usize> {
        if let Some(out) = &mut self.output {
            let mut writer = ResultWriter::new(self.format, &mut out.file);
            for event in results {
                writer.write(event)?;
            }
            writer.finish()?;
            return Ok(results.len());
        }
        let shown = &results[..results.len().min(MAX_SHOWN)];
        let mut text = Vec::new();
        match self.format {
            Format::Json => {
                for event in shown {
                    writeln!(text, "{}", to_json(event))?;
                }
            }
            Format::Table | Format::Csv => {
                let rows: Vec<Vec<(Name, Value)>> = shown.iter().map(columns).collect();
                self.write_rows(&mut text, &header(&rows), &rows)?;
            }
        }
        pager::show(&String::from_utf8_lossy(&text), &self.screen)?;
        Ok(shown.len())
    }

    /// Rows as a table fitted to the screen, or CSV.
    pub fn write_rows(&self, out: &mut dyn Write, header: &[Name], rows: &[Vec<(Name, Value)>]) -> io::Result<()> {
        match self.format {
            Format::Csv => write_csv(out, header, rows),
            _ => crate::fit::write_fitted_table(out, header, rows, self.screen.width()),
        }
    }

    /// Shows rows that are not query results (catalogs, listings) on the screen.
    pub fn show_listing(&self, header: &[&str], rows: Vec<Vec<Value>>) {
        let header: Vec<Name> = header.iter().map(|h| Name::from(*h)).collect();
        let rows: Vec<Vec<(Name, Value)>> = rows
            .into_iter()
            .map(|row| header.iter().cloned().zip(row).collect())
            .collect();
        let mut text = Vec::new();
        let written = crate::fit::write_fitted_table(&mut text, &header, &rows, self.screen.width());
        if let Err(e) = written.and_then(|()| pager::show(&String::from_utf8_lossy(&text), &self.screen)) {
            eprintln!("quarry: error: {e}");
        }
    }

    /// The line after the results: how many, how long, and what was dropped.
    pub fn status(&self, results: usize, shown: usize, elapsed: Duration, ops: &Accounting) {
        let mut line = format!(
            "{} result{}",
            thousands(results as u64),
            if results == 1 { "" } else { "s" }
        );
        if self.timing {
            line.push_str(&format!(" in {:.3} s", elapsed.as_secs_f64()));
        }
        if let Some(out) = &self.output {
            line.push_str(&format!(", written to {}", out.path.display()));
        } else if shown < results {
            line.push_str(&format!(
                " (the first {} shown; `.output FILE` writes them all)",
                thousands(shown as u64)
            ));
        }
        if self.sources.is_empty() {
            line.push_str("; no logs loaded yet (.load FILE)");
        }
        eprintln!("{line}");
        if ops.dropped_null_by > 0 {
            eprintln!(
                "note: {} event(s) dropped by `stats ... by` (a by-field was null)",
                thousands(ops.dropped_null_by)
            );
        }
        if ops.evicted_partials > 0 {
            eprintln!(
                "note: {} partial sequence(s) evicted (--max-partials)",
                thousands(ops.evicted_partials)
            );
        }
        for note in &ops.notes {
            eprintln!("note: {note}");
        }
    }
}
