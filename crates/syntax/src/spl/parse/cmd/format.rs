//! `format [mvsep=<s>] [maxresults=<n>] ["<row prefix>" "<column prefix>" "<column separator>"
//! "<column end>" "<row separator>" "<row end>"]` and
//! `return [<count>] [<alias>=<field>] [<field>] [$<field>]...`.

use crate::input::*;
use crate::spl::ast::{Command, Format, Return, ReturnItem};

/// After `format`.
pub fn parse_format<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut end = i;
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        end = rest;
        i = sp(rest);
    }
    let mut strings = Vec::new();
    while peek_char(&i) == Some('"') {
        let (rest, v) = value(i, false)?;
        strings.push(v);
        end = rest;
        i = sp(rest);
    }
    if !strings.is_empty() && strings.len() != 6 {
        return fatal(
            i,
            Expected::Message(
                "format takes all six strings: row prefix, column prefix, column separator, column end, row separator, row end".into(),
            ),
        );
    }
    Ok((
        end,
        Command::Format(Format {
            options,
            strings,
            span: span_between(&start, &end),
        }),
    ))
}

/// After `return`.
pub fn parse_return<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut count = None;
    let mut end = i;
    if let Ok((rest, n)) = whole_number(i) {
        count = Some(n);
        end = rest;
        i = sp(rest);
    }
    let mut items = Vec::new();
    loop {
        if let Some(rest) = eat(i, ",") {
            i = sp(rest);
            continue;
        }
        if at_command_end(&i) {
            break;
        }
        if let Some(rest) = eat(i, "$") {
            let (rest, f) = commit(field(rest))?;
            items.push(ReturnItem::Value(f));
            end = rest;
            i = sp(rest);
            continue;
        }
        let (rest, f) = commit(field(i))?;
        if let Some(after) = eat(rest, "=") {
            let (after, target) = commit(field(after))?;
            items.push(ReturnItem::Alias {
                alias: f,
                field: target,
            });
            end = after;
            i = sp(after);
            continue;
        }
        items.push(ReturnItem::Field(f));
        end = rest;
        i = sp(rest);
    }
    if items.is_empty() {
        return fatal(i, Expected::FieldName);
    }
    Ok((
        end,
        Command::Return(Return {
            count,
            items,
            span: span_between(&start, &end),
        }),
    ))
}
