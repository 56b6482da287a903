//! Compiled eval expressions and their evaluation: one enum, one `match`.
//!
//! Semantics (Splunk eval): arithmetic and comparison with null give null; division or modulo
//! by zero gives null; `=` compares numbers numerically and text exactly (case-sensitive); a
//! comparison with a multivalue is true when any value satisfies it; `AND`/`OR`/`NOT` use
//! three-valued logic (`false AND null` is false, `true OR null` is true).

use crate::event::{Event, Layer, Name};
use crate::func::{self, Func, FuncContext, Prepared};
use crate::pattern::LikePattern;
use crate::value::Value;
use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub enum CExpr {
    Field(Name),
    Literal(Value),
    Not(Box<CExpr>),
    Neg(Box<CExpr>),
    Arith(Arith, Box<CExpr>, Box<CExpr>),
    Concat(Box<CExpr>, Box<CExpr>),
    Compare(Cmp, Box<CExpr>, Box<CExpr>),
    Like(Box<CExpr>, Box<CExpr>, Option<LikePattern>),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Xor(Box<CExpr>, Box<CExpr>),
    In(Box<CExpr>, Vec<CExpr>),
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    Case(Vec<(CExpr, CExpr)>),
    Coalesce(Vec<CExpr>),
    /// `validate(cond1, msg1, ...)`: the message of the first condition that is not true.
    Validate(Vec<(CExpr, CExpr)>),
    NullIf(Box<CExpr>, Box<CExpr>),
    Call(Func, Vec<CExpr>, Prepared),
    /// `mvfilter(<predicate>)` (`filter`: the values for which it is true) and
    /// `mvmap(<field>, <expr>)`: the expression evaluated once per value of the field.
    PerValue {
        field: Name,
        expr: Box<CExpr>,
        filter: bool,
    },
    /// `searchmatch("<search terms>")`: does the event match the search?
    SearchMatch(Box<crate::search::CSearch>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// What evaluation may read besides the event.
#[derive(Clone, Copy, Debug)]
pub struct EvalContext {
    pub func: FuncContext,
    pub layer: Layer,
}

impl EvalContext {
    pub fn new(now: f64) -> EvalContext {
        EvalContext {
            func: FuncContext { now },
            layer: Layer::All,
        }
    }
}

impl CExpr {
    pub fn eval(&self, event: &Event, ctx: &EvalContext) -> Value {
        match self {
            CExpr::Field(name) => event.get_in(name, ctx.layer),
            CExpr::Literal(v) => v.clone(),
            CExpr::Not(e) => match e.eval(event, ctx) {
                Value::Bool(b) => Value::Bool(!b),
                _ => Value::Null,
            },
            CExpr::Neg(e) => match e.eval(event, ctx).as_numeric() {
                Some(Value::Int(i)) => i.checked_neg().map(Value::Int).unwrap_or(Value::Float(-(i as f64))),
                Some(Value::Float(f)) => Value::Float(-f),
                _ => Value::Null,
            },
            CExpr::Arith(op, a, b) => arith(*op, &a.eval(event, ctx), &b.eval(event, ctx)),
            CExpr::Concat(a, b) => {
                let (a, b) = (a.eval(event, ctx), b.eval(event, ctx));
                match (scalar_text(&a), scalar_text(&b)) {
                    (Some(x), Some(y)) => Value::from(format!("{x}{y}")),
                    _ => Value::Null,
                }
            }
            CExpr::Compare(op, a, b) => compare(*op, &a.eval(event, ctx), &b.eval(event, ctx)),
            CExpr::Like(a, p, compiled) => {
                let v = a.eval(event, ctx);
                match compiled {
                    Some(pattern) => {
                        if v.is_null() {
                            return Value::Null;
                        }
                        Value::Bool(v.iter().any(|i| i.as_text().is_some_and(|t| pattern.matches(&t))))
                    }
                    None => func::call(Func::Like, &[v, p.eval(event, ctx)], &Prepared::None, &ctx.func),
                }
            }
            CExpr::And(a, b) => match a.eval(event, ctx) {
                Value::Bool(false) => Value::Bool(false),
                Value::Bool(true) => match b.eval(event, ctx) {
                    Value::Bool(x) => Value::Bool(x),
                    _ => Value::Null,
                },
                _ => match b.eval(event, ctx) {
                    Value::Bool(false) => Value::Bool(false),
                    _ => Value::Null,
                },
            },
            CExpr::Or(a, b) => match a.eval(event, ctx) {
                Value::Bool(true) => Value::Bool(true),
                Value::Bool(false) => match b.eval(event, ctx) {
                    Value::Bool(x) => Value::Bool(x),
                    _ => Value::Null,
                },
                _ => match b.eval(event, ctx) {
                    Value::Bool(true) => Value::Bool(true),
                    _ => Value::Null,
                },
            },
            CExpr::Xor(a, b) => match (a.eval(event, ctx), b.eval(event, ctx)) {
                (Value::Bool(x), Value::Bool(y)) => Value::Bool(x != y),
                _ => Value::Null,
            },
            CExpr::In(e, list) => {
                let v = e.eval(event, ctx);
                if v.is_null() {
                    return Value::Null;
                }
                Value::Bool(list.iter().any(|c| values_equal(&v, &c.eval(event, ctx)) == Some(true)))
            }
            CExpr::If(c, a, b) => {
                if c.eval(event, ctx).as_bool() == Some(true) {
                    a.eval(event, ctx)
                } else {
                    b.eval(event, ctx)
                }
            }
            CExpr::Case(pairs) => pairs
                .iter()
                .find(|(c, _)| c.eval(event, ctx).as_bool() == Some(true))
                .map(|(_, v)| v.eval(event, ctx))
                .unwrap_or(Value::Null),
            CExpr::Coalesce(items) => items
                .iter()
                .map(|e| e.eval(event, ctx))
                .find(|v| !v.is_null())
                .unwrap_or(Value::Null),
            CExpr::Validate(pairs) => pairs
                .iter()
                .find(|(c, _)| c.eval(event, ctx).as_bool() != Some(true))
                .map(|(_, v)| v.eval(event, ctx))
                .unwrap_or(Value::Null),
            CExpr::NullIf(a, b) => {
                let (x, y) = (a.eval(event, ctx), b.eval(event, ctx));
                if values_equal(&x, &y) == Some(true) {
                    Value::Null
                } else {
                    x
                }
            }
            CExpr::Call(f, args, prepared) => {
                let values: Vec<Value> = args.iter().map(|a| a.eval(event, ctx)).collect();
                func::call(*f, &values, prepared, &ctx.func)
            }
            CExpr::SearchMatch(search) => Value::Bool(search.matches(event)),
            CExpr::PerValue { field, expr, filter } => {
                let values = event.get_in(field, ctx.layer);
                let mut one = event.clone();
                let mut out = Vec::new();
                for v in values.iter() {
                    one.set(field.clone(), v.clone());
                    let r = expr.eval(&one, ctx);
                    if !*filter {
                        out.push(r);
                    } else if r.as_bool() == Some(true) {
                        out.push(v.clone());
                    }
                }
                Value::multi(out)
            }
        }
    }

    /// True when the expression's result is exactly `true`.
    pub fn is_true(&self, event: &Event, ctx: &EvalContext) -> bool {
        self.eval(event, ctx).as_bool() == Some(true)
    }

    /// Field names the expression reads.
    pub fn fields(&self, out: &mut Vec<Name>) {
        match self {
            CExpr::Field(n) => out.push(n.clone()),
            CExpr::Literal(_) => {}
            CExpr::Not(e) | CExpr::Neg(e) => e.fields(out),
            CExpr::Arith(_, a, b)
            | CExpr::Concat(a, b)
            | CExpr::Compare(_, a, b)
            | CExpr::Like(a, b, _)
            | CExpr::And(a, b)
            | CExpr::Or(a, b)
            | CExpr::Xor(a, b)
            | CExpr::NullIf(a, b) => {
                a.fields(out);
                b.fields(out);
            }
            CExpr::In(e, list) => {
                e.fields(out);
                list.iter().for_each(|i| i.fields(out));
            }
            CExpr::If(c, a, b) => {
                c.fields(out);
                a.fields(out);
                b.fields(out);
            }
            CExpr::Case(pairs) | CExpr::Validate(pairs) => pairs.iter().for_each(|(c, v)| {
                c.fields(out);
                v.fields(out);
            }),
            CExpr::Coalesce(items) | CExpr::Call(_, items, _) => items.iter().for_each(|i| i.fields(out)),
            CExpr::SearchMatch(_) => {}
            CExpr::PerValue { field, expr, .. } => {
                out.push(field.clone());
                expr.fields(out);
            }
        }
    }
}

/// Text of a value for concatenation: a multivalue contributes its first value.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::Multi(items) => items.first().and_then(|i| i.as_text().map(|t| t.into_owned())),
        other => other.as_text().map(|t| t.into_owned()),
    }
}

