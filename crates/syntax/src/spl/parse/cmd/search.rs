//! `search <expression>` (also implicit at the start of a query).

use super::super::search::search_expr;
use crate::input::*;
use crate::spl::ast::{Command, Search};

/// After the `search` keyword.
pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let i = sp(i);
    if at_command_end(&i) {
        return Ok((
            i,
            Command::Search(Search {
                expr: None,
                span: span_between(&start, &i),
            }),
        ));
    }
    let (rest, expr) = commit(search_expr(i))?;
    Ok((
        rest,
        Command::Search(Search {
            expr: Some(expr),
            span: span_between(&start, &rest),
        }),
    ))
}

/// Search terms at the start of a query, without the keyword.
pub fn parse_implicit(i: Input) -> PResult<Command> {
    let (rest, expr) = commit(search_expr(i))?;
    Ok((
        rest,
        Command::Search(Search {
            expr: Some(expr),
            span: span_between(&i, &rest),
        }),
    ))
}
