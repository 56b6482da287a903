//! `quarry run`: runs rule files over log files and prints one alert per result.
//!
//! Every rule reads the same inputs, so they run together: each event is read and parsed once
//! and fed to every rule (one pass per source type when rules read their inputs differently).
//! Alerts are printed in time order once the inputs are read.

use super::{report_input_errors, BadLines, Env, EqlFlags, Failure, InputFlags};
use crate::library;
use crate::output::{to_json, Format};
use crate::rules::{collect, parse_param, Rule};
use crate::Exit;
use clap::Args;
use indexmap::IndexMap;
use quarry_engine::event::{Event, Name};
use quarry_engine::input::{ReadOptions, ReadSummary};
use quarry_engine::ops::RunContext;
use quarry_engine::plan::{EventOrder, Plan};
use quarry_engine::run::{PlanShare, RunReport};
use quarry_engine::value::Value;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

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
    /// Sets a rule parameter (`$name$` in rule queries), for every rule that declares it.
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, toml::Value)>,
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

/// A rule compiled and ready to run.
pub struct Prepared {
    pub rule: Rule,
    pub plan: Plan,
    pub read: ReadOptions,
}

/// Compiles rules, sharing one set of definitions per rule directory (macros found next to
/// the rules apply to the rules beside them).
pub struct Preparer<'a> {
    flags: &'a InputFlags,
    eql: &'a EqlFlags,
    envs: IndexMap<PathBuf, Env>,
}

impl<'a> Preparer<'a> {
    pub fn new(flags: &'a InputFlags, eql: &'a EqlFlags) -> Preparer<'a> {
        Preparer {
            flags,
            eql,
            envs: IndexMap::new(),
        }
    }

    fn env_for(&mut self, dir: &Path) -> Result<&mut Env, Failure> {
        if !self.envs.contains_key(dir) {
            let mut env = Env::load(self.flags)?;
            for conf in library::macros_near(dir) {
                library::load_macros(&mut env.macros, &conf).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
            }
            // Flags win over files found next to the rule.
            for extra in &self.flags.macros {
                library::load_macros(&mut env.macros, extra).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
            }
            env.lookups = super::lookups_for(Some(dir), self.flags)?;
            self.envs.insert(dir.to_path_buf(), env);
        }
        self.envs
            .get_mut(dir)
            .ok_or_else(|| Failure::new(Exit::QueryError, "rule definitions missing"))
    }

    /// Compiles `rule` with its parameters set from `params` (unknown names are errors) and
    /// reads inputs as `sourcetype` says, else as the flags or the rule say.
    pub fn prepare(
        &mut self,
        mut rule: Rule,
        params: &IndexMap<String, toml::Value>,
        sourcetype: Option<&str>,
    ) -> Result<Prepared, Failure> {
        let (flags, eql) = (self.flags, self.eql);
        let query = rule
            .query_with(params)
            .map_err(|d| Failure::new(Exit::QueryError, d.message))?;
        // Parameters may appear in the alert message too.
        if let Some(message) = &rule.file.message {
            let filled = rule
                .fill_parameters(message, params)
                .map_err(|d| Failure::new(Exit::QueryError, d.message))?;
            rule.file.message = Some(filled);
        }
        let dir = rule.path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let env = self.env_for(&dir)?;
        let name = rule.path.display().to_string();
        let eql_options = rule_eql_options(&rule, flags, eql);
        let plan = env
            .compile(
                &name,
                &query,
                rule.query_line,
                Some(rule.file.language),
                flags.order,
                &eql_options,
            )
            .map_err(|diagnostics| Failure::new(Exit::QueryError, env.render(&diagnostics)))?;
        let read = match sourcetype {
            Some(st) => {
                let forced = InputFlags {
                    sourcetype: Some(st.to_string()),
                    ..flags.clone()
                };
                env.read_options(&forced, None)?
            }
            None => env.read_options(flags, rule.file.sourcetype.as_deref())?,
        };
        let read = rule_read_options(&rule, flags, read);
        Ok(Prepared { rule, plan, read })
    }

    pub fn geoip(&self) -> Option<std::sync::Arc<quarry_engine::geoip::GeoIp>> {
        self.envs.values().next().and_then(|e| e.geoip.clone())
    }
}

