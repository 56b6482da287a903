//! Writing results: an aligned table, JSON lines, or CSV with a header row.
//!
//! `_time` is written as ISO 8601 text (`2024-03-01T10:00:00.000+00:00`), as Splunk shows it;
//! other numbers stay numbers in JSON; multivalue fields are JSON arrays, one value per line in
//! a table cell, and newline-joined in CSV.

use quarry_engine::event::{Event, Name};
use quarry_engine::time::format_time;
use quarry_engine::value::Value;
use serde_json::{Map, Value as Json};
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// A field's value as shown to people (`_time` as a timestamp).
pub fn show(name: &str, value: &Value) -> Value {
    if name == "_time" {
        if let Some(t) = value.as_number() {
            return Value::from(format_time(t));
        }
    }
    value.clone()
}

/// The fields of a result, in order. An event still carrying its source shows `_time`, the
/// fields the pipeline wrote, then `_raw`; a row shows its fields.
pub fn columns(event: &Event) -> Vec<(Name, Value)> {
    let mut out = Vec::new();
    if let Some(group) = &event.group {
        // A sequence or sample: its join keys, then one line per event (time and raw text).
        let first_time = group.events.iter().flatten().next().map(|e| e.get("_time"));
        out.push((Name::from("_time"), first_time.unwrap_or(Value::Null)));
        out.push((Name::from("join_keys"), Value::multi(group.join_keys.clone())));
        let lines: Vec<Value> = group
            .events
            .iter()
            .map(|e| match e {
                Some(e) => {
                    let time = show("_time", &e.get("_time")).display_text();
                    Value::from(format!("{time}  {}", e.get("_raw").display_text()))
                }
                None => Value::from("(missing)"),
            })
            .collect();
        out.push((Name::from("events"), Value::multi(lines)));
    } else if event.doc.is_some() {
        out.push((Name::from("_time"), event.get("_time")));
        for (name, value) in event.written() {
            if name.as_ref() != "_time" && name.as_ref() != "_raw" {
                out.push((name.clone(), value.clone()));
            }
        }
        out.push((Name::from("_raw"), event.get("_raw")));
    } else {
        for (name, value) in &event.fields {
            out.push((name.clone(), value.clone()));
        }
    }
    out
}

/// A result as a JSON object: an event is its original JSON with the pipeline's changes; a
/// row is its fields (null fields left out).
pub fn to_json(event: &Event) -> Json {
    if let Some(group) = &event.group {
        let events: Vec<Json> = group
            .events
            .iter()
            .map(|e| match e {
                Some(e) => to_json(e),
                None => serde_json::json!({"missing": true}),
            })
            .collect();
        return serde_json::json!({
            "join_keys": group.join_keys.iter().map(Value::to_json).collect::<Vec<_>>(),
            "events": events,
        });
    }
    match &event.doc {
        Some(doc) => {
            let mut object = match doc.whole() {
                Json::Object(map) => map.clone(),
                _ => Map::new(),
            };
            for (name, value) in event.changes() {
                if value.is_null() {
                    object.remove(name.as_ref());
                } else {
                    object.insert(name.to_string(), show(name, value).to_json());
                }
            }
            Json::Object(object)
        }
        None => {
            let mut object = Map::new();
            for (name, value) in &event.fields {
                if !value.is_null() {
                    object.insert(name.to_string(), show(name, value).to_json());
                }
            }
            Json::Object(object)
        }
    }
}

/// Writes results as they come (JSON) or at the end (table, CSV).
pub struct ResultWriter<W: Write> {
    format: Format,
    out: W,
    held: Vec<Vec<(Name, Value)>>,
}

impl<W: Write> ResultWriter<W> {
    pub fn new(format: Format, out: W) -> ResultWriter<W> {
        ResultWriter {
            format,
            out,
            held: Vec::new(),
        }
    }

    pub fn write(&mut self, event: &Event) -> io::Result<()> {
        match self.format {
            Format::Json => writeln!(self.out, "{}", to_json(event)),
            Format::Table | Format::Csv => {
                self.held.push(columns(event));
                Ok(())
            }
        }
    }

    pub fn finish(mut self) -> io::Result<W> {
        let header = header(&self.held);
        match self.format {
            Format::Json => {}
            Format::Table => write_table(&mut self.out, &header, &self.held)?,
            Format::Csv => write_csv(&mut self.out, &header, &self.held)?,
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The columns of a set of rows: every field name, in order of first appearance.
pub fn header(rows: &[Vec<(Name, Value)>]) -> Vec<Name> {
    let mut names: Vec<Name> = Vec::new();
    for row in rows {
        for (name, _) in row {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

/// The text of one cell, one entry per line (a multivalue field takes one line per value).
pub fn cell(row: &[(Name, Value)], name: &Name) -> Vec<String> {
    row.iter()
        .find(|(n, _)| n == name)
        .map(|(n, v)| show(n, v))
        .map(|v| match v {
            Value::Multi(items) => items.iter().map(|i| i.display_text()).collect(),
            Value::Null => vec![String::new()],
            other => vec![other.display_text()],
        })
        .unwrap_or_else(|| vec![String::new()])
}

/// An aligned text table; multivalue cells take one line per value.
pub fn write_table(out: &mut dyn Write, header: &[Name], rows: &[Vec<(Name, Value)>]) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let cells: Vec<Vec<Vec<String>>> = rows
        .iter()
        .map(|r| header.iter().map(|h| cell(r, h)).collect())
        .collect();
    let width = |text: &str| text.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in &cells {
        for (i, lines) in row.iter().enumerate() {
            for line in lines {
                widths[i] = widths[i].max(width(line));
            }
        }
    }
    let line = |out: &mut dyn Write, parts: &[String]| -> io::Result<()> {
        let mut text = String::new();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(part);
            if i + 1 < parts.len() {
                text.push_str(&" ".repeat(widths[i] - width(part)));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &header.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
    line(out, &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>())?;
    for row in &cells {
        let height = row.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            let parts: Vec<String> = row
                .iter()
                .map(|lines| lines.get(k).cloned().unwrap_or_default())
                .collect();
            line(out, &parts)?;
        }
    }
    Ok(())
}

pub fn write_csv(out: &mut dyn Write, header: &[Name], rows: &[Vec<(Name, Value)>]) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let to_io = |e: csv::Error| io::Error::other(e.to_string());
    writer.write_record(header.iter().map(|h| h.as_ref())).map_err(to_io)?;
    for row in rows {
        let record: Vec<String> = header.iter().map(|h| cell(row, h).join("\n")).collect();
        writer.write_record(&record).map_err(to_io)?;
    }
    writer.flush()
}
