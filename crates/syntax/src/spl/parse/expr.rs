//! Eval expressions (`eval`, `where`, `stats ... eval(...)`): precedence climbing over
//! XOR < OR < AND < NOT < comparisons (`= == != < <= > >= LIKE IN`) < `+ - .` < `* / %` < unary.
//!
//! In eval, `"..."` is always a string and `'...'` always a field; a bare name is a field, and a
//! `.` between two operands concatenates them (`a.b` is `a . b`, write `'a.b'` for the field).
//! Keywords (`AND`, `OR`, `NOT`, `XOR`, `LIKE`, `IN`) are accepted in any case.

use crate::input::*;
use crate::spl::ast::{
    BinaryOp, Expr, ExprKind, Field, Ident, Quote, UnaryOp, IN_PRECEDENCE, NEG_PRECEDENCE, NOT_PRECEDENCE,
};
use nom::Input as _;

/// Operators in a row before an expression is refused: a chain `a+b+c+...` builds a tree as
/// deep as it is long.
const MAX_CHAIN: usize = 1000;

pub fn expr(i: Input) -> PResult<Expr> {
    expr_bp(sp(i), 0)
}

fn expr_bp(i: Input, min_prec: u8) -> PResult<Expr> {
    let _guard = enter(&i)?;
    let start = i;
    let (mut i, mut lhs) = unary(i)?;
    let mut chained = 0;
    loop {
        chained += 1;
        if chained > MAX_CHAIN {
            return fatal(
                i,
                Expected::Message(format!(
                    "expression too long (more than {MAX_CHAIN} operators in a row)"
                )),
            );
        }
        let after = sp(i);
        if let Some(rest) = keyword(after, "IN") {
            if IN_PRECEDENCE < min_prec {
                break;
            }
            let list_start = sp(rest);
            if !list_start.fragment().starts_with('(') {
                return fatal(list_start, Expected::Char('('));
            }
            let (rest, list) = commit(call_args(list_start))?;
            if list.is_empty() {
                return fatal(list_start, Expected::Expression);
            }
            lhs = Expr {
                span: span_between(&start, &rest),
                kind: ExprKind::In {
                    expr: Box::new(lhs),
                    list,
                },
            };
            i = rest;
            continue;
        }
        let Some((rest, op)) = binary_op(after) else { break };
        let prec = op.precedence();
        if prec < min_prec {
            break;
        }
        let rhs_start = sp(rest);
        if rhs_start.fragment().is_empty() || rhs_start.fragment().starts_with('|') {
            return fatal(rhs_start, Expected::Expression);
        }
        let (rest, rhs) = commit(expr_bp(rhs_start, prec + 1))?;
        lhs = Expr {
            span: span_between(&start, &rest),
            kind: ExprKind::Binary {
                op,
                left: Box::new(lhs),
                right: Box::new(rhs),
            },
        };
        i = rest;
    }
    Ok((i, lhs))
}

fn unary(i: Input) -> PResult<Expr> {
    if let Some(rest) = keyword(i, "NOT") {
        let (rest, inner) = commit(expr_bp(sp(rest), NOT_PRECEDENCE))?;
        return Ok((
            rest,
            Expr {
                span: span_between(&i, &rest),
                kind: ExprKind::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(inner),
                },
            },
        ));
    }
    for (sign, op) in [("-", UnaryOp::Neg), ("+", UnaryOp::Plus)] {
        if let Some(rest) = eat(i, sign) {
            let (rest, inner) = commit(expr_bp(sp(rest), NEG_PRECEDENCE))?;
            return Ok((
                rest,
                Expr {
                    span: span_between(&i, &rest),
                    kind: ExprKind::Unary {
                        op,
                        expr: Box::new(inner),
                    },
                },
            ));
        }
    }
    primary(i)
}