fn arith(op: Arith, a: &Value, b: &Value) -> Value {
    if a.is_null() || b.is_null() || a.is_multi() || b.is_multi() {
        return Value::Null;
    }
    let (x, y) = match (a.as_numeric(), b.as_numeric()) {
        (Some(x), Some(y)) => (x, y),
        _ => {
            // `+` on two texts concatenates; any other mix is not a number.
            if op == Arith::Add {
                if let (Value::Str(s), Value::Str(t)) = (a, b) {
                    return Value::from(format!("{s}{t}"));
                }
            }
            return Value::Null;
        }
    };
    if let (Value::Int(i), Value::Int(j)) = (&x, &y) {
        let (i, j) = (*i, *j);
        let exact = match op {
            Arith::Add => i.checked_add(j),
            Arith::Sub => i.checked_sub(j),
            Arith::Mul => i.checked_mul(j),
            Arith::Div => {
                if j == 0 {
                    return Value::Null;
                }
                if i % j == 0 {
                    i.checked_div(j)
                } else {
                    return Value::Float(i as f64 / j as f64);
                }
            }
            Arith::Mod => {
                if j == 0 {
                    return Value::Null;
                }
                i.checked_rem(j)
            }
        };
        if let Some(r) = exact {
            return Value::Int(r);
        }
    }
    float_arith(op, x.as_number().unwrap_or(f64::NAN), y.as_number().unwrap_or(f64::NAN))
}

