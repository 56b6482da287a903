//! EQL's view of event fields and its comparison rules.

use crate::value::Value;
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::sync::Arc;

/// A JSON value as EQL sees it: arrays stay (multi-)values, objects stay objects, booleans are
/// booleans.
pub fn from_json(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => n.as_f64().map(Value::Float).unwrap_or(Value::Null),
        },
        Json::String(s) => Value::str(s),
        Json::Array(items) => {
            let values: Vec<Value> = items.iter().map(from_json).collect();
            if values.is_empty() {
                Value::Multi(Arc::from(Vec::new()))
            } else {
                Value::Multi(values.into())
            }
        }
        Json::Object(map) => Value::Object(Arc::new(map.clone())),
    }
}

/// A step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Attr(String),
    Index(usize),
}

/// Looks a field path up in a JSON document. A dotted key that is present as such (`"process.pid"`)
/// wins over nested objects; an attribute of an array of objects collects the attribute of
/// each element.
pub fn lookup(json: &Json, path: &[Step]) -> Value {
    match path.first() {
        None => from_json(json),
        Some(Step::Index(i)) => match json {
            Json::Array(items) => items.get(*i).map(|v| lookup(v, &path[1..])).unwrap_or(Value::Null),
            _ => Value::Null,
        },
        Some(Step::Attr(_)) => match json {
            Json::Object(map) => {
                // Try the longest run of attributes as one flat key first. The shorter runs'
                // keys are prefixes of the longest one's, so it is joined once (and a single
                // attribute, the common case, not at all).
                if let [Step::Attr(attr), rest @ ..] = path {
                    if !matches!(rest.first(), Some(Step::Attr(_))) {
                        return map.get(attr.as_str()).map_or(Value::Null, |v| lookup(v, rest));
                    }
                }
                let mut joined = String::new();
                let mut ends = Vec::new();
                for step in path {
                    let Step::Attr(attr) = step else { break };
                    if !ends.is_empty() {
                        joined.push('.');
                    }
                    joined.push_str(attr);
                    ends.push(joined.len());
                }
                let count = ends.len();
                for n in (1..=count).rev() {
                    if let Some(v) = map.get(&joined[..ends[n - 1]]) {
                        let found = lookup(v, &path[n..]);
                        if !found.is_null() || n == 1 {
                            return found;
                        }
                    }
                }
                Value::Null
            }
            Json::Array(items) => {
                let values: Vec<Value> = items.iter().map(|item| lookup(item, path)).collect();
                Value::multi(values)
            }
            _ => Value::Null,
        },
    }
}

/// Looks a path up inside a value (for `arraySearch` variables bound to objects).
pub fn lookup_value(value: &Value, path: &[Step]) -> Value {
    if path.is_empty() {
        return value.clone();
    }
    match (value, &path[0]) {
        (Value::Object(map), _) => lookup(&Json::Object((**map).clone()), path),
        (Value::Multi(items), Step::Index(i)) => items
            .get(*i)
            .map(|v| lookup_value(v, &path[1..]))
            .unwrap_or(Value::Null),
        (Value::Multi(items), Step::Attr(_)) => Value::multi(items.iter().map(|v| lookup_value(v, path))),
        _ => Value::Null,
    }
}

/// Truthiness of a value used as a condition: booleans as they are; null is unknown; other
/// values are true when non-empty and non-zero.
pub fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(*b),
        Value::Int(i) => Some(*i != 0),
        Value::Float(f) => Some(*f != 0.0),
        Value::Str(s) => Some(!s.is_empty()),
        Value::Multi(items) => Some(!items.is_empty()),
        Value::Object(map) => Some(!map.is_empty()),
    }
}

/// Numbers of either kind as f64.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Orders two scalars of the same kind; `None` for different kinds or nulls. Strings compare
/// ordinally, or without case when `ignore_case`.
pub fn compare_scalars(a: &Value, b: &Value, ignore_case: bool) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Str(x), Value::Str(y)) => Some(if ignore_case {
            x.to_lowercase().cmp(&y.to_lowercase())
        } else {
            x.as_ref().cmp(y.as_ref())
        }),
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y),
            _ => None,
        },
    }
}

/// Scalar equality with EQL's typing: same kinds compare, different kinds are unequal.
pub fn scalars_equal(a: &Value, b: &Value, ignore_case: bool) -> bool {
    match (a, b) {
        (Value::Multi(x), Value::Multi(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| scalars_equal(p, q, ignore_case))
        }
        (Value::Object(x), Value::Object(y)) => x == y,
        _ => compare_scalars(a, b, ignore_case) == Some(Ordering::Equal),
    }
}

/// `*` and `?` wildcard match of a whole string.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if ignore_case {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Iterative matching with backtracking to the last `*` (linear in practice).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Key form of a value for joins, `unique` and samples: optionally without case.
pub fn key_of(v: &Value, ignore_case: bool) -> Value {
    match v {
        Value::Str(s) if ignore_case => Value::from(s.to_lowercase()),
        Value::Multi(items) if ignore_case => {
            Value::Multi(items.iter().map(|i| key_of(i, true)).collect::<Vec<_>>().into())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(path: &str) -> Vec<Step> {
        path.split('.').map(|s| Step::Attr(s.to_string())).collect()
    }

    #[test]
    fn flat_dotted_keys_and_nested_objects_both_resolve() {
        let doc = json!({"process.pid": 7, "user": {"name": "a"}, "list": [{"x": 1}, {"x": 2}]});
        assert_eq!(lookup(&doc, &attrs("process.pid")), Value::Int(7));
        assert_eq!(lookup(&doc, &attrs("user.name")), Value::from("a"));
        assert_eq!(
            lookup(&doc, &attrs("list.x")),
            Value::multi([Value::Int(1), Value::Int(2)])
        );
        assert_eq!(
            lookup(
                &doc,
                &[Step::Attr("list".into()), Step::Index(1), Step::Attr("x".into())]
            ),
            Value::Int(2)
        );
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("net*.exe", "net1.exe", false));
        assert!(wildcard_match("1?", "12", false));
        assert!(!wildcard_match("1?", "1", false));
        assert!(wildcard_match("*%*", "a%b", false));
        assert!(wildcard_match("LSASS.E?E", "lsass.exe", true));
        assert!(!wildcard_match("LSASS.E?E", "lsass.exe", false));
    }
}
