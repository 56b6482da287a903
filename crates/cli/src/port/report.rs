//! The porting report as people and programs read it: a table fitted to the terminal, JSON
//! lines (one object per rule, then the summary), or Markdown; each followed by the summary —
//! counts per status and language, and the pieces most often missing, like a coverage table.

use super::{Row, Status};
use indexmap::IndexMap;
use quarry_engine::event::Name;
use quarry_engine::value::Value;
use serde::Serialize;
use std::io::{self, Write};

/// How many of the most frequent missing pieces the summary lists.
pub const TOP_MISSING: usize = 15;

/// The totals of a report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub rules: usize,
    /// Rules per status, every status listed.
    pub status: IndexMap<&'static str, usize>,
    /// Per language: rules, and how many of them parse and run.
    pub languages: IndexMap<String, LanguageCount>,
    /// The pieces most often missing, with the number of rules that miss each, most first.
    pub missing: Vec<(String, usize)>,
    /// Lint findings per code.
    pub lint: IndexMap<String, usize>,
    /// With `--input`: rules that were run, rules that raised alerts, alerts in all.
    pub run: Option<RunCount>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct LanguageCount {
    pub rules: usize,
    pub parses: usize,
    pub runnable: usize,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct RunCount {
    pub rules_run: usize,
    pub rules_alerting: usize,
    pub alerts: u64,
}

/// Sums up the rows.
pub fn summarize(rows: &[Row]) -> Summary {
    let mut s = Summary {
        rules: rows.len(),
        ..Summary::default()
    };
    for status in Status::ALL {
        s.status
            .insert(status.name(), rows.iter().filter(|r| r.status == status).count());
    }
    let mut missing: IndexMap<String, usize> = IndexMap::new();
    let mut run: Option<RunCount> = None;
    for row in rows {
        let lang = s.languages.entry(row.language.clone()).or_default();
        lang.rules += 1;
        lang.parses += usize::from(row.parses);
        lang.runnable += usize::from(row.runnable);
        for piece in &row.missing {
            *missing.entry(piece.clone()).or_default() += 1;
        }
        for finding in &row.lint {
            let code = finding.split_whitespace().next().unwrap_or("").to_string();
            *s.lint.entry(code).or_default() += 1;
        }
        if let Some(alerts) = row.alerts {
            let r = run.get_or_insert_with(RunCount::default);
            r.rules_run += 1;
            r.rules_alerting += usize::from(alerts > 0);
            r.alerts += alerts;
        }
    }
    let mut missing: Vec<(String, usize)> = missing.into_iter().collect();
    // Most frequent first; ties by name so the order is stable.
    missing.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    missing.truncate(TOP_MISSING);
    s.missing = missing;
    s.lint.sort_keys();
    s.run = run;
    s
}

/// Lint findings as their codes, counted: `L0005 x2, L0007`.
fn lint_codes(row: &Row) -> String {
    let mut codes: IndexMap<&str, usize> = IndexMap::new();
    for f in &row.lint {
        *codes.entry(f.split_whitespace().next().unwrap_or("")).or_default() += 1;
    }
    codes
        .iter()
        .map(|(c, n)| if *n > 1 { format!("{c} x{n}") } else { c.to_string() })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What stops a rule, in one cell: missing pieces, then errors.
fn problems(row: &Row) -> String {
    row.missing
        .iter()
        .chain(&row.errors)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ")
}

/// The aligned table, no wider than `width`, then the summary.
pub fn write_table(out: &mut dyn Write, rows: &[Row], summary: &Summary, width: usize) -> io::Result<()> {
    let with_alerts = summary.run.is_some();
    let mut header = vec!["rule", "lang", "status", "missing", "lint"];
    if with_alerts {
        header.push("alerts");
    }
    let header: Vec<Name> = header.into_iter().map(Name::from).collect();
    let table: Vec<Vec<(Name, Value)>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                Value::from(r.name.as_str()),
                Value::from(r.language.as_str()),
                Value::from(r.status.name()),
                Value::from(problems(r)),
                Value::from(lint_codes(r)),
            ];
            if with_alerts {
                cells.push(r.alerts.map(|a| Value::Int(a as i64)).unwrap_or(Value::Null));
            }
            header.iter().cloned().zip(cells).collect()
        })
        .collect();
    crate::fit::write_fitted_table(out, &header, &table, width)?;
    writeln!(out)?;
    write_summary_text(out, summary)
}

