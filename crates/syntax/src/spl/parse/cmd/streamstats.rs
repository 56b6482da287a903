//! `streamstats [<option>=<value>]... <agg> [as <name>] [[,] <agg> ...] [by <field>...] [<option>=<value>]...`.
//!
//! The aggregations are read as `stats` reads them. Options may come before the aggregations,
//! between them, or after the by clause, as Splunk allows. `reset_before=` and `reset_after=`
//! hold an eval expression in a quoted string; it is read here, so a mistake in it is a syntax
//! error with a caret like any other.

use super::super::expr::expr;
use super::stats::aggregation;
use crate::input::*;
use crate::span::{SourceId, Span};
use crate::spl::ast::{Command, Expr, ExprKind, Literal, Quote, ResetOption, StreamStats};
use nom::Input as _;

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = i;
    let mut end = i;
    let mut options = Vec::new();
    let mut resets = Vec::new();
    let mut aggregations = Vec::new();
    let mut by = Vec::new();
    loop {
        i = sp(i);
        if at_command_end(&i) {
            break;
        }
        if looks_like_option(&i) {
            if is_reset(&i) {
                let (rest, reset) = reset_option(i)?;
                resets.push(reset);
                i = rest;
            } else {
                let (rest, opt) = option(i)?;
                options.push(opt);
                i = rest;
            }
            end = i;
            continue;
        }
        if !by.is_empty() {
            // Only options may follow the by clause; the pipeline reports what is left.
            break;
        }
        if let Some(rest) = eat(i, ",") {
            if aggregations.is_empty() {
                return fatal(i, Expected::Aggregation);
            }
            i = rest;
            continue;
        }
        if let Some(rest) = keyword(i, "by") {
            if aggregations.is_empty() {
                return fatal(i, Expected::Aggregation);
            }
            let after = sp(rest);
            if at_command_end(&after) || looks_like_option(&after) {
                return fatal(after, Expected::FieldName);
            }
            let (rest, fields) = field_list(after, &|x| looks_like_option(x))?;
            by = fields;
            i = rest;
            end = i;
            continue;
        }
        let (rest, agg) = commit(aggregation(i))?;
        aggregations.push(agg);
        i = rest;
        end = i;
    }
    if aggregations.is_empty() {
        return fatal(i, Expected::Aggregation);
    }
    Ok((
        end,
        Command::StreamStats(StreamStats {
            options,
            resets,
            aggregations,
            by,
            span: span_between(&start, &end),
        }),
    ))
}

fn is_reset(i: &Input) -> bool {
    ident(*i).is_ok_and(|(_, name)| name.is("reset_before") || name.is("reset_after"))
}

/// `reset_before=<value>` or `reset_after=<value>`, the value holding an eval expression.
fn reset_option(i: Input) -> PResult<ResetOption> {
    let start = i;
    let (rest, name) = ident(i)?;
    let Some(value_start) = eat(rest, "=") else {
        return fatal(rest, Expected::Char('='));
    };
    let (rest, value) = joined_value(value_start)?;
    let text = decode_joined(&value.to_string());
    // Offsets inside the expression count from the first character after an opening quote;
    // they are exact unless the value holds escapes or joined parts.
    let base = value_start.location_offset() + usize::from(value_start.fragment().starts_with('"'));
    let expr = embedded_expr(&text, value_start.extra, base)?;
    Ok((
        rest,
        ResetOption {
            span: span_between(&start, &rest),
            name,
            value,
            expr,
        },
    ))
}

/// One argument as Splunk's argument reader sees it: quoted parts and bare parts joined up to
/// whitespace, `|` or `]`. A single quoted part keeps quote `Double`; anything else is kept as
/// written with quote `None`.
fn joined_value(i: Input) -> PResult<Literal> {
    let text = i.fragment();
    let mut end = 0;
    let mut parts = 0;
    loop {
        let rest = &text[end..];
        match rest.chars().next() {
            None => break,
            Some(c) if c.is_whitespace() || c == '|' || c == ']' => break,
            Some('"') => {
                let (after, _) = quoted(i.take_from(end), '"')?;
                end = after.location_offset() - i.location_offset();
            }
            Some(_) => end += bare_part_len(rest),
        }
        parts += 1;
    }
    if end == 0 {
        return fatal(i, Expected::Value);
    }
    let literal = if parts == 1 && text.starts_with('"') {
        Literal {
            text: text[1..end - 1].to_string(),
            quote: Quote::Double,
            span: span_of(&i, end),
        }
    } else {
        Literal {
            text: text[..end].to_string(),
            quote: Quote::None,
            span: span_of(&i, end),
        }
    };
    Ok((i.take_from(end), literal))
}

/// Length of an unquoted part: up to whitespace, `|`, `]` or an unescaped `"`.
fn bare_part_len(text: &str) -> usize {
    let mut escaped = false;
    for (pos, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c.is_whitespace() || matches!(c, '|' | ']' | '"') {
            return pos;
        }
    }
    text.len()
}

/// The text an argument stands for: quotes removed, `\"` and `\\` unescaped.
fn decode_joined(written: &str) -> String {
    let mut out = String::new();
    let mut chars = written.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            },
            '"' => {}
            other => out.push(other),
        }
    }
    out
}

/// Parses `text` as a whole eval expression; spans and errors are moved to start at `base`
/// in source `source`.
fn embedded_expr(text: &str, source: SourceId, base: usize) -> Result<Expr, nom::Err<PError>> {
    let at = |i: &Input, expected: Expected| {
        let mut p = PError::at(i, expected);
        p.offset += base;
        nom::Err::Failure(p)
    };
    let input = Input::new_extra(text, source);
    if sp(input).fragment().is_empty() {
        return Err(at(&input, Expected::Expression));
    }
    let (rest, mut e) = expr(input).map_err(|e| match e {
        nom::Err::Error(mut p) | nom::Err::Failure(mut p) => {
            p.offset += base;
            nom::Err::Failure(p)
        }
        other => other,
    })?;
    let rest = sp(rest);
    if !rest.fragment().is_empty() {
        return Err(at(
            &rest,
            Expected::Message(
                "unexpected text after the expression (a `\"` inside the value is written `\\\"`)".into(),
            ),
        ));
    }
    shift(&mut e, u32::try_from(base).unwrap_or(u32::MAX));
    Ok(e)
}

/// Moves every span of `e` forward by `by` bytes.
fn shift(e: &mut Expr, by: u32) {
    let mv = |s: &mut Span| {
        s.start = s.start.saturating_add(by);
        s.end = s.end.saturating_add(by);
    };
    mv(&mut e.span);
    match &mut e.kind {
        ExprKind::Field(f) => mv(&mut f.span),
        ExprKind::Str(_) | ExprKind::Number(_) => {}
        ExprKind::Call { name, args } => {
            mv(&mut name.span);
            args.iter_mut().for_each(|a| shift(a, by));
        }
        ExprKind::Unary { expr, .. } => shift(expr, by),
        ExprKind::Binary { left, right, .. } => {
            shift(left, by);
            shift(right, by);
        }
        ExprKind::In { expr, list } => {
            shift(expr, by);
            list.iter_mut().for_each(|a| shift(a, by));
        }
        ExprKind::Group(inner) => shift(inner, by),
    }
}