/// Arithmetic on two floats, as both languages do it: division or modulo by zero, and any
/// result that is not finite, give null.
pub fn float_arith(op: Arith, x: f64, y: f64) -> Value {
    let r = match op {
        Arith::Add => x + y,
        Arith::Sub => x - y,
        Arith::Mul => x * y,
        Arith::Div => {
            if y == 0.0 {
                return Value::Null;
            }
            x / y
        }
        Arith::Mod => {
            if y == 0.0 {
                return Value::Null;
            }
            x % y
        }
    };
    if r.is_finite() {
        Value::Float(r)
    } else {
        Value::Null
    }
}

/// Eval equality: null when either side is null; true when any pair of values is equal
/// (numbers numerically, text exactly).
pub fn values_equal(a: &Value, b: &Value) -> Option<bool> {
    if a.is_null() || b.is_null() {
        return None;
    }
    Some(
        a.iter()
            .any(|x| b.iter().any(|y| scalar_cmp(x, y) == Some(Ordering::Equal))),
    )
}

fn scalar_cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Bool(_), _) | (_, Value::Bool(_)) => None,
        _ => a.compare(b),
    }
}

pub fn compare(op: Cmp, a: &Value, b: &Value) -> Value {
    if a.is_null() || b.is_null() {
        return Value::Null;
    }
    let test = |o: Ordering| match op {
        Cmp::Eq => o == Ordering::Equal,
        Cmp::Ne => o != Ordering::Equal,
        Cmp::Lt => o == Ordering::Less,
        Cmp::Le => o != Ordering::Greater,
        Cmp::Gt => o == Ordering::Greater,
        Cmp::Ge => o != Ordering::Less,
    };
    if op == Cmp::Ne {
        return values_equal(a, b).map(|eq| Value::Bool(!eq)).unwrap_or(Value::Null);
    }
    Value::Bool(a.iter().any(|x| b.iter().any(|y| scalar_cmp(x, y).is_some_and(test))))
}
