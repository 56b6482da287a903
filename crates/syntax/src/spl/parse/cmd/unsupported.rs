//! A Splunk command Quarry does not implement: kept by name with its arguments as text, so the
//! query still parses and planning reports `unsupported: <name>`.

use crate::input::*;
use crate::spl::ast::{Command, Ident, Unsupported};
use nom::Input as _;

pub fn parse<'a>(i: Input<'a>, start: Input<'a>, name: Ident) -> PResult<'a, Command> {
    let n = next_top_level_pipe(i.fragment());
    let args = i.fragment()[..n].trim().to_string();
    let rest = i.take_from(n);
    Ok((
        rest,
        Command::Unsupported(Unsupported {
            name,
            args,
            span: span_between(&start, &rest),
        }),
    ))
}
