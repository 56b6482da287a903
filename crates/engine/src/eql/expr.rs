//! Compiled EQL expressions and their evaluation.
//!
//! Null logic (both dialects): a comparison with null is null, except that `x == null` is true
//! exactly when `x` is null; `and`/`or`/`not` are three-valued; a condition holds only when it
//! is true.

use super::func::{self, EqlFunc};
use super::lineage::Lineages;
use super::value::{compare_scalars, lookup, lookup_value, scalars_equal, truth, wildcard_match, Step};
use crate::event::{Event, Group};
use crate::value::Value;
use regex::Regex;
use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub enum Source {
    /// The event being matched (or the first event of a result, in pipes).
    Event,
    /// `events[n]` in a pipe over sequence results.
    EventAt(usize),
    /// A variable bound by `arraySearch(list, var, ...)`.
    Var(usize),
}

#[derive(Clone, Debug)]
pub enum Pattern {
    Wildcard {
        pattern: String,
        ignore_case: bool,
    },
    Regex(Regex),
    /// A non-string pattern compares by equality.
    Equal(Value),
}

impl Pattern {
    fn matches(&self, v: &Value) -> bool {
        match (self, v) {
            (Pattern::Wildcard { pattern, ignore_case }, Value::Str(s)) => wildcard_match(pattern, s, *ignore_case),
            (Pattern::Regex(re), Value::Str(s)) => re.is_match(s),
            (Pattern::Equal(x), v) => scalars_equal(x, v, false),
            _ => false,
        }
    }
}

use crate::expr::float_arith;
/// The arithmetic operators are the SPL evaluator's.
pub use crate::expr::Arith;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug)]
pub enum EExpr {
    Field {
        source: Source,
        path: Vec<Step>,
    },
    Literal(Value),
    Not(Box<EExpr>),
    Neg(Box<EExpr>),
    And(Box<EExpr>, Box<EExpr>),
    Or(Box<EExpr>, Box<EExpr>),
    /// `==` / `!=`; `any_value`: a multi-valued side matches on any of its values.
    Equal {
        left: Box<EExpr>,
        right: Box<EExpr>,
        negate: bool,
        ignore_case: bool,
        any_value: bool,
    },
    /// `x == null` / `x != null`: a null test, true or false.
    IsNull {
        expr: Box<EExpr>,
        negate: bool,
    },
    /// `==` against a wildcard literal (endgame).
    WildcardEqual {
        left: Box<EExpr>,
        pattern: String,
        negate: bool,
        ignore_case: bool,
    },
    Order {
        op: Order,
        left: Box<EExpr>,
        right: Box<EExpr>,
        ignore_case: bool,
    },
    Arith {
        op: Arith,
        left: Box<EExpr>,
        right: Box<EExpr>,
    },
    /// `:`, `like`, `regex` (and their `~` and negated forms).
    Match {
        left: Box<EExpr>,
        patterns: Vec<Pattern>,
        negate: bool,
    },
    In {
        left: Box<EExpr>,
        list: Vec<EExpr>,
        ignore_case: bool,
        negate: bool,
    },
    Call {
        func: EqlFunc,
        args: Vec<EExpr>,
        ignore_case: bool,
        endgame: bool,
    },
    /// `arraySearch(list, var, cond)` (count: `arrayCount`).
    ArrayWalk {
        list: Box<EExpr>,
        var: usize,
        body: Box<EExpr>,
        count: bool,
    },
    /// `safe(x)`: errors become null.
    Safe(Box<EExpr>),
    /// `descendant of [...]` and friends: the state of lineage tracker `n`.
    Lineage(usize),
    /// The event's time in nanoseconds (the time field read as an instant).
    EventTime,
}

/// What an expression can see.
pub struct Scope<'a> {
    pub event: &'a Event,
    pub group: Option<&'a Group>,
    pub vars: Vec<Value>,
    pub lineages: Option<&'a Lineages>,
}

