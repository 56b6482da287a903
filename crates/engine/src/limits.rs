//! Resource limits of a run: a memory budget that blocking operators charge for what they hold,
//! and a deadline. A limit that is hit stops the run with a clear error (exit code 3), never a
//! partial answer passed off as a whole one.
//!
//! Operators that keep events or groups across batches (`sort`, the newest-first ordering,
//! `stats`/`eventstats` groups, `dedup`, `tail`, EQL sorting and partial sequences) call
//! [`Limits::charge`] with an estimate of what they keep and stop when it says no. A new
//! blocking operator does the same: `if !ctx.limits.charge(bytes, "mycommand") { return
//! Flow::Stop; }`. The budget is shared by every plan of a run (`quarry run` runs many rules
//! over one reading), so it bounds the process, not each rule.

use crate::event::Event;
use crate::value::Value;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Default memory budget for blocking commands: 2 GiB.
pub const DEFAULT_MAX_MEMORY: usize = 2 << 30;

/// Which limit stopped a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LimitKind {
    Memory,
    Timeout,
}

/// A limit that was hit, with a message for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitError {
    pub kind: LimitKind,
    pub message: String,
}

impl std::fmt::Display for LimitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Debug)]
struct Shared {
    max_memory: usize,
    used: AtomicUsize,
    tripped: AtomicBool,
    error: Mutex<Option<LimitError>>,
}

/// The limits of one run; clones share the budget.
#[derive(Clone, Debug)]
pub struct Limits {
    shared: Arc<Shared>,
    timeout: Option<Duration>,
    deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(DEFAULT_MAX_MEMORY, None)
    }
}

impl Limits {
    /// A budget of `max_memory` bytes for what blocking operators hold, and a deadline
    /// `timeout` from now.
    pub fn new(max_memory: usize, timeout: Option<Duration>) -> Limits {
        Limits {
            shared: Arc::new(Shared {
                max_memory,
                used: AtomicUsize::new(0),
                tripped: AtomicBool::new(false),
                error: Mutex::new(None),
            }),
            timeout,
            deadline: timeout.map(|t| Instant::now() + t),
        }
    }

    /// Takes `bytes` from the memory budget for `what` (the command holding them). False, with
    /// the error recorded, when the budget is exhausted: the caller stops.
    pub fn charge(&self, bytes: usize, what: &str) -> bool {
        let used = self
            .shared
            .used
            .fetch_add(bytes, Ordering::Relaxed)
            .saturating_add(bytes);
        if used <= self.shared.max_memory {
            return true;
        }
        self.trip(LimitError {
            kind: LimitKind::Memory,
            message: format!(
                "memory limit exceeded: `{what}` needs more than the {} allowed to blocking commands (raise it with --max-memory)",
                show_bytes(self.shared.max_memory)
            ),
        });
        false
    }

    /// Gives back `bytes` charged earlier.
    pub fn release(&self, bytes: usize) {
        let _ = self
            .shared
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| Some(u.saturating_sub(bytes)));
    }

    /// Bytes currently charged.
    pub fn used(&self) -> usize {
        self.shared.used.load(Ordering::Relaxed)
    }

    /// False, with the error recorded, once the deadline has passed.
    pub fn check_time(&self) -> bool {
        match (self.deadline, self.timeout) {
            (Some(deadline), Some(timeout)) if Instant::now() >= deadline => {
                self.trip(LimitError {
                    kind: LimitKind::Timeout,
                    message: format!("query timed out after {} (--timeout)", show_duration(timeout)),
                });
                false
            }
            _ => !self.tripped(),
        }
    }

    /// True once any limit has been hit.
    pub fn tripped(&self) -> bool {
        self.shared.tripped.load(Ordering::Relaxed)
    }

    /// The first limit hit, if any.
    pub fn exceeded(&self) -> Option<LimitError> {
        self.shared.error.lock().ok().and_then(|e| e.clone())
    }

    fn trip(&self, error: LimitError) {
        self.shared.tripped.store(true, Ordering::Relaxed);
        if let Ok(mut slot) = self.shared.error.lock() {
            slot.get_or_insert(error);
        }
    }
}

/// What keeping `event` costs, roughly: its raw text and parsed JSON (about three times the
/// text), plus the fields the pipeline wrote.
pub fn event_bytes(event: &Event) -> usize {
    let doc = event.doc.as_ref().map_or(0, |d| d.raw.len() * 3);
    let fields: usize = event.fields.iter().map(|(k, v)| 48 + k.len() + value_bytes(v)).sum();
    let group = event.group.as_ref().map_or(0, |g| {
        g.events.iter().flatten().map(event_bytes).sum::<usize>() + g.join_keys.iter().map(value_bytes).sum::<usize>()
    });
    64 + doc + fields + group
}

/// What keeping `value` costs, roughly.
pub fn value_bytes(value: &Value) -> usize {
    match value {
        Value::Str(s) => 24 + s.len(),
        Value::Multi(items) => 24 + items.iter().map(value_bytes).sum::<usize>(),
        _ => 16,
    }
}

fn show_bytes(n: usize) -> String {
    const UNITS: &[(usize, &str)] = &[(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if n >= *size && (n / size) * size == n {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

fn show_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if (ms / 1000) * 1000 == ms {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Parses a size such as `512M`, `2G`, `1.5GiB` or a plain number of bytes.
pub fn parse_size(text: &str) -> Option<usize> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().ok()?;
    let per: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0_f64.powi(4),
        _ => return None,
    };
    let bytes = n * per;
    (bytes.is_finite() && bytes >= 0.0 && bytes <= usize::MAX as f64).then_some(bytes as usize)
}

/// Parses a duration such as `30s`, `5m`, `1h`, `250ms` (a plain number is seconds).
pub fn parse_duration(text: &str) -> Option<Duration> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().ok()?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        _ => return None,
    };
    Duration::try_from_secs_f64(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_beyond_the_budget_trip_it_with_a_message() {
        let limits = Limits::new(1000, None);
        assert!(limits.charge(600, "sort"));
        assert!(limits.clone().charge(400, "sort"));
        assert!(!limits.charge(1, "dedup"));
        let err = limits.exceeded().unwrap();
        assert_eq!(err.kind, LimitKind::Memory);
        assert!(
            err.message.contains("`dedup`") && err.message.contains("1000 bytes"),
            "{err}"
        );
    }

    #[test]
    fn released_bytes_can_be_charged_again() {
        let limits = Limits::new(1000, None);
        assert!(limits.charge(1000, "sort"));
        limits.release(500);
        assert!(limits.charge(500, "sort"));
        assert!(!limits.tripped());
    }

    #[test]
    fn a_passed_deadline_is_a_timeout() {
        let limits = Limits::new(DEFAULT_MAX_MEMORY, Some(Duration::ZERO));
        assert!(!limits.check_time());
        assert_eq!(
            limits.exceeded().unwrap().message,
            "query timed out after 0s (--timeout)"
        );
    }

    #[test]
    fn sizes_and_durations_parse() {
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("100"), Some(100));
        assert_eq!(parse_size("x"), None);
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("soon"), None);
    }
}
