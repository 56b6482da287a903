//! `convert [timeformat=<string>] <function>(<field>) [as <field>]...`.
//!
//! Each function changes every value of its fields (wildcards allowed); a value the function
//! cannot convert stays as it is, except with `num()`, which removes it. `none(<field>)` keeps
//! the fields it names out of every other conversion of the command. With `as`, the result
//! goes to the new field and the original stays.

use super::{map_values, matching_fields};
use crate::event::{Event, Name};
use crate::ops::{Flow, Operator, RunContext};
use crate::plan::FieldPattern;
use crate::value::{parse_number, Value};

/// Splunk's default `timeformat` for `ctime()` and `mktime()`.
pub const DEFAULT_TIMEFORMAT: &str = "%m/%d/%Y %H:%M:%S";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvertFunc {
    Auto,
    Ctime,
    Dur2Sec,
    Memk,
    Mktime,
    Mstime,
    None,
    Num,
    RmComma,
    RmUnit,
}

impl ConvertFunc {
    pub fn parse(name: &str) -> Option<ConvertFunc> {
        Some(match name.to_ascii_lowercase().as_str() {
            "auto" => ConvertFunc::Auto,
            "ctime" => ConvertFunc::Ctime,
            "dur2sec" => ConvertFunc::Dur2Sec,
            "memk" => ConvertFunc::Memk,
            "mktime" => ConvertFunc::Mktime,
            "mstime" => ConvertFunc::Mstime,
            "none" => ConvertFunc::None,
            "num" => ConvertFunc::Num,
            "rmcomma" => ConvertFunc::RmComma,
            "rmunit" => ConvertFunc::RmUnit,
            _ => return None,
        })
    }
}

pub const FUNCTION_NAMES: &[&str] = &[
    "auto", "ctime", "dur2sec", "memk", "mktime", "mstime", "none", "num", "rmcomma", "rmunit",
];

#[derive(Clone, Debug)]
pub struct ConvertItem {
    pub func: ConvertFunc,
    pub field: FieldPattern,
    pub alias: Option<FieldPattern>,
}

#[derive(Clone, Debug)]
pub struct ConvertSpec {
    pub timeformat: String,
    pub items: Vec<ConvertItem>,
}

pub struct Convert(pub ConvertSpec);

impl Operator for Convert {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let excluded: Vec<&FieldPattern> = self
            .0
            .items
            .iter()
            .filter(|i| i.func == ConvertFunc::None)
            .map(|i| &i.field)
            .collect();
        for event in batch.iter_mut() {
            for item in &self.0.items {
                if item.func == ConvertFunc::None {
                    continue;
                }
                for name in matching_fields(event, std::slice::from_ref(&item.field)) {
                    if excluded.iter().any(|p| p.matches(&name)) {
                        continue;
                    }
                    let value = event.get(&name);
                    if value.is_null() {
                        continue;
                    }
                    let target = match &item.alias {
                        None => name.clone(),
                        Some(alias) if alias.is_wildcard() => match item.field.captures(&name) {
                            Some(parts) => Name::from(alias.fill(&parts)),
                            None => Name::from(alias.text.as_str()),
                        },
                        Some(alias) => Name::from(alias.text.as_str()),
                    };
                    if item.func == ConvertFunc::Num {
                        let kept: Vec<Value> = value.iter().filter_map(to_number).collect();
                        let new = Value::multi(kept);
                        if new.is_null() {
                            event.remove(&target);
                        } else {
                            event.set(target, new);
                        }
                        continue;
                    }
                    // `auto()` converts a field only when every one of its values converts.
                    if item.func == ConvertFunc::Auto && value.iter().any(|v| to_number(v).is_none()) {
                        if item.alias.is_some() {
                            event.set(target, value);
                        }
                        continue;
                    }
                    let converted = map_values(&value, |v| convert_value(item.func, v, &self.0.timeformat));
                    match converted {
                        Some(new) => event.set(target, new),
                        None if item.alias.is_some() => event.set(target, value),
                        None => {}
                    }
                }
            }
        }
        Flow::Continue
    }
}

