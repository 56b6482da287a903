//! Loading a log into memory: read and parse it once, learn its fields and time range, and
//! keep its lines compressed ([`super::store`]); each query reads them again.
//! Bad lines are reported as `quarry query` reports them (`file:line: reason`) and counted.
//! On a terminal a progress line shows bytes, events and rate while a large file loads.

use super::catalog::FieldTree;
use super::store::{Batches, Store, StoreBuilder};
use crate::commands::BadLines;
use quarry_engine::event::Event;
use quarry_engine::input::{read_inputs, Flow, ReadOptions};
use quarry_engine::projection::Projection;
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A log held in memory.
#[derive(Clone, Debug)]
pub struct Source {
    pub path: String,
    pub sourcetype: Option<String>,
    /// How the log was read; queries read its lines the same way.
    pub read: ReadOptions,
    /// Its lines, compressed.
    pub store: Arc<Store>,
    /// Events (lines that were JSON objects).
    pub events: u64,
    pub lines: u64,
    pub bad_lines: u64,
    /// Bytes of the events read (the text of each line, decompressed).
    pub bytes: u64,
    /// Oldest and newest event time, epoch nanoseconds.
    pub first: Option<i64>,
    pub last: Option<i64>,
    pub elapsed: Duration,
}

impl Source {
    /// The events, parsed again a batch at a time in the background; with `projection`, each
    /// line is parsed only for the fields the run reads. `parsers` overrides the threads
    /// parsing its lines (when several sources are read at once).
    pub fn batches(&self, projection: Option<Arc<Projection>>, parsers: Option<usize>) -> Batches {
        let read = ReadOptions {
            threads: parsers.unwrap_or(self.read.threads),
            batch_size: if projection.is_some() {
                self.read.batch_size
            } else {
                WHOLE_BATCH
            },
            ..self.read.clone()
        };
        Batches::start(&self.store, self.name(), &read, projection)
    }

    /// The name events give as their `source`: the path, as `quarry query` names it.
    pub fn name(&self) -> &str {
        if self.path == "-" {
            "stdin"
        } else {
            &self.path
        }
    }

    /// Every event, parsed whole.
    pub fn all_events(&self) -> Vec<Event> {
        self.batches(None, None).flatten().collect()
    }
}

/// Why a load gave nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Ctrl-C.
    Cancelled,
    /// The input could not be read (missing file, broken gzip).
    Unreadable(String),
    /// A bad line under `--strict`.
    Strict,
}

/// What a load has kept so far.
#[derive(Default)]
struct Kept {
    store: StoreBuilder,
    events: u64,
    bytes: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl Kept {
    /// Learns from a batch of events and keeps their lines.
    fn take(&mut self, batch: Vec<Event>, fields: &mut FieldTree) {
        for event in &batch {
            if let Some(doc) = &event.doc {
                self.bytes += doc.raw.len() as u64 + 1;
                fields.add(doc.whole());
                if let Some(t) = doc.time_ns {
                    self.first = Some(self.first.map_or(t, |f| f.min(t)));
                    self.last = Some(self.last.map_or(t, |l| l.max(t)));
                }
                self.store.push(doc.line, &doc.raw);
                self.events += 1;
            }
        }
    }

    fn into_source(self, path: &str, read: &ReadOptions, lines: u64, bad_lines: u64, elapsed: Duration) -> Source {
        Source {
            path: path.to_string(),
            sourcetype: read.sourcetype.clone(),
            read: ReadOptions {
                projection: None,
                ..read.clone()
            },
            store: Arc::new(self.store.finish()),
            events: self.events,
            lines,
            bad_lines,
            bytes: self.bytes,
            first: self.first,
            last: self.last,
            elapsed,
        }
    }
}

/// Lines parsed together when every line is parsed whole (loading, the field catalog): a chunk
/// of lines then takes about ten times its size, and chunks are parsed a few ahead on every
/// core.
const WHOLE_BATCH: usize = 32;

/// Reads `path` whole into memory. `fields` learns the names of the events' fields.
pub fn load(
    path: &str,
    read: &ReadOptions,
    strict: bool,
    cancel: &AtomicBool,
    progress: bool,
    fields: &mut FieldTree,
) -> Result<Source, LoadError> {
    let started = Instant::now();
    let total = std::fs::metadata(path).ok().map(|m| m.len()).filter(|_| !is_gzip(path));
    let meter = RefCell::new(Meter::new(path, total, progress));
    let mut kept = Kept::default();
    let mut bad_lines = BadLines::new(strict);
    let cancelled = Cell::new(false);
    let read_whole = ReadOptions {
        batch_size: WHOLE_BATCH,
        ..read.clone()
    };
    let summary = read_inputs(
        &[path.to_string()],
        &read_whole,
        &mut |bad| {
            if cancel.load(Ordering::Relaxed) {
                cancelled.set(true);
                return Flow::Stop;
            }
            meter.borrow_mut().clear();
            bad_lines.report(bad)
        },
        &mut |batch| {
            kept.take(batch, fields);
            meter.borrow_mut().update(kept.bytes, kept.events);
            if cancel.load(Ordering::Relaxed) {
                cancelled.set(true);
                return Flow::Stop;
            }
            Flow::Continue
        },
    );
    meter.borrow_mut().clear();
    if cancelled.get() {
        return Err(LoadError::Cancelled);
    }
    if let Some(error) = summary.errors.first() {
        return Err(LoadError::Unreadable(error.to_string()));
    }
    if bad_lines.strict_failed {
        return Err(LoadError::Strict);
    }
    Ok(kept.into_source(path, read, summary.lines, summary.bad_lines, started.elapsed()))
}

/// A source of `text` as if read from the file `name` (bad lines are counted, not shown).
#[cfg(test)]
pub fn from_text(name: &str, text: &str, read: &ReadOptions) -> Source {
    let mut kept = Kept::default();
    let mut fields = FieldTree::default();
    let summary = quarry_engine::input::read_str(text, name, read, &mut |_| Flow::Continue, &mut |batch| {
        kept.take(batch, &mut fields);
        Flow::Continue
    });
    kept.into_source(name, read, summary.lines, summary.bad_lines, Duration::ZERO)
}

fn is_gzip(path: &str) -> bool {
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && head == [0x1f, 0x8b]
}

/// The progress line on stderr.
struct Meter<'a> {
    path: &'a str,
    total: Option<u64>,
    on: bool,
    started: Instant,
    last_shown: Option<Instant>,
}

