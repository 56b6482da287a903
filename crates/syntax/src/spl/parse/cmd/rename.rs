//! `rename <field> as <field> [[,] <field> as <field>]...`.

use crate::input::*;
use crate::spl::ast::{Command, Rename};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut renames = Vec::new();
    loop {
        if let Some(rest) = eat(i, ",") {
            i = sp(rest);
            continue;
        }
        if at_command_end(&i) {
            break;
        }
        let (rest, from) = commit(field(i))?;
        let rest = sp(rest);
        let Some(rest) = keyword(rest, "as") else {
            return fatal(rest, Expected::Keyword("as"));
        };
        let rest = sp(rest);
        let (rest, to) = commit(field(rest))?;
        renames.push((from, to));
        i = sp(rest);
    }
    if renames.is_empty() {
        return fatal(i, Expected::FieldName);
    }
    Ok((
        i,
        Command::Rename(Rename {
            renames,
            span: span_between(&start, &i),
        }),
    ))
}
