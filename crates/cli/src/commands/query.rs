//! `quarry query`: an ad-hoc query over log files.

use super::{
    accounting_json, print_summary, report_input_errors, report_limit, BadLines, Env, EqlFlags, Failure, InputFlags,
};
use crate::lang::Lang;
use crate::output::{Format, ResultWriter};
use crate::Exit;
use clap::Args;
use quarry_engine::ops::RunContext;
use std::io::Write;

#[derive(Args, Debug)]
pub struct QueryArgs {
    /// Query language (detected when not given: EQL starts with `sequence`, `sample` or
    /// `<category> where`).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub input: InputFlags,
    #[command(flatten)]
    pub eql: EqlFlags,
    /// The query.
    pub query: String,
    /// Log files: newline-delimited JSON, a JSON array, gzip; `-` or nothing for stdin.
    pub files: Vec<String>,
}

pub fn run(args: QueryArgs) -> Result<Exit, Failure> {
    let mut env = Env::load(&args.input)?;
    let plan = match env.compile(
        "query",
        &args.query,
        1,
        args.lang,
        args.input.order,
        &args.eql.options_for(&args.input),
    ) {
        Ok(plan) => plan,
        Err(diagnostics) => {
            env.report(&diagnostics);
            return Ok(Exit::QueryError);
        }
    };
    let mut read = env.read_options(&args.input, None)?;
    read.inputs_in_time_order =
        args.input.order != quarry_engine::plan::EventOrder::Input && plan.streams_in_time_order();
    let files = if args.files.is_empty() {
        vec!["-".to_string()]
    } else {
        args.files.clone()
    };
    let mut ctx = RunContext::new(quarry_engine::func::FuncContext::wall_clock());
    ctx.geoip = env.geoip.clone();
    // Subsearches (`join`, `append`, `[...]`) read the same inputs again.
    ctx.subsearch = Some(std::sync::Arc::new(quarry_engine::subsearch::FileInputs {
        inputs: files.clone(),
        read: read.clone(),
    }));
    ctx.limits = args.input.limits();
    let limits = ctx.limits.clone();

    let stdout = std::io::stdout();
    let mut writer = ResultWriter::new(args.format, std::io::BufWriter::new(stdout.lock()));
    let mut write_error: Option<std::io::Error> = None;
    let mut bad_lines = BadLines::new(args.input.strict);
    let mut on_bad = |bad: &quarry_engine::input::BadLine| bad_lines.report(bad);
    let report = quarry_engine::run::run(&plan, &files, &read, ctx, &mut on_bad, &mut |batch| {
        for event in &batch {
            if write_error.is_none() {
                if let Err(e) = writer.write(event) {
                    write_error = Some(e);
                }
            }
        }
    });
    if let Err(e) = writer.finish() {
        write_error.get_or_insert(e);
    }
    if let Some(e) = write_error {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(Failure::new(Exit::InputError, format!("writing results: {e}")));
        }
    }
    std::io::stdout().flush().ok();
    if args.input.stats {
        let limit = limits.exceeded();
        eprintln!(
            "{}",
            accounting_json(&report.read, &report.ops, report.results, limit.as_ref())
        );
    } else if !args.input.quiet {
        print_summary(&report, None);
    }
    if let Some(exit) = report_limit(&limits) {
        return Ok(exit);
    }
    let exit = report_input_errors(&report);
    if bad_lines.strict_failed {
        eprintln!("quarry: error: bad input lines with --strict");
        return Ok(Exit::InputError);
    }
    Ok(exit)
}
