//! Field values. Splunk fields are untyped text that is read as a number where it looks like
//! one; JSON gives us real numbers, so a value keeps its JSON type and converts on demand in
//! one place ([`Value::as_number`]).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    /// A multivalue field: flat, never empty, never a single element (see [`Value::multi`]).
    Multi(Arc<[Value]>),
    /// A JSON object (EQL reads nested objects; SPL never produces one).
    Object(Arc<serde_json::Map<String, serde_json::Value>>),
}

impl Value {
    pub fn str(s: impl AsRef<str>) -> Value {
        Value::Str(Arc::from(s.as_ref()))
    }

    /// Builds a multivalue from scalars: nulls and nested lists are flattened away; no element
    /// gives null, one element gives that element.
    pub fn multi(values: impl IntoIterator<Item = Value>) -> Value {
        let mut flat = Vec::new();
        for v in values {
            match v {
                Value::Null => {}
                Value::Multi(items) => flat.extend(items.iter().cloned()),
                other => flat.push(other),
            }
        }
        match flat.len() {
            0 => Value::Null,
            1 => flat.pop().unwrap_or(Value::Null),
            _ => Value::Multi(flat.into()),
        }
    }

    /// A float that is whole and in range becomes an integer, so `6/3` prints `2`.
    pub fn number(f: f64) -> Value {
        if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 {
            Value::Int(f as i64)
        } else {
            Value::Float(f)
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_multi(&self) -> bool {
        matches!(self, Value::Multi(_))
    }

    /// The values of a field: a multivalue's elements, a scalar alone, nothing for null.
    pub fn iter(&self) -> std::slice::Iter<'_, Value> {
        match self {
            Value::Null => [].iter(),
            Value::Multi(items) => items.iter(),
            other => std::slice::from_ref(other).iter(),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Value::Null => 0,
            Value::Multi(items) => items.len(),
            _ => 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value as a number: numbers as they are, strings when they read as a number
    /// (`"42"`, `" 3.5 "`, `"-1e3"`), nothing otherwise.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) => parse_number(s),
            _ => None,
        }
    }

    /// Like [`Value::as_number`] but keeps integers exact.
    pub fn as_numeric(&self) -> Option<Value> {
        match self {
            Value::Int(_) | Value::Float(_) => Some(self.clone()),
            Value::Str(s) => {
                let t = s.trim();
                if let Ok(i) = t.parse::<i64>() {
                    return Some(Value::Int(i));
                }
                parse_number(t).map(Value::Float)
            }
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            other => other.as_number().filter(|f| f.is_finite()).map(|f| f as i64),
        }
    }

    /// The value as text, the way Splunk shows it. Null and multivalues have no single text.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        match self {
            Value::Str(s) => Some(Cow::Borrowed(s)),
            Value::Int(i) => Some(Cow::Owned(i.to_string())),
            Value::Float(f) => Some(Cow::Owned(format_float(*f))),
            Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Value::Object(map) => Some(Cow::Owned(serde_json::Value::Object((**map).clone()).to_string())),
            Value::Null | Value::Multi(_) => None,
        }
    }

    /// Text of a scalar, or the values joined by newlines for a multivalue (how Splunk shows
    /// one in a table cell); empty for null.
    pub fn display_text(&self) -> String {
        match self {
            Value::Multi(items) => items.iter().map(|v| v.display_text()).collect::<Vec<_>>().join("\n"),
            Value::Null => String::new(),
            other => other.as_text().map(|t| t.into_owned()).unwrap_or_default(),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Splunk's ordering of two scalars: numerically when both read as numbers, otherwise as
    /// text (byte order). `None` when either is null.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        if self.is_null() || other.is_null() {
            return None;
        }
        if let (Some(a), Some(b)) = (self.as_number(), other.as_number()) {
            return a.partial_cmp(&b);
        }
        let a = self.as_text()?;
        let b = other.as_text()?;
        Some(a.as_ref().cmp(b.as_ref()))
    }

    /// Total order used for sorting output (`sort`, `stats` groups): nulls first, then
    /// numbers, then text ([`SortKey::order`]). A sort over many values works their keys out
    /// once instead ([`Value::sort_key`]).
    pub fn sort_cmp(&self, other: &Value) -> Ordering {
        self.sort_key().order(&other.sort_key())
    }

    /// The value's place in the sort order, worked out once: a sort compares each value many
    /// times, and a text's number would be parsed at every comparison.
    pub fn sort_key(&self) -> SortKey<'_> {
        match self {
            Value::Null => SortKey::Null,
            Value::Multi(items) => SortKey::Multi(items.iter().map(Value::sort_key).collect()),
            v => match v.as_number() {
                Some(n) => SortKey::Number(n),
                None => SortKey::Text(v.as_text().unwrap_or_default()),
            },
        }
    }

    /// The value as JSON: numbers as numbers, multivalues as arrays.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or_else(|| serde_json::Value::String(format_float(*f))),
            Value::Str(s) => serde_json::Value::String(s.to_string()),
            Value::Multi(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(map) => serde_json::Value::Object((**map).clone()),
        }
    }
}

