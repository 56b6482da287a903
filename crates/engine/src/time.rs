//! Time: reading event timestamps (ISO 8601 text or epoch numbers in a given unit), Splunk's
//! `strftime`/`strptime` format letters, and relative time modifiers (`-1d@d`).
//! All times are UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};

/// How numbers (and digit strings) in a time field are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeUnit {
    #[default]
    Seconds,
    Millis,
    Micros,
    Nanos,
    /// Windows FILETIME: 100 ns ticks since 1601-01-01.
    FileTime,
}

impl TimeUnit {
    pub fn parse(text: &str) -> Option<TimeUnit> {
        Some(match text {
            "s" | "sec" | "seconds" => TimeUnit::Seconds,
            "ms" | "millis" => TimeUnit::Millis,
            "us" | "micros" => TimeUnit::Micros,
            "ns" | "nanos" => TimeUnit::Nanos,
            "filetime" => TimeUnit::FileTime,
            _ => return None,
        })
    }

    /// Epoch nanoseconds for a whole number in this unit (exact), `None` on overflow.
    pub fn to_nanos(self, n: i64) -> Option<i64> {
        match self {
            TimeUnit::Seconds => n.checked_mul(1_000_000_000),
            TimeUnit::Millis => n.checked_mul(1_000_000),
            TimeUnit::Micros => n.checked_mul(1_000),
            TimeUnit::Nanos => Some(n),
            TimeUnit::FileTime => n.checked_sub(116_444_736_000_000_000)?.checked_mul(100),
        }
    }

    /// Epoch seconds for a number in this unit.
    pub fn to_seconds(self, n: f64) -> f64 {
        match self {
            TimeUnit::Seconds => n,
            TimeUnit::Millis => n / 1e3,
            TimeUnit::Micros => n / 1e6,
            TimeUnit::Nanos => n / 1e9,
            TimeUnit::FileTime => n / 1e7 - 11_644_473_600.0,
        }
    }
}

/// Reads a timestamp as epoch nanoseconds: a JSON number or digit string in `unit`, or ISO
/// 8601 text (`2024-03-01T10:00:00.123Z`, `+02:00` offsets, a space instead of `T`, no zone =
/// UTC). Whole numbers convert exactly.
pub fn parse_timestamp(json: &serde_json::Value, unit: TimeUnit) -> Option<i64> {
    match json {
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => unit.to_nanos(i),
            None => n.as_f64().and_then(|f| seconds_to_nanos(unit.to_seconds(f))),
        },
        serde_json::Value::String(s) => {
            let t = s.trim();
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                return t.parse::<i64>().ok().and_then(|i| unit.to_nanos(i));
            }
            if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return t.parse::<f64>().ok().and_then(|f| seconds_to_nanos(unit.to_seconds(f)));
            }
            parse_iso8601_nanos(t)
        }
        _ => None,
    }
}

fn seconds_to_nanos(s: f64) -> Option<i64> {
    let ns = (s * 1e9).round();
    (ns.is_finite() && ns.abs() < 9.2e18).then_some(ns as i64)
}

/// ISO 8601 text to epoch nanoseconds.
pub fn parse_iso8601_nanos(t: &str) -> Option<i64> {
    let seconds = parse_iso8601(t)?;
    // Re-read the fraction exactly: f64 seconds lose nanoseconds.
    let whole = seconds.floor() as i64;
    let frac_nanos = fraction_nanos(t).unwrap_or(((seconds - seconds.floor()) * 1e9).round() as i64);
    whole.checked_mul(1_000_000_000)?.checked_add(frac_nanos)
}

