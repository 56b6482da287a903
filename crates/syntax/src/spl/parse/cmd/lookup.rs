//! `lookup [local=<bool>] [update=<bool>] <table> (<field> [AS <field>])...
//! [OUTPUT|OUTPUTNEW (<field> [AS <field>])...]` and
//! `inputlookup [append=<bool>] [start=<n>] [max=<n>] <table> [where <search-expression>]` and
//! `outputlookup [<option>=<value>]... <table>`.

use super::super::search::search_expr;
use crate::input::*;
use crate::spl::ast::{Command, FieldAs, Ident, InputLookup, Lookup, LookupOutput, OutputLookup};

fn at_output(i: &Input) -> bool {
    keyword(*i, "outputnew").is_some() || keyword(*i, "output").is_some()
}

/// After `lookup`.
pub fn parse_lookup<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let (mut i, options) = leading_options(i)?;
    let (rest, table) = commit(field(i))?;
    i = sp(rest);
    let (rest, inputs) = field_as_list(i, &at_output)?;
    if inputs.is_empty() {
        return fatal(rest, Expected::FieldName);
    }
    let mut end = rest;
    i = sp(rest);
    let mut output = None;
    if at_output(&i) {
        let (rest, kw) = ident(i)?;
        let keyword = Ident {
            name: kw.name,
            span: kw.span,
        };
        let (rest, fields) = field_as_list(sp(rest), &|_| false)?;
        if fields.is_empty() {
            return fatal(rest, Expected::FieldName);
        }
        output = Some(LookupOutput { keyword, fields });
        end = rest;
    }
    Ok((
        end,
        Command::Lookup(Lookup {
            options,
            table,
            inputs,
            output,
            span: span_between(&start, &end),
        }),
    ))
}

/// After `inputlookup`.
pub fn parse_inputlookup<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let (i, mut options) = leading_options(i)?;
    let (mut end, table) = commit(field(i))?;
    // Options may also follow the table name: `inputlookup baseline append=t`.
    while looks_like_option(&sp(end)) {
        let (rest, opt) = option(sp(end))?;
        options.push(opt);
        end = rest;
    }
    let mut condition = None;
    if let Some(rest) = keyword(sp(end), "where") {
        let rest = sp(rest);
        if at_command_end(&rest) {
            return fatal(rest, Expected::SearchTerm);
        }
        let (rest, expr) = commit(search_expr(rest))?;
        condition = Some(expr);
        end = rest;
    }
    Ok((
        end,
        Command::InputLookup(InputLookup {
            options,
            table,
            condition,
            span: span_between(&start, &end),
        }),
    ))
}

/// After `outputlookup`.
pub fn parse_outputlookup<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let (i, mut options) = leading_options(i)?;
    let (mut end, table) = commit(field(i))?;
    while looks_like_option(&sp(end)) {
        let (rest, opt) = option(sp(end))?;
        options.push(opt);
        end = rest;
    }
    Ok((
        end,
        Command::OutputLookup(OutputLookup {
            options,
            table,
            span: span_between(&start, &end),
        }),
    ))
}

fn leading_options(i: Input) -> PResult<Vec<crate::spl::ast::CommandOption>> {
    let mut i = sp(i);
    let mut options = Vec::new();
    while looks_like_option(&i) {
        let (rest, opt) = option(i)?;
        options.push(opt);
        i = sp(rest);
    }
    Ok((i, options))
}

/// `a [AS b]`, separated by whitespace or commas, up to the end of the command or `stop`.
pub(super) fn field_as_list<'a>(mut i: Input<'a>, stop: &dyn Fn(&Input<'a>) -> bool) -> PResult<'a, Vec<FieldAs>> {
    let mut list = Vec::new();
    let mut end = i;
    loop {
        i = sp(i);
        if let Some(rest) = eat(i, ",") {
            i = rest;
            end = i;
            continue;
        }
        if at_command_end(&i) || stop(&i) {
            return Ok((end, list));
        }
        let (rest, f) = commit(field(i))?;
        let mut alias = None;
        let mut after = rest;
        if let Some(r) = keyword(sp(rest), "as") {
            let (r, a) = commit(field(sp(r)))?;
            alias = Some(a);
            after = r;
        }
        list.push(FieldAs {
            field: f,
            alias,
            span: span_between(&i, &after),
        });
        i = after;
        end = after;
    }
}
