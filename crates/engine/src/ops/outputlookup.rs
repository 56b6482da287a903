//! `outputlookup`: results pass unchanged; at the end they are written to the table's CSV
//! file, when the run writes lookup tables (`--lookup-output DIR`), and the run says where.
//! Otherwise nothing is written and the run says so once.
//!
//! As in Splunk, the columns are the results' fields (internal ones but `_time` left out) in
//! the order first seen; a multivalue cell holds its values one per line. `append=true` keeps
//! the file's rows and adds the results after them; no results write an empty file unless
//! `create_empty=false`, and leave an existing file alone with `override_if_empty=false`.

use super::{Accounting, Flow, Operator, RunContext};
use crate::event::Event;
use crate::plan::OutputLookupSpec;
use std::path::Path;

pub struct OutputLookup {
    spec: OutputLookupSpec,
    seen: Vec<Event>,
    notes: Vec<String>,
}

impl OutputLookup {
    pub fn new(spec: OutputLookupSpec) -> OutputLookup {
        OutputLookup {
            spec,
            seen: Vec::new(),
            notes: Vec::new(),
        }
    }

    fn write(&mut self, path: &Path) -> Result<Option<usize>, String> {
        let results = &self.seen[..self.spec.max.map_or(self.seen.len(), |m| m.min(self.seen.len()))];
        if results.is_empty() {
            if !self.spec.override_if_empty && path.exists() {
                return Ok(None);
            }
            if !self.spec.create_empty && !path.exists() {
                return Ok(None);
            }
        }
        let (mut columns, mut rows) = if self.spec.append && path.is_file() {
            read_csv(path)?
        } else {
            (Vec::new(), Vec::new())
        };
        let mut new_rows = Vec::with_capacity(results.len());
        for event in results {
            let mut row = vec![String::new(); columns.len()];
            for name in event.field_names() {
                if name.starts_with('_') && &*name != "_time" {
                    continue;
                }
                let index = match columns.iter().position(|c| c == &*name) {
                    Some(i) => i,
                    None => {
                        columns.push(name.to_string());
                        columns.len() - 1
                    }
                };
                if row.len() <= index {
                    row.resize(index + 1, String::new());
                }
                row[index] = event.get(&name).display_text();
            }
            new_rows.push(row);
        }
        rows.extend(new_rows);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let mut writer = csv::Writer::from_path(path).map_err(|e| e.to_string())?;
        if !columns.is_empty() {
            writer.write_record(&columns).map_err(|e| e.to_string())?;
            for mut row in rows {
                row.resize(columns.len(), String::new());
                writer.write_record(&row).map_err(|e| e.to_string())?;
            }
        }
        writer.flush().map_err(|e| e.to_string())?;
        Ok(Some(results.len()))
    }
}

/// The header and rows of an existing table.
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| e.to_string())?;
    let columns = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(record.map_err(|e| e.to_string())?.iter().map(str::to_string).collect());
    }
    Ok((columns, rows))
}

impl Operator for OutputLookup {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        self.seen.extend(batch.iter().cloned());
        Flow::Continue
    }

    fn finish(&mut self, _out: &mut Vec<Event>, _ctx: &RunContext) {
        let name = self.spec.name.clone();
        let note = match self.spec.path.clone() {
            None => format!("outputlookup {name}: not written; give --lookup-output DIR to write lookup tables"),
            Some(path) => match self.write(&path) {
                Ok(Some(n)) => format!("outputlookup {name}: wrote {n} result(s) to {}", path.display()),
                Ok(None) => format!("outputlookup {name}: no results; {} left as it was", path.display()),
                Err(e) => format!("outputlookup {name}: could not write {}: {e}", path.display()),
            },
        };
        self.notes.push(note);
        self.seen.clear();
    }

    fn account(&self, acc: &mut Accounting) {
        for note in &self.notes {
            acc.note(note.clone());
        }
    }
}
