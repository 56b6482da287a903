//! The search language: bare terms, `field=value` comparisons, `IN` lists, and `NOT`, `OR`,
//! `AND` (explicit or implied by juxtaposition) with parentheses.
//!
//! Splunk binds these differently from eval: NOT first, then OR, then AND, so
//! `A=1 AND B=2 OR C=3` means `A=1 AND (B=2 OR C=3)` and `a b OR c` means `a AND (b OR c)`
//! (Splunk Search Manual, "Boolean expressions", order of evaluation for the search command).

use crate::input::*;
use crate::spl::ast::{Field, Literal, Quote, SearchExpr, SearchKind, SearchOp};
use nom::Input as _;

/// A whole search expression, up to the end of the command (or a closing `)` of a group).
pub fn search_expr(i: Input) -> PResult<SearchExpr> {
    let _guard = enter(&i)?;
    let start = i;
    let mut operands = Vec::new();
    let mut i = sp(i);
    loop {
        if at_search_end(&i) {
            break;
        }
        if !operands.is_empty() {
            if let Some(rest) = upper_keyword(i, "AND") {
                i = sp(rest);
                if at_search_end(&i) {
                    return fatal(i, Expected::SearchTerm);
                }
            }
        }
        let (rest, operand) = or_expr(i)?;
        operands.push(operand);
        i = sp(rest);
    }
    if operands.is_empty() {
        return fail(i, Expected::SearchTerm);
    }
    let span = span_between(&sp(start), &i);
    let expr = if operands.len() == 1 {
        operands.pop().unwrap_or_else(|| unreachable_expr(span))
    } else {
        SearchExpr {
            kind: SearchKind::And(operands),
            span,
        }
    };
    Ok((i, expr))
}

fn unreachable_expr(span: crate::span::Span) -> SearchExpr {
    SearchExpr {
        kind: SearchKind::And(Vec::new()),
        span,
    }
}

fn at_search_end(i: &Input) -> bool {
    let text = i.fragment();
    text.is_empty() || text.starts_with('|') || text.starts_with(')') || text.starts_with(']')
}

fn or_expr(i: Input) -> PResult<SearchExpr> {
    let start = i;
    let (mut i, first) = not_expr(i)?;
    let mut operands = vec![first];
    loop {
        let after = sp(i);
        let Some(rest) = upper_keyword(after, "OR") else { break };
        let rest = sp(rest);
        if at_search_end(&rest) {
            return fatal(rest, Expected::SearchTerm);
        }
        let (rest, next) = commit(not_expr(rest))?;
        operands.push(next);
        i = rest;
    }
    if operands.len() == 1 {
        return Ok((i, operands.remove(0)));
    }
    Ok((
        i,
        SearchExpr {
            kind: SearchKind::Or(operands),
            span: span_between(&start, &i),
        },
    ))
}

fn not_expr(i: Input) -> PResult<SearchExpr> {
    if let Some(rest) = upper_keyword(i, "NOT") {
        let _guard = enter(&i)?;
        let rest = sp(rest);
        if at_search_end(&rest) {
            return fatal(rest, Expected::SearchTerm);
        }
        let (rest, inner) = commit(not_expr(rest))?;
        return Ok((
            rest,
            SearchExpr {
                kind: SearchKind::Not(Box::new(inner)),
                span: span_between(&i, &rest),
            },
        ));
    }
    primary(i)
}

