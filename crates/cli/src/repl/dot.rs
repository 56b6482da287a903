//! Dot commands: the session's own commands, beside queries.

use super::catalog::Catalog;
use super::exec::Feed;
use super::explain;
use super::load::{human_bytes, thousands};
use super::session::{Next, OutputFile, Session};
use crate::commands::run::{alert_json, alert_row, result_field, Preparer, ALERT_COLUMNS};
use crate::lang::Lang;
use crate::output::Format;
use crate::rules::{collect, Rule};
use indexmap::IndexMap;
use quarry_engine::event::Name;
use quarry_engine::time::format_time;
use quarry_engine::value::Value;
use std::io::BufWriter;
use std::path::PathBuf;
use std::time::Instant;

/// A dot command: its name, its arguments and what it does.
pub struct DotCommand {
    pub name: &'static str,
    pub args: &'static str,
    pub help: &'static str,
}

pub const DOT_COMMANDS: &[DotCommand] = &[
    DotCommand {
        name: ".help",
        args: "",
        help: "this list",
    },
    DotCommand {
        name: ".load",
        args: "FILE [--sourcetype NAME]",
        help: "read a log into memory (NDJSON, JSON array, gzip)",
    },
    DotCommand {
        name: ".sources",
        args: "",
        help: "the logs in memory: events, time range, bad lines",
    },
    DotCommand {
        name: ".fields",
        args: "[PATTERN]",
        help: "the fields of the loaded events: types, coverage, distinct and top values",
    },
    DotCommand {
        name: ".lang",
        args: "spl|eql|auto",
        help: "the language of queries (auto: detected per query)",
    },
    DotCommand {
        name: ".format",
        args: "table|json|csv",
        help: "how results are shown",
    },
    DotCommand {
        name: ".macros",
        args: "[PATTERN]",
        help: "the search macros that queries can call",
    },
    DotCommand {
        name: ".explain",
        args: "QUERY",
        help: "the parsed query, its plan, and what each stage keeps of the loaded events",
    },
    DotCommand {
        name: ".timing",
        args: "on|off",
        help: "show how long each query takes",
    },
    DotCommand {
        name: ".output",
        args: "[FILE]",
        help: "write results to FILE; without FILE, back to the screen",
    },
    DotCommand {
        name: ".run",
        args: "RULE_FILE|DIR",
        help: "run rule files over the loaded events",
    },
    DotCommand {
        name: ".quit",
        args: "",
        help: "leave (so does Ctrl-D)",
    },
];

/// Runs the dot command on `line`.
pub fn run(session: &mut Session, line: &str) -> Next {
    let line = line.trim();
    let (name, rest) = match line.find(char::is_whitespace) {
        Some(at) => (&line[..at], line[at..].trim()),
        None => (line, ""),
    };
    match name {
        ".help" => help(),
        ".quit" | ".exit" | ".q" => return Next::Quit,
        ".load" => load(session, rest),
        ".sources" => sources(session),
        ".fields" => fields(session, rest),
        ".lang" => match rest {
            "spl" => session.lang = Some(Lang::Spl),
            "eql" => session.lang = Some(Lang::Eql),
            "auto" => session.lang = None,
            "" => eprintln!("language: {}", session.lang.map_or("auto", |l| l.name())),
            other => eprintln!("quarry: error: unknown language `{other}` (spl, eql, auto)"),
        },
        ".format" => match rest {
            "table" => session.format = Format::Table,
            "json" => session.format = Format::Json,
            "csv" => session.format = Format::Csv,
            "" => eprintln!("format: {:?}", session.format),
            other => eprintln!("quarry: error: unknown format `{other}` (table, json, csv)"),
        },
        ".timing" => match rest {
            "on" => session.timing = true,
            "off" => session.timing = false,
            "" => eprintln!("timing: {}", if session.timing { "on" } else { "off" }),
            other => eprintln!("quarry: error: `.timing {other}`: on or off"),
        },
        ".macros" => macros(session, rest),
        ".explain" => {
            if rest.is_empty() {
                eprintln!("quarry: error: `.explain QUERY`");
            } else {
                explain::explain(session, rest);
            }
        }
        ".output" => output(session, rest),
        ".run" => run_rules(session, rest),
        other => {
            let names = DOT_COMMANDS.iter().map(|d| d.name);
            match quarry_syntax::diagnostic::did_you_mean(other, names) {
                Some(near) => eprintln!("quarry: error: unknown command `{other}`; did you mean `{near}`?"),
                None => eprintln!("quarry: error: unknown command `{other}` (.help lists them)"),
            }
        }
    }
    Next::Continue
}

