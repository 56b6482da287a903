//! Abstract evaluation of SPL expressions over the constant fields known at a point of the
//! pipeline: eval expressions (`eval`, `where`, `stats ... eval(...)`) and search expressions
//! (`search`). Also finds the parts of a never-true condition that make it so.

use super::abs::{evaluate, fold, operands, show, Abs, Fact, Truth};
use crate::func::{self, Func};
use crate::value::Value;
use indexmap::IndexMap;
use quarry_syntax::spl::ast::{BinaryOp, Expr, ExprKind, SearchExpr, SearchKind, UnaryOp};
use quarry_syntax::Span;

/// Constant fields by name.
pub type Facts = IndexMap<String, Fact>;

/// What is known about an eval expression on every event.
pub fn eval(e: &Expr, facts: &Facts) -> Fact {
    match &e.kind {
        ExprKind::Field(f) => facts.get(&f.name).cloned().unwrap_or_else(Fact::unknown),
        ExprKind::Str(_) | ExprKind::Number(_) => evaluate(e).map(Fact::constant).unwrap_or_else(Fact::unknown),
        ExprKind::Group(inner) => eval(inner, facts),
        ExprKind::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => and(eval(left, facts), eval(right, facts), e),
        ExprKind::Binary {
            op: BinaryOp::Or,
            left,
            right,
        } => or(eval(left, facts), eval(right, facts), e),
        ExprKind::Call { name, args } => match func::lookup(&name.name).map(|i| i.func) {
            Some(Func::If) if args.len() == 3 => if_(&args[0], &args[1], &args[2], facts),
            Some(Func::Case) if args.len().is_multiple_of(2) => case(args, facts),
            Some(Func::Coalesce) => coalesce(args, facts),
            Some(Func::Random | Func::Now | Func::Time) | None => Fact::unknown(),
            Some(_) => strict(e, facts),
        },
        _ => strict(e, facts),
    }
}

/// An operation that needs all its operands: computed when they are all constant; null when
/// an operand that null propagates through is null; null when dividing by zero.
fn strict(e: &Expr, facts: &Facts) -> Fact {
    let args: Vec<Fact> = operands(e).into_iter().map(|a| eval(a, facts)).collect();
    let divides_by_zero = matches!(
        &e.kind,
        ExprKind::Binary {
            op: BinaryOp::Div | BinaryOp::Mod,
            ..
        }
    ) && args.get(1).and_then(Fact::constant_value).and_then(Value::as_number) == Some(0.0);
    let values: Option<Vec<Value>> = args.iter().map(|f| f.constant_value().cloned()).collect();
    let mut fact = if let Some(values) = values {
        match fold(e, &values) {
            Some(v) => Fact::constant(v).with_origins_of(&args),
            None => return Fact::unknown(),
        }
    } else if let Some(null) = args
        .iter()
        .find(|f| propagates_null(e) && f.constant_value().is_some_and(Value::is_null))
    {
        Fact::constant(Value::Null).with_origins_of([null])
    } else if divides_by_zero {
        Fact::constant(Value::Null).with_origins_of(&args[1..])
    } else {
        return Fact::unknown();
    };
    fact.because = if divides_by_zero {
        Some("it divides by zero, which gives null".into())
    } else {
        args.iter().find_map(|a| a.because.clone())
    };
    fact
}

/// Does a null operand make the result null?
fn propagates_null(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Binary { op, .. } => !matches!(op, BinaryOp::Xor),
        ExprKind::Unary { op, .. } => *op != UnaryOp::Not,
        _ => false,
    }
}

fn is_false(f: &Fact) -> bool {
    matches!(f.abs, Abs::Const(Value::Bool(false)))
}

/// Three-valued AND: false wins; null or never-true on either side makes it never true.
fn and(a: Fact, b: Fact, e: &Expr) -> Fact {
    if let Some(f) = [&a, &b].into_iter().find(|f| is_false(f)) {
        return f.clone();
    }
    if let (Some(x), Some(y)) = (a.constant_value(), b.constant_value()) {
        if let Some(v) = fold(e, &[x.clone(), y.clone()]) {
            return Fact::constant(v).with_origins_of([&a, &b]);
        }
    }
    let never: Vec<&Fact> = [&a, &b].into_iter().filter(|f| f.truth() == Truth::Never).collect();
    if !never.is_empty() {
        return Fact {
            abs: Abs::NeverTrue,
            origins: Vec::new(),
            because: None,
        }
        .with_origins_of(never);
    }
    Fact::unknown()
}

