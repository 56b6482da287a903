//! `dedup [<count>] <field>... [keepevents=<bool>] [keepempty=<bool>] [consecutive=<bool>] [sortby <key>...]`.

use super::sort::sort_keys;
use crate::input::*;
use crate::spl::ast::{Command, Dedup};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut count = None;
    if let Ok((rest, n)) = whole_number(i) {
        count = Some(n);
        i = sp(rest);
    }
    let mut fields = Vec::new();
    let mut options = Vec::new();
    let mut sort_by = Vec::new();
    while !at_command_end(&i) {
        if let Some(rest) = eat(i, ",") {
            i = sp(rest);
            continue;
        }
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
            continue;
        }
        if let Some(rest) = keyword(i, "sortby") {
            let (rest, keys) = sort_keys(sp(rest))?;
            if keys.is_empty() {
                return fatal(rest, Expected::FieldName);
            }
            sort_by = keys;
            i = sp(rest);
            continue;
        }
        let (rest, f) = commit(field(i))?;
        fields.push(f);
        i = sp(rest);
    }
    if fields.is_empty() {
        return fatal(i, Expected::FieldName);
    }
    Ok((
        i,
        Command::Dedup(Dedup {
            count,
            fields,
            options,
            sort_by,
            span: span_between(&start, &i),
        }),
    ))
}