fn help() {
    let mut text = String::from("Type a query (SPL or EQL) and press Enter; it runs over the logs in memory.\n\n");
    let width = DOT_COMMANDS
        .iter()
        .map(|d| d.name.len() + d.args.len() + 1)
        .max()
        .unwrap_or(0);
    for d in DOT_COMMANDS {
        let usage = format!("{} {}", d.name, d.args);
        text.push_str(&format!("  {usage:width$}  {}\n", d.help));
    }
    text.push_str(
        "\nKeys: Tab completes commands, functions, macros and field names; Ctrl-R searches \
history;\nCtrl-C cancels a running query (or clears the line); Ctrl-D leaves. A line ending in \
`|`,\nan open bracket or an open quote continues on the next line.\n",
    );
    eprint!("{text}");
}

fn load(session: &mut Session, rest: &str) {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let mut files = Vec::new();
    let mut sourcetype = None;
    let mut k = 0;
    while k < words.len() {
        if words[k] == "--sourcetype" {
            match words.get(k + 1) {
                Some(st) => sourcetype = Some(*st),
                None => {
                    eprintln!("quarry: error: --sourcetype needs a name");
                    return;
                }
            }
            k += 2;
        } else if let Some(st) = words[k].strip_prefix("--sourcetype=") {
            sourcetype = Some(st);
            k += 1;
        } else {
            files.push(words[k]);
            k += 1;
        }
    }
    if files.is_empty() {
        eprintln!("quarry: error: `.load FILE [--sourcetype NAME]`");
        return;
    }
    for file in files {
        session.load(file, sourcetype);
    }
}

/// `2024-03-04 07:30:01` (UTC).
fn time_text(ns: Option<i64>) -> Value {
    ns.map(|t| {
        let iso = format_time(t as f64 / 1e9);
        Value::from(iso.chars().take(19).collect::<String>().replacen('T', " ", 1))
    })
    .unwrap_or(Value::Null)
}

/// A path cut at the left, keeping its file name: `…/fixtures/okta/benign.ndjson`.
fn short_path(path: &str, width: usize) -> String {
    let n = path.chars().count();
    if n <= width {
        return path.to_string();
    }
    let tail: String = path.chars().skip(n - (width - 1)).collect();
    format!("…{tail}")
}

fn sources(session: &Session) {
    if session.sources.is_empty() {
        eprintln!("no logs loaded (.load FILE)");
        return;
    }
    let rows = session
        .sources
        .iter()
        .map(|s| {
            vec![
                Value::from(short_path(&s.path, 48)),
                s.sourcetype.as_deref().map(Value::from).unwrap_or(Value::Null),
                Value::from(thousands(s.events)),
                time_text(s.first),
                time_text(s.last),
                Value::Int(s.bad_lines as i64),
                Value::from(human_bytes(s.bytes)),
            ]
        })
        .collect();
    session.show_listing(
        &[
            "file",
            "sourcetype",
            "events",
            "first (UTC)",
            "last (UTC)",
            "bad lines",
            "size",
        ],
        rows,
    );
    let total = session.total_events() as u64;
    let kept: u64 = session.sources.iter().map(|s| s.store.compressed_bytes()).sum();
    eprintln!(
        "{} source(s), {} events, kept in {}",
        session.sources.len(),
        thousands(total),
        human_bytes(kept)
    );
}

/// Events the field catalog takes at once, shared among the cores (parsed whole, they take
/// about ten times the size of their lines).
const CATALOG_BATCH: usize = 2048;

fn fields(session: &Session, pattern: &str) {
    let started = Instant::now();
    let batches = Feed::whole(&session.sources, CATALOG_BATCH);
    let Some(catalog) = Catalog::of_batches(batches, &session.cancel) else {
        eprintln!("cancelled");
        return;
    };
    let pattern = (!pattern.is_empty()).then_some(pattern);
    let matching = catalog.matching(pattern);
    let total = catalog.events.max(1) as f64;
    let rows: Vec<Vec<Value>> = matching
        .iter()
        .map(|(name, stats)| {
            let share = 100.0 * stats.events as f64 / total;
            let distinct = if stats.capped {
                format!("{}+", stats.distinct())
            } else {
                stats.distinct().to_string()
            };
            let top = stats
                .top(3)
                .into_iter()
                .map(|(v, n)| format!("{v} ({n})"))
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                Value::from(*name),
                Value::from(stats.types.iter().copied().collect::<Vec<_>>().join("|")),
                Value::from(format!("{share:.1}%")),
                Value::from(distinct),
                Value::from(top),
            ]
        })
        .collect();
    let count = rows.len();
    if count > 0 {
        session.show_listing(&["field", "type", "events", "distinct", "top values"], rows);
    }
    eprintln!(
        "{count} field(s) over {} events ({:.2} s)",
        thousands(catalog.events),
        started.elapsed().as_secs_f64()
    );
}

fn macros(session: &Session, pattern: &str) {
    let needle = pattern.to_lowercase();
    let rows: Vec<Vec<Value>> = session
        .env
        .macros
        .iter()
        .filter(|m| m.name.to_lowercase().contains(&needle))
        .map(|m| {
            vec![
                Value::from(m.key()),
                Value::from(m.args.join(", ")),
                Value::from(m.definition.split_whitespace().collect::<Vec<_>>().join(" ")),
                Value::from(m.origin.as_str()),
            ]
        })
        .collect();
    let count = rows.len();
    if count > 0 {
        session.show_listing(&["macro", "arguments", "definition", "from"], rows);
    }
    eprintln!("{count} macro(s); call one as `name` or `name(arg, ...)`");
}

