//! `where <eval-expression>`.

use super::super::expr::expr;
use crate::input::*;
use crate::spl::ast::{Command, Where};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let i = sp(i);
    if at_command_end(&i) {
        return fatal(i, Expected::Expression);
    }
    let (rest, expr) = commit(expr(i))?;
    Ok((
        rest,
        Command::Where(Where {
            expr,
            span: span_between(&start, &rest),
        }),
    ))
}
