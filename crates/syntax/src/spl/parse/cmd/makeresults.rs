//! `makeresults [<option>=<value>]...`.

use crate::input::*;
use crate::spl::ast::{Command, MakeResults};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut end = i;
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        end = rest;
        i = sp(rest);
    }
    Ok((
        end,
        Command::MakeResults(MakeResults {
            options,
            span: span_between(&start, &end),
        }),
    ))
}