/// EQL options for `rule`: the flags', with the rule's own settings (an Elastic rule's
/// `event_category_override`, `tiebreaker_field`, `timestamp_override`) where the flags leave
/// the default.
pub fn rule_eql_options(rule: &Rule, flags: &InputFlags, eql: &EqlFlags) -> quarry_engine::eql::EqlOptions {
    let mut options = eql.options_for(flags);
    let f = &rule.file;
    if let Some(category) = &f.event_category_override {
        if eql.category_field == EqlFlags::default().category_field {
            options.category_field = category.clone();
        }
    }
    if eql.tiebreaker.is_none() {
        options.tiebreaker = f.tiebreaker_field.clone().or(options.tiebreaker);
    }
    if let (Some(ts), None) = (&f.timestamp_override, &flags.time_field) {
        options.time_field = Some(ts.clone());
    }
    options
}

/// How to read inputs for `rule`: with `timestamp_override`, events are timed by that field,
/// and by `@timestamp` when they lack it (as Kibana's detection engine does, unless the rule
/// sets `timestamp_override_fallback_disabled`); `--time-field` overrides both.
pub fn rule_read_options(rule: &Rule, flags: &InputFlags, mut read: ReadOptions) -> ReadOptions {
    if let (Some(ts), None) = (&rule.file.timestamp_override, &flags.time_field) {
        read.time_field = Some(ts.clone());
        if !rule.file.timestamp_override_fallback_disabled {
            read.time_fallback = vec!["@timestamp".into()];
        }
    }
    read
}

/// What one rule did in a run.
pub struct RuleOutcome {
    pub rule: Rule,
    pub share: PlanShare,
}

/// One reading of the inputs, shared by the rules that read them the same way.
pub struct Pass {
    pub sourcetype: Option<String>,
    pub read: ReadSummary,
    pub rules: Vec<RuleOutcome>,
    pub strict_failed: bool,
    pub elapsed: std::time::Duration,
    /// A limit (memory, --timeout) that stopped the pass.
    pub limit: Option<quarry_engine::limits::LimitError>,
}

/// Runs prepared rules over `inputs`, one pass per way of reading them; each result goes to
/// `on_result` as the rule emits it.
pub fn run_prepared(
    prepared: Vec<Prepared>,
    inputs: &[String],
    flags: &InputFlags,
    geoip: Option<std::sync::Arc<quarry_engine::geoip::GeoIp>>,
    on_result: &mut dyn FnMut(&Rule, Event),
) -> Vec<Pass> {
    // Group by how inputs are read (the source type decides the profile and time field).
    let mut groups: IndexMap<(Option<String>, Option<String>), Vec<Prepared>> = IndexMap::new();
    for p in prepared {
        let key = (p.read.sourcetype.clone(), p.read.time_field.clone());
        groups.entry(key).or_default().push(p);
    }
    let mut passes = Vec::new();
    for ((sourcetype, _), group) in groups {
        let started = Instant::now();
        let mut read = group[0].read.clone();
        read.inputs_in_time_order =
            flags.order != EventOrder::Input && group.iter().any(|p| p.plan.streams_in_time_order());
        let plans: Vec<&Plan> = group.iter().map(|p| &p.plan).collect();
        let mut ctx = RunContext::new(quarry_engine::func::FuncContext::wall_clock());
        ctx.geoip = geoip.clone();
        // Subsearches (`join`, `append`, `[...]`) read the same inputs again.
        ctx.subsearch = Some(std::sync::Arc::new(quarry_engine::subsearch::FileInputs {
            inputs: inputs.to_vec(),
            read: read.clone(),
        }));
        ctx.limits = flags.limits();
        let mut bad_lines = BadLines::new(flags.strict);
        let (summary, shares) = quarry_engine::run::run_many(
            &plans,
            inputs,
            &read,
            &ctx,
            &mut |b| bad_lines.report(b),
            &mut |k, batch| {
                for event in batch {
                    on_result(&group[k].rule, event);
                }
            },
        );
        let rules = group
            .into_iter()
            .zip(shares)
            .map(|(p, share)| RuleOutcome { rule: p.rule, share })
            .collect();
        passes.push(Pass {
            sourcetype,
            read: summary,
            rules,
            strict_failed: bad_lines.strict_failed,
            elapsed: started.elapsed(),
            limit: ctx.limits.exceeded(),
        });
    }
    passes
}

