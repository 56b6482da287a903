//! `eval <field>=<expression>[, <field>=<expression>]...`.

use super::super::expr::expr;
use crate::input::*;
use crate::spl::ast::{Assignment, Command, Eval};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut assignments = Vec::new();
    loop {
        if at_command_end(&i) {
            if assignments.is_empty() {
                return fatal(i, Expected::FieldName);
            }
            return fatal(i, Expected::Message("expected another assignment after `,`".into()));
        }
        let assignment_start = i;
        let (rest, field) = commit(field(i))?;
        let rest = sp(rest);
        let Some(rest) = eat(rest, "=") else {
            return fatal(rest, Expected::Char('='));
        };
        if rest.fragment().starts_with('=') {
            return fatal(rest, Expected::Message("eval assigns with a single `=`".into()));
        }
        let rest = sp(rest);
        if at_command_end(&rest) || rest.fragment().starts_with(',') {
            return fatal(rest, Expected::Expression);
        }
        let (rest, expr) = commit(expr(rest))?;
        assignments.push(Assignment {
            field,
            expr,
            span: span_between(&assignment_start, &rest),
        });
        let rest = sp(rest);
        match eat(rest, ",") {
            Some(after) => i = sp(after),
            None => {
                return Ok((
                    rest,
                    Command::Eval(Eval {
                        assignments,
                        span: span_between(&start, &rest),
                    }),
                ))
            }
        }
    }
}
