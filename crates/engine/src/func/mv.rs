//! Multivalue functions: mvcount, mvindex, mvjoin, mvdedup, mvsort, mvfind, mvzip.

use super::Prepared;
use crate::value::Value;

pub fn count(v: &Value) -> Value {
    match v.len() {
        0 => Value::Null,
        n => Value::Int(n as i64),
    }
}

/// `mvindex(X, start [, end])`: 0-based, negative counts from the end, `end` inclusive.
pub fn index(args: &[Value]) -> Value {
    let items: Vec<&Value> = args[0].iter().collect();
    let n = items.len() as i64;
    if n == 0 {
        return Value::Null;
    }
    let resolve = |i: i64| if i < 0 { n + i } else { i };
    let Some(start) = args[1].as_i64().map(resolve) else {
        return Value::Null;
    };
    let end = match args.get(2) {
        Some(e) => match e.as_i64() {
            Some(e) => resolve(e),
            None => return Value::Null,
        },
        None => start,
    };
    if start < 0 || start >= n || end < start {
        return Value::Null;
    }
    let end = end.min(n - 1);
    Value::multi(items[start as usize..=end as usize].iter().map(|v| (*v).clone()))
}

pub fn join(v: &Value, delim: &Value) -> Value {
    let Some(delim) = delim.as_text() else {
        return Value::Null;
    };
    if v.is_null() {
        return Value::Null;
    }
    Value::from(v.iter().map(|i| i.display_text()).collect::<Vec<_>>().join(&delim))
}

pub fn dedup(v: &Value) -> Value {
    let mut seen = Vec::new();
    for item in v.iter() {
        if !seen.contains(item) {
            seen.push(item.clone());
        }
    }
    Value::multi(seen)
}

/// Lexicographic sort of the values.
pub fn sort(v: &Value) -> Value {
    let mut items: Vec<Value> = v.iter().cloned().collect();
    items.sort_by_key(|a| a.display_text());
    Value::multi(items)
}

/// Index of the first value matching the regex, or null.
pub fn find(v: &Value, pattern: &Value, prepared: &Prepared) -> Value {
    let Some(re) = prepared.regex_or(pattern) else {
        return Value::Null;
    };
    v.iter()
        .position(|i| re.is_match(&i.display_text()))
        .map(|p| Value::Int(p as i64))
        .unwrap_or(Value::Null)
}

/// `mvzip(X, Y [, delim])`: pairs values by position, joined by `delim` (default `,`).
pub fn zip(args: &[Value]) -> Value {
    let delim = match args.get(2) {
        Some(d) => match d.as_text() {
            Some(d) => d.into_owned(),
            None => return Value::Null,
        },
        None => ",".to_string(),
    };
    Value::multi(
        args[0]
            .iter()
            .zip(args[1].iter())
            .map(|(a, b)| Value::from(format!("{}{delim}{}", a.display_text(), b.display_text()))),
    )
}