/// What running one rule gave; its results went to the sink as they were found.
pub struct RuleRun {
    pub rule: Rule,
    pub results: u64,
    pub report: RunReport,
    pub strict_failed: bool,
}

/// Compiles and runs one rule over `inputs` with its default parameters, handing each result
/// to `on_result` as soon as the pipeline emits it. `Err` carries the rendered diagnostics of
/// a rule that does not compile.
pub fn run_rule(
    rule: Rule,
    inputs: &[String],
    flags: &InputFlags,
    eql: &EqlFlags,
    on_result: &mut dyn FnMut(&Rule, Event),
) -> Result<RuleRun, Failure> {
    let mut preparer = Preparer::new(flags, eql);
    let prepared = preparer.prepare(rule, &IndexMap::new(), None)?;
    let geoip = preparer.geoip();
    let mut passes = run_prepared(vec![prepared], inputs, flags, geoip, on_result);
    let mut pass = passes
        .pop()
        .ok_or_else(|| Failure::new(Exit::QueryError, "nothing was run"))?;
    let outcome = pass
        .rules
        .pop()
        .ok_or_else(|| Failure::new(Exit::QueryError, "nothing was run"))?;
    Ok(RuleRun {
        rule: outcome.rule,
        results: outcome.share.results,
        report: RunReport {
            read: pass.read,
            ops: outcome.share.ops,
            results: outcome.share.results,
        },
        strict_failed: pass.strict_failed,
    })
}

/// An alert waiting for its place in time order.
struct PendingAlert {
    time: Option<f64>,
    output: AlertOutput,
}

enum AlertOutput {
    Line(String),
    Row(Vec<(Name, Value)>),
}

pub fn run(args: RunArgs) -> Result<Exit, Failure> {
    let paths = collect(&args.rules).map_err(|d| Failure::new(Exit::InputError, d.message))?;
    if paths.is_empty() {
        return Err(Failure::new(Exit::QueryError, "no rule files found"));
    }
    let mut worst = Exit::Ok;
    let mut preparer = Preparer::new(&args.input, &args.eql);
    let mut prepared = Vec::new();
    let mut params_used = vec![false; args.params.len()];
    let mut rules = Vec::new();
    for path in paths {
        match crate::rules::load_all(&path) {
            Ok(found) => rules.extend(found),
            Err(d) => {
                eprintln!("quarry: error: {}", d.message);
                worst = Exit::QueryError;
            }
        }
    }
    for rule in rules {
        // A `--param` applies to every rule that declares it.
        let mut params = IndexMap::new();
        for (k, (name, value)) in args.params.iter().enumerate() {
            if rule.file.parameters.contains_key(name) {
                params.insert(name.clone(), value.clone());
                params_used[k] = true;
            }
        }
        match preparer.prepare(rule, &params, None) {
            Ok(p) => prepared.push(p),
            Err(failure) if failure.exit == Exit::QueryError => {
                eprintln!("{}", failure.message);
                worst = Exit::QueryError;
            }
            Err(failure) => return Err(failure),
        }
    }
    for (used, (name, _)) in params_used.iter().zip(&args.params) {
        if !used {
            return Err(Failure::new(
                Exit::QueryError,
                format!("--param {name}: no rule declares a parameter `{name}`"),
            ));
        }
    }
    let mut pending: Vec<PendingAlert> = Vec::new();
    let format = args.format;
    let geoip = preparer.geoip();
    let passes = run_prepared(prepared, &args.inputs, &args.input, geoip, &mut |rule, event| {
        // Keep only what will be printed, not the events behind it.
        let time = result_field(&event, "_time").as_number();
        let output = match format {
            Format::Json => AlertOutput::Line(alert_json(rule, &event).to_string()),
            _ => AlertOutput::Row(alert_row(rule, &event)),
        };
        pending.push(PendingAlert { time, output });
    });
    for pass in &passes {
        if args.input.stats {
            print_pass_stats(pass);
        } else if !args.input.quiet {
            print_pass_summary(pass, passes.len() > 1);
        }
        if let Some(limit) = &pass.limit {
            eprintln!("quarry: error: {limit}; the run stopped before the end of its input: results held by blocking commands were not finished, and any results above are incomplete");
            return Ok(Exit::Limit);
        }
        if pass.strict_failed {
            eprintln!("quarry: error: bad input lines with --strict");
            return Ok(Exit::InputError);
        }
        let report = RunReport {
            read: pass.read.clone(),
            ..RunReport::default()
        };
        let exit = report_input_errors(&report);
        if exit != Exit::Ok {
            worst = exit;
        }
    }
    // Time order; alerts without a time last; ties keep the order they were found in.
    pending.sort_by(|a, b| match (a.time, b.time) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        Format::Json => {
            for alert in &pending {
                if let AlertOutput::Line(line) = &alert.output {
                    writeln!(out, "{line}").map_err(write_failure)?;
                }
            }
        }
        _ => {
            let rows: Vec<Vec<(Name, Value)>> = pending
                .into_iter()
                .filter_map(|a| match a.output {
                    AlertOutput::Row(row) => Some(row),
                    AlertOutput::Line(_) => None,
                })
                .collect();
            write_alert_table(&mut out, format, &rows).map_err(write_failure)?;
        }
    }
    out.flush().map_err(write_failure)?;
    Ok(worst)
}

