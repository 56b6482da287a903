//! Math functions: abs, ceil, floor, round (half away from zero), sqrt, pow, exp, ln, log,
//! min, max, tonumber, random.

use crate::value::Value;
use std::cmp::Ordering;

pub fn unary(v: &Value, f: fn(f64) -> f64) -> Value {
    match v.as_number() {
        Some(n) => {
            let r = f(n);
            if r.is_finite() {
                Value::number(r)
            } else {
                Value::Null
            }
        }
        None => Value::Null,
    }
}

pub fn binary(a: &Value, b: &Value, f: fn(f64, f64) -> f64) -> Value {
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => {
            let r = f(x, y);
            if r.is_finite() {
                Value::number(r)
            } else {
                Value::Null
            }
        }
        _ => Value::Null,
    }
}

/// `round(X [, digits])`: halves round away from zero (`round(2.5) = 3`, `round(-2.5) = -3`).
pub fn round(args: &[Value]) -> Value {
    let Some(x) = args[0].as_number() else {
        return Value::Null;
    };
    let digits = match args.get(1) {
        Some(d) => match d.as_i64() {
            Some(d) => d.clamp(0, 15) as i32,
            None => return Value::Null,
        },
        None => 0,
    };
    if digits == 0 {
        return Value::number(x.round());
    }
    let factor = 10f64.powi(digits);
    let scaled = x * factor;
    // Correct for binary representation: 1.005 * 100 is 100.49999999999999.
    let nudged = scaled + scaled.signum() * 1e-9 * scaled.abs().max(1.0);
    let r = nudged.round() / factor;
    Value::number(r)
}

pub fn log(args: &[Value]) -> Value {
    let base = match args.get(1) {
        Some(b) => match b.as_number() {
            Some(b) => b,
            None => return Value::Null,
        },
        None => 10.0,
    };
    match args[0].as_number() {
        Some(x) if x > 0.0 && base > 0.0 && base != 1.0 => Value::number(x.ln() / base.ln()),
        _ => Value::Null,
    }
}

/// `min(...)`/`max(...)` over all values of all arguments: numbers compare numerically and
/// sort before text, text compares lexicographically.
pub fn extreme(args: &[Value], want: Ordering) -> Value {
    let mut best: Option<&Value> = None;
    for v in args.iter().flat_map(|a| a.iter()) {
        best = match best {
            None => Some(v),
            Some(b) => {
                let ord = match (v.as_number(), b.as_number()) {
                    (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => v.display_text().cmp(&b.display_text()),
                };
                if ord == want {
                    Some(v)
                } else {
                    Some(b)
                }
            }
        };
    }
    best.cloned().unwrap_or(Value::Null)
}

/// `tonumber(X [, base])`.
pub fn to_number(args: &[Value]) -> Value {
    let base = match args.get(1) {
        Some(b) => match b.as_i64() {
            Some(b) if (2..=36).contains(&b) => b as u32,
            _ => return Value::Null,
        },
        None => 10,
    };
    match &args[0] {
        Value::Int(_) | Value::Float(_) if base == 10 => args[0].clone(),
        Value::Multi(items) => Value::multi(items.iter().map(|i| to_number(&[i.clone(), Value::Int(base as i64)]))),
        other => {
            let Some(text) = other.as_text() else {
                return Value::Null;
            };
            let t = text.trim();
            if base == 10 {
                return other.as_numeric().unwrap_or(Value::Null);
            }
            let t = if base == 16 {
                t.trim_start_matches("0x").trim_start_matches("0X")
            } else {
                t
            };
            i64::from_str_radix(t, base).map(Value::Int).unwrap_or(Value::Null)
        }
    }
}

/// A pseudo-random non-negative integer (Splunk: 0 to 2^31-1).
pub fn random() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = ahash::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() & 0x7fff_ffff) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_half_away_from_zero() {
        assert_eq!(round(&[Value::Float(2.5)]), Value::Int(3));
        assert_eq!(round(&[Value::Float(-2.5)]), Value::Int(-3));
        assert_eq!(round(&[Value::Float(0.125), Value::Int(2)]), Value::Float(0.13));
        assert_eq!(round(&[Value::Float(1.005), Value::Int(2)]), Value::Float(1.01));
        assert_eq!(round(&[Value::Float(1.0 / 3.0), Value::Int(2)]), Value::Float(0.33));
    }
}
