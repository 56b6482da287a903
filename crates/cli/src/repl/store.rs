//! A loaded log kept small: its lines, in blocks of about a mebibyte compressed with LZ4, read
//! back as a stream by the engine's reader whenever a query runs.
//!
//! Parsed events take about ten times the size of their text; the compressed lines take a
//! fraction of it. Each query reads the lines again as it would read the file — on every core,
//! parsing only the fields it reads — so results are those of `quarry query` over the file.
//! Lines that were not events (bad lines, blank lines) are kept as blank lines, so every event
//! keeps its line number.

use quarry_engine::event::Event;
use quarry_engine::input::{read_reader, Flow, ReadOptions};
use quarry_engine::projection::Projection;
use std::io::{self, BufRead, Read};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Text of lines compressed together.
pub const BLOCK_BYTES: usize = 1 << 20;

/// The lines of one log, compressed.
#[derive(Debug, Default)]
pub struct Store {
    blocks: Vec<Block>,
    /// Bytes of the lines as stored (line ends included).
    raw: u64,
}

#[derive(Debug)]
struct Block {
    data: Box<[u8]>,
    /// Bytes once decompressed.
    len: usize,
}

impl Store {
    /// Bytes of the text the store holds.
    pub fn raw_bytes(&self) -> u64 {
        self.raw
    }

    /// Bytes the store takes in memory.
    pub fn compressed_bytes(&self) -> u64 {
        let overhead = std::mem::size_of::<Block>();
        self.blocks.iter().map(|b| (b.data.len() + overhead) as u64).sum()
    }

    /// The stored text from its start.
    pub fn reader(self: &Arc<Self>) -> StoreReader {
        StoreReader {
            store: self.clone(),
            next: 0,
            buf: Vec::new(),
            pos: 0,
        }
    }
}

/// Fills a [`Store`] line by line.
#[derive(Debug, Default)]
pub struct StoreBuilder {
    store: Store,
    fill: Vec<u8>,
    lines: u64,
}

impl StoreBuilder {
    pub fn new() -> StoreBuilder {
        StoreBuilder::default()
    }

    /// Appends `text` as line number `line` (1-based); the lines skipped since the last one
    /// become blank lines.
    pub fn push(&mut self, line: u64, text: &str) {
        while self.lines + 1 < line {
            self.fill.push(b'\n');
            self.lines += 1;
        }
        self.fill.extend_from_slice(text.as_bytes());
        self.fill.push(b'\n');
        self.lines += 1;
        if self.fill.len() >= BLOCK_BYTES {
            self.seal();
        }
    }

    fn seal(&mut self) {
        if self.fill.is_empty() {
            return;
        }
        let data = lz4_flex::block::compress(&self.fill).into_boxed_slice();
        self.store.raw += self.fill.len() as u64;
        self.store.blocks.push(Block {
            data,
            len: self.fill.len(),
        });
        self.fill.clear();
    }

    pub fn finish(mut self) -> Store {
        self.seal();
        self.store.blocks.shrink_to_fit();
        self.store
    }
}

/// The text of a store, decompressed a block at a time.
#[derive(Debug)]
pub struct StoreReader {
    store: Arc<Store>,
    next: usize,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for StoreReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for StoreReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.buf.len() {
            let Some(block) = self.store.blocks.get(self.next) else {
                return Ok(&[]);
            };
            self.buf.resize(block.len, 0);
            let n = lz4_flex::block::decompress_into(&block.data, &mut self.buf)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            self.buf.truncate(n);
            self.pos = 0;
            self.next += 1;
        }
        Ok(&self.buf[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.buf.len());
    }
}

/// The events of a store, parsed in the background and taken a batch at a time. Dropping it
/// stops the reading.
pub struct Batches {
    events: Option<Receiver<Vec<Event>>>,
    reading: Option<JoinHandle<()>>,
    /// Batches read up front, when no thread could be started to read them.
    read: std::vec::IntoIter<Vec<Event>>,
}

