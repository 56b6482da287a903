//! Text functions: len, lower, upper, trim, substr, replace, split, tostring, like, match, urldecode.

use super::Prepared;
use crate::pattern::LikePattern;
use crate::value::{format_float, Value};

/// Applies a text transformation to each value (a multivalue maps value by value).
pub fn map_text(v: &Value, f: impl Fn(&str) -> String) -> Value {
    map_text_dyn(v, &f)
}

fn map_text_dyn(v: &Value, f: &dyn Fn(&str) -> String) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Multi(items) => Value::multi(items.iter().map(|i| map_text_dyn(i, f))),
        other => other.as_text().map(|t| Value::from(f(&t))).unwrap_or(Value::Null),
    }
}

pub fn len(v: &Value) -> Value {
    match v {
        Value::Multi(items) => Value::multi(items.iter().map(len)),
        other => other
            .as_text()
            .map(|t| Value::Int(t.chars().count() as i64))
            .unwrap_or(Value::Null),
    }
}

pub enum TrimSide {
    Both,
    Left,
    Right,
}

pub fn trim(args: &[Value], side: TrimSide) -> Value {
    let chars: Vec<char> = match args.get(1) {
        Some(v) => match v.as_text() {
            Some(t) => t.chars().collect(),
            None => return Value::Null,
        },
        None => vec![' ', '\t'],
    };
    map_text(&args[0], |s| {
        let pat = |c: char| chars.contains(&c);
        match side {
            TrimSide::Both => s.trim_matches(pat).to_string(),
            TrimSide::Left => s.trim_start_matches(pat).to_string(),
            TrimSide::Right => s.trim_end_matches(pat).to_string(),
        }
    })
}

/// `substr(X, start, length)`: 1-based start; a negative start counts from the end.
pub fn substr(args: &[Value]) -> Value {
    let Some(start) = args[1].as_i64() else {
        return Value::Null;
    };
    let length = match args.get(2) {
        Some(v) => match v.as_i64() {
            Some(n) => Some(n),
            None => return Value::Null,
        },
        None => None,
    };
    map_text(&args[0], |s| {
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len() as i64;
        let from = if start > 0 {
            start - 1
        } else if start < 0 {
            (n + start).max(0)
        } else {
            0
        };
        let from = from.clamp(0, n);
        let to = match length {
            Some(l) => (from + l.max(0)).min(n),
            None => n,
        };
        chars[from as usize..to.max(from) as usize].iter().collect()
    })
}

/// `replace(X, regex, replacement)`: every match; `\1` in the replacement is group 1.
pub fn replace(args: &[Value], prepared: &Prepared) -> Value {
    let Some(regex) = prepared.regex_or(&args[1]) else {
        return Value::Null;
    };
    let Some(replacement) = args[2].as_text() else {
        return Value::Null;
    };
    let replacement = splunk_replacement(&replacement);
    map_text(&args[0], |s| regex.replace_all(s, replacement.as_str()).into_owned())
}

/// Splunk writes group references as `\1`; the regex crate as `${1}`.
fn splunk_replacement(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                out.push_str(&format!("${{{digits}}}"));
            }
            '\\' if chars.peek().is_some() => {
                if let Some(next) = chars.next() {
                    if next == '$' {
                        out.push_str("$$");
                    } else {
                        out.push(next);
                    }
                }
            }
            '$' => out.push_str("$$"),
            other => out.push(other),
        }
    }
    out
}

pub fn split(v: &Value, delim: &Value) -> Value {
    let Some(delim) = delim.as_text() else {
        return Value::Null;
    };
    let Some(text) = v.as_text() else { return Value::Null };
    if delim.is_empty() {
        return Value::multi(text.chars().map(|c| Value::from(c.to_string())));
    }
    Value::multi(text.split(delim.as_ref()).map(Value::from))
}

/// `tostring(X [, "hex"|"commas"|"duration"])`.
pub fn to_string(args: &[Value]) -> Value {
    let v = &args[0];
    let format = args.get(1).and_then(|f| f.as_text().map(|t| t.to_ascii_lowercase()));
    match (v, format.as_deref()) {
        (Value::Null, _) => Value::Null,
        (Value::Bool(b), _) => Value::str(if *b { "True" } else { "False" }),
        (Value::Multi(items), _) => Value::multi(items.iter().map(|i| {
            let mut a = args.to_vec();
            a[0] = i.clone();
            to_string(&a)
        })),
        (_, Some("hex")) => match v.as_number() {
            Some(n) => Value::from(format!("0x{:X}", n as i64)),
            None => Value::Null,
        },
        (_, Some("commas")) => match v.as_number() {
            Some(n) => Value::from(commas(n)),
            None => Value::Null,
        },
        (_, Some("duration")) => match v.as_number() {
            Some(n) => Value::from(duration(n)),
            None => Value::Null,
        },
        (_, _) => v.as_text().map(|t| Value::from(t.into_owned())).unwrap_or(Value::Null),
    }
}

fn commas(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    let whole = rounded.trunc().abs() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let frac = rounded.abs().fract();
    if frac > 0.0 {
        let f = format_float(frac);
        format!("{sign}{grouped}{}", f.trim_start_matches('0'))
    } else {
        format!("{sign}{grouped}")
    }
}

fn duration(n: f64) -> String {
    let total = n.trunc() as i64;
    let (days, rem) = (total / 86400, total % 86400);
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    if days > 0 {
        format!("{days}+{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

pub fn like(v: &Value, pattern: &Value, prepared: &Prepared) -> Value {
    let owned;
    let pat = match prepared {
        Prepared::Like(p) => p,
        _ => match pattern.as_text() {
            Some(t) => {
                owned = LikePattern::new(&t);
                &owned
            }
            None => return Value::Null,
        },
    };
    if v.is_null() {
        return Value::Null;
    }
    Value::Bool(v.iter().any(|item| item.as_text().is_some_and(|t| pat.matches(&t))))
}

pub fn regex_match(v: &Value, pattern: &Value, prepared: &Prepared) -> Value {
    let Some(re) = prepared.regex_or(pattern) else {
        return Value::Null;
    };
    if v.is_null() {
        return Value::Null;
    }
    Value::Bool(v.iter().any(|item| item.as_text().is_some_and(|t| re.is_match(&t))))
}

/// Decodes `%XX` escapes and `+` (as a space).
pub fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