fn write_summary_text(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    let counts: Vec<String> = s
        .status
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    writeln!(out, "{} rule(s): {}", s.rules, counts.join(", "))?;
    for (lang, c) in &s.languages {
        writeln!(
            out,
            "  {lang}: {} rule(s), {} parse, {} runnable ({})",
            c.rules,
            c.parses,
            c.runnable,
            percent(c.runnable, c.rules)
        )?;
    }
    if !s.missing.is_empty() {
        writeln!(out, "most often missing:")?;
        for (piece, n) in &s.missing {
            writeln!(out, "  {n:>5}  {piece}")?;
        }
    }
    if !s.lint.is_empty() {
        let codes: Vec<String> = s.lint.iter().map(|(c, n)| format!("{c} x{n}")).collect();
        writeln!(out, "lint findings: {}", codes.join(", "))?;
    }

    if let Some(r) = &s.run {
        writeln!(
            out,
            "run: {} rule(s) run, {} raised alerts, {} alert(s)",
            r.rules_run, r.rules_alerting, r.alerts
        )?;
    }
    Ok(())
}

fn percent(n: usize, of: usize) -> String {
    if of == 0 {
        "0%".into()
    } else {
        format!("{:.0}%", 100.0 * n as f64 / of as f64)
    }
}

/// One JSON object per rule, then `{"summary": ...}`.
pub fn write_json(out: &mut dyn Write, rows: &[Row], summary: &Summary) -> io::Result<()> {
    for row in rows {
        writeln!(out, "{}", serde_json::to_string(row).map_err(io::Error::other)?)?;
    }
    let summary = serde_json::json!({ "summary": summary });
    writeln!(out, "{summary}")
}

/// A Markdown table of the rules, then the summary as tables.
pub fn write_markdown(out: &mut dyn Write, rows: &[Row], summary: &Summary) -> io::Result<()> {
    let with_alerts = summary.run.is_some();
    writeln!(out, "## Rules\n")?;
    if with_alerts {
        writeln!(out, "| rule | file | language | status | missing | lint | alerts |")?;
        writeln!(out, "|---|---|---|---|---|---|---:|")?;
    } else {
        writeln!(out, "| rule | file | language | status | missing | lint |")?;
        writeln!(out, "|---|---|---|---|---|---|")?;
    }
    for r in rows {
        let mut line = format!(
            "| {} | {} | {} | {} | {} | {} |",
            md(&r.name),
            md(&r.file),
            md(&r.language),
            r.status.name(),
            md(&problems(r)),
            md(&lint_codes(r))
        );
        if with_alerts {
            line.push_str(&format!(" {} |", r.alerts.map(|a| a.to_string()).unwrap_or_default()));
        }
        writeln!(out, "{line}")?;
    }
    let s = summary;
    writeln!(out, "\n## Summary\n\n{} rule(s).\n", s.rules)?;
    writeln!(out, "| status | rules |\n|---|---:|")?;
    for (status, n) in &s.status {
        writeln!(out, "| {status} | {n} |")?;
    }
    writeln!(out, "\n| language | rules | parse | runnable |\n|---|---:|---:|---:|")?;
    for (lang, c) in &s.languages {
        writeln!(
            out,
            "| {} | {} | {} | {} ({}) |",
            md(lang),
            c.rules,
            c.parses,
            c.runnable,
            percent(c.runnable, c.rules)
        )?;
    }
    if !s.missing.is_empty() {
        writeln!(out, "\n| most often missing | rules |\n|---|---:|")?;
        for (piece, n) in &s.missing {
            writeln!(out, "| {} | {n} |", md(piece))?;
        }
    }
    if !s.lint.is_empty() {
        writeln!(out, "\n| lint finding | count |\n|---|---:|")?;
        for (code, n) in &s.lint {
            writeln!(out, "| {code} | {n} |")?;
        }
    }
    if let Some(r) = &s.run {
        writeln!(
            out,
            "\n{} rule(s) run over the inputs, {} raised alerts, {} alert(s) in all.",
            r.rules_run, r.rules_alerting, r.alerts
        )?;
    }
    Ok(())
}

/// Text for a Markdown table cell: `|` escaped, line breaks as spaces.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}