fn output(session: &mut Session, rest: &str) {
    if let Some(mut old) = session.output.take() {
        if let Err(e) = std::io::Write::flush(&mut old.file) {
            eprintln!("quarry: error: {}: {e}", old.path.display());
        }
    }
    if rest.is_empty() {
        eprintln!("results go to the screen");
        return;
    }
    let path = PathBuf::from(rest);
    match std::fs::File::create(&path) {
        Ok(file) => {
            eprintln!("results go to {}", path.display());
            session.output = Some(OutputFile {
                path,
                file: BufWriter::new(file),
            });
        }
        Err(e) => eprintln!("quarry: error: {}: {e}", path.display()),
    }
}

/// An alert of `.run`: its time, its table row and its JSON line.
struct Alert {
    time: Option<f64>,
    row: Vec<(Name, Value)>,
    json: serde_json::Value,
}

/// Runs rule files over the loaded events, printing one alert per result in time order.
fn run_rules(session: &mut Session, rest: &str) {
    if rest.is_empty() {
        eprintln!("quarry: error: `.run RULE_FILE|DIR`");
        return;
    }
    let started = Instant::now();
    let paths = match collect(&[PathBuf::from(rest)]) {
        Ok(paths) if paths.is_empty() => {
            eprintln!("quarry: error: no rule files in {rest}");
            return;
        }
        Ok(paths) => paths,
        Err(d) => {
            eprintln!("quarry: error: {}", d.message);
            return;
        }
    };
    let loaded: Vec<Option<&str>> = session.sources.iter().map(|s| s.sourcetype.as_deref()).collect();
    let mut alerts: Vec<Alert> = Vec::new();
    let mut preparer = Preparer::new(&session.input, &session.eql);
    for path in paths {
        let rule = match Rule::load(&path) {
            Ok(rule) => rule,
            Err(d) => {
                eprintln!("quarry: error: {}", d.message);
                continue;
            }
        };
        let prepared = match preparer.prepare(rule, &IndexMap::new(), None) {
            Ok(p) => p,
            Err(failure) => {
                eprintln!("{}", failure.message);
                continue;
            }
        };
        if let Some(st) = &prepared.read.sourcetype {
            if !loaded.is_empty() && !loaded.contains(&Some(st.as_str())) {
                eprintln!(
                    "note: {} reads sourcetype {st}, but the logs were loaded as {}; \
its fields may be missing (.load FILE --sourcetype {st})",
                    prepared.rule.file.name,
                    loaded
                        .iter()
                        .map(|s| s.unwrap_or("(none)"))
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
        }
        let outcome = session.run_plan(&prepared.plan);
        if outcome.cancelled {
            eprintln!("cancelled");
            return;
        }
        eprintln!(
            "{}: {} alert(s), {:.3} s",
            prepared.rule.file.name,
            outcome.results.len(),
            outcome.elapsed.as_secs_f64()
        );
        for event in &outcome.results {
            let time = result_field(event, "_time").as_number();
            alerts.push(Alert {
                time,
                row: alert_row(&prepared.rule, event),
                json: alert_json(&prepared.rule, event),
            });
        }
    }
    alerts.sort_by(|a, b| match (a.time, b.time) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    let mut text = Vec::new();
    let written = match session.format {
        Format::Json => alerts
            .iter()
            .try_for_each(|a| std::io::Write::write_all(&mut text, format!("{}\n", a.json).as_bytes())),
        _ => {
            let header: Vec<Name> = ALERT_COLUMNS.iter().map(|c| Name::from(*c)).collect();
            let rows: Vec<Vec<(Name, Value)>> = alerts.into_iter().map(|a| a.row).collect();
            session.write_rows(&mut text, &header, &rows)
        }
    };
    let shown = written.and_then(|()| match &mut session.output {
        Some(out) => std::io::Write::write_all(&mut out.file, &text),
        None => super::pager::show(&String::from_utf8_lossy(&text), &session.screen),
    });
    if let Err(e) = shown {
        eprintln!("quarry: error: {e}");
    }
    if session.timing {
        eprintln!("{:.3} s", started.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listings_keep_what_matters() {
        assert_eq!(
            short_path("tests/fixtures/okta/benign.ndjson", 48),
            "tests/fixtures/okta/benign.ndjson"
        );
        let short = short_path("/a/very/long/path/to/benign.ndjson", 20);
        assert_eq!(short, "…th/to/benign.ndjson");
        assert_eq!(short.chars().count(), 20);
        assert_eq!(
            time_text(Some(1_709_537_401_100_000_000)),
            Value::from("2024-03-04 07:30:01")
        );
    }
}
