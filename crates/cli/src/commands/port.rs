//! `quarry port`: a porting report over rule repositories as their publishers ship them —
//! per rule its language, whether it parses and can run, every missing piece, lint findings,
//! and (with `--input`) the alerts it raises; then a summary.

use super::{EqlFlags, Failure, InputFlags};
use crate::port::report::{summarize, write_json, write_markdown, write_table};
use crate::port::{port, PortOptions};
use crate::Exit;
use clap::{Args, ValueEnum};
use quarry_engine::input::DEFAULT_MAX_LINE;
use quarry_engine::plan::EventOrder;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args, Debug)]
#[command(
    after_help = "Reads Splunk security_content (detections/**/*.yml with ../macros and \
../lookups), Splunk apps (savedsearches.conf, default/macros.conf, default/transforms.conf, \
lookups/), Elastic detection-rules (rules/**/*.toml) and Quarry's own rule files.\n\n\
Exit codes: 0 the report was produced (whatever it says), 1 a definition file is broken, \
2 unreadable input."
)]
pub struct PortArgs {
    /// Rule repositories, directories or rule files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Log files to run the runnable rules over, counting their alerts (repeatable).
    #[arg(long = "input", short = 'i', value_name = "FILE")]
    pub inputs: Vec<String>,
    /// Output: `table`, `json` (one object per rule, then the summary) or `markdown`.
    #[arg(long, value_enum, default_value = "table")]
    pub format: PortFormat,
    /// Macro definitions besides those next to the rules: a macros.conf, a macros/*.yml file,
    /// or a directory of them (repeatable; they win).
    #[arg(long, value_name = "PATH")]
    pub macros: Vec<PathBuf>,
    /// Lookup tables and definitions besides those next to the rules: a lookups/ directory,
    /// a CSV, a definition .yml or a transforms.conf (repeatable).
    #[arg(long, value_name = "PATH")]
    pub lookups: Vec<PathBuf>,
    /// Source type of the inputs (its profile also tells lint which fields exist).
    #[arg(long, value_name = "NAME")]
    pub sourcetype: Option<String>,
    /// A source profile file (TOML) to add to the shipped ones (repeatable).
    #[arg(long, value_name = "FILE")]
    pub profile: Vec<PathBuf>,
    #[command(flatten)]
    pub eql: EqlFlags,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PortFormat {
    Table,
    Json,
    Markdown,
}

pub fn run(args: PortArgs) -> Result<Exit, Failure> {
    let started = Instant::now();
    let options = PortOptions {
        macros: args.macros.clone(),
        lookups: args.lookups.clone(),
        sourcetype: args.sourcetype.clone(),
        profiles: args.profile.clone(),
    };
    let flags = InputFlags {
        sourcetype: args.sourcetype.clone(),
        macros: args.macros.clone(),
        profile: args.profile.clone(),
        host: "localhost".into(),
        index: "main".into(),
        max_line_bytes: DEFAULT_MAX_LINE,
        // As `quarry run` reads them, so that alert counts agree with it.
        order: EventOrder::NewestFirst,
        quiet: true,
        ..InputFlags::default()
    };
    let rows = port(&args.paths, &options, &args.inputs, &flags, &args.eql).map_err(|d| {
        let exit = if d.code == quarry_syntax::Code::Input {
            Exit::InputError
        } else {
            Exit::QueryError
        };
        Failure::new(exit, d.message)
    })?;
    let summary = summarize(&rows);
    let stdout = std::io::stdout();
    let terminal = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.format {
        PortFormat::Table => write_table(&mut out, &rows, &summary, width(terminal)),
        PortFormat::Json => write_json(&mut out, &rows, &summary),
        PortFormat::Markdown => write_markdown(&mut out, &rows, &summary),
    };
    written
        .and_then(|_| out.flush())
        .map_err(|e| Failure::new(Exit::InputError, format!("writing the report: {e}")))?;
    eprintln!(
        "quarry port: {} rule(s) in {:.2} s",
        rows.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(Exit::Ok)
}

/// The terminal's width; `$COLUMNS`, else 160, when not writing to one.
fn width(terminal: bool) -> usize {
    let columns = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok());
    if terminal {
        if let Some((w, _)) = terminal_size::terminal_size() {
            return w.0 as usize;
        }
    }
    columns.unwrap_or(160)
}
