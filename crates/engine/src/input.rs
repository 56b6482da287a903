//! Reading events: newline-delimited JSON (or one JSON array) from files, gzip files or stdin.
//!
//! Every line becomes an event or a reported bad line; nothing is dropped silently. A line
//! longer than the limit is skipped without being held in memory and reported.

use crate::event::{Doc, Event, SourceMeta};
use crate::profile::Profile;
use crate::time::{parse_timestamp, TimeUnit};
use serde_json::Value as Json;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

/// The read buffer of an input: smaller than a block, so that reading a block goes straight
/// into it.
const READ_BUFFER: usize = 64 * 1024;

/// Longest line read by default: 64 MiB.
pub const DEFAULT_MAX_LINE: usize = 64 * 1024 * 1024;

/// Time fields tried, in order, when neither the user nor a profile names one.
pub const DEFAULT_TIME_FIELDS: &[&str] = &["_time", "@timestamp", "timestamp", "published"];

#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// `--time-field`: overrides the profile and the defaults.
    pub time_field: Option<String>,
    /// Fields tried after `time_field` for an event that lacks it (an Elastic rule's
    /// `timestamp_override` falls back to `@timestamp`).
    pub time_fallback: Vec<String>,
    /// `--time-unit`: how numbers in the time field are read (default seconds, or the
    /// profile's unit).
    pub time_unit: Option<TimeUnit>,
    pub sourcetype: Option<String>,
    pub profile: Option<Arc<Profile>>,
    pub host: String,
    pub index: String,
    pub max_line: usize,
    pub batch_size: usize,
    /// Read the inputs oldest first (by the time of their first event) rather than in the
    /// order given, so that logs of different periods meet a time-ordered query in order.
    pub inputs_in_time_order: bool,
    /// Reader threads: how many inputs are read at once and merged by time. `0` reads up to
    /// [`crate::merge::MAX_MERGED_INPUTS`] at once; `1` reads them one after another on the
    /// calling thread. Results are the same either way.
    pub threads: usize,
    /// Parse lines projected, learning the fields the run asks for ([`crate::projection`]).
    pub projection: Option<Arc<crate::projection::Projection>>,
    /// Skip, unparsed, object lines this filter shows cannot matter.
    pub line_filter: Option<LineFilter>,
    /// Let a run derive a line filter from its queries ([`crate::prefilter`]).
    pub prefilter: bool,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            time_field: None,
            time_fallback: Vec::new(),
            time_unit: None,
            sourcetype: None,
            profile: None,
            host: "localhost".into(),
            index: "main".into(),
            max_line: DEFAULT_MAX_LINE,
            batch_size: 1024,
            inputs_in_time_order: false,
            threads: 0,
            projection: None,
            line_filter: None,
            prefilter: true,
        }
    }
}

/// A line that did not become an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    pub source: String,
    pub line: u64,
    pub reason: String,
}

impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.source, self.line, self.reason)
    }
}

/// A problem that stops reading one input (missing file, broken gzip stream).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub source: String,
    pub message: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// What reading found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadSummary {
    pub inputs: u64,
    pub lines: u64,
    pub events: u64,
    pub bad_lines: u64,
    /// Lines skipped for being longer than the limit (also counted in `bad_lines`).
    pub oversized_lines: u64,
    /// Lines the line filter skipped unparsed (also counted in `events`: they look like JSON
    /// objects but are not checked further).
    pub prefiltered: u64,
    /// The first few bad lines (all of them are passed to the caller as they are found).
    pub first_bad: Vec<BadLine>,
    pub errors: Vec<InputError>,
    /// True when the consumer asked to stop early (`head`).
    pub stopped_early: bool,
}

