//! `stats` and `eventstats`: `[<option>=<value>]... <agg> [as <name>] [[,] <agg> ...] [by <field>...]`
//! where `<agg>` is `func`, `func(field)` or `func(eval(<expression>))` (also read by `streamstats`).

use super::super::expr::expr;
use crate::input::*;
use crate::spl::ast::{AggArg, Aggregation, Command, Stats, StatsKind};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>, kind: StatsKind) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        i = sp(rest);
    }
    let mut aggregations = Vec::new();
    loop {
        i = sp(i);
        if let Some(rest) = eat(i, ",") {
            if aggregations.is_empty() {
                return fatal(i, Expected::Aggregation);
            }
            i = rest;
            continue;
        }
        if at_command_end(&i) || keyword(i, "by").is_some() {
            break;
        }
        let (rest, agg) = commit(aggregation(i))?;
        aggregations.push(agg);
        i = rest;
    }
    if aggregations.is_empty() {
        return fatal(i, Expected::Aggregation);
    }
    let mut by = Vec::new();
    if let Some(rest) = keyword(i, "by") {
        let after = sp(rest);
        if at_command_end(&after) {
            return fatal(after, Expected::FieldName);
        }
        let (rest, fields) = field_list(after, &|_| false)?;
        by = fields;
        i = rest;
    }
    Ok((
        i,
        Command::Stats(Stats {
            kind,
            options,
            aggregations,
            by,
            span: span_between(&start, &i),
        }),
    ))
}

pub(super) fn aggregation(i: Input) -> PResult<Aggregation> {
    let start = i;
    let (rest, func) = match ident(i) {
        Ok(ok) => ok,
        Err(_) => return fatal(i, Expected::Aggregation),
    };
    let mut rest = rest;
    let mut arg = None;
    if let Some(after) = eat(rest, "(") {
        let inner = sp(after);
        if let Some(after_eval) = keyword(inner, "eval").and_then(|r| eat(sp(r), "(")) {
            let (after_expr, e) = commit(expr(after_eval))?;
            let after_expr = sp(after_expr);
            let Some(after_expr) = eat(after_expr, ")") else {
                return fatal(after_expr, Expected::ClosingParen);
            };
            arg = Some(AggArg::Eval(e));
            rest = sp(after_expr);
        } else {
            let (after_field, f) = commit(field(inner))?;
            arg = Some(AggArg::Field(f));
            rest = sp(after_field);
        }
        let Some(after_close) = eat(rest, ")") else {
            return fatal(rest, Expected::ClosingParen);
        };
        rest = after_close;
    }
    let mut alias = None;
    let after = sp(rest);
    if let Some(after_as) = keyword(after, "as") {
        let after_as = sp(after_as);
        let (after_alias, name) = commit(field(after_as))?;
        alias = Some(name);
        rest = after_alias;
    }
    Ok((
        rest,
        Aggregation {
            span: span_between(&start, &rest),
            func,
            arg,
            alias,
        },
    ))
}
