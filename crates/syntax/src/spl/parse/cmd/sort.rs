//! `sort [<count>] [limit=<count>] [+|-]<key> [[,] [+|-]<key>]... [desc|d]`, where a key is a
//! field or `auto(f)`, `str(f)`, `num(f)`, `ip(f)`.

use crate::input::*;
use crate::spl::ast::{Command, Sort, SortConversion, SortDirection, SortKey};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut count = None;
    let mut options = Vec::new();
    if let Ok((rest, n)) = whole_number(i) {
        count = Some(n);
        i = sp(rest);
    }
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        i = sp(rest);
    }
    let (rest, keys) = sort_keys(i)?;
    i = sp(rest);
    let mut reverse = false;
    for word in ["desc", "d"] {
        if let Some(rest) = keyword(i, word) {
            if at_command_end(&rest) {
                reverse = true;
                i = sp(rest);
                break;
            }
        }
    }
    if keys.is_empty() {
        return fatal(i, Expected::FieldName);
    }
    Ok((
        i,
        Command::Sort(Sort {
            count,
            options,
            keys,
            reverse,
            span: span_between(&start, &i),
        }),
    ))
}

/// Sort keys up to the end of the command (also used by `dedup ... sortby`).
pub fn sort_keys(mut i: Input) -> PResult<Vec<SortKey>> {
    let mut keys = Vec::new();
    loop {
        i = sp(i);
        if let Some(rest) = eat(i, ",") {
            i = rest;
            continue;
        }
        if at_command_end(&i) || looks_like_option(&i) {
            return Ok((i, keys));
        }
        if !keys.is_empty() {
            if let Some(rest) = keyword(i, "desc").or_else(|| keyword(i, "d")) {
                if at_command_end(&rest) {
                    return Ok((i, keys));
                }
            }
        }
        let (rest, key) = commit(sort_key(i))?;
        keys.push(key);
        i = rest;
    }
}

fn sort_key(i: Input) -> PResult<SortKey> {
    let start = i;
    let mut direction = SortDirection::Default;
    let mut rest = i;
    if let Some(r) = eat(rest, "-") {
        direction = SortDirection::Descending;
        rest = sp(r);
    } else if let Some(r) = eat(rest, "+") {
        direction = SortDirection::Ascending;
        rest = sp(r);
    }
    for (name, conversion) in [
        ("auto", SortConversion::Auto),
        ("str", SortConversion::Str),
        ("num", SortConversion::Num),
        ("ip", SortConversion::Ip),
    ] {
        if let Some(r) = keyword(rest, name).and_then(|r| eat(r, "(")) {
            let (r, field) = field(sp(r))?;
            let r = sp(r);
            let Some(r) = eat(r, ")") else {
                return fatal(r, Expected::ClosingParen);
            };
            return Ok((
                r,
                SortKey {
                    direction,
                    conversion: Some(conversion),
                    field,
                    span: span_between(&start, &r),
                },
            ));
        }
    }
    let (r, field) = field(rest)?;
    Ok((
        r,
        SortKey {
            direction,
            conversion: None,
            field,
            span: span_between(&start, &r),
        },
    ))
}
