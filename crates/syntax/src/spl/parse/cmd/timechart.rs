//! `timechart [<option>=<value>]... <agg>... [by <field>] [<option>=<value>]...`.

use super::stats::aggregation;
use crate::input::*;
use crate::spl::ast::{Command, TimeChart};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut aggregations = Vec::new();
    let mut by = None;
    let mut end = i;
    loop {
        if let Some(rest) = eat(i, ",") {
            i = sp(rest);
            continue;
        }
        if at_command_end(&i) {
            break;
        }
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            end = rest;
            i = sp(rest);
            continue;
        }
        if by.is_none() {
            if let Some(rest) = keyword(i, "by") {
                let (rest, f) = commit(field(sp(rest)))?;
                by = Some(f);
                end = rest;
                i = sp(rest);
                continue;
            }
        }
        if by.is_some() {
            return fatal(i, Expected::EndOfCommand);
        }
        let (rest, agg) = commit(aggregation(i))?;
        aggregations.push(agg);
        end = rest;
        i = sp(rest);
    }
    if aggregations.is_empty() {
        return fatal(i, Expected::Aggregation);
    }
    Ok((
        end,
        Command::TimeChart(TimeChart {
            options,
            aggregations,
            by,
            span: span_between(&start, &end),
        }),
    ))
}