fn primary(i: Input) -> PResult<SearchExpr> {
    if let Some(rest) = eat(i, "(") {
        let _guard = enter(&i)?;
        let inner_start = sp(rest);
        if inner_start.fragment().starts_with(')') {
            return fatal(inner_start, Expected::SearchTerm);
        }
        let (rest, inner) = commit(search_expr(inner_start))?;
        let rest = sp(rest);
        let Some(rest) = eat(rest, ")") else {
            return fatal(rest, Expected::ClosingParen);
        };
        return Ok((
            rest,
            SearchExpr {
                kind: SearchKind::Group(Box::new(inner)),
                span: span_between(&i, &rest),
            },
        ));
    }
    if peek_char(&i) == Some('"') {
        let (rest, (text, span)) = quoted(i, '"')?;
        // `"field name"=value`: a quoted field name on the left of a comparison.
        if let Some((after_op, op)) = comparison_op(sp(rest)) {
            let after_op = sp(after_op);
            if at_search_end(&after_op) {
                return fatal(after_op, Expected::Value);
            }
            let (after_value, value) = commit(value(after_op, false))?;
            let field = Field {
                name: text,
                quote: Quote::Double,
                span,
            };
            return Ok((
                after_value,
                SearchExpr {
                    kind: SearchKind::Compare { field, op, value },
                    span: span_between(&i, &after_value),
                },
            ));
        }
        return Ok((
            rest,
            SearchExpr {
                kind: SearchKind::Term(Literal {
                    text,
                    quote: Quote::Double,
                    span,
                }),
                span,
            },
        ));
    }
    if peek_char(&i) == Some('[') {
        let (rest, sub) = super::subsearch::subsearch(i)?;
        let span = sub.span;
        return Ok((
            rest,
            SearchExpr {
                kind: SearchKind::Subsearch(Box::new(sub)),
                span,
            },
        ));
    }
    let (rest, word) = search_word(i)?;
    let after = sp(rest);
    if let Some((rest, op)) = comparison_op(after) {
        let rest = sp(rest);
        if at_search_end(&rest) || rest.fragment().starts_with('(') {
            return fatal(rest, Expected::Value);
        }
        let (rest, value) = commit(value(rest, false))?;
        let field = Field {
            name: word.text,
            quote: Quote::None,
            span: word.span,
        };
        return Ok((
            rest,
            SearchExpr {
                kind: SearchKind::Compare { field, op, value },
                span: span_between(&i, &rest),
            },
        ));
    }
    if let Some(rest) = upper_keyword(after, "IN") {
        let list_start = sp(rest);
        if list_start.fragment().starts_with('(') {
            let (rest, values) = commit(in_list(list_start))?;
            let field = Field {
                name: word.text,
                quote: Quote::None,
                span: word.span,
            };
            return Ok((
                rest,
                SearchExpr {
                    kind: SearchKind::In { field, values },
                    span: span_between(&i, &rest),
                },
            ));
        }
    }
    let span = word.span;
    Ok((
        rest,
        SearchExpr {
            kind: SearchKind::Term(word),
            span,
        },
    ))
}

/// `( a, b "c d" )`: values separated by commas and/or whitespace.
fn in_list(i: Input) -> PResult<Vec<Literal>> {
    let open = i;
    let Some(mut i) = eat(i, "(") else {
        return fail(i, Expected::Char('('));
    };
    let mut values = Vec::new();
    loop {
        i = sp(i);
        if let Some(rest) = eat(i, ")") {
            if values.is_empty() {
                return fatal(i, Expected::Value);
            }
            return Ok((rest, values));
        }
        if let Some(rest) = eat(i, ",") {
            i = rest;
            continue;
        }
        if i.fragment().is_empty() || i.fragment().starts_with('|') {
            return Err(nom::Err::Failure(PError {
                len: 1,
                ..PError::at(&open, Expected::ClosingParen)
            }));
        }
        let (rest, v) = value(i, true)?;
        values.push(v);
        i = rest;
    }
}

fn comparison_op(i: Input) -> Option<(Input, SearchOp)> {
    for (text, op) in [
        ("!=", SearchOp::Ne),
        ("<=", SearchOp::Le),
        (">=", SearchOp::Ge),
        ("==", SearchOp::Eq),
        ("=", SearchOp::Eq),
        ("<", SearchOp::Lt),
        (">", SearchOp::Gt),
    ] {
        if let Some(rest) = eat(i, text) {
            return Some((rest, op));
        }
    }
    None
}

/// A bare word: everything up to whitespace, a parenthesis, a pipe, a quote or a comparison.
fn search_word(i: Input) -> PResult<Literal> {
    let text = i.fragment();
    let mut end = text.len();
    for (pos, c) in text.char_indices() {
        let stop = c.is_whitespace()
            || matches!(c, '(' | ')' | '|' | '"' | '=' | '<' | '>' | '[' | ']')
            || (c == '!' && text[pos + 1..].starts_with('='));
        if stop {
            end = pos;
            break;
        }
    }
    if end == 0 {
        return fail(i, Expected::SearchTerm);
    }
    let lit = Literal {
        text: text[..end].to_string(),
        quote: Quote::None,
        span: span_of(&i, end),
    };
    Ok((i.take_from(end), lit))
}
