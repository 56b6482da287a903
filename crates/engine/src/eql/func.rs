//! EQL functions. `ignore_case` is decided by the dialect (`~` forms, endgame's case mode);
//! where the two reference implementations disagree on a function, `endgame` says which one.

use super::value::{scalars_equal, wildcard_match};
use crate::value::{format_float, Value};
use std::net::IpAddr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EqlFunc {
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Between,
    CidrMatch,
    Concat,
    EndsWith,
    StartsWith,
    IndexOf,
    Length,
    Number,
    String,
    StringContains,
    Substring,
    Wildcard,
    Match,
    ArrayContains,
}

pub struct FuncInfo {
    pub func: EqlFunc,
    pub min_args: usize,
    pub max_args: usize,
    /// Has a `~` form in Elasticsearch.
    pub insensitive_form: bool,
}

const ANY: usize = usize::MAX;

/// Looks a function up by name (any case).
pub fn lookup(name: &str) -> Option<FuncInfo> {
    use EqlFunc::*;
    let (func, min_args, max_args, insensitive_form) = match name.to_ascii_lowercase().as_str() {
        "add" => (Add, 2, 2, false),
        "subtract" => (Subtract, 2, 2, false),
        "multiply" => (Multiply, 2, 2, false),
        "divide" => (Divide, 2, 2, false),
        "modulo" => (Modulo, 2, 2, false),
        "between" => (Between, 3, 5, true),
        "cidrmatch" => (CidrMatch, 2, ANY, false),
        "concat" => (Concat, 1, ANY, false),
        "endswith" => (EndsWith, 2, 2, true),
        "startswith" => (StartsWith, 2, 2, true),
        "indexof" => (IndexOf, 2, 3, true),
        "length" => (Length, 1, 1, false),
        "number" => (Number, 1, 2, false),
        "string" => (String, 1, 1, false),
        "stringcontains" => (StringContains, 2, 2, true),
        "substring" => (Substring, 1, 3, false),
        "wildcard" => (Wildcard, 2, ANY, false),
        "match" | "matchlite" => (Match, 2, ANY, false),
        "arraycontains" => (ArrayContains, 2, ANY, false),
        _ => return None,
    };
    Some(FuncInfo {
        func,
        min_args,
        max_args,
        insensitive_form,
    })
}

fn text(v: &Value) -> Option<&str> {
    match v {
        Value::Str(s) => Some(s),
        _ => None,
    }
}

fn lower_if(s: &str, ignore_case: bool) -> String {
    if ignore_case {
        s.to_lowercase()
    } else {
        s.to_string()
    }
}

fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::Float(f) if f.fract() == 0.0 => Some(*f as i64),
        _ => None,
    }
}

/// A value as text for `concat` and `string`.
pub fn to_text(v: &Value, endgame: bool) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(if endgame {
            if *b { "True" } else { "False" }.to_string()
        } else {
            b.to_string()
        }),
        Value::Float(f) => Some(if endgame && f.fract() == 0.0 {
            format!("{f:.1}")
        } else {
            format_float(*f)
        }),
        other => Some(other.display_text()),
    }
}

/// What a function accepts as a literal argument (checked when the query is compiled).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    Text,
    Number,
    TextOrNumber,
    Bool,
    Any,
}

impl ArgKind {
    pub fn accepts(&self, v: &Value) -> bool {
        matches!(
            (self, v),
            (_, Value::Null)
                | (ArgKind::Any, _)
                | (ArgKind::Text, Value::Str(_))
                | (ArgKind::Number, Value::Int(_) | Value::Float(_))
                | (ArgKind::TextOrNumber, Value::Str(_) | Value::Int(_) | Value::Float(_))
                | (ArgKind::Bool, Value::Bool(_))
        )
    }

    pub fn describe(&self) -> &'static str {
        match self {
            ArgKind::Text => "a string",
            ArgKind::Number => "a number",
            ArgKind::TextOrNumber => "a string or a number",
            ArgKind::Bool => "a boolean",
            ArgKind::Any => "a value",
        }
    }
}

