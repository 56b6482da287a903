//! `join [<option>=<value>]... <field>... [ <subsearch> ]`, `append [<option>=<value>]...
//! [ <subsearch> ]` and `appendpipe [<option>=<value>]... [ <pipeline> ]`.

use super::super::subsearch::{subpipeline, subsearch};
use crate::input::*;
use crate::spl::ast::{Append, AppendPipe, Command, Join};

/// After `join`: options and fields in any order, then the subsearch.
pub fn parse_join<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut fields = Vec::new();
    loop {
        if let Some(rest) = eat(i, ",") {
            i = sp(rest);
            continue;
        }
        if i.fragment().starts_with('[') || at_command_end(&i) {
            break;
        }
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
            continue;
        }
        let (rest, f) = commit(field(i))?;
        fields.push(f);
        i = sp(rest);
    }
    if !i.fragment().starts_with('[') {
        return fatal(i, Expected::Char('['));
    }
    let (rest, sub) = subsearch(i)?;
    Ok((
        rest,
        Command::Join(Join {
            options,
            fields,
            subsearch: sub,
            span: span_between(&start, &rest),
        }),
    ))
}

/// After `append` (`pipe` false) or `appendpipe` (`pipe` true).
pub fn parse_append<'a>(i: Input<'a>, start: Input<'a>, pipe: bool) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        i = sp(rest);
    }
    if !i.fragment().starts_with('[') {
        return fatal(i, Expected::Char('['));
    }
    let (rest, sub) = if pipe { subpipeline(i)? } else { subsearch(i)? };
    let span = span_between(&start, &rest);
    let command = if pipe {
        Command::AppendPipe(AppendPipe {
            options,
            subsearch: sub,
            span,
        })
    } else {
        Command::Append(Append {
            options,
            subsearch: sub,
            span,
        })
    };
    Ok((rest, command))
}