/// Whether to keep reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Reads every input in turn, handing events to `consume` in batches and bad lines to
/// `on_bad` as they are found; either may stop the reading. An input that cannot be read is
/// recorded in the summary and reading goes on with the next one.
pub fn read_inputs(
    paths: &[String],
    opts: &ReadOptions,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> ReadSummary {
    let ordered;
    let paths = if opts.inputs_in_time_order && paths.len() > 1 {
        let from_files = paths.iter().all(|p| p != "-");
        let at_once = match opts.threads {
            0 => crate::merge::MAX_MERGED_INPUTS,
            n => n.min(crate::merge::MAX_MERGED_INPUTS),
        };
        if from_files && paths.len() <= at_once {
            return crate::merge::read_merged(paths, opts, on_bad, consume);
        }
        ordered = oldest_first(paths, opts);
        ordered.as_slice()
    } else {
        paths
    };
    let mut summary = ReadSummary::default();
    for path in paths {
        summary.inputs += 1;
        let flow = read_one(path, opts, &mut summary, on_bad, consume);
        if flow == Flow::Stop {
            summary.stopped_early = true;
            break;
        }
    }
    summary
}

/// How many lines are looked at to find an input's first time.
const FIRST_TIME_LINES: usize = 1000;

/// The inputs ordered by the time of their first timed event (when there are too many to read
/// at once); inputs without one (stdin, JSON
/// arrays, unreadable files) keep their place relative to each other, after the others.
fn oldest_first(paths: &[String], opts: &ReadOptions) -> Vec<String> {
    let timing = Timing::new(opts);
    let mut keyed: Vec<(i64, &String)> = paths
        .iter()
        .map(|p| (first_time(p, &timing, opts.max_line).unwrap_or(i64::MAX), p))
        .collect();
    keyed.sort_by_key(|(time, _)| *time);
    keyed.into_iter().map(|(_, p)| p.clone()).collect()
}

fn first_time(path: &str, timing: &Timing, max_line: usize) -> Option<i64> {
    if path == "-" {
        return None;
    }
    let mut reader = open(path).ok()?;
    let mut buf = Vec::new();
    for _ in 0..FIRST_TIME_LINES {
        buf.clear();
        match read_line_limited(&mut reader, &mut buf, 0, max_line) {
            Ok(LineRead::Line) => {}
            Ok(LineRead::TooLong(_)) => continue,
            Ok(LineRead::Eof) | Err(_) => return None,
        }
        let text = std::str::from_utf8(&buf).ok()?.trim_start_matches('\u{feff}').trim();
        if text.starts_with('[') {
            return None;
        }
        if let Ok(json @ Json::Object(_)) = serde_json::from_str::<Json>(text) {
            if let Some(time) = timing.time_of(&json) {
                return Some(time);
            }
        }
    }
    None
}

fn open(path: &str) -> Result<Box<dyn BufRead + Send>, String> {
    let raw: Box<dyn Read + Send> = if path == "-" {
        Box::new(io::stdin())
    } else {
        let p = Path::new(path);
        if p.is_dir() {
            return Err("is a directory, not a log file".into());
        }
        Box::new(File::open(p).map_err(|e| io_message(&e))?)
    };
    // Reads of a block or more bypass this buffer (see `split_lines`).
    let mut reader = BufReader::with_capacity(READ_BUFFER, raw);
    let head = reader.fill_buf().map_err(|e| io_message(&e))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let decoder = flate2::bufread::MultiGzDecoder::new(reader);
        return Ok(Box::new(BufReader::with_capacity(READ_BUFFER, decoder)));
    }
    Ok(Box::new(reader))
}