/// The digits after the seconds' decimal point, as nanoseconds.
fn fraction_nanos(t: &str) -> Option<i64> {
    let time_part = &t[t.find(['T', ' '])?..];
    let dot = time_part.find('.')?;
    let digits: String = time_part[dot + 1..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if digits.is_empty() {
        return None;
    }
    let mut padded = digits;
    padded.truncate(9);
    while padded.len() < 9 {
        padded.push('0');
    }
    padded.parse().ok()
}

pub fn parse_time_text(s: &str, unit: TimeUnit) -> Option<f64> {
    let t = s.trim();
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return t.parse::<f64>().ok().map(|f| unit.to_seconds(f));
    }
    parse_iso8601(t)
}

/// ISO 8601 / RFC 3339 text to epoch seconds (with fractions).
pub fn parse_iso8601(t: &str) -> Option<f64> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(epoch(dt.with_timezone(&Utc)));
    }
    let normalized = t.replacen(' ', "T", 1);
    if let Ok(dt) = DateTime::parse_from_rfc3339(&normalized) {
        return Some(epoch(dt.with_timezone(&Utc)));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"] {
        if let Ok(dt) = DateTime::parse_from_str(&normalized, fmt) {
            return Some(epoch(dt.with_timezone(&Utc)));
        }
    }
    let without_z = normalized.strip_suffix('Z').unwrap_or(&normalized);
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(without_z, fmt) {
            return Some(epoch(Utc.from_utc_datetime(&naive)));
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .map(|d| epoch(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN))))
}

fn epoch(dt: DateTime<Utc>) -> f64 {
    dt.timestamp() as f64 + f64::from(dt.timestamp_subsec_nanos()) / 1e9
}

pub fn to_datetime(seconds: f64) -> Option<DateTime<Utc>> {
    if !seconds.is_finite() {
        return None;
    }
    // Epoch seconds as f64 are exact to about a microsecond: round there, so that
    // 10:00:39.004 does not print as 10:00:39.003.
    let micros = (seconds * 1e6).round();
    let whole = (micros / 1e6).floor();
    let sub_micros = (micros - whole * 1e6).clamp(0.0, 999_999.0);
    Utc.timestamp_opt(whole as i64, sub_micros as u32 * 1000).single()
}

/// `_time` as Splunk prints it in results: `2024-03-01T10:00:00.000+00:00`.
pub fn format_time(seconds: f64) -> String {
    match to_datetime(seconds) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string(),
        None => String::new(),
    }
}

/// Splunk's `strftime`: C-style letters plus `%s` (epoch seconds), `%N`/`%3N`/`%6N`/`%9N`
/// (subseconds), `%Q` (milliseconds) and `%z`/`%Z`/`%:z`.
pub fn strftime(seconds: f64, format: &str) -> Option<String> {
    let dt = to_datetime(seconds)?;
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        let Some(spec) = chars.next() else {
            out.push('%');
            break;
        };
        let width: usize = digits.parse().unwrap_or(0);
        let nanos = dt.timestamp_subsec_nanos();
        match spec {
            'N' => {
                let w = if width == 0 { 3 } else { width.min(9) };
                out.push_str(&format!("{:09}", nanos)[..w]);
            }
            'Q' => out.push_str(&format!("{:03}", nanos / 1_000_000)),
            's' => out.push_str(&dt.timestamp().to_string()),
            'Y' => out.push_str(&format!("{:04}", dt.year())),
            'y' => out.push_str(&format!("{:02}", dt.year() % 100)),
            'm' => out.push_str(&format!("{:02}", dt.month())),
            'd' => out.push_str(&format!("{:02}", dt.day())),
            'e' => out.push_str(&format!("{:>2}", dt.day())),
            'H' => out.push_str(&format!("{:02}", dt.hour())),
            'k' => out.push_str(&format!("{:>2}", dt.hour())),
            'I' => out.push_str(&format!("{:02}", (dt.hour() + 11) % 12 + 1)),
            'l' => out.push_str(&format!("{:>2}", (dt.hour() + 11) % 12 + 1)),
            'M' => out.push_str(&format!("{:02}", dt.minute())),
            'S' => out.push_str(&format!("{:02}", dt.second())),
            'p' => out.push_str(if dt.hour() < 12 { "AM" } else { "PM" }),
            'z' => out.push_str("+0000"),
            ':' if chars.peek() == Some(&'z') => {
                chars.next();
                out.push_str("+00:00");
            }
            'Z' => out.push_str("UTC"),
            'F' => out.push_str(&dt.format("%Y-%m-%d").to_string()),
            'T' => out.push_str(&dt.format("%H:%M:%S").to_string()),
            'D' => out.push_str(&dt.format("%m/%d/%y").to_string()),
            'R' => out.push_str(&dt.format("%H:%M").to_string()),
            'c' => out.push_str(&dt.format("%a %b %e %H:%M:%S %Y").to_string()),
            'x' => out.push_str(&dt.format("%m/%d/%Y").to_string()),
            'X' => out.push_str(&dt.format("%H:%M:%S").to_string()),
            'a' | 'A' | 'b' | 'B' | 'h' | 'j' | 'U' | 'W' | 'V' | 'G' | 'g' | 'u' | 'w' | 'C' => {
                out.push_str(&dt.format(&format!("%{spec}")).to_string())
            }
            'n' => out.push('\n'),
            't' => out.push('\t'),
            '%' => out.push('%'),
            other => {
                out.push('%');
                out.push(other);
            }
        }
    }
    Some(out)
}

