//! Operators of the field commands: `convert`, `rex`, `regex`, `spath`, `fromjson`, `xmlkv`,
//! `replace`, `makemv`, `mvexpand`, `mvcombine`, `addtotals`, `foreach`. One plan node,
//! [`FieldOp`], holds them so that they stay out of the way of the core operators.

pub mod convert;
pub mod extract;
pub mod foreach;
pub mod mv;
pub mod rex;
pub mod xml;

use super::Operator;
use crate::event::{Event, Name};
use crate::plan::FieldPattern;
use crate::value::Value;
use std::fmt;

pub use convert::{ConvertFunc, ConvertSpec};
pub use extract::{AddTotalsSpec, ReplaceSpec, SpathSpec};
pub use foreach::ForeachSpec;
pub use mv::MakeMvSpec;
pub use rex::{RexSpec, SedSpec};

#[derive(Clone, Debug)]
pub enum FieldOp {
    /// `convert`: change values of fields in place (or into new fields).
    Convert(ConvertSpec),
    /// `rex`: named groups of a regex become fields.
    Rex(RexSpec),
    /// `rex mode=sed`: rewrite a field with a sed expression.
    Sed(SedSpec),
    /// `regex`: keep events whose field matches (or, negated, does not match) a regex.
    RegexFilter {
        field: Name,
        regex: regex::Regex,
        negate: bool,
    },
    /// `spath`: fields from JSON text.
    Spath(SpathSpec),
    /// `fromjson`: the top-level keys of a JSON object become fields.
    FromJson { field: Name, prefix: String },
    /// `xmlkv`: `<key>value</key>` pairs become fields.
    XmlKv { field: Name },
    /// `replace`: whole values matching wildcard patterns are replaced.
    Replace(ReplaceSpec),
    /// `makemv`: split a value into a multivalue.
    MakeMv(MakeMvSpec),
    /// `mvexpand`: one event per value of a multivalue field.
    MvExpand { field: Name, limit: Option<usize> },
    /// `mvcombine`: merge events that differ only in one field into one multivalue event.
    MvCombine { field: Name },
    /// `addtotals`: a row total per event and/or a column total row.
    AddTotals(AddTotalsSpec),
    /// `foreach`: run a templated subsearch once per matching field.
    Foreach(ForeachSpec),
}

impl FieldOp {
    pub fn build(&self) -> Box<dyn Operator> {
        match self {
            FieldOp::Convert(spec) => Box::new(convert::Convert(spec.clone())),
            FieldOp::Rex(spec) => Box::new(rex::Rex(spec.clone())),
            FieldOp::Sed(spec) => Box::new(rex::Sed(spec.clone())),
            FieldOp::RegexFilter { field, regex, negate } => Box::new(rex::RegexFilter {
                field: field.clone(),
                regex: regex.clone(),
                negate: *negate,
            }),
            FieldOp::Spath(spec) => Box::new(extract::Spath(spec.clone())),
            FieldOp::FromJson { field, prefix } => Box::new(extract::FromJson {
                field: field.clone(),
                prefix: prefix.clone(),
            }),
            FieldOp::XmlKv { field } => Box::new(extract::XmlKv::new(field.clone())),
            FieldOp::Replace(spec) => Box::new(extract::Replace(spec.clone())),
            FieldOp::MakeMv(spec) => Box::new(mv::MakeMv(spec.clone())),
            FieldOp::MvExpand { field, limit } => Box::new(mv::MvExpand {
                field: field.clone(),
                limit: *limit,
                in_flight: Default::default(),
            }),
            FieldOp::MvCombine { field } => Box::new(mv::MvCombine::new(field.clone())),
            FieldOp::AddTotals(spec) => Box::new(extract::AddTotals::new(spec.clone())),
            FieldOp::Foreach(spec) => Box::new(foreach::Foreach::new(spec.clone())),
        }
    }

    /// Does the operator keep events in the order they came?
    pub fn keeps_order(&self) -> bool {
        !matches!(self, FieldOp::MvCombine { .. })
    }
}

impl fmt::Display for FieldOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldOp::Convert(spec) => write!(f, "Convert: {} conversion(s)", spec.items.len()),
            FieldOp::Rex(spec) => write!(f, "Rex: extract from {}", spec.field),
            FieldOp::Sed(spec) => write!(f, "Sed: rewrite {}", spec.field),
            FieldOp::RegexFilter { field, negate, .. } => write!(
                f,
                "RegexFilter: keep events where {field} {} the regex",
                if *negate { "does not match" } else { "matches" }
            ),
            FieldOp::Spath(spec) => write!(f, "Spath: JSON fields from {}", spec.input),
            FieldOp::FromJson { field, .. } => write!(f, "FromJson: fields from {field}"),
            FieldOp::XmlKv { field } => write!(f, "XmlKv: fields from {field}"),
            FieldOp::Replace(spec) => write!(f, "Replace: {} pattern(s)", spec.pairs.len()),
            FieldOp::MakeMv(spec) => write!(f, "MakeMv: split {}", spec.field),
            FieldOp::MvExpand { field, .. } => write!(f, "MvExpand: one event per value of {field}"),
            FieldOp::MvCombine { field } => write!(f, "MvCombine: merge events by every field but {field} (buffers)"),
            FieldOp::AddTotals(spec) => write!(f, "AddTotals: into {}", spec.fieldname),
            FieldOp::Foreach(spec) => write!(f, "Foreach: {} field pattern(s)", spec.patterns.len()),
        }
    }
}

/// The fields of an event matching any of `patterns`, in the event's order; a pattern without
/// `*` names its field whether or not the event has it.
pub(crate) fn matching_fields(event: &Event, patterns: &[FieldPattern]) -> Vec<Name> {
    let mut out: Vec<Name> = Vec::new();
    let mut names: Option<Vec<Name>> = None;
    for p in patterns {
        if !p.is_wildcard() {
            if !out.iter().any(|n| **n == *p.text) {
                out.push(Name::from(p.text.as_str()));
            }
            continue;
        }
        let all = names.get_or_insert_with(|| event.field_names());
        for n in all.iter() {
            if p.matches(n) && !out.contains(n) {
                out.push(n.clone());
            }
        }
    }
    out
}

/// Applies `f` to each value of a field (each element of a multivalue); an element `f` gives
/// nothing for stays as it is. `None` when no element changed.
pub(crate) fn map_values(v: &Value, mut f: impl FnMut(&Value) -> Option<Value>) -> Option<Value> {
    let mut changed = false;
    let out: Vec<Value> = v
        .iter()
        .map(|item| match f(item) {
            Some(new) => {
                changed = true;
                new
            }
            None => item.clone(),
        })
        .collect();
    changed.then(|| Value::multi(out))
}