/// Three-valued OR: true wins; never true only when both sides are never true.
fn or(a: Fact, b: Fact, e: &Expr) -> Fact {
    if let Some(t) = [&a, &b].into_iter().find(|f| f.truth() == Truth::Always) {
        return t.clone();
    }
    if let (Some(x), Some(y)) = (a.constant_value(), b.constant_value()) {
        if let Some(v) = fold(e, &[x.clone(), y.clone()]) {
            return Fact::constant(v).with_origins_of([&a, &b]);
        }
    }
    if a.truth() == Truth::Never && b.truth() == Truth::Never {
        return Fact {
            abs: Abs::NeverTrue,
            origins: Vec::new(),
            because: None,
        }
        .with_origins_of([&a, &b]);
    }
    Fact::unknown()
}

/// `if(c, x, y)`: the branch the condition always takes, or the common value of both.
fn if_(c: &Expr, yes: &Expr, no: &Expr, facts: &Facts) -> Fact {
    let cond = eval(c, facts);
    match cond.truth() {
        Truth::Always => eval(yes, facts).with_origins_of([&cond]),
        Truth::Never => {
            let reason = match &cond.abs {
                Abs::Const(Value::Bool(false)) | Abs::NeverTrue => "the condition of its `if` is never true",
                _ => "the condition of its `if` is always null",
            };
            eval(no, facts).with_origins_of([&cond]).because(reason)
        }
        Truth::Maybe => {
            if yes == no {
                return eval(yes, facts).because("both branches of its `if` are the same");
            }
            join(&[eval(yes, facts), eval(no, facts)])
        }
    }
}

/// `case(c1, v1, ...)`: the values it can take (null when no condition holds).
fn case(args: &[Expr], facts: &Facts) -> Fact {
    let mut results = Vec::new();
    let mut exhaustive = false;
    for pair in args.chunks(2) {
        let cond = eval(&pair[0], facts);
        match cond.truth() {
            Truth::Never => continue,
            Truth::Always => {
                results.push(eval(&pair[1], facts));
                exhaustive = true;
                break;
            }
            Truth::Maybe => results.push(eval(&pair[1], facts)),
        }
    }
    if !exhaustive {
        results.push(Fact::constant(Value::Null));
    }
    join(&results)
}

/// `coalesce(a, b, ...)`: the first argument that is not always null, when it is constant.
fn coalesce(args: &[Expr], facts: &Facts) -> Fact {
    let mut skipped = Vec::new();
    for a in args {
        let f = eval(a, facts);
        match f.constant_value() {
            Some(Value::Null) => skipped.push(f),
            Some(_) => return f.with_origins_of(&skipped),
            None => return Fact::unknown(),
        }
    }
    Fact::constant(Value::Null).with_origins_of(&skipped)
}

/// The common constant of several possible results.
fn join(results: &[Fact]) -> Fact {
    let Some(first) = results.first().and_then(Fact::constant_value) else {
        return Fact::unknown();
    };
    if results
        .iter()
        .all(|r| r.constant_value().is_some_and(|v| super::abs::same(v, first)))
    {
        let mut fact = Fact::constant(first.clone()).with_origins_of(results);
        fact.because = results.iter().find_map(|r| r.because.clone());
        return fact;
    }
    Fact::unknown()
}

