//! `quarry run`: runs rule files over log files and prints one alert per result.

use super::{print_summary, report_input_errors, BadLines, Env, EqlFlags, Failure, InputFlags};
use crate::library;
use crate::output::{to_json, Format};
use crate::rules::{collect, Rule};
use crate::Exit;
use clap::Args;
use quarry_engine::event::{Event, Name};
use quarry_engine::ops::RunContext;
use quarry_engine::run::RunReport;
use quarry_engine::value::Value;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Rule files, or directories searched for them.
    #[arg(required = true)]
    pub rules: Vec<PathBuf>,
    /// Log files to run the rules over (`-` for stdin).
    #[arg(long = "input", short = 'i', required = true, value_name = "FILE", num_args = 1..)]
    pub inputs: Vec<String>,
    /// Output format: `json` prints one alert per line.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub input: InputFlags,
    #[command(flatten)]
    pub eql: EqlFlags,
}

/// A field of a result, for message templates: a multi-event result (an EQL sequence) reads
/// its first event, with EQL's dotted-path rules.
pub fn result_field(event: &Event, name: &str) -> Value {
    match &event.group {
        Some(group) => match group.events.iter().flatten().next() {
            Some(first) => {
                let value = quarry_engine::eql::expr::event_field(first, &quarry_engine::eql::lower::path_of(name));
                if value.is_null() {
                    first.get(name)
                } else {
                    value
                }
            }
            None => Value::Null,
        },
        None => event.get(name),
    }
}

/// One alert: which rule fired and the result that made it fire.
pub fn alert_json(rule: &Rule, event: &Event) -> serde_json::Value {
    let f = &rule.file;
    json!({
        "rule": f.id,
        "name": f.name,
        "severity": f.severity.map(|s| s.as_str()),
        "risk_score": f.risk_score.map(|r| Value::number(r).to_json()),
        "message": rule.message_for(&|name| result_field(event, name)),
        "result": to_json(event),
    })
}

/// What running one rule gave; its results went to the sink as they were found.
pub struct RuleRun {
    pub rule: Rule,
    pub results: u64,
    pub report: RunReport,
    pub strict_failed: bool,
}

/// Compiles and runs one rule over `inputs`, handing each result to `on_result` as soon as
/// the pipeline emits it, so alerts stream and memory stays bounded by the rule's own state.
/// `Err` carries the rendered diagnostics of a rule that does not compile.
pub fn run_rule(
    rule: Rule,
    inputs: &[String],
    flags: &InputFlags,
    eql: &EqlFlags,
    on_result: &mut dyn FnMut(&Rule, Event),
) -> Result<RuleRun, Failure> {
    let mut env = Env::load(flags)?;
    if let Some(dir) = rule.path.parent() {
        for conf in library::macros_near(dir) {
            library::load_macros(&mut env.macros, &conf).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
        }
        // Flags win over files found next to the rule.
        for extra in &flags.macros {
            library::load_macros(&mut env.macros, extra).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
        }
    }
    let name = rule.path.display().to_string();
    let plan = env
        .compile(
            &name,
            &rule.file.query,
            rule.query_line,
            Some(rule.file.language),
            flags.order,
            &eql.options_for(flags),
        )
        .map_err(|diagnostics| Failure::new(Exit::QueryError, env.render(&diagnostics)))?;
    let read = env.read_options(flags, rule.file.sourcetype.as_deref())?;
    let mut ctx = RunContext::new(quarry_engine::func::FuncContext::wall_clock());
    ctx.geoip = env.geoip.clone();
    let mut bad_lines = BadLines::new(flags.strict);
    let mut results = 0u64;
    let report = quarry_engine::run::run(&plan, inputs, &read, ctx, &mut |b| bad_lines.report(b), &mut |batch| {
        for event in batch {
            results += 1;
            on_result(&rule, event);
        }
    });
    Ok(RuleRun {
        rule,
        results,
        report,
        strict_failed: bad_lines.strict_failed,
    })
}

pub fn run(args: RunArgs) -> Result<Exit, Failure> {
    let paths = collect(&args.rules).map_err(|d| Failure::new(Exit::InputError, d.message))?;
    if paths.is_empty() {
        return Err(Failure::new(Exit::QueryError, "no rule files found"));
    }
    let mut worst = Exit::Ok;
    // Tables need every row before they can size their columns, so they keep the small
    // alert rows only; JSON alerts go out as they are found.
    let mut rows: Vec<Vec<(Name, Value)>> = Vec::new();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut write_error: Option<std::io::Error> = None;
    for path in paths {
        let rule = match Rule::load(&path) {
            Ok(rule) => rule,
            Err(d) => {
                eprintln!("quarry: error: {}", d.message);
                worst = Exit::QueryError;
                continue;
            }
        };
        let mut on_result = |rule: &Rule, event: Event| {
            if args.format == Format::Json {
                if write_error.is_none() {
                    if let Err(e) = writeln!(out, "{}", alert_json(rule, &event)) {
                        write_error = Some(e);
                    }
                }
            } else {
                rows.push(alert_row(rule, &event));
            }
        };
        let outcome = match run_rule(rule, &args.inputs, &args.input, &args.eql, &mut on_result) {
            Ok(outcome) => outcome,
            Err(failure) if failure.exit == Exit::QueryError => {
                eprintln!("{}", failure.message);
                worst = Exit::QueryError;
                continue;
            }
            Err(failure) => return Err(failure),
        };
        if !args.input.quiet {
            print_summary(&outcome.report, Some(&outcome.rule.file.name));
        }
        let exit = report_input_errors(&outcome.report);
        if outcome.strict_failed {
            eprintln!("quarry: error: bad input lines with --strict");
            return Ok(Exit::InputError);
        }
        if exit != Exit::Ok {
            worst = exit;
        }
        if let Some(e) = write_error.take() {
            return Err(write_failure(e));
        }
    }
    if args.format != Format::Json {
        write_alert_table(&mut out, args.format, &rows).map_err(write_failure)?;
    }
    out.flush().map_err(write_failure)?;
    Ok(worst)
}

fn write_failure(e: std::io::Error) -> Failure {
    Failure::new(Exit::InputError, format!("writing results: {e}"))
}

const ALERT_COLUMNS: [&str; 5] = ["_time", "rule", "severity", "risk_score", "message"];

/// The table row of one alert.
fn alert_row(rule: &Rule, event: &Event) -> Vec<(Name, Value)> {
    let f = &rule.file;
    let values = [
        result_field(event, "_time"),
        Value::from(f.name.as_str()),
        f.severity.map(|s| Value::from(s.as_str())).unwrap_or(Value::Null),
        f.risk_score.map(Value::number).unwrap_or(Value::Null),
        Value::from(rule.message_for(&|n| result_field(event, n))),
    ];
    ALERT_COLUMNS.iter().map(|c| Name::from(*c)).zip(values).collect()
}

fn write_alert_table(out: &mut dyn Write, format: Format, rows: &[Vec<(Name, Value)>]) -> std::io::Result<()> {
    let header: Vec<Name> = ALERT_COLUMNS.iter().map(|h| Name::from(*h)).collect();
    match format {
        Format::Csv => crate::output::write_csv(out, &header, rows),
        _ => crate::output::write_table(out, &header, rows),
    }
}
