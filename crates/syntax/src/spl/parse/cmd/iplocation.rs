//! `iplocation [prefix=<string>] [allfields=<bool>] [lang=<string>] <field>`.

use crate::input::*;
use crate::spl::ast::{Command, IpLocation};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut target = None;
    while !at_command_end(&i) {
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
            continue;
        }
        if target.is_some() {
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
        Command::IpLocation(IpLocation {
            options,
            field,
            span: span_between(&start, &i),
        }),
    ))
}
