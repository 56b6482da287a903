//! `head [<count>] | head limit=<count> | head (<eval-expression>)` and `tail [<count>]`.

use super::super::expr::expr;
use crate::input::*;
use crate::spl::ast::{Command, Head, Tail};

pub fn parse_head<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut count = None;
    let mut condition = None;
    let mut options = Vec::new();
    while !at_command_end(&i) {
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
        } else if count.is_none() && condition.is_none() && i.fragment().starts_with(|c: char| c.is_ascii_digit()) {
            let (rest, n) = commit(whole_number(i))?;
            count = Some(n);
            i = sp(rest);
        } else if count.is_none() && condition.is_none() {
            let (rest, e) = commit(expr(i))?;
            condition = Some(e);
            i = sp(rest);
        } else {
            return fatal(i, Expected::EndOfCommand);
        }
    }
    Ok((
        i,
        Command::Head(Head {
            count,
            condition,
            options,
            span: span_between(&start, &i),
        }),
    ))
}

pub fn parse_tail<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let i = sp(i);
    let mut count = None;
    let mut rest = i;
    if !at_command_end(&i) {
        let (r, n) = commit(whole_number(i))?;
        count = Some(n);
        rest = r;
    }
    Ok((
        rest,
        Command::Tail(Tail {
            count,
            span: span_between(&start, &rest),
        }),
    ))
}