fn io_message(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

pub(crate) fn read_one(
    path: &str,
    opts: &ReadOptions,
    summary: &mut ReadSummary,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> Flow {
    let source_name = if path == "-" {
        "stdin".to_string()
    } else {
        path.to_string()
    };
    match open(path) {
        Ok(reader) => read_stream(reader, &source_name, path != "-", opts, summary, on_bad, consume),
        Err(message) => {
            summary.errors.push(InputError {
                source: source_name,
                message,
            });
            Flow::Continue
        }
    }
}

/// Reads events from text already in memory, as if it were a file named `name`.
pub fn read_str(
    text: &str,
    name: &str,
    opts: &ReadOptions,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> ReadSummary {
    read_bytes(text.as_bytes(), name, opts, on_bad, consume)
}

/// Reads events from any reader (its bytes uncompressed NDJSON or a JSON array), as if they were
/// a file named `name`; lines are parsed on several threads as a file's are.
pub fn read_reader(
    reader: Box<dyn BufRead + Send + '_>,
    name: &str,
    opts: &ReadOptions,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> ReadSummary {
    let mut summary = ReadSummary {
        inputs: 1,
        ..ReadSummary::default()
    };
    if read_stream(reader, name, true, opts, &mut summary, on_bad, consume) == Flow::Stop {
        summary.stopped_early = true;
    }
    summary
}

/// Reads events from bytes already in memory (which need not be UTF-8), as if they were an
/// uncompressed file named `name`.
pub fn read_bytes(
    bytes: &[u8],
    name: &str,
    opts: &ReadOptions,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> ReadSummary {
    read_reader(Box::new(io::Cursor::new(bytes)), name, opts, on_bad, consume)
}

/// Reads one input; `parallel` lets lines be parsed on several threads (not for stdin, whose
/// lines are handed on as they come).
fn read_stream(
    mut reader: Box<dyn BufRead + Send + '_>,
    source_name: &str,
    parallel: bool,
    opts: &ReadOptions,
    summary: &mut ReadSummary,
    on_bad: &mut dyn FnMut(&BadLine) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> Flow {
    let source_name = source_name.to_string();
    let meta = Arc::new(SourceMeta {
        source: source_name.as_str().into(),
        sourcetype: opts
            .sourcetype
            .clone()
            .or_else(|| opts.profile.as_ref().map(|p| p.sourcetype.clone()))
            .map(|s| s.as_str().into()),
        host: opts.host.as_str().into(),
        index: opts.index.as_str().into(),
        profile: opts.profile.clone(),
        projection: opts.projection.clone(),
    });
    let timing = Timing::new(opts);
    if let Some(projection) = &opts.projection {
        projection.want(&timing.fields);
    }
    let mut report = |summary: &mut ReadSummary, line: u64, reason: String| -> Flow {
        let bad = BadLine {
            source: source_name.clone(),
            line,
            reason,
        };
        let flow = on_bad(&bad);
        summary.bad_lines += 1;
        if summary.first_bad.len() < 10 {
            summary.first_bad.push(bad);
        }
        flow
    };

    // A JSON array file: read it whole.
    let starts_with_array = match reader.fill_buf() {
        Ok(buf) => {
            let buf = buf.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(buf);
            buf.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[')
        }
        Err(e) => {
            summary.errors.push(InputError {
                source: source_name.clone(),
                message: gzip_or_io(&e),
            });
            return Flow::Continue;
        }
    };
    if starts_with_array {
        return read_array(reader, &source_name, &meta, &timing, summary, &mut report, consume);
    }

    let parser = LineParser {
        meta: meta.clone(),
        max_line: opts.max_line,
        timing,
        line_filter: opts.line_filter.clone(),
    };
    let mut deliver = |parsed: Parsed, summary: &mut ReadSummary| -> Flow {
        match parsed {
            Parsed::Lines {
                mut events,
                bad,
                oversized,
                lines,
                skipped,
            } => {
                summary.lines += lines;
                summary.events += events.len() as u64 + skipped;
                summary.prefiltered += skipped;
                summary.oversized_lines += oversized.len() as u64;
                let too_long = oversized
                    .into_iter()
                    .map(|(line, len)| (line, too_long(len, opts.max_line)));
                for (line, reason) in bad.into_iter().chain(too_long) {
                    if report(summary, line, reason) == Flow::Stop {
                        return Flow::Stop;
                    }
                }
                while !events.is_empty() {
                    let rest = events.split_off(events.len().min(opts.batch_size.max(1)));
                    if consume(std::mem::replace(&mut events, rest)) == Flow::Stop {
                        return Flow::Stop;
                    }
                }
                Flow::Continue
            }
            Parsed::TooLong { line, len } => {
                summary.lines += 1;
                summary.oversized_lines += 1;
                report(summary, line, too_long(len, opts.max_line))
            }
            Parsed::Failed { after_line, message } => {
                summary.errors.push(InputError {
                    source: source_name.clone(),
                    message: format!("after line {after_line}: {message}"),
                });
                Flow::Continue
            }
        }
    };
    let workers = match opts.threads {
        0 => std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_PARSERS),
        n => n.min(MAX_PARSERS),
    };
    if workers <= 1 || !parallel {
        let mut flow = Flow::Continue;
        let mut spare: Option<Vec<u8>> = None;
        let mut buffer = || spare.take().unwrap_or_else(|| Vec::with_capacity(CHUNK_BYTES));
        let mut parsed_all = |piece| {
            let (parsed, _) = parser.parse(piece);
            flow = deliver(parsed, summary);
            flow == Flow::Continue
        };
        split_lines(&mut reader, opts, !parallel, &mut buffer, &mut parsed_all);
        return flow;
    }
    parse_in_parallel(reader, opts, &parser, workers, &mut |parsed| deliver(parsed, summary))
}

fn too_long(len: usize, limit: usize) -> String {
    format!("line is {len} bytes or more, over the limit of {limit} bytes; skipped")
}

/// The most threads parsing one input.
const MAX_PARSERS: usize = 8;

/// Bytes of lines read and parsed together.
const CHUNK_BYTES: usize = 1 << 20;

/// Lines are split on one thread, parsed on `workers` threads and handed on in their order:
/// chunk `k` goes to worker `k % workers`, and results are taken from the workers in turn.
fn parse_in_parallel(
    mut reader: Box<dyn BufRead + Send + '_>,
    opts: &ReadOptions,
    parser: &LineParser,
    workers: usize,
    deliver: &mut dyn FnMut(Parsed) -> Flow,
) -> Flow {
    use std::sync::mpsc::sync_channel;
    std::thread::scope(|scope| {
        // Parsed chunks' buffers go back to the splitter: fresh memory costs page faults.
        let (send_buffer, buffers) = sync_channel::<Vec<u8>>(2 * workers + 2);
        let mut to_workers = Vec::with_capacity(workers);
        let mut from_workers = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (send_piece, pieces) = sync_channel::<Piece>(2);
            let (send_parsed, parsed) = sync_channel::<Parsed>(2);
            let recycle = send_buffer.clone();
            scope.spawn(move || {
                for piece in pieces {
                    let (parsed, buffer) = parser.parse(piece);
                    if let Some(buffer) = buffer {
                        let _ = recycle.try_send(buffer);
                    }
                    if send_parsed.send(parsed).is_err() {
                        break;
                    }
                }
            });
            to_workers.push(send_piece);
            from_workers.push(parsed);
        }
        drop(send_buffer);
        scope.spawn(move || {
            let mut next = 0;
            let mut buffer = || buffers.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK_BYTES));
            split_lines(&mut reader, opts, false, &mut buffer, &mut |piece| {
                let sent = to_workers[next % workers].send(piece).is_ok();
                next += 1;
                sent
            });
        });
        let mut next = 0;
        // A worker with nothing more to send has handed on every chunk: the input is done.
        while let Ok(parsed) = from_workers[next % workers].recv() {
            if deliver(parsed) == Flow::Stop {
                return Flow::Stop;
            }
            next += 1;
        }
        Flow::Continue
    })
}

/// What the line splitter hands to the parsers.
enum Piece {
    /// Whole lines, the first of them numbered `first_line`.
    Lines { bytes: Vec<u8>, first_line: u64 },
    /// A line over the length limit, skipped.
    TooLong { line: u64, len: usize },
    /// Reading failed after `after_line`; nothing more follows.
    Failed { after_line: u64, message: String },
}

/// What parsing a piece gave.
enum Parsed {
    Lines {
        events: Vec<Event>,
        /// Bad lines with their numbers and reasons.
        bad: Vec<(u64, String)>,
        /// Lines over the length limit, with their numbers and lengths.
        oversized: Vec<(u64, usize)>,
        lines: u64,
        /// Lines the line filter showed cannot matter, not parsed.
        skipped: u64,
    },
    TooLong {
        line: u64,
        len: usize,
    },
    Failed {
        after_line: u64,
        message: String,
    },
}

/// Splits an input into chunks of whole lines, read in blocks of [`CHUNK_BYTES`]; stops when
/// `emit` returns false. `eager` hands on what each read gave at once (stdin, where lines come
/// as they are written) rather than waiting to fill a chunk. `buffer` gives a buffer to fill
/// (one handed back by a parser, or a new one).
fn split_lines(
    reader: &mut dyn BufRead,
    opts: &ReadOptions,
    eager: bool,
    buffer: &mut dyn FnMut() -> Vec<u8>,
    emit: &mut dyn FnMut(Piece) -> bool,
) {
    let mut line_no: u64 = 0;
    // The start of a line the last block cut through.
    let mut carry: Vec<u8> = Vec::new();
    let mut eof = false;
    while !(eof && carry.is_empty()) {
        // Reads go straight into the block (a reused block is already initialized up to
        // about its size, so making room costs little).
        let mut bytes = buffer();
        let mut filled = carry.len();
        bytes.resize(CHUNK_BYTES.max(filled), 0);
        bytes[..filled].copy_from_slice(&carry);
        carry.clear();
        let mut failure = None;
        while !eof && filled < CHUNK_BYTES {
            match reader.read(&mut bytes[filled..CHUNK_BYTES]) {
                Ok(0) => eof = true,
                Ok(n) => {
                    let new = filled..filled + n;
                    filled += n;
                    if eager && memchr::memchr(b'\n', &bytes[new]).is_some() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    failure = Some(gzip_or_io(&e));
                    eof = true;
                }
            }
        }
        bytes.truncate(filled);
        // Whole lines go now; the unfinished last one waits for the next block.
        let cut = match memchr::memrchr(b'\n', &bytes) {
            Some(i) => i + 1,
            None if failure.is_some() => 0,
            None if eof => bytes.len(),
            None => {
                // One line longer than a block: read on to its end, never holding more than
                // the limit.
                match read_line_limited(reader, &mut bytes, 0, opts.max_line) {
                    Ok(LineRead::TooLong(len)) => {
                        line_no += 1;
                        if !emit(Piece::TooLong { line: line_no, len }) {
                            return;
                        }
                        continue;
                    }
                    Ok(_) => bytes.len(),
                    Err(e) => {
                        failure = Some(gzip_or_io(&e));
                        0
                    }
                }
            }
        };
        if failure.is_none() {
            carry.extend_from_slice(&bytes[cut..]);
        }
        bytes.truncate(cut);
        if !bytes.is_empty() {
            let first_line = line_no + 1;
            line_no += memchr::memchr_iter(b'\n', &bytes).count() as u64 + u64::from(!bytes.ends_with(b"\n"));
            if !emit(Piece::Lines { bytes, first_line }) {
                return;
            }
        }
        if let Some(message) = failure {
            emit(Piece::Failed {
                after_line: line_no,
                message,
            });
            return;
        }
    }
}

/// A test on raw lines, derived from what a run keeps: which of the run's queries a line may
/// matter to ([`crate::prefilter::plan_bit`]); 0 when it certainly gives no event any of them
/// keeps, so it need not be parsed. An event keeps its line's answer in [`Doc::plans`].
#[derive(Clone)]
pub struct LineFilter(pub Arc<LineTest>);

/// The queries a raw line may matter to, as a mask of their bits.
pub type LineTest = dyn Fn(&[u8]) -> u64 + Send + Sync;

impl std::fmt::Debug for LineFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LineFilter")
    }
}

/// Turns lines into events.
struct LineParser {
    meta: Arc<SourceMeta>,
    max_line: usize,
    timing: Timing,
    line_filter: Option<LineFilter>,
}

impl LineParser {
    /// Parses a piece; gives back its buffer for reuse.
    fn parse(&self, piece: Piece) -> (Parsed, Option<Vec<u8>>) {
        let (bytes, first_line) = match piece {
            Piece::Lines { bytes, first_line } => (bytes, first_line),
            Piece::TooLong { line, len } => return (Parsed::TooLong { line, len }, None),
            Piece::Failed { after_line, message } => return (Parsed::Failed { after_line, message }, None),
        };
        let fields = self.meta.projection.as_ref().and_then(|p| p.current());
        let mut events = Vec::new();
        let mut bad = Vec::new();
        let mut skipped = 0;
        let mut lines = 0;
        let mut oversized = Vec::new();
        let mut rest = bytes.as_slice();
        let mut line_no = first_line - 1;
        while !rest.is_empty() {
            let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
            let mut line = &rest[..end];
            rest = &rest[end..];
            line_no += 1;
            lines += 1;
            if line.len() > self.max_line.saturating_add(1) {
                oversized.push((line_no, line.len()));
                continue;
            }
            if line_no == 1 {
                line = line.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(line);
            }
            while let Some(rest) = line.strip_suffix(b"\n").or_else(|| line.strip_suffix(b"\r")) {
                line = rest;
            }
            if line.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let mut plans = crate::prefilter::ALL_PLANS;
            if let Some(filter) = &self.line_filter {
                // A line that is not an object is parsed, so that it is reported.
                if looks_like_object(line) {
                    plans = (filter.0)(line);
                    if plans == 0 {
                        skipped += 1;
                        continue;
                    }
                }
            }
            let text = match std::str::from_utf8(line) {
                Ok(t) => t,
                Err(e) => {
                    bad.push((line_no, format!("invalid UTF-8 at byte {}", e.valid_up_to())));
                    continue;
                }
            };
            let parsed = match &fields {
                Some(fields) => parse_json_with(text, |t| crate::projection::parse_for(t, fields)),
                None => parse_json::<Json>(text),
            };
            match parsed {
                Ok(json @ Json::Object(_)) => {
                    let time = self.timing.time_of(&json);
                    let mut doc = match &fields {
                        Some(fields) => {
                            Doc::projected(text.into(), json, fields.clone(), time, self.meta.clone(), line_no)
                        }
                        None => Doc::new(text.into(), json, time, self.meta.clone(), line_no),
                    };
                    doc.plans = plans;
                    events.push(Event::from_doc(doc));
                }
                Ok(other) => bad.push((line_no, format!("expected a JSON object, found {}", json_kind(&other)))),
                Err(e) => bad.push((line_no, json_error(&e))),
            }
        }
        if let (Some(projection), Some(_)) = (&self.meta.projection, &fields) {
            projection.count_parsed(events.len() as u64);
        }
        let parsed = Parsed::Lines {
            events,
            bad,
            oversized,
            lines,
            skipped,
        };
        (parsed, Some(bytes))
    }
}

/// A line that starts with `{` and ends with `}`: an object, unless it is broken inside.
fn looks_like_object(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    trimmed.first() == Some(&b'{') && trimmed.last() == Some(&b'}')
}

#[allow(clippy::too_many_arguments)]
fn read_array(
    mut reader: Box<dyn BufRead + Send + '_>,
    source_name: &str,
    meta: &Arc<SourceMeta>,
    timing: &Timing,
    summary: &mut ReadSummary,
    report: &mut dyn FnMut(&mut ReadSummary, u64, String) -> Flow,
    consume: &mut dyn FnMut(Vec<Event>) -> Flow,
) -> Flow {
    let mut text = String::new();
    if let Err(e) = reader.read_to_string(&mut text) {
        summary.errors.push(InputError {
            source: source_name.to_string(),
            message: gzip_or_io(&e),
        });
        return Flow::Continue;
    }
    let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let items: Vec<Json> = match parse_json(body) {
        Ok(items) => items,
        Err(e) => {
            summary.lines += 1;
            return report(summary, e.line() as u64, format!("JSON array file: {}", json_error(&e)));
        }
    };
    let mut batch = Vec::new();
    for (n, item) in items.into_iter().enumerate() {
        let element = n as u64 + 1;
        summary.lines += 1;
        match item {
            json @ Json::Object(_) => {
                let raw = json.to_string();
                let time = timing.time_of(&json);
                batch.push(Event::from_doc(Doc::new(raw.into(), json, time, meta.clone(), element)));
                summary.events += 1;
            }
            other => {
                let reason = format!("array element is {}, not a JSON object", json_kind(&other));
                if report(summary, element, reason) == Flow::Stop {
                    return Flow::Stop;
                }
            }
        }
    }
    consume(batch)
}

/// Parses JSON text. A number beyond the range of a 64-bit float (`1e400`) does not make the
/// line bad: Splunk keeps the event and the value as written, so such a number is kept as its
/// text. Only lines serde_json rejects for that reason take the slower second pass.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    parse_json_with(text, |t| serde_json::from_str::<T>(t))
}