/// What a pass read, then a line per rule: alerts, time, and what it dropped or noted.
fn print_pass_summary(pass: &Pass, several: bool) {
    let r = &pass.read;
    let label = match (&pass.sourcetype, several) {
        (Some(st), true) => format!(" (sourcetype {st})"),
        (None, true) => " (no sourcetype)".to_string(),
        _ => String::new(),
    };
    let mut line = format!(
        "quarry: read{label}: {} input(s), {} line(s), {} event(s), {} bad line(s) in {:.2} s",
        r.inputs,
        r.lines,
        r.events,
        r.bad_lines,
        pass.elapsed.as_secs_f64()
    );
    line.push_str(&super::accounting_tail(r, &Default::default()));
    eprintln!("{line}");
    for outcome in &pass.rules {
        let s = &outcome.share;
        let mut line = format!(
            "quarry: {}: {} of {} event(s), {} alert(s), {:.2} s",
            outcome.rule.file.name,
            s.events,
            r.events,
            s.results,
            s.busy.as_secs_f64()
        );
        let quiet_read = ReadSummary {
            stopped_early: false,
            first_bad: Vec::new(),
            ..ReadSummary::default()
        };
        line.push_str(&super::accounting_tail(&quiet_read, &s.ops));
        eprintln!("{line}");
        for note in &s.ops.notes {
            eprintln!("quarry: {}: note: {note}", outcome.rule.file.name);
        }
    }
}

/// `--stats`: one JSON object per pass, with one per rule inside.
fn print_pass_stats(pass: &Pass) {
    let mut stats = super::accounting_json(&pass.read, &Default::default(), 0, pass.limit.as_ref());
    stats["sourcetype"] = json!(pass.sourcetype);
    stats["results"] = json!(pass.rules.iter().map(|o| o.share.results).sum::<u64>());
    stats["rules"] = pass
        .rules
        .iter()
        .map(|o| {
            let mut rule = super::accounting_json(&ReadSummary::default(), &o.share.ops, o.share.results, None);
            let keep = ["results", "dropped_null_by", "evicted_partials", "truncated", "notes"];
            if let Some(map) = rule.as_object_mut() {
                map.retain(|k, _| keep.contains(&k.as_str()));
                map.insert("events".into(), json!(o.share.events));
                map.insert("rule".into(), json!(o.rule.file.id));
                map.insert("name".into(), json!(o.rule.file.name));
            }
            rule
        })
        .collect();
    eprintln!("{stats}");
}

fn write_failure(e: std::io::Error) -> Failure {
    Failure::new(Exit::InputError, format!("writing results: {e}"))
}

pub const ALERT_COLUMNS: [&str; 5] = ["_time", "rule", "severity", "risk_score", "message"];

/// The table row of one alert.
pub fn alert_row(rule: &Rule, event: &Event) -> Vec<(Name, Value)> {
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
