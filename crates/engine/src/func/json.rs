//! JSON and formatting functions: `spath(X, path)`, `json_extract(X[, path])`,
//! `printf(format, ...)`.

use crate::ops::fieldops::extract::spath_value;
use crate::value::{format_float, Value};

fn json_of(v: &Value) -> Option<serde_json::Value> {
    let text = v.iter().next()?.as_text()?.into_owned();
    serde_json::from_str(text.trim()).ok()
}

/// `spath(X, path)`: the value at a location path of JSON text (`a.b{}.c`, `a{0}`).
pub fn spath(input: &Value, path: &Value) -> Value {
    match (json_of(input), path.as_text()) {
        (Some(json), Some(p)) => spath_value(&json, &p),
        _ => Value::Null,
    }
}

/// `json_extract(X[, path])`: the value at the path (the whole document without one).
pub fn json_extract(args: &[Value]) -> Value {
    let Some(json) = json_of(&args[0]) else {
        return Value::Null;
    };
    match args.get(1) {
        None => Value::from(json.to_string()),
        Some(p) => match p.as_text() {
            Some(p) if p.is_empty() => Value::from(json.to_string()),
            Some(p) => spath_value(&json, &p),
            None => Value::Null,
        },
    }
}

/// `printf(format, args...)`: C-style `%[flags][width][.precision]<conversion>` with
/// conversions `d i u f F e E g G x X o s c %` and flags `- + 0 space '`.
pub fn printf(args: &[Value]) -> Value {
    let Some(format) = args[0].as_text() else {
        return Value::Null;
    };
    let mut rest = args[1..].iter();
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars.peek() {
            if matches!(f, '-' | '+' | '0' | ' ' | '\'' | '#') {
                flags.push(f);
                chars.next();
            } else {
                break;
            }
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(p.parse().unwrap_or(0));
        }
        // Length modifiers are accepted and ignored.
        while matches!(chars.peek(), Some('l' | 'h' | 'L' | 'q' | 'j' | 'z' | 't')) {
            chars.next();
        }
        let Some(conv) = chars.next() else {
            out.push('%');
            break;
        };
        if conv == '%' {
            out.push('%');
            continue;
        }
        let arg = rest.next().cloned().unwrap_or(Value::Null);
        let number = || arg.as_number().unwrap_or(0.0);
        let mut body = match conv {
            'd' | 'i' | 'u' => {
                let n = number().trunc() as i64;
                let mut s = n.abs().to_string();
                if flags.contains('\'') {
                    s = thousands(&s);
                }
                sign(n < 0, &flags) + &s
            }
            'f' | 'F' => {
                let n = number();
                sign(n < 0.0, &flags) + &format!("{:.*}", precision.unwrap_or(6), n.abs())
            }
            'e' | 'E' => {
                let n = number();
                let s = c_exponent(n.abs(), precision.unwrap_or(6));
                let s = if conv == 'E' { s.to_uppercase() } else { s };
                sign(n < 0.0, &flags) + &s
            }
            'g' | 'G' => {
                let n = number();
                sign(n < 0.0, &flags) + &format_float(n.abs())
            }
            'x' => format!("{:x}", number().trunc() as i64),
            'X' => format!("{:X}", number().trunc() as i64),
            'o' => format!("{:o}", number().trunc() as i64),
            'c' => arg
                .as_number()
                .and_then(|n| char::from_u32(n as u32))
                .map(String::from)
                .unwrap_or_else(|| arg.display_text().chars().take(1).collect()),
            _ => {
                let s = arg.display_text();
                match precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                }
            }
        };
        let width: usize = width.parse().unwrap_or(0);
        let len = body.chars().count();
        if len < width {
            let pad = width - len;
            if flags.contains('-') {
                body.push_str(&" ".repeat(pad));
            } else if flags.contains('0') && !matches!(conv, 's' | 'c') {
                let at = usize::from(body.starts_with(['-', '+', ' ']));
                body.insert_str(at, &"0".repeat(pad));
            } else {
                body.insert_str(0, &" ".repeat(pad));
            }
        }
        out.push_str(&body);
    }
    Value::from(out)
}

fn sign(negative: bool, flags: &str) -> String {
    if negative {
        "-".into()
    } else if flags.contains('+') {
        "+".into()
    } else if flags.contains(' ') {
        " ".into()
    } else {
        String::new()
    }
}

fn thousands(digits: &str) -> String {
    let mut out = String::new();
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1.500000e+03`, as C prints it.
fn c_exponent(n: f64, precision: usize) -> String {
    let s = format!("{:.*e}", precision, n);
    match s.split_once('e') {
        Some((mantissa, exp)) => {
            let e: i32 = exp.parse().unwrap_or(0);
            format!("{mantissa}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
        }
        None => s,
    }
}

/// A value as JSON: numbers stay numbers, a multivalue becomes an array, text that is a JSON
/// object or array is kept as one.
fn to_json_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Str(s) => {
            let t = s.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                if let Ok(j) = serde_json::from_str(s) {
                    return j;
                }
            }
            serde_json::Value::String(s.to_string())
        }
        Value::Multi(items) => serde_json::Value::Array(items.iter().map(to_json_value).collect()),
        other => other.to_json(),
    }
}

/// `json_object(key, value, ...)`: a JSON object as text.
pub fn json_object(args: &[Value]) -> Value {
    if !args.len().is_multiple_of(2) {
        return Value::Null;
    }
    let mut map = serde_json::Map::new();
    for pair in args.chunks(2) {
        let Some(key) = pair[0].as_text() else {
            return Value::Null;
        };
        map.insert(key.into_owned(), to_json_value(&pair[1]));
    }
    Value::from(serde_json::Value::Object(map).to_string())
}

/// `json_array(value, ...)`: a JSON array as text.
pub fn json_array(args: &[Value]) -> Value {
    Value::from(serde_json::Value::Array(args.iter().map(to_json_value).collect()).to_string())
}

/// `json_keys(object)`: the keys of a JSON object, as a JSON array.
pub fn json_keys(v: &Value) -> Value {
    match json_of(v) {
        Some(serde_json::Value::Object(map)) => Value::from(
            serde_json::Value::Array(map.keys().map(|k| serde_json::Value::String(k.clone())).collect()).to_string(),
        ),
        _ => Value::Null,
    }
}

/// `json_valid(text)`: is the text JSON?
pub fn json_valid(v: &Value) -> Value {
    Value::Bool(
        v.as_text()
            .is_some_and(|t| serde_json::from_str::<serde_json::Value>(&t).is_ok()),
    )
}

/// `json_array_to_mv(array)`: the elements of a JSON array as a multivalue.
pub fn json_array_to_mv(v: &Value) -> Value {
    match json_of(v) {
        Some(serde_json::Value::Array(items)) => Value::multi(items.iter().map(|j| match j {
            serde_json::Value::String(s) => Value::from(s.as_str()),
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => crate::event::spl_scalar(j),
            other => Value::from(other.to_string()),
        })),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printf_formats_like_c() {
        let f = |fmt: &str, args: &[Value]| {
            let mut all = vec![Value::from(fmt)];
            all.extend_from_slice(args);
            printf(&all).display_text()
        };
        assert_eq!(
            f(
                "%5.2f|%-4s|%04d",
                &[Value::Float(2.345), Value::from("ab"), Value::Int(7)]
            ),
            " 2.35|ab  |0007"
        );
        assert_eq!(
            f(
                "%'d %x %e %%",
                &[Value::Int(1234567), Value::Int(255), Value::Float(1500.0)]
            ),
            "1,234,567 ff 1.500000e+03 %"
        );
    }
}