impl<'a> Scope<'a> {
    pub fn new(event: &'a Event) -> Scope<'a> {
        Scope {
            event,
            group: None,
            vars: Vec::new(),
            lineages: None,
        }
    }
}

/// Reads a field of an event with EQL's path rules. Fields a source profile derives
/// (aliases, calculated fields such as the ECS names of raw Okta events) are seen first.
pub fn event_field(event: &Event, path: &[Step]) -> Value {
    if let Some(Step::Attr(first)) = path.first() {
        if path.len() == 1 {
            if let Some(v) = event.fields.get(first.as_str()) {
                return v.clone();
            }
        }
    }
    if let Some(profile) = event.doc.as_ref().and_then(|d| d.meta.profile.as_ref()) {
        if path.iter().all(|s| matches!(s, Step::Attr(_))) {
            let name: Vec<&str> = path
                .iter()
                .map(|s| match s {
                    Step::Attr(a) => a.as_str(),
                    Step::Index(_) => "",
                })
                .collect();
            if let Some(v) = profile.derived(event, &name.join("."), crate::event::Layer::All) {
                if !v.is_null() {
                    return v;
                }
            }
        }
    }
    match &event.doc {
        Some(doc) => doc.read_eql(&leading_attrs(path), |tree| lookup(tree, path)),
        None => match path.first() {
            Some(Step::Attr(first)) => lookup_value(&event.get(first), &path[1..]),
            _ => Value::Null,
        },
    }
}

/// The attributes a path starts with, joined: `a.b[0].c` gives `a.b`.
fn leading_attrs(path: &[Step]) -> String {
    let mut name = String::new();
    for step in path {
        let Step::Attr(a) = step else { break };
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(a);
    }
    name
}

impl EExpr {
    pub fn eval(&self, scope: &mut Scope) -> Value {
        match self {
            EExpr::Field { source, path } => match source {
                Source::Event => event_field(scope.event, path),
                Source::EventAt(n) => match scope.group.and_then(|g| g.events.get(*n)).and_then(|e| e.as_ref()) {
                    Some(event) => event_field(event, path),
                    None if *n == 0 => event_field(scope.event, path),
                    None => Value::Null,
                },
                Source::Var(n) => scope.vars.get(*n).map(|v| lookup_value(v, path)).unwrap_or(Value::Null),
            },
            EExpr::Literal(v) => v.clone(),
            EExpr::Not(e) => match truth(&e.eval(scope)) {
                Some(b) => Value::Bool(!b),
                None => Value::Null,
            },
            EExpr::Neg(e) => match e.eval(scope) {
                Value::Int(i) => i.checked_neg().map(Value::Int).unwrap_or(Value::Float(-(i as f64))),
                Value::Float(f) => Value::Float(-f),
                _ => Value::Null,
            },
            EExpr::And(a, b) => {
                let x = truth(&a.eval(scope));
                if x == Some(false) {
                    return Value::Bool(false);
                }
                match (x, truth(&b.eval(scope))) {
                    (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                }
            }
            EExpr::Or(a, b) => {
                let x = truth(&a.eval(scope));
                if x == Some(true) {
                    return Value::Bool(true);
                }
                match (x, truth(&b.eval(scope))) {
                    (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                }
            }
            EExpr::Equal {
                left,
                right,
                negate,
                ignore_case,
                any_value,
            } => {
                let (a, b) = (left.eval(scope), right.eval(scope));
                match equal(&a, &b, *ignore_case, *any_value) {
                    Some(eq) => Value::Bool(eq != *negate),
                    None => Value::Null,
                }
            }
            EExpr::IsNull { expr, negate } => Value::Bool(expr.eval(scope).is_null() != *negate),
            EExpr::WildcardEqual {
                left,
                pattern,
                negate,
                ignore_case,
            } => match left.eval(scope) {
                Value::Str(s) => Value::Bool(wildcard_match(pattern, &s, *ignore_case) != *negate),
                Value::Null => Value::Null,
                _ => Value::Null,
            },
            EExpr::Order {
                op,
                left,
                right,
                ignore_case,
            } => {
                let (a, b) = (left.eval(scope), right.eval(scope));
                let test = |o: Ordering| match op {
                    Order::Lt => o == Ordering::Less,
                    Order::Le => o != Ordering::Greater,
                    Order::Gt => o == Ordering::Greater,
                    Order::Ge => o != Ordering::Less,
                };
                let mut any_known = false;
                for x in scalars(&a) {
                    for y in scalars(&b) {
                        if let Some(o) = compare_scalars(x, y, *ignore_case) {
                            any_known = true;
                            if test(o) {
                                return Value::Bool(true);
                            }
                        }
                    }
                }
                if any_known {
                    Value::Bool(false)
                } else {
                    Value::Null
                }
            }
            EExpr::Arith { op, left, right } => arith(*op, &left.eval(scope), &right.eval(scope)),
            EExpr::Match { left, patterns, negate } => {
                let v = left.eval(scope);
                if v.is_null() {
                    return Value::Null;
                }
                let hit = scalars(&v).any(|x| patterns.iter().any(|p| p.matches(x)));
                Value::Bool(hit != *negate)
            }
            EExpr::In {
                left,
                list,
                ignore_case,
                negate,
            } => {
                let v = left.eval(scope);
                if v.is_null() {
                    return Value::Null;
                }
                let mut hit = false;
                for item in list {
                    let candidate = item.eval(scope);
                    if equal(&v, &candidate, *ignore_case, true) == Some(true) {
                        hit = true;
                        break;
                    }
                }
                Value::Bool(hit != *negate)
            }
            EExpr::Call {
                func,
                args,
                ignore_case,
                endgame,
            } => {
                let values: Vec<Value> = args.iter().map(|a| a.eval(scope)).collect();
                func::call(*func, &values, *ignore_case, *endgame).unwrap_or(Value::Null)
            }
            EExpr::ArrayWalk { list, var, body, count } => {
                let items = list.eval(scope);
                let elements: Vec<Value> = match items {
                    Value::Multi(items) => items.iter().cloned().collect(),
                    Value::Null => return if *count { Value::Int(0) } else { Value::Bool(false) },
                    other => vec![other],
                };
                let mut hits = 0i64;
                for element in elements {
                    if scope.vars.len() <= *var {
                        scope.vars.resize(*var + 1, Value::Null);
                    }
                    scope.vars[*var] = element;
                    if truth(&body.eval(scope)) == Some(true) {
                        hits += 1;
                        if !*count {
                            break;
                        }
                    }
                }
                if *count {
                    Value::Int(hits)
                } else {
                    Value::Bool(hits > 0)
                }
            }
            EExpr::Safe(inner) => inner.eval(scope),
            EExpr::EventTime => scope
                .event
                .doc
                .as_ref()
                .and_then(|d| d.time_ns)
                .map(Value::Int)
                .unwrap_or(Value::Null),
            EExpr::Lineage(n) => match scope.lineages {
                Some(l) => Value::Bool(l.contains(*n, scope.event)),
                None => Value::Bool(false),
            },
        }
    }

    /// True when the expression holds for the scope.
    pub fn holds(&self, scope: &mut Scope) -> bool {
        truth(&self.eval(scope)) == Some(true)
    }
}

fn scalars(v: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match v {
        Value::Multi(items) => Box::new(items.iter()),
        Value::Null => Box::new(std::iter::empty()),
        other => Box::new(std::iter::once(other)),
    }
}

/// `==`: both null is true, one null is null; otherwise equal values (any value of a
/// multi-valued side when `any_value`).
pub fn equal(a: &Value, b: &Value, ignore_case: bool, any_value: bool) -> Option<bool> {
    match (a.is_null(), b.is_null()) {
        (true, true) => return Some(true),
        (true, false) | (false, true) => return None,
        _ => {}
    }
    if any_value && (a.is_multi() || b.is_multi()) {
        return Some(scalars(a).any(|x| scalars(b).any(|y| scalars_equal(x, y, ignore_case))));
    }
    if compare_scalars(a, b, ignore_case).is_none()
        && !matches!(
            (a, b),
            (Value::Multi(_), Value::Multi(_)) | (Value::Object(_), Value::Object(_))
        )
    {
        // Different kinds: unequal (endgame's type check makes this null).
        return if any_value { Some(false) } else { None };
    }
    Some(scalars_equal(a, b, ignore_case))
}

pub fn arith(op: Arith, a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            let (x, y) = (*x, *y);
            let r = match op {
                Arith::Add => x.checked_add(y),
                Arith::Sub => x.checked_sub(y),
                Arith::Mul => x.checked_mul(y),
                Arith::Div => {
                    if y == 0 {
                        return Value::Null;
                    }
                    x.checked_div(y)
                }
                Arith::Mod => {
                    if y == 0 {
                        return Value::Null;
                    }
                    x.checked_rem(y)
                }
            };
            r.map(Value::Int).unwrap_or(Value::Null)
        }
        _ => {
            let (Some(x), Some(y)) = (number(a), number(b)) else {
                return Value::Null;
            };
            float_arith(op, x, y)
        }
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}
