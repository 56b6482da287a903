//! `.explain QUERY`: the query as Quarry parsed it (printed back, one command a line, macros
//! expanded), the plan it runs, and what each stage of the plan did with the loaded events.

use super::load::thousands;
use super::session::Session;
use crate::lang::Lang;
use quarry_engine::value::Value;
use quarry_syntax::spl::ast::{Command, Search};
use quarry_syntax::Diagnostic;
use std::fmt::Write;
use std::time::Duration;

/// The printed query and its plan, or the diagnostics of a query that does not compile.
fn parse_and_plan(session: &mut Session, text: &str) -> Result<(String, quarry_engine::plan::Plan), Vec<Diagnostic>> {
    let lang = session.lang_of(text);
    let env = &mut session.env;
    let id = env.add_query("query", text, 1);
    let mut printed = String::new();
    let plan = match lang {
        Lang::Spl => {
            let compiled = quarry_engine::spl::compile(&mut env.sources, id, &env.macros, session.input.order)?;
            let expanded = env.sources.text(compiled.expanded);
            if expanded.trim() != text.trim() {
                let _ = writeln!(printed, "  (macros expanded: {})", expanded.trim());
            }
            for (n, command) in compiled.pipeline.commands.iter().enumerate() {
                let _ = match (n, command) {
                    (0, Command::Search(Search { expr: Some(expr), .. })) => writeln!(printed, "  {expr}"),
                    (0, other) => writeln!(printed, "  | {other}"),
                    (_, other) => writeln!(printed, "  | {other}"),
                };
            }
            compiled.plan
        }
        Lang::Eql => {
            let tree = quarry_syntax::eql::parse_query(text, id)?;
            let _ = writeln!(printed, "  {tree}");
            quarry_engine::eql::compile(&env.sources, id, &session.eql.options_for(&session.input))?
        }
    };
    Ok((format!("{} query:\n{printed}", lang.name()), plan))
}

pub fn explain(session: &mut Session, text: &str) {
    let (printed, plan) = match parse_and_plan(session, text) {
        Ok(found) => found,
        Err(diagnostics) => {
            session.env.report(&diagnostics);
            return;
        }
    };
    print!("{printed}");
    let outcome = session.run_plan(&plan);
    if outcome.cancelled {
        eprintln!("cancelled");
        return;
    }
    println!(
        "plan, run over the {} loaded events:",
        thousands(session.total_events() as u64)
    );
    let rows = plan
        .ops
        .iter()
        .zip(&outcome.stages)
        .enumerate()
        .map(|(n, (op, stage))| {
            vec![
                Value::Int(n as i64 + 1),
                Value::from(op.to_string()),
                Value::from(thousands(stage.events_in)),
                Value::from(thousands(stage.events_out)),
                Value::from(kept(stage.events_in, stage.events_out)),
                Value::from(millis(stage.busy)),
            ]
        })
        .collect();
    session.show_listing(&["#", "stage", "in", "out", "kept", "time"], rows);
    eprintln!(
        "{} result(s) in {:.3} s",
        thousands(outcome.results.len() as u64),
        outcome.elapsed.as_secs_f64()
    );
}

/// The share of events a stage let through: `12.5%`; blocking stages that make rows of
/// their own (`stats`) may let out more than they take in.
fn kept(events_in: u64, events_out: u64) -> String {
    if events_in == 0 {
        return String::new();
    }
    format!("{:.1}%", 100.0 * events_out as f64 / events_in as f64)
}

fn millis(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_read_well() {
        assert_eq!(kept(0, 0), "");
        assert_eq!(kept(8, 1), "12.5%");
        assert_eq!(millis(Duration::from_micros(1500)), "1.5 ms");
    }
}
