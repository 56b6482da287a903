//! `bin` / `bucket`: `[<option>=<value>]... <field> [as <field>] [<option>=<value>]...`.

use crate::input::*;
use crate::spl::ast::{Bin, Command};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>, bucket_alias: bool) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut target = None;
    let mut alias = None;
    while !at_command_end(&i) {
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
            continue;
        }
        if target.is_some() {
            if let Some(rest) = keyword(i, "as") {
                let rest = sp(rest);
                let (rest, name) = commit(field(rest))?;
                alias = Some(name);
                i = sp(rest);
                continue;
            }
            return fatal(i, Expected::EndOfCommand);
        }
        let (rest, f) = commit(field(i))?;
        target = Some(f);
        i = sp(rest);
    }
    let Some(field) = target else {
        return fatal(i, Expected::FieldName);
    };
    Ok((
        i,
        Command::Bin(Bin {
            bucket_alias,
            field,
            alias,
            options,
            span: span_between(&start, &i),
        }),
    ))
}