fn primary(i: Input) -> PResult<Expr> {
    match peek_char(&i) {
        None => fail(i, Expected::Expression),
        Some('(') => {
            let _guard = enter(&i)?;
            let (rest, inner) = commit(expr(i.take_from(1)))?;
            let rest = sp(rest);
            let Some(rest) = eat(rest, ")") else {
                return fatal(rest, Expected::ClosingParen);
            };
            Ok((
                rest,
                Expr {
                    span: span_between(&i, &rest),
                    kind: ExprKind::Group(Box::new(inner)),
                },
            ))
        }
        Some('"') => {
            let (rest, (text, span)) = quoted(i, '"')?;
            Ok((
                rest,
                Expr {
                    kind: ExprKind::Str(text),
                    span,
                },
            ))
        }
        Some('\'') => {
            let (rest, (name, span)) = quoted(i, '\'')?;
            Ok((
                rest,
                Expr {
                    kind: ExprKind::Field(Field {
                        name,
                        quote: Quote::Single,
                        span,
                    }),
                    span,
                },
            ))
        }
        Some(c) if c.is_ascii_digit() => number(i),
        Some('.') if i.fragment()[1..].starts_with(|c: char| c.is_ascii_digit()) => number(i),
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            let (rest, name) = ident(i)?;
            let after = sp(rest);
            if after.fragment().starts_with('(') {
                let (rest, args) = call_args(after)?;
                return Ok((
                    rest,
                    Expr {
                        span: span_between(&i, &rest),
                        kind: ExprKind::Call { name, args },
                    },
                ));
            }
            Ok((rest, field_expr(name)))
        }
        Some(_) => fail(i, Expected::Expression),
    }
}

fn field_expr(name: Ident) -> Expr {
    Expr {
        span: name.span,
        kind: ExprKind::Field(Field {
            name: name.name,
            quote: Quote::None,
            span: name.span,
        }),
    }
}

/// `(a, b, ...)`, possibly empty.
pub fn call_args(i: Input) -> PResult<Vec<Expr>> {
    let open = i;
    let Some(rest) = eat(i, "(") else {
        return fail(i, Expected::Char('('));
    };
    let _guard = enter(&i)?;
    let mut i = sp(rest);
    let mut args = Vec::new();
    if let Some(rest) = eat(i, ")") {
        return Ok((rest, args));
    }
    loop {
        let (rest, arg) = commit(expr(i))?;
        args.push(arg);
        let rest = sp(rest);
        if let Some(rest) = eat(rest, ",") {
            i = sp(rest);
            continue;
        }
        if let Some(rest) = eat(rest, ")") {
            return Ok((rest, args));
        }
        if rest.fragment().is_empty() || rest.fragment().starts_with('|') {
            return Err(nom::Err::Failure(PError {
                len: 1,
                ..PError::at(&open, Expected::ClosingParen)
            }));
        }
        return fatal(rest, Expected::Message("expected `,` or `)`".into()));
    }
}

fn number(i: Input) -> PResult<Expr> {
    let text = i.fragment();
    let end = number_len(text);
    if text[end..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    {
        return fatal(
            i,
            Expected::Message("a name must not start with a digit: quote it as a field, 'name'".into()),
        );
    }
    let span = span_of(&i, end);
    Ok((
        i.take_from(end),
        Expr {
            kind: ExprKind::Number(text[..end].to_string()),
            span,
        },
    ))
}

fn binary_op(i: Input) -> Option<(Input, BinaryOp)> {
    for (text, op) in [
        ("==", BinaryOp::EqEq),
        ("!=", BinaryOp::Ne),
        ("<=", BinaryOp::Le),
        (">=", BinaryOp::Ge),
        ("=", BinaryOp::Eq),
        ("<", BinaryOp::Lt),
        (">", BinaryOp::Gt),
        ("+", BinaryOp::Add),
        ("-", BinaryOp::Sub),
        ("*", BinaryOp::Mul),
        ("/", BinaryOp::Div),
        ("%", BinaryOp::Mod),
        (".", BinaryOp::Concat),
    ] {
        if let Some(rest) = eat(i, text) {
            return Some((rest, op));
        }
    }
    for (word, op) in [
        ("AND", BinaryOp::And),
        ("OR", BinaryOp::Or),
        ("XOR", BinaryOp::Xor),
        ("LIKE", BinaryOp::Like),
    ] {
        if let Some(rest) = keyword(i, word) {
            return Some((rest, op));
        }
    }
    None
}
