//! `transaction [<field>...] [<option>=<value>]...`; options and fields in any order.
//! `startswith=` and `endswith=` take `(<search terms>)`, `"<search terms>"` or
//! `eval(<expression>)`.

use super::super::expr::expr;
use super::super::search::search_expr;
use crate::input::*;
use crate::spl::ast::{Command, Transaction, TransactionOption, TransactionValue};

pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut fields = Vec::new();
    let mut options = Vec::new();
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
            let (rest, opt) = transaction_option(i)?;
            options.push(opt);
            end = rest;
            i = sp(rest);
            continue;
        }
        let (rest, f) = commit(field(i))?;
        fields.push(f);
        end = rest;
        i = sp(rest);
    }
    Ok((
        end,
        Command::Transaction(Transaction {
            fields,
            options,
            span: span_between(&start, &end),
        }),
    ))
}

fn transaction_option(i: Input) -> PResult<TransactionOption> {
    let start = i;
    let (rest, name) = ident(i)?;
    let Some(rest) = eat(rest, "=") else {
        return fail(start, Expected::Char('='));
    };
    let filter = name.is("startswith") || name.is("endswith");
    let (rest, value) = if filter && rest.fragment().starts_with('(') {
        let Some(inner) = eat(rest, "(") else {
            return fatal(rest, Expected::Char('('));
        };
        let (after, e) = commit(search_expr(sp(inner)))?;
        let after = sp(after);
        let Some(after) = eat(after, ")") else {
            return fatal(after, Expected::ClosingParen);
        };
        (after, TransactionValue::Search(e))
    } else if filter && keyword(rest, "eval").is_some_and(|r| r.fragment().starts_with('(')) {
        let after_kw = keyword(rest, "eval").and_then(|r| eat(r, "(")).unwrap_or(rest);
        let (after, e) = commit(expr(sp(after_kw)))?;
        let after = sp(after);
        let Some(after) = eat(after, ")") else {
            return fatal(after, Expected::ClosingParen);
        };
        (after, TransactionValue::Eval(e))
    } else {
        let (after, v) = commit(value(rest, false))?;
        (after, TransactionValue::Literal(v))
    };
    Ok((
        rest,
        TransactionOption {
            span: span_between(&start, &rest),
            name,
            value,
        },
    ))
}