/// The kind of the `n`-th argument of a function.
pub fn argument_kind(func: EqlFunc, n: usize) -> ArgKind {
    use ArgKind::*;
    let kinds: &[ArgKind] = match func {
        EqlFunc::Add | EqlFunc::Subtract | EqlFunc::Multiply | EqlFunc::Divide | EqlFunc::Modulo => &[Number],
        EqlFunc::Between => &[Text, Text, Text, Bool, Bool],
        EqlFunc::CidrMatch | EqlFunc::Wildcard | EqlFunc::Match => &[Text],
        EqlFunc::EndsWith | EqlFunc::StartsWith | EqlFunc::StringContains => &[Text],
        EqlFunc::IndexOf => &[Text, Text, Number],
        EqlFunc::Length => &[Text],
        EqlFunc::Number => &[TextOrNumber, Number],
        EqlFunc::Substring => &[Text, Number],
        EqlFunc::Concat | EqlFunc::String | EqlFunc::ArrayContains => &[Any],
    };
    kinds.get(n).or(kinds.last()).copied().unwrap_or(Any)
}

/// Calls a function; `None` means null.
pub fn call(func: EqlFunc, args: &[Value], ignore_case: bool, endgame: bool) -> Option<Value> {
    use super::expr::{arith, Arith};
    Some(match func {
        EqlFunc::Add => arith(Arith::Add, &args[0], &args[1]),
        EqlFunc::Subtract => arith(Arith::Sub, &args[0], &args[1]),
        EqlFunc::Multiply => arith(Arith::Mul, &args[0], &args[1]),
        EqlFunc::Divide => arith(Arith::Div, &args[0], &args[1]),
        EqlFunc::Modulo => arith(Arith::Mod, &args[0], &args[1]),
        EqlFunc::Between => {
            let (source, left, right) = (text(&args[0])?, text(&args[1])?, text(&args[2])?);
            let greedy = matches!(args.get(3), Some(Value::Bool(true)));
            let ignore = match args.get(4) {
                Some(Value::Bool(sensitive)) => !sensitive,
                _ => ignore_case,
            };
            let hay = lower_if(source, ignore);
            let (l, r) = (lower_if(left, ignore), lower_if(right, ignore));
            let start = hay.find(&l)? + l.len();
            let rest = &hay[start..];
            let end = if greedy { rest.rfind(&r)? } else { rest.find(&r)? };
            // Lower-casing can change byte lengths; fall back to the folded text then.
            let slice = if hay.len() == source.len() {
                source.get(start..start + end)
            } else {
                hay.get(start..start + end)
            };
            Value::from(slice.unwrap_or("").to_string())
        }
        EqlFunc::CidrMatch => {
            let ip: IpAddr = match &args[0] {
                Value::Str(s) => match s.trim().parse() {
                    Ok(ip) => ip,
                    Err(_) => return Some(Value::Bool(false)),
                },
                Value::Null => return None,
                _ => return Some(Value::Bool(false)),
            };
            let hit = args[1..].iter().any(|c| {
                text(c)
                    .and_then(crate::func::parse_cidr)
                    .is_some_and(|net| net.contains(&ip))
            });
            Value::Bool(hit)
        }
        EqlFunc::Concat => {
            let mut out = String::new();
            for a in args {
                out.push_str(&to_text(a, endgame)?);
            }
            Value::from(out)
        }
        EqlFunc::EndsWith | EqlFunc::StartsWith | EqlFunc::StringContains => {
            let (source, sub) = (text(&args[0]), text(&args[1]));
            let (Some(source), Some(sub)) = (source, sub) else {
                if func == EqlFunc::StringContains && endgame {
                    return Some(Value::Bool(false));
                }
                return None;
            };
            let (s, p) = (lower_if(source, ignore_case), lower_if(sub, ignore_case));
            Value::Bool(match func {
                EqlFunc::EndsWith => s.ends_with(&p),
                EqlFunc::StartsWith => s.starts_with(&p),
                _ => s.contains(&p),
            })
        }
        EqlFunc::IndexOf => {
            let (source, sub) = (text(&args[0])?, text(&args[1])?);
            let start = match args.get(2) {
                Some(Value::Null) | None => 0,
                Some(v) => integer(v)?.max(0) as usize,
            };
            let (s, p) = (lower_if(source, ignore_case), lower_if(sub, ignore_case));
            let chars: Vec<(usize, char)> = s.char_indices().collect();
            let byte_start = chars.get(start).map(|(b, _)| *b).unwrap_or(s.len());
            if start > chars.len() {
                return None;
            }
            let found = s[byte_start..].find(&p)?;
            let byte_pos = byte_start + found;
            Value::Int(s[..byte_pos].chars().count() as i64)
        }
        EqlFunc::Length => match &args[0] {
            Value::Str(s) => Value::Int(s.chars().count() as i64),
            Value::Multi(items) => Value::Int(items.len() as i64),
            Value::Object(map) => Value::Int(map.len() as i64),
            Value::Null => return None,
            _ => Value::Int(0),
        },
        EqlFunc::Number => {
            let base = match args.get(1) {
                Some(Value::Null) | None => 10,
                Some(b) => integer(b)? as u32,
            };
            match &args[0] {
                Value::Null if endgame => Value::Int(0),
                Value::Null => return None,
                Value::Int(_) | Value::Float(_) => args[0].clone(),
                Value::Str(s) => {
                    let t = s.trim();
                    let (digits, radix) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
                        Some(hex) => (hex, 16),
                        None => (t, base),
                    };
                    if let Ok(i) = i64::from_str_radix(digits, radix) {
                        Value::Int(i)
                    } else if radix == 10 {
                        Value::Float(t.parse::<f64>().ok().filter(|f| f.is_finite())?)
                    } else {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        EqlFunc::String => Value::from(to_text(&args[0], endgame)?),
        EqlFunc::Substring => {
            let s = text(&args[0])?;
            let chars: Vec<char> = s.chars().collect();
            let n = chars.len() as i64;
            let resolve = |v: Option<&Value>, default: i64| -> Option<i64> {
                match v {
                    None | Some(Value::Null) => Some(default),
                    Some(v) => {
                        let i = integer(v)?;
                        Some(if i < 0 { (n + i).max(0) } else { i.min(n) })
                    }
                }
            };
            let start = resolve(args.get(1), 0)?;
            let end = resolve(args.get(2), n)?;
            if start >= end {
                Value::str("")
            } else {
                Value::from(chars[start as usize..end as usize].iter().collect::<String>())
            }
        }
        EqlFunc::Wildcard => {
            let Some(source) = text(&args[0]) else {
                return if args[0].is_null() {
                    None
                } else {
                    Some(Value::Bool(false))
                };
            };
            Value::Bool(
                args[1..]
                    .iter()
                    .filter_map(text)
                    .any(|p| wildcard_match(p, source, ignore_case)),
            )
        }
        EqlFunc::Match => {
            let Some(source) = text(&args[0]) else {
                return if args[0].is_null() {
                    None
                } else {
                    Some(Value::Bool(false))
                };
            };
            let patterns: Vec<&str> = args[1..].iter().filter_map(text).collect();
            let joined = format!("(?is)^(?:{})", patterns.join("|"));
            match regex::Regex::new(&joined) {
                Ok(re) => Value::Bool(re.is_match(source)),
                Err(_) => return None,
            }
        }
        EqlFunc::ArrayContains => {
            let items: Vec<&Value> = match &args[0] {
                Value::Multi(items) => items.iter().collect(),
                Value::Null => return Some(Value::Bool(false)),
                other => vec![other],
            };
            Value::Bool(
                items
                    .iter()
                    .any(|item| args[1..].iter().any(|v| scalars_equal(item, v, ignore_case))),
            )
        }
    })
}