/// Batches read ahead of the one being taken.
const AHEAD: usize = 2;

impl Batches {
    /// Reads `store` as the file `name` with `read`; with `projection`, each line is parsed only
    /// for the fields the run reads.
    pub fn start(store: &Arc<Store>, name: &str, read: &ReadOptions, projection: Option<Arc<Projection>>) -> Batches {
        let read = ReadOptions {
            projection,
            ..read.clone()
        };
        let (send, events) = sync_channel::<Vec<Event>>(AHEAD);
        let (store_, name_, read_) = (store.clone(), name.to_string(), read.clone());
        let spawned = std::thread::Builder::new().name("quarry-store".into()).spawn(move || {
            read_store(&store_, &name_, &read_, &mut |batch| match send.send(batch) {
                Ok(()) => Flow::Continue,
                Err(_) => Flow::Stop,
            })
        });
        match spawned {
            Ok(reading) => Batches {
                events: Some(events),
                reading: Some(reading),
                read: Vec::new().into_iter(),
            },
            Err(_) => {
                let mut all = Vec::new();
                read_store(store, name, &read, &mut |batch| {
                    all.push(batch);
                    Flow::Continue
                });
                Batches {
                    events: None,
                    reading: None,
                    read: all.into_iter(),
                }
            }
        }
    }
}

fn read_store(store: &Arc<Store>, name: &str, read: &ReadOptions, consume: &mut dyn FnMut(Vec<Event>) -> Flow) {
    // Bad lines were reported when the log was loaded.
    read_reader(Box::new(store.reader()), name, read, &mut |_| Flow::Continue, consume);
}

impl Iterator for Batches {
    type Item = Vec<Event>;

    fn next(&mut self) -> Option<Vec<Event>> {
        match &self.events {
            Some(events) => events.recv().ok(),
            None => self.read.next(),
        }
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        // The reader stops at its next batch once no one takes them.
        self.events.take();
        if let Some(reading) = self.reading.take() {
            reading.join().ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(store: Store) -> String {
        let mut text = String::new();
        Arc::new(store).reader().read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn the_text_comes_back_with_its_line_numbers() {
        let mut builder = StoreBuilder::new();
        builder.push(1, "{\"a\":1}");
        builder.push(4, "{\"a\":2}");
        assert_eq!(text_of(builder.finish()), "{\"a\":1}\n\n\n{\"a\":2}\n");
    }

    #[test]
    fn many_blocks_read_as_one_stream_and_take_less_room() {
        let mut builder = StoreBuilder::new();
        let mut expected = String::new();
        for n in 0..60_000 {
            let line = format!("{{\"n\":{n},\"user\":\"user{}@example.com\",\"ok\":true}}", n % 97);
            builder.push(n + 1, &line);
            expected.push_str(&line);
            expected.push('\n');
        }
        let store = builder.finish();
        assert!(store.blocks.len() > 1, "{} block(s)", store.blocks.len());
        assert_eq!(store.raw_bytes(), expected.len() as u64);
        assert!(
            store.compressed_bytes() * 4 < store.raw_bytes(),
            "{}",
            store.compressed_bytes()
        );
        assert_eq!(text_of(store), expected);
    }

    #[test]
    fn batches_are_the_events_of_the_lines() {
        let mut builder = StoreBuilder::new();
        builder.push(1, "{\"n\":1}");
        builder.push(3, "{\"n\":2}");
        let store = Arc::new(builder.finish());
        let events: Vec<Event> = Batches::start(&store, "s.ndjson", &ReadOptions::default(), None)
            .flatten()
            .collect();
        let lines: Vec<u64> = events.iter().filter_map(|e| Some(e.doc.as_ref()?.line)).collect();
        assert_eq!(lines, vec![1, 3]);
        assert_eq!(events[1].get("n"), quarry_engine::Value::Int(2));
        assert_eq!(events[0].get("source"), quarry_engine::Value::from("s.ndjson"));
    }
}