/// Identity for grouping and de-duplication: same type-insensitive text.
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Multi(a), Value::Multi(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Null, _) | (_, Value::Null) | (Value::Multi(_), _) | (_, Value::Multi(_)) => false,
            (a, b) => a.as_text() == b.as_text(),
        }
    }
}

impl Eq for Value {}

impl std::hash::Hash for Value {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            Value::Null => 0u8.hash(state),
            Value::Multi(items) => {
                1u8.hash(state);
                for item in items.iter() {
                    item.hash(state);
                }
            }
            other => {
                2u8.hash(state);
                other.as_text().hash(state);
            }
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display_text())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(Arc::from(s))
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

/// Reads text as a number the way Splunk does: decimal integers and floats with an optional
/// sign and exponent, surrounding spaces allowed. Not hex, not `inf`, not `nan`, not empty.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let first = body.chars().next()?;
    if !(first.is_ascii_digit() || (first == '.' && body.len() > 1)) {
        return None;
    }
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Splunk prints floats with up to 15 significant digits and no trailing zeros.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f.fract() == 0.0 && f.abs() < 1e15 {
        return format!("{}", f as i64);
    }
    let text = format!("{}", f);
    if text.len() <= 17 {
        return text;
    }
    // Trim representation noise such as 0.30000000000000004.
    let rounded = format!("{:.15}", f);
    let trimmed = rounded.trim_end_matches('0').trim_end_matches('.');
    if trimmed.parse::<f64>().ok() == Some(f) || trimmed.len() < text.len() {
        trimmed.to_string()
    } else {
        text
    }
}

/// A value as sorting orders it ([`Value::sort_key`]).
#[derive(Clone, Debug)]
pub enum SortKey<'a> {
    Null,
    Number(f64),
    Text(Cow<'a, str>),
    Multi(Vec<SortKey<'a>>),
}

impl SortKey<'_> {
    /// Nulls, then numbers, then text; a multivalue by its values in turn, against a single
    /// value by its first.
    pub fn order(&self, other: &SortKey) -> Ordering {
        use SortKey::*;
        match (self, other) {
            (Multi(a), Multi(b)) => a
                .iter()
                .zip(b.iter())
                .map(|(x, y)| x.order(y))
                .find(|o| o.is_ne())
                .unwrap_or_else(|| a.len().cmp(&b.len())),
            (Multi(a), b) => a.first().map(|x| x.order(b)).unwrap_or(Ordering::Less),
            (a, Multi(b)) => b.first().map(|y| a.order(y)).unwrap_or(Ordering::Greater),
            (Null, Null) => Ordering::Equal,
            (Null, _) => Ordering::Less,
            (_, Null) => Ordering::Greater,
            (Number(a), Number(b)) => a.total_cmp(b),
            (Number(_), Text(_)) => Ordering::Less,
            (Text(_), Number(_)) => Ordering::Greater,
            (Text(a), Text(b)) => a.cmp(b),
        }
    }
}