/// [`parse_json`] with another parser.
pub(crate) fn parse_json_with<T>(
    text: &str,
    parse: impl Fn(&str) -> Result<T, serde_json::Error>,
) -> Result<T, serde_json::Error> {
    match parse(text) {
        Err(e) if e.to_string().starts_with("number out of range") => match quote_huge_numbers(text) {
            Some(fixed) => parse(&fixed).map_err(|_| e),
            None => Err(e),
        },
        other => other,
    }
}

/// `text` with every number outside strings that overflows an `f64` turned into a string of
/// its digits; `None` when there is none.
fn quote_huge_numbers(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 8);
    let mut changed = false;
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                    i += 1;
                }
                let number = &text[start..i];
                if number.parse::<f64>().is_ok_and(f64::is_infinite) {
                    out.push_str(&text[last..start]);
                    out.push('"');
                    out.push_str(number);
                    out.push('"');
                    last = i;
                    changed = true;
                }
            }
            _ => i += 1,
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&text[last.min(text.len())..]);
    Some(out)
}

fn json_kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; a line is one event, so keep the column.
    match msg.rfind(" at line ") {
        Some(pos) => format!("invalid JSON: {} (column {})", &msg[..pos], e.column()),
        None => format!("invalid JSON: {msg}"),
    }
}