/// Progress shows only for loads that take longer than this.
const QUIET_FOR: Duration = Duration::from_millis(300);

impl<'a> Meter<'a> {
    fn new(path: &'a str, total: Option<u64>, on: bool) -> Meter<'a> {
        Meter {
            path,
            total,
            on,
            started: Instant::now(),
            last_shown: None,
        }
    }

    fn update(&mut self, bytes: u64, events: u64) {
        if !self.on || self.started.elapsed() < QUIET_FOR {
            return;
        }
        if self
            .last_shown
            .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.last_shown = Some(Instant::now());
        let secs = self.started.elapsed().as_secs_f64().max(1e-9);
        let done = match self.total {
            Some(total) => format!("{} of {}", human_bytes(bytes), human_bytes(total)),
            None => human_bytes(bytes),
        };
        eprint!(
            "\r\x1b[Kloading {}: {done}, {} events, {}/s",
            self.path,
            thousands(events),
            human_bytes((bytes as f64 / secs) as u64)
        );
        std::io::stderr().flush().ok();
    }

    fn clear(&mut self) {
        if self.last_shown.take().is_some() {
            eprint!("\r\x1b[K");
            std::io::stderr().flush().ok();
        }
    }
}

/// `1.5 GB`, `320 KB`, `12 B`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> = digits
        .as_bytes()
        .rchunks(3)
        .rev()
        .map(|group| std::str::from_utf8(group).unwrap_or(""))
        .collect();
    groups.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str, text: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("quarry-repl-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn a_log_is_loaded_with_its_fields_times_and_bad_lines() {
        let path = scratch(
            "a.ndjson",
            "{\"_time\":\"2024-01-01T00:00:02Z\",\"a\":{\"b\":1}}\nnot json\n{\"_time\":\"2024-01-01T00:00:01Z\",\"c\":[1]}\n",
        );
        let mut fields = FieldTree::default();
        let source = load(
            &path.display().to_string(),
            &ReadOptions::default(),
            false,
            &AtomicBool::new(false),
            false,
            &mut fields,
        )
        .unwrap();
        assert_eq!(source.events, 2);
        assert_eq!((source.lines, source.bad_lines), (3, 1));
        assert_eq!(source.first, Some(1_704_067_201_000_000_000));
        assert_eq!(source.last, Some(1_704_067_202_000_000_000));
        assert_eq!(fields.names(), vec!["_time", "a.b", "c{}"]);
    }

    #[test]
    fn a_loaded_log_reads_back_as_the_events_of_the_file() {
        let text = "\u{feff}{\"_time\":\"2024-01-01T00:00:02Z\",\"a\":1}\r\n\n[1]\n  {\"a\": 2}  \nnot json\n{\"_time\":5,\"a\":3}";
        let path = scratch("c.ndjson", text);
        let path = path.display().to_string();
        let mut fields = FieldTree::default();
        let read = ReadOptions::default();
        let source = load(&path, &read, false, &AtomicBool::new(false), false, &mut fields).unwrap();
        let mut from_file = Vec::new();
        read_inputs(
            std::slice::from_ref(&path),
            &read,
            &mut |_| Flow::Continue,
            &mut |batch| {
                from_file.extend(batch);
                Flow::Continue
            },
        );
        let seen = |events: &[Event]| -> Vec<(u64, String, Option<i64>, String)> {
            events
                .iter()
                .filter_map(|e| {
                    let doc = e.doc.as_ref()?;
                    Some((
                        doc.line,
                        doc.raw.to_string(),
                        doc.time_ns,
                        e.get("source").display_text(),
                    ))
                })
                .collect()
        };
        let again = source.all_events();
        assert_eq!(seen(&again), seen(&from_file));
        assert_eq!(
            again.iter().map(|e| e.doc.as_ref().unwrap().line).collect::<Vec<_>>(),
            vec![1, 4, 6]
        );
        assert_eq!((source.events, source.bad_lines), (3, 2));
    }

    #[test]
    fn strict_loads_fail_on_a_bad_line_and_missing_files_are_unreadable() {
        let path = scratch("b.ndjson", "{\"a\":1}\n[\n");
        let mut fields = FieldTree::default();
        let path = path.display().to_string();
        let cancel = AtomicBool::new(false);
        let strict = load(&path, &ReadOptions::default(), true, &cancel, false, &mut fields);
        assert_eq!(strict.unwrap_err(), LoadError::Strict);
        let missing = load(
            "/nonexistent.ndjson",
            &ReadOptions::default(),
            false,
            &cancel,
            false,
            &mut fields,
        );
        assert!(matches!(missing, Err(LoadError::Unreadable(m)) if m.contains("no such file")));
        let cancelled = load(
            &path,
            &ReadOptions::default(),
            false,
            &AtomicBool::new(true),
            false,
            &mut fields,
        );
        assert_eq!(cancelled.unwrap_err(), LoadError::Cancelled);
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_bytes(12), "12 B");
        assert_eq!(human_bytes(1_500_000_000), "1.5 GB");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