/// Compares two lists of keys as [`Value::sort_cmp`] applied in turn would.
pub fn cmp_sort_keys(a: &[SortKey], b: &[SortKey]) -> Ordering {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| x.order(y))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sort order compared a pair at a time, as Quarry first wrote it: the reference the
    /// keys are checked against.
    fn reference_sort_cmp(a: &Value, b: &Value) -> Ordering {
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Null => 0,
                v if v.as_number().is_some() => 1,
                _ => 2,
            }
        }
        match (a, b) {
            (Value::Multi(a), Value::Multi(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    let c = reference_sort_cmp(x, y);
                    if c != Ordering::Equal {
                        return c;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Value::Multi(a), b) => a.first().map(|x| reference_sort_cmp(x, b)).unwrap_or(Ordering::Less),
            (a, Value::Multi(b)) => b.first().map(|y| reference_sort_cmp(a, y)).unwrap_or(Ordering::Greater),
            _ => match (rank(a), rank(b)) {
                (ra, rb) if ra != rb => ra.cmp(&rb),
                (0, _) => Ordering::Equal,
                (1, _) => a.as_number().unwrap_or(0.0).total_cmp(&b.as_number().unwrap_or(0.0)),
                _ => a.display_text().cmp(&b.display_text()),
            },
        }
    }

    #[test]
    fn sort_keys_order_values_as_comparing_each_pair_does() {
        let values = [
            Value::Null,
            Value::Bool(true),
            Value::Bool(false),
            Value::Int(10),
            Value::Int(-3),
            Value::Float(2.5),
            Value::from("10"),
            Value::from(" 9 "),
            Value::from("9a"),
            Value::from("abc"),
            Value::from("Abc"),
            Value::from(""),
            Value::multi([Value::from("b"), Value::Int(1)]),
            Value::multi([Value::Int(1), Value::from("b")]),
            Value::multi([Value::Int(1), Value::from("b"), Value::from("c")]),
            Value::Multi(Arc::from(Vec::<Value>::new())),
        ];
        for a in &values {
            for b in &values {
                assert_eq!(
                    a.sort_key().order(&b.sort_key()),
                    reference_sort_cmp(a, b),
                    "{a:?} against {b:?}"
                );
                assert_eq!(a.sort_cmp(b), reference_sort_cmp(a, b), "{a:?} against {b:?}");
            }
        }
    }

    #[test]
    fn multivalues_are_flat_and_never_singletons() {
        assert_eq!(Value::multi([Value::Null]), Value::Null);
        assert_eq!(Value::multi([Value::from("a")]), Value::from("a"));
        let nested = Value::multi([Value::from("a"), Value::multi([Value::from("b"), Value::from("c")])]);
        assert_eq!(nested.len(), 3);
    }

    #[test]
    fn numbers_compare_numerically_and_text_lexicographically() {
        assert_eq!(Value::from("10").compare(&Value::Int(9)), Some(Ordering::Greater));
        assert_eq!(Value::from("10").compare(&Value::from("9")), Some(Ordering::Greater));
        assert_eq!(Value::from("abc").compare(&Value::from("abd")), Some(Ordering::Less));
        assert_eq!(Value::from("B").compare(&Value::from("a")), Some(Ordering::Less));
        assert_eq!(Value::Null.compare(&Value::Int(1)), None);
    }

    #[test]
    fn number_text() {
        assert_eq!(parse_number(" 42 "), Some(42.0));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("0x10"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(format_float(0.1 + 0.2), "0.3");
        assert_eq!(format_float(2.0), "2");
        assert_eq!(format_float(0.33), "0.33");
    }
}
