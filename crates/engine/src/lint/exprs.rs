//! Findings about a single eval expression, whatever the pipeline around it: two constants
//! compared (L0001), a field name written as a string where a value is produced (L0002), and
//! a conditional whose branches are all the same (L0003).

use super::abs::{evaluate, show};
use super::names::Names;
use super::{finding, EQUAL_BRANCHES, FIELD_NAME_AS_VALUE, LITERAL_COMPARISON};
use crate::func::{self, Func};
use crate::lower::spl::decode_eval_string;
use quarry_syntax::spl::ast::{BinaryOp, Expr, ExprKind, Field, Quote};
use quarry_syntax::Diagnostic;

/// Checks `e` and everything in it. `yields` is true where the expression's value is what the
/// enclosing command stores or collects (the right side of `eval x=`, the argument of
/// `stats values(eval(...))`, the branches of `if` and `case` there, the parts of a `.`
/// concatenation there).
pub fn check(e: &Expr, yields: bool, names: &Names, out: &mut Vec<Diagnostic>) {
    match &e.kind {
        ExprKind::Group(inner) => check(inner, yields, names, out),
        ExprKind::Str(raw) => {
            let text = decode_eval_string(raw);
            if yields && names.is_misquoted_field(&text) {
                out.push(field_as_value(e, &text));
            }
        }
        ExprKind::Binary {
            op: BinaryOp::Concat,
            left,
            right,
        } => {
            // Text joined with `.` is part of the value produced.
            check(left, yields, names, out);
            check(right, yields, names, out);
        }
        ExprKind::Binary { op, left, right } if is_comparison(*op) => {
            if is_literal(left) && is_literal(right) && (is_string(left) || is_string(right)) {
                out.push(literal_comparison(e, &[left, right], names));
            }
            check(left, false, names, out);
            check(right, false, names, out);
        }
        ExprKind::Call { name, args } => {
            let func = func::lookup(&name.name).map(|i| i.func);
            match func {
                Some(Func::If) if args.len() == 3 => {
                    if args[1] == args[2] {
                        out.push(equal_branches(e, "if", &[&args[1], &args[2]]));
                    }
                    check(&args[0], false, names, out);
                    check(&args[1], yields, names, out);
                    check(&args[2], yields, names, out);
                }
                Some(Func::Case) if args.len().is_multiple_of(2) => {
                    let values: Vec<&Expr> = args.iter().skip(1).step_by(2).collect();
                    if values.len() >= 2 && values.iter().all(|v| *v == values[0]) {
                        out.push(equal_branches(e, "case", &values));
                    }
                    for (n, a) in args.iter().enumerate() {
                        check(a, yields && n % 2 == 1, names, out);
                    }
                }
                Some(Func::Like) if args.len() == 2 => {
                    if is_literal(&args[0]) && is_literal(&args[1]) {
                        out.push(literal_comparison(e, &[&args[0], &args[1]], names));
                    }
                    args.iter().for_each(|a| check(a, false, names, out));
                }
                _ => args.iter().for_each(|a| check(a, false, names, out)),
            }
        }
        _ => {
            for o in super::abs::operands(e) {
                check(o, false, names, out);
            }
        }
    }
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Eq
            | BinaryOp::EqEq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Like
    )
}

fn strip(e: &Expr) -> &Expr {
    match &e.kind {
        ExprKind::Group(inner) => strip(inner),
        _ => e,
    }
}

fn is_literal(e: &Expr) -> bool {
    matches!(strip(e).kind, ExprKind::Str(_) | ExprKind::Number(_))
}

fn is_string(e: &Expr) -> bool {
    matches!(strip(e).kind, ExprKind::Str(_))
}

/// The text of a string literal operand.
fn string_text(e: &Expr) -> Option<String> {
    match &strip(e).kind {
        ExprKind::Str(raw) => Some(decode_eval_string(raw)),
        _ => None,
    }
}

/// `e` with every string operand that could be a field name turned into that field.
fn with_fields(e: &Expr, names: &Names) -> Expr {
    let mut fixed = e.clone();
    let operands: Vec<&mut Expr> = match &mut fixed.kind {
        ExprKind::Binary { left, right, .. } => vec![&mut **left, &mut **right],
        ExprKind::Call { args, .. } => args.iter_mut().take(1).collect(),
        _ => Vec::new(),
    };
    for o in operands {
        if let Some(text) = string_text(o) {
            if names.could_be_field(&text) {
                *o = Expr {
                    kind: ExprKind::Field(Field {
                        name: text,
                        quote: Quote::Single,
                        span: o.span,
                    }),
                    span: o.span,
                };
            }
        }
    }
    fixed
}

/// L0001: `"outcome.result"="SUCCESS"` compares two strings.
fn literal_comparison(e: &Expr, sides: &[&Expr], names: &Names) -> Diagnostic {
    let value = evaluate(e).map(|v| show(&v)).unwrap_or_else(|| "the same".into());
    let field = sides
        .iter()
        .filter_map(|s| string_text(s).map(|t| (s, t)))
        .find(|(_, t)| names.could_be_field(t));
    let mut d = finding(
        LITERAL_COMPARISON,
        format!("this compares two constants, so it is always {value}"),
    )
    .with_label(e.span, format!("always {value}"));
    match field {
        Some((side, text)) => {
            d = d
                .with_secondary(side.span, format!("a string, not the field `{text}`"))
                .with_help(format!(
                    "did you mean '{text}'? In eval, double quotes make a string and single quotes name a field: {}",
                    with_fields(e, names)
                ));
        }
        None => {
            d = d.with_help("compare a field with the value: <field>=\"value\"");
        }
    }
    d
}

/// L0002: `eval groupby="authenticationContext.externalSessionId"` stores the text.
fn field_as_value(e: &Expr, text: &str) -> Diagnostic {
    finding(
        FIELD_NAME_AS_VALUE,
        format!("\"{text}\" is a string here, not the field `{text}`"),
    )
    .with_label(e.span, "every event gets this text")
    .with_help(format!(
        "did you mean the field '{text}'? In eval, double quotes make a string and single quotes name a field"
    ))
}

/// L0003: `if(c, 0, 0)`, `case(a, "x", b, "x")`.
fn equal_branches(e: &Expr, func: &str, values: &[&Expr]) -> Diagnostic {
    let value = values.first().map(|v| v.to_string()).unwrap_or_default();
    let what = if func == "if" {
        "both branches of this `if`"
    } else {
        "every branch of this `case`"
    };
    let mut d = finding(
        EQUAL_BRANCHES,
        format!("{what} give {value}: the condition makes no difference"),
    )
    .with_label(e.span, format!("always {value}"));
    for v in values {
        d = d.with_secondary(v.span, "");
    }
    let help = if func == "if" {
        "give the branches different values, for example if(<condition>, 1, 0)"
    } else {
        "give the branches different values, or replace the case with its value"
    };
    d.with_help(help)
}
