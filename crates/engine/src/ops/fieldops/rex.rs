//! `rex` (named groups become fields, or `mode=sed` rewrites a field) and `regex` (keep
//! events whose field matches).
//!
//! `rex` reads its field's values in order and takes up to `max_match` matches (0: every
//! match); a named group becomes a field holding the text it matched, a multivalue when it
//! matched several times. A group that took part in no match leaves its field as it was.

use crate::event::{Event, Name};
use crate::ops::{Flow, Operator, RunContext};
use crate::value::Value;
use regex::Regex;

#[derive(Clone, Debug)]
pub struct RexSpec {
    pub field: Name,
    pub regex: Regex,
    /// 0: no limit.
    pub max_match: usize,
    /// `offset_field=`: where each group matched, as `name=start-end&...` (end inclusive).
    pub offset_field: Option<Name>,
}

pub struct Rex(pub RexSpec);

impl Operator for Rex {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let spec = &self.0;
        let names: Vec<&str> = spec.regex.capture_names().flatten().collect();
        for event in batch.iter_mut() {
            let input = event.get(&spec.field);
            let mut found: Vec<Vec<Value>> = vec![Vec::new(); names.len()];
            let mut offsets: Vec<String> = Vec::new();
            let mut matches = 0usize;
            'values: for value in input.iter() {
                let Some(text) = value.as_text() else { continue };
                for caps in spec.regex.captures_iter(&text) {
                    if spec.max_match != 0 && matches >= spec.max_match {
                        break 'values;
                    }
                    matches += 1;
                    for (k, name) in names.iter().enumerate() {
                        if let Some(m) = caps.name(name) {
                            found[k].push(Value::from(m.as_str()));
                            if spec.offset_field.is_some() {
                                offsets.push(format!("{name}={}-{}", m.start(), m.end() as i64 - 1));
                            }
                        }
                    }
                }
            }
            for (name, values) in names.iter().zip(found) {
                if !values.is_empty() {
                    event.set(Name::from(*name), Value::multi(values));
                }
            }
            if let Some(field) = &spec.offset_field {
                if !offsets.is_empty() {
                    event.set(field.clone(), Value::from(offsets.join("&")));
                }
            }
        }
        Flow::Continue
    }
}

/// A sed expression of `rex mode=sed`.
#[derive(Clone, Debug)]
pub enum SedExpr {
    /// `s/<regex>/<replacement>/<flags>`: `g` replaces every match, a number N the Nth only,
    /// otherwise the first.
    Substitute {
        regex: Regex,
        /// In the regex crate's syntax (`\1` written `${1}`).
        replacement: String,
        global: bool,
        nth: usize,
    },
    /// `y/<from>/<to>/`: character by character.
    Transliterate { from: Vec<char>, to: Vec<char> },
}

#[derive(Clone, Debug)]
pub struct SedSpec {
    pub field: Name,
    pub expr: SedExpr,
}

/// Parses a sed expression; the error says what is wrong.
pub fn parse_sed(text: &str) -> Result<SedExpr, String> {
    let mut chars = text.chars();
    let kind = chars.next().ok_or("an empty sed expression")?;
    let delim = chars
        .next()
        .ok_or("a sed expression needs a delimiter: s/<regex>/<replacement>/")?;
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in chars {
        if escaped {
            let last = parts.last_mut().ok_or("bad sed expression")?;
            if c != delim {
                last.push('\\');
            }
            last.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == delim {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    if parts.len() != 3 {
        return Err(format!("expected {kind}{delim}<from>{delim}<to>{delim}[flags]"));
    }
    match kind {
        's' => {
            let regex = crate::pcre::compile(&parts[0])?;
            let flags = &parts[2];
            let global = flags.contains('g');
            let digits: String = flags.chars().filter(char::is_ascii_digit).collect();
            let nth = digits.parse().unwrap_or(1).max(1);
            Ok(SedExpr::Substitute {
                regex,
                replacement: sed_replacement(&parts[1]),
                global,
                nth,
            })
        }
        'y' => {
            let from: Vec<char> = parts[0].chars().collect();
            let to: Vec<char> = parts[1].chars().collect();
            if from.len() != to.len() {
                return Err("y/<from>/<to>/ needs as many characters on both sides".into());
            }
            Ok(SedExpr::Transliterate { from, to })
        }
        other => Err(format!("unknown sed command `{other}` (expected s or y)")),
    }
}

/// sed's replacement text in the regex crate's syntax: `\1` and `&` are groups, `$` is literal.
fn sed_replacement(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(d) if d.is_ascii_digit() => out.push_str(&format!("${{{d}}}")),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('&') => out.push('&'),
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '&' => out.push_str("${0}"),
            '$' => out.push_str("$$"),
            other => out.push(other),
        }
    }
    out
}

pub fn apply_sed(expr: &SedExpr, text: &str) -> String {
    match expr {
        SedExpr::Substitute {
            regex,
            replacement,
            global,
            nth,
        } => {
            if *global {
                return regex.replace_all(text, replacement.as_str()).into_owned();
            }
            let Some(caps) = regex.captures_iter(text).nth(nth - 1) else {
                return text.to_string();
            };
            let Some(whole) = caps.get(0) else {
                return text.to_string();
            };
            let mut out = String::with_capacity(text.len());
            out.push_str(&text[..whole.start()]);
            caps.expand(replacement, &mut out);
            out.push_str(&text[whole.end()..]);
            out
        }
        SedExpr::Transliterate { from, to } => text
            .chars()
            .map(|c| from.iter().position(|f| *f == c).map(|k| to[k]).unwrap_or(c))
            .collect(),
    }
}

pub struct Sed(pub SedSpec);

impl Operator for Sed {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        for event in batch.iter_mut() {
            let value = event.get(&self.0.field);
            if let Some(new) = super::map_values(&value, |v| {
                v.as_text().map(|t| Value::from(apply_sed(&self.0.expr, &t)))
            }) {
                event.set(self.0.field.clone(), new);
            }
        }
        Flow::Continue
    }
}

/// `regex`: an event whose field is absent never matches; with `!=` it is kept.
pub struct RegexFilter {
    pub field: Name,
    pub regex: Regex,
    pub negate: bool,
}

impl Operator for RegexFilter {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        batch.retain(|e| {
            let v = e.get(&self.field);
            let matched = v.iter().any(|x| x.as_text().is_some_and(|t| self.regex.is_match(&t)));
            matched != self.negate
        });
        Flow::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sed_substitutes_and_transliterates() {
        let e = parse_sed(r"s/(\d+)-(\d+)/\2-\1/g").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(apply_sed(&e, "1-2 3-4"), "2-1 4-3");
        let e = parse_sed("s/a/b/2").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(apply_sed(&e, "aaa"), "aba");
        let e = parse_sed("y/abc/xyz/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(apply_sed(&e, "aabbcc"), "xxyyzz");
    }
}
