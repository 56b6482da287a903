//! `map search="<search>" [maxsearches=<n>]`: the search runs once per input result, with
//! `$field$` replaced by the result's values. The forms Quarry does not run (a saved search
//! by name, a `[subsearch]`) parse as `Command::Unsupported` and fail at plan time.

use crate::input::*;
use crate::spl::ast::{Command, Ident, Map};

/// After `map`.
pub fn parse<'a>(after_name: Input<'a>, start: Input<'a>, name: Ident) -> PResult<'a, Command> {
    let mut i = sp(after_name);
    let mut options = Vec::new();
    let mut end = i;
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        end = rest;
        i = sp(rest);
    }
    if !at_command_end(&i) || options.is_empty() {
        return super::unsupported::parse(after_name, start, name);
    }
    Ok((
        end,
        Command::Map(Map {
            options,
            span: span_between(&start, &end),
        }),
    ))
}