fn gzip_or_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::UnexpectedEof => "truncated input (unexpected end of gzip stream)".into(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => format!("unreadable gzip data: {e}"),
        _ => e.to_string(),
    }
}

enum LineRead {
    Eof,
    Line,
    /// The line was longer than the limit; its bytes were skipped. Carries how many were seen.
    TooLong(usize),
}

/// Reads one line onto the end of `buf` (with its `\n`), but never holds more than `limit`
/// bytes of it (counted from `start`, where the line began in `buf`): a longer line is drained
/// and reported as [`LineRead::TooLong`], leaving `buf` cut at `start`.
fn read_line_limited(reader: &mut dyn BufRead, buf: &mut Vec<u8>, start: usize, limit: usize) -> io::Result<LineRead> {
    let mut skipped = 0usize;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(if too_long {
                LineRead::TooLong(skipped)
            } else if buf.len() == start {
                LineRead::Eof
            } else {
                LineRead::Line
            });
        }
        let (chunk, done) = match memchr::memchr(b'\n', available) {
            Some(i) => (&available[..=i], true),
            None => (available, false),
        };
        let n = chunk.len();
        if too_long {
            skipped += n;
        } else if buf.len() - start + n > limit.saturating_add(1) {
            too_long = true;
            skipped = buf.len() - start + n;
            buf.truncate(start);
        } else {
            buf.extend_from_slice(chunk);
        }
        reader.consume(n);
        if done {
            return Ok(if too_long {
                LineRead::TooLong(skipped)
            } else {
                LineRead::Line
            });
        }
    }
}

