//! The data model commands: `tstats`, `datamodel` and `from`.
//!
//! `tstats [<option>=<value>]... <agg>... [from datamodel=<Model>[.<Object>]]
//! [where <search-expression>] [by <field>... [span=<span>]]`. The keywords `from`, `where` and
//! `by` are matched in any case (`FROM datamodel=... WHERE ... BY ...` is common).

use super::super::search::search_expr;
use super::stats::aggregation;
use crate::input::*;
use crate::spl::ast::{Command, DataModel, From, Literal, Quote, TStats};
use nom::Input as _;

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        i = sp(rest);
    }
    let clause = |i: &Input| ["from", "where", "by"].iter().any(|k| keyword(*i, k).is_some());
    let mut aggregations = Vec::new();
    loop {
        i = sp(i);
        if let Some(rest) = eat(i, ",") {
            if aggregations.is_empty() {
                return fatal(i, Expected::Aggregation);
            }
            i = rest;
            continue;
        }
        if at_command_end(&i) || clause(&i) {
            break;
        }
        let (rest, agg) = commit(aggregation(i))?;
        aggregations.push(agg);
        i = rest;
    }
    if aggregations.is_empty() {
        return fatal(i, Expected::Aggregation);
    }
    let mut from = None;
    if let Some(rest) = keyword(i, "from") {
        let rest = sp(rest);
        if !looks_like_option(&rest) {
            return fatal(
                rest,
                Expected::Message("expected `datamodel=<Model>.<Object>` after `from`".into()),
            );
        }
        let (rest, opt) = option(rest)?;
        from = Some(opt);
        i = sp(rest);
    }
    let mut filter = None;
    if let Some(rest) = keyword(i, "where") {
        let rest = sp(rest);
        let end = where_clause_len(rest.fragment());
        let (after, expr) = commit(search_expr(rest.take(end)))?;
        if !after.fragment().trim().is_empty() {
            return fatal(after, Expected::EndOfCommand);
        }
        filter = Some(expr);
        i = sp(rest.take_from(end));
    }
    let mut by = Vec::new();
    let mut by_options = Vec::new();
    if let Some(rest) = keyword(i, "by") {
        i = sp(rest);
        if at_command_end(&i) {
            return fatal(i, Expected::FieldName);
        }
        loop {
            i = sp(i);
            if let Some(rest) = eat(i, ",") {
                i = rest;
                continue;
            }
            if at_command_end(&i) {
                break;
            }
            if looks_like_option(&i) {
                let (rest, opt) = option_in_list(i)?;
                by_options.push(opt);
                i = rest;
                continue;
            }
            let (rest, f) = commit(field(i))?;
            by.push(f);
            i = rest;
        }
    }
    Ok((
        i,
        Command::TStats(TStats {
            options,
            aggregations,
            from,
            filter,
            by,
            by_options,
            span: span_between(&start, &i),
        }),
    ))
}

/// Length of a `where` clause: up to a top-level `by` word (outside quotes and brackets) or
/// the end of the command.
fn where_clause_len(text: &str) -> usize {
    let end = next_top_level_pipe(text);
    let bytes = text.as_bytes();
    let mut depth = 0i32;
    for (pos, c) in unquoted_chars(&text[..end]) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            'b' | 'B' if depth == 0 => {
                let before_ok = pos == 0 || bytes[pos - 1].is_ascii_whitespace() || bytes[pos - 1] == b')';
                let word = text.get(pos..pos + 2).is_some_and(|w| w.eq_ignore_ascii_case("by"));
                let after_ok = bytes.get(pos + 2).is_none_or(|b| b.is_ascii_whitespace());
                if before_ok && word && after_ok {
                    return pos;
                }
            }
            _ => {}
        }
    }
    end
}

/// `datamodel [<Model> [<Object>]] [<mode>] [<option>=<value>]...`.
pub fn parse_datamodel<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut words = Vec::new();
    let mut options = Vec::new();
    while !at_command_end(&i) {
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
        } else if options.is_empty() && words.len() < 3 {
            let (rest, word) = commit(ident(i))?;
            words.push(word);
            i = sp(rest);
        } else {
            return fatal(i, Expected::EndOfCommand);
        }
    }
    let mut words = words.into_iter();
    Ok((
        i,
        Command::DataModel(DataModel {
            model: words.next(),
            object: words.next(),
            mode: words.next(),
            options,
            span: span_between(&start, &i),
        }),
    ))
}

/// `from <kind>:<name>` or `from <kind> <name>`.
pub fn parse_from<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let i = sp(i);
    let (rest, kind) = commit(ident(i))?;
    let (colon, rest) = match eat(rest, ":") {
        Some(after) => (true, after),
        None => (false, sp(rest)),
    };
    let (rest, name) = if peek_char(&rest) == Some('"') {
        let (rest, (text, span)) = quoted(rest, '"')?;
        (
            rest,
            Literal {
                text,
                quote: Quote::Double,
                span,
            },
        )
    } else {
        commit(bare_value(rest))?
    };
    Ok((
        rest,
        Command::From(From {
            kind,
            name,
            colon,
            span: span_between(&start, &rest),
        }),
    ))
}