/// Splunk's `strptime`: parses `text` with the same letters as [`strftime`]; times without a
/// zone are UTC.
pub fn strptime(text: &str, format: &str) -> Option<f64> {
    // Map Splunk-only letters to chrono's.
    let mut fmt = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            fmt.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        match chars.next() {
            Some('N') | Some('Q') => fmt.push_str("%.f"),
            Some(':') if chars.peek() == Some(&'z') => {
                chars.next();
                fmt.push_str("%:z");
            }
            Some(other) => {
                fmt.push('%');
                fmt.push(other);
            }
            None => fmt.push('%'),
        }
    }
    // `%.f` expects its own dot; Splunk formats write the dot themselves (`%S.%3N`).
    let fmt = fmt.replace(".%.f", "%.f");
    if fmt.contains("%s") {
        return text.trim().parse::<f64>().ok();
    }
    if let Ok(dt) = DateTime::parse_from_str(text, &fmt) {
        return Some(epoch(dt.with_timezone(&Utc)));
    }
    if let Ok(naive) = NaiveDateTime::parse_from_str(text, &fmt) {
        return Some(epoch(Utc.from_utc_datetime(&naive)));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, &fmt) {
        return Some(epoch(Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN))));
    }
    None
}

/// A duration unit of `bin span=` and relative time: seconds per unit, or `None` for months
/// and years (which are calendar-aligned).
pub fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => return None,
    })
}

/// Splunk's relative time modifier applied to `now`: `-1d`, `+3h`, `-1d@d`, `@w0`, `now`.
pub fn relative_time(now: f64, modifier: &str) -> Option<f64> {
    let m = modifier.trim();
    if m.eq_ignore_ascii_case("now") {
        return Some(now);
    }
    let (offset, snap) = match m.find('@') {
        Some(at) => (&m[..at], Some(&m[at + 1..])),
        None => (m, None),
    };
    let mut t = to_datetime(now)?;
    if !offset.is_empty() {
        let (sign, rest) = match offset.as_bytes()[0] {
            b'-' => (-1i64, &offset[1..]),
            b'+' => (1i64, &offset[1..]),
            _ => return None,
        };
        let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let count: i64 = if digits_end == 0 {
            1
        } else {
            rest[..digits_end].parse().ok()?
        };
        let unit = &rest[digits_end..];
        t = shift(t, sign * count, unit)?;
    }
    if let Some(snap) = snap {
        t = snap_to(t, snap)?;
    }
    Some(epoch(t))
}