/// How to find an event's time.
struct Timing {
    fields: Vec<String>,
    unit: TimeUnit,
}

impl Timing {
    fn new(opts: &ReadOptions) -> Timing {
        let defaults = DEFAULT_TIME_FIELDS.iter().map(|s| s.to_string());
        let fields = match (
            &opts.time_field,
            opts.profile.as_ref().and_then(|p| p.time_field.clone()),
        ) {
            (Some(f), _) => std::iter::once(f.clone())
                .chain(opts.time_fallback.iter().cloned())
                .collect(),
            // The profile's field first; events already shaped otherwise keep their own time.
            (None, Some(f)) => std::iter::once(f.clone()).chain(defaults.filter(|d| *d != f)).collect(),
            (None, None) => defaults.collect(),
        };
        let unit = opts
            .time_unit
            .or_else(|| opts.profile.as_ref().and_then(|p| p.time_unit))
            .unwrap_or_default();
        Timing { fields, unit }
    }

    fn time_of(&self, json: &Json) -> Option<i64> {
        self.fields
            .iter()
            .find_map(|f| json_path(json, f))
            .and_then(|v| parse_timestamp(v, self.unit))
    }
}

/// The JSON value at a dotted path (a key containing dots is tried first).
pub fn json_path<'a>(json: &'a Json, path: &str) -> Option<&'a Json> {
    let Json::Object(map) = json else { return None };
    if let Some(v) = map.get(path) {
        return Some(v);
    }
    for (key, value) in map {
        if let Some(rest) = path.strip_prefix(key.as_str()).and_then(|r| r.strip_prefix('.')) {
            if let Some(found) = json_path(value, rest) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &[u8], opts: &ReadOptions) -> (Vec<Event>, ReadSummary, Vec<BadLine>) {
        let dir = std::env::temp_dir().join(format!("quarry-input-{}-{}", std::process::id(), text.len()));
        std::fs::write(&dir, text).unwrap();
        let mut events = Vec::new();
        let mut bad = Vec::new();
        let summary = read_inputs(
            &[dir.display().to_string()],
            opts,
            &mut |b| {
                bad.push(b.clone());
                Flow::Continue
            },
            &mut |batch| {
                events.extend(batch);
                Flow::Continue
            },
        );
        std::fs::remove_file(&dir).ok();
        (events, summary, bad)
    }

    #[test]
    fn bad_lines_are_reported_and_the_rest_still_read() {
        let (events, summary, bad) = read_text(b"{\"a\":1}\nnot json\n\n{\"a\":2}\r\n[1]\n", &ReadOptions::default());
        assert_eq!(events.len(), 2);
        assert_eq!(summary.bad_lines, 2);
        assert_eq!(bad[0].line, 2);
        assert!(bad[0].reason.starts_with("invalid JSON"), "{}", bad[0].reason);
        assert_eq!(bad[1].line, 5);
        assert!(bad[1].reason.contains("expected a JSON object"));
    }

    #[test]
    fn time_comes_from_the_first_default_field() {
        let (events, _, _) = read_text(
            b"{\"published\":\"1970-01-01T00:00:10Z\"}\n{\"@timestamp\":\"1970-01-01T00:00:20Z\",\"published\":\"x\"}\n",
            &ReadOptions::default(),
        );
        assert_eq!(events[0].time(), Some(10.0));
        assert_eq!(events[1].time(), Some(20.0));
    }

    #[test]
    fn long_lines_are_skipped_without_buffering() {
        let mut text = b"{\"a\":1}\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', 5000));
        text.extend(b"\n{\"a\":2}\n");
        let opts = ReadOptions {
            max_line: 1000,
            ..ReadOptions::default()
        };
        let (events, summary, bad) = read_text(&text, &opts);
        assert_eq!(events.len(), 2);
        assert_eq!(summary.bad_lines, 1);
        assert!(bad[0].reason.contains("over the limit of 1000 bytes"));
    }

    #[test]
    fn json_array_files_and_bom() {
        let (events, _, _) = read_text(b"\xEF\xBB\xBF [{\"a\":1},{\"a\":2}]", &ReadOptions::default());
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].doc.as_ref().unwrap().line, 2);
    }

    #[test]
    fn missing_files_are_errors() {
        let summary = read_inputs(
            &["/nonexistent/file.json".into()],
            &ReadOptions::default(),
            &mut |_| Flow::Continue,
            &mut |_| Flow::Continue,
        );
        assert_eq!(summary.errors[0].message, "no such file");
    }

    #[test]
    fn a_field_asked_for_late_parses_the_line_for_it_not_whole() {
        let projection = Arc::new(crate::projection::Projection::new());
        let opts = ReadOptions {
            projection: Some(projection.clone()),
            ..ReadOptions::default()
        };
        let (events, _, _) = read_text(
            b"{\"user\":\"a\",\"big\":{\"x\":[1,2,3]},\"n\":1}\n{\"user\":\"b\",\"n\":2}\n",
            &opts,
        );
        // Read before anyone asked for `user`: both lines were parsed for no field.
        assert_eq!(events[0].get("user"), crate::Value::from("a"));
        assert_eq!(events[1].get("user"), crate::Value::from("b"));
        assert_eq!(events[1].get("n"), crate::Value::Int(2));
        let doc = events[0].doc.as_ref().unwrap();
        assert!(!doc.parsed_whole(), "only the fields asked for are parsed again");
        assert!(projection.current().unwrap().covers("user"));
        // Listing every field needs the whole line.
        assert!(events[0].field_names().iter().any(|n| n.as_ref() == "big.x{}"));
        assert!(doc.parsed_whole());
    }
}