/// Converts one value; `None` when the function does not apply to it.
pub fn convert_value(func: ConvertFunc, v: &Value, timeformat: &str) -> Option<Value> {
    let text = v.as_text()?;
    match func {
        ConvertFunc::Ctime => {
            let t = v.as_number()?;
            crate::time::strftime(t, timeformat).map(Value::from)
        }
        ConvertFunc::Mktime => {
            if let Some(n) = v.as_numeric() {
                return Some(n);
            }
            crate::time::strptime(&text, timeformat).map(Value::number)
        }
        ConvertFunc::Dur2Sec => dur2sec(&text).map(Value::number),
        ConvertFunc::Mstime => mstime(&text).map(Value::number),
        ConvertFunc::Memk => memk(&text).map(Value::number),
        ConvertFunc::RmComma => {
            let t = text.replace(',', "");
            Some(Value::from(t.as_str()).as_numeric().unwrap_or_else(|| Value::from(t)))
        }
        ConvertFunc::RmUnit => rmunit(&text),
        ConvertFunc::Auto | ConvertFunc::Num => to_number(v),
        ConvertFunc::None => None,
    }
}

/// A number, or text that reads as one (also after removing thousands separators, or as a
/// duration `[D+]HH:MM:SS` or a size with a unit `10k`): `auto()` and `num()`.
fn to_number(v: &Value) -> Option<Value> {
    if let Some(n) = v.as_numeric() {
        return Some(n);
    }
    let text = v.as_text()?;
    let plain = text.replace(',', "");
    if text.contains(',') {
        if let Some(n) = Value::from(plain.as_str()).as_numeric() {
            return Some(n);
        }
    }
    if let Some(s) = dur2sec(&text) {
        return Some(Value::number(s));
    }
    memk(&text).map(Value::number)
}

/// `[D+]HH:MM:SS` in seconds.
fn dur2sec(text: &str) -> Option<f64> {
    let t = text.trim();
    let (days, rest) = match t.split_once('+') {
        Some((d, r)) => (d.trim().parse::<f64>().ok()?, r),
        None => (0.0, t),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if parts.len() != 3 {
        return None;
    }
    let h: f64 = parts[0].trim().parse().ok()?;
    let m: f64 = parts[1].trim().parse().ok()?;
    let s: f64 = parts[2].trim().parse().ok()?;
    Some(days * 86400.0 + h * 3600.0 + m * 60.0 + s)
}

/// `[MM:]SS.SSS` in seconds.
fn mstime(text: &str) -> Option<f64> {
    let t = text.trim();
    match t.split_once(':') {
        Some((m, s)) => Some(m.trim().parse::<f64>().ok()? * 60.0 + s.trim().parse::<f64>().ok()?),
        None => parse_number(t),
    }
}

/// A size in kilobytes: a number with an optional `k`, `m` or `g` (kilobytes by default).
fn memk(text: &str) -> Option<f64> {
    let t = text.trim();
    let (digits, factor) = match t.chars().last()? {
        'k' | 'K' => (&t[..t.len() - 1], 1.0),
        'm' | 'M' => (&t[..t.len() - 1], 1024.0),
        'g' | 'G' => (&t[..t.len() - 1], 1024.0 * 1024.0),
        _ => (t, 1.0),
    };
    parse_number(digits).map(|n| n * factor)
}

/// The number at the start of the value, without what follows: `10kb` is 10.
fn rmunit(text: &str) -> Option<Value> {
    let t = text.trim_start();
    let mut end = 0;
    for (k, c) in t.char_indices() {
        let ok = c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && k == 0);
        if !ok {
            break;
        }
        end = k + c.len_utf8();
    }
    Value::from(&t[..end]).as_numeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(dur2sec("1+02:00:05"), Some(93605.0));
        assert_eq!(dur2sec("00:01:30"), Some(90.0));
        assert_eq!(mstime("01:02.5"), Some(62.5));
        assert_eq!(memk("2m"), Some(2048.0));
        assert_eq!(memk("10"), Some(10.0));
        assert_eq!(rmunit("10kb"), Some(Value::Int(10)));
    }
}