/// What is known about a search expression: whether it matches every event or none.
pub fn search(e: &SearchExpr, facts: &Facts) -> Fact {
    match &e.kind {
        SearchKind::Group(inner) => search(inner, facts),
        SearchKind::Not(inner) => match search(inner, facts) {
            f @ Fact {
                abs: Abs::Const(Value::Bool(_)),
                ..
            } => {
                let flipped = f.constant_value().and_then(Value::as_bool).map(|b| !b);
                Fact {
                    abs: flipped.map(|b| Abs::Const(Value::Bool(b))).unwrap_or(Abs::Unknown),
                    ..f
                }
            }
            _ => Fact::unknown(),
        },
        SearchKind::And(items) => {
            let parts: Vec<Fact> = items.iter().map(|i| search(i, facts)).collect();
            let false_parts: Vec<&Fact> = parts.iter().filter(|p| is_false(p)).collect();
            if !false_parts.is_empty() {
                return Fact::constant(Value::Bool(false)).with_origins_of(false_parts);
            }
            if parts.iter().all(|p| p.truth() == Truth::Always) {
                return Fact::constant(Value::Bool(true)).with_origins_of(&parts);
            }
            Fact::unknown()
        }
        SearchKind::Or(items) => {
            let parts: Vec<Fact> = items.iter().map(|i| search(i, facts)).collect();
            if let Some(t) = parts.iter().find(|p| p.truth() == Truth::Always) {
                return t.clone();
            }
            if parts.iter().all(is_false) {
                return Fact::constant(Value::Bool(false)).with_origins_of(&parts);
            }
            Fact::unknown()
        }
        SearchKind::Term(_) | SearchKind::Subsearch(_) => Fact::unknown(),
        SearchKind::Compare { field, .. } | SearchKind::In { field, .. } => {
            let Some(fact) = facts.get(&field.name) else {
                return Fact::unknown();
            };
            let Some(value) = fact.constant_value() else {
                return Fact::unknown();
            };
            let Ok(compiled) = crate::lower::spl::lower_search(e) else {
                return Fact::unknown();
            };
            let matched = compiled.matches(&super::abs::row_with(&field.name, value));
            Fact::constant(Value::Bool(matched)).with_origins_of([fact])
        }
    }
}

/// The parts of a never-true eval condition that make it so, each with a label.
pub fn blame(e: &Expr, facts: &Facts, out: &mut Vec<(Span, String)>) {
    match &e.kind {
        ExprKind::Group(inner) => blame(inner, facts, out),
        ExprKind::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => {
            let before = out.len();
            for side in [left, right] {
                if eval(side, facts).truth() == Truth::Never {
                    blame(side, facts, out);
                }
            }
            if out.len() == before {
                out.push((e.span, leaf_label(&eval(e, facts), e)));
            }
        }
        ExprKind::Binary {
            op: BinaryOp::Or,
            left,
            right,
        } => {
            blame(left, facts, out);
            blame(right, facts, out);
        }
        _ => out.push((e.span, leaf_label(&eval(e, facts), e))),
    }
}

/// The parts of a never-matching search expression that make it so.
pub fn blame_search(e: &SearchExpr, facts: &Facts, out: &mut Vec<(Span, String)>) {
    match &e.kind {
        SearchKind::Group(inner) => blame_search(inner, facts, out),
        SearchKind::And(items) => {
            for item in items {
                if is_false(&search(item, facts)) {
                    blame_search(item, facts, out);
                }
            }
        }
        SearchKind::Or(items) => items.iter().for_each(|i| blame_search(i, facts, out)),
        _ => {
            let fact = search(e, facts);
            let fields: Vec<String> = fact
                .origins
                .iter()
                .filter(|o| search_reads(e, &o.field))
                .map(|o| format!("`{}` is always {}", o.field, show(&o.value)))
                .collect();
            out.push((e.span, never_label(&fields)));
        }
    }
}

fn search_reads(e: &SearchExpr, field: &str) -> bool {
    match &e.kind {
        SearchKind::Compare { field: f, .. } | SearchKind::In { field: f, .. } => f.name == field,
        SearchKind::Group(inner) | SearchKind::Not(inner) => search_reads(inner, field),
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().any(|i| search_reads(i, field)),
        SearchKind::Term(_) | SearchKind::Subsearch(_) => false,
    }
}

/// "never true: `x` is always 0" for a leaf condition, naming the constant fields it reads.
fn leaf_label(fact: &Fact, e: &Expr) -> String {
    let mut read = Vec::new();
    fields_read(e, &mut read);
    let fields: Vec<String> = fact
        .origins
        .iter()
        .filter(|o| read.contains(&o.field.as_str()))
        .map(|o| format!("`{}` is always {}", o.field, show(&o.value)))
        .collect();
    if fields.is_empty() && read.is_empty() {
        return "never true: it compares constants".into();
    }
    never_label(&fields)
}

fn never_label(fields: &[String]) -> String {
    if fields.is_empty() {
        "never true".into()
    } else {
        format!("never true: {}", fields.join(", "))
    }
}

/// The field names an expression reads.
pub fn fields_read<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
    if let ExprKind::Field(f) = &e.kind {
        if !out.contains(&f.name.as_str()) {
            out.push(&f.name);
        }
    }
    for o in operands(e) {
        fields_read(o, out);
    }
}
