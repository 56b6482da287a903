//! `top|rare [<n>] [<option>=<value>]... <field>... [by <field>...]`; options may also follow
//! the fields.

use crate::input::*;
use crate::spl::ast::{Command, Top};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>, rare: bool) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut count = None;
    if let Ok((rest, n)) = whole_number(i) {
        count = Some(n);
        i = sp(rest);
    }
    let mut options = Vec::new();
    let mut fields = Vec::new();
    let mut by = Vec::new();
    let mut in_by = false;
    let mut end = i;
    loop {
        if let Some(rest) = eat(i, ",") {
            i = sp(rest);
            continue;
        }
        if at_command_end(&i) {
            break;
        }
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            end = rest;
            i = sp(rest);
            continue;
        }
        if !in_by {
            if let Some(rest) = keyword(i, "by") {
                in_by = true;
                i = sp(rest);
                continue;
            }
        }
        let (rest, f) = commit(field(i))?;
        if in_by {
            by.push(f);
        } else {
            fields.push(f);
        }
        end = rest;
        i = sp(rest);
    }
    if fields.is_empty() || (in_by && by.is_empty()) {
        return fatal(i, Expected::FieldName);
    }
    Ok((
        end,
        Command::Top(Top {
            rare,
            count,
            options,
            fields,
            by,
            span: span_between(&start, &end),
        }),
    ))
}