fn shift(t: DateTime<Utc>, n: i64, unit: &str) -> Option<DateTime<Utc>> {
    match unit {
        "mon" | "month" | "months" => {
            let months = t.year() as i64 * 12 + t.month0() as i64 + n;
            let (year, month0) = (months.div_euclid(12) as i32, months.rem_euclid(12) as u32);
            let day = t.day().min(days_in_month(year, month0 + 1));
            t.with_day(1)?.with_year(year)?.with_month(month0 + 1)?.with_day(day)
        }
        "y" | "yr" | "yrs" | "year" | "years" => t.with_year(t.year() + n as i32),
        "q" | "qtr" | "qtrs" | "quarter" | "quarters" => shift(t, n * 3, "mon"),
        other => {
            let secs = unit_seconds(other)?;
            Some(t + Duration::milliseconds((secs * 1000.0) as i64 * n))
        }
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map(|d| d.day()).unwrap_or(28)
}

fn snap_to(t: DateTime<Utc>, unit: &str) -> Option<DateTime<Utc>> {
    let date = t.date_naive();
    let midnight = |d: NaiveDate| Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN));
    Some(match unit {
        "s" | "sec" | "second" => t.with_nanosecond(0)?,
        "m" | "min" | "minute" => t.with_nanosecond(0)?.with_second(0)?,
        "h" | "hr" | "hour" => t.with_nanosecond(0)?.with_second(0)?.with_minute(0)?,
        "d" | "day" => midnight(date),
        "w" | "w0" | "week" => midnight(date - Duration::days(date.weekday().num_days_from_sunday() as i64)),
        "w1" => midnight(date - Duration::days(date.weekday().num_days_from_monday() as i64)),
        "mon" | "month" => midnight(date.with_day(1)?),
        "q" | "qtr" | "quarter" => midnight(NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)?),
        "y" | "year" => midnight(NaiveDate::from_ymd_opt(date.year(), 1, 1)?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_timestamps_parse_to_epoch_seconds() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:01.500Z"), Some(1.5));
        assert_eq!(parse_iso8601("1970-01-01T01:00:00+01:00"), Some(0.0));
        assert_eq!(parse_iso8601("2022-06-22 18:18:29.015"), Some(1_655_921_909.015));
        assert_eq!(parse_iso8601("not a time"), None);
    }

    #[test]
    fn printed_times_keep_their_milliseconds() {
        let t = parse_iso8601("2024-03-04T10:00:39.004Z").unwrap();
        assert_eq!(format_time(t), "2024-03-04T10:00:39.004+00:00");
    }

    #[test]
    fn epoch_numbers_follow_the_unit() {
        assert_eq!(parse_time_text("1500", TimeUnit::Millis), Some(1.5));
        assert_eq!(TimeUnit::FileTime.to_seconds(116_444_736_000_000_000.0), 0.0);
    }

    #[test]
    fn strftime_knows_splunk_letters() {
        assert_eq!(
            strftime(1.25, "%Y-%m-%dT%H:%M:%S.%3N").unwrap(),
            "1970-01-01T00:00:01.250"
        );
        assert_eq!(strftime(86400.0, "%s %d").unwrap(), "86400 02");
        assert_eq!(strptime("1970-01-02 00:00:00", "%Y-%m-%d %H:%M:%S"), Some(86400.0));
        assert_eq!(strptime("1970-01-01T00:00:01.250", "%Y-%m-%dT%H:%M:%S.%3N"), Some(1.25));
    }

    #[test]
    fn relative_modifiers() {
        let now = parse_iso8601("2024-03-15T10:30:00Z").unwrap();
        assert_eq!(relative_time(now, "-1d@d"), parse_iso8601("2024-03-14T00:00:00Z"));
        assert_eq!(relative_time(now, "+2h"), parse_iso8601("2024-03-15T12:30:00Z"));
        assert_eq!(relative_time(now, "@mon"), parse_iso8601("2024-03-01T00:00:00Z"));
        assert_eq!(relative_time(now, "-1mon"), parse_iso8601("2024-02-15T10:30:00Z"));
    }
}
