//! Parsers of the field commands (`spl::fieldcmds`): `convert`, `rex`, `regex`, `spath`,
//! `replace`, `foreach`, and the commands made only of options and field names (`fromjson`,
//! `xmlkv`, `makemv`, `mvexpand`, `mvcombine`, `addtotals`). They share small helpers, so
//! they live in one file.

use crate::input::*;
use crate::spl::ast::*;
use nom::Input as _;

fn quoted_literal(i: Input) -> PResult<Literal> {
    let (rest, (text, span)) = quoted(i, '"')?;
    Ok((
        rest,
        Literal {
            text,
            quote: Quote::Double,
            span,
        },
    ))
}

/// `convert [timeformat=<string>] <func>(<field>) [as <field>] [[,] ...]`.
pub fn convert<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut conversions = Vec::new();
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
            i = sp(rest);
            continue;
        }
        let begin = i;
        let (rest, func) = commit(ident(i))?;
        let Some(rest) = eat(sp(rest), "(") else {
            return fatal(rest, Expected::Char('('));
        };
        let (rest, target) = commit(field(sp(rest)))?;
        let Some(rest) = eat(sp(rest), ")") else {
            return fatal(rest, Expected::ClosingParen);
        };
        let mut rest = sp(rest);
        let mut alias = None;
        if let Some(after) = keyword(rest, "as") {
            let (after, a) = commit(field(sp(after)))?;
            alias = Some(a);
            rest = after;
        }
        conversions.push(Conversion {
            func,
            field: target,
            alias,
            span: span_between(&begin, &rest),
        });
        i = sp(rest);
    }
    if conversions.is_empty() {
        return fatal(
            i,
            Expected::Message("expected a conversion such as ctime(<field>)".into()),
        );
    }
    Ok((
        i,
        Command::Convert(Convert {
            options,
            conversions,
            span: span_between(&start, &i),
        }),
    ))
}

/// `rex [<option>=<value>]... "<regex>" [<option>=<value>]...`.
pub fn rex<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut options = Vec::new();
    let mut pattern = None;
    while !at_command_end(&i) {
        if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
            continue;
        }
        if pattern.is_some() || peek_char(&i) != Some('"') {
            return fatal(i, Expected::Message("expected a quoted regular expression".into()));
        }
        let (rest, lit) = quoted_literal(i)?;
        pattern = Some(lit);
        i = sp(rest);
    }
    let Some(pattern) = pattern else {
        return fatal(i, Expected::Message("expected a quoted regular expression".into()));
    };
    Ok((
        i,
        Command::Rex(Rex {
            options,
            pattern,
            span: span_between(&start, &i),
        }),
    ))
}

/// The text up to the end of the command, as an unquoted literal.
fn rest_of_command(i: Input) -> PResult<Literal> {
    let n = next_top_level_pipe(i.fragment());
    let text = i.fragment()[..n].trim_end();
    if text.is_empty() {
        return fail(i, Expected::Value);
    }
    let lit = Literal {
        text: text.to_string(),
        quote: Quote::None,
        span: span_of(&i, text.len()),
    };
    Ok((i.take_from(text.len()), lit))
}

/// `regex [<field>=|<field>!=]<regex>`.
pub fn regex<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let i = sp(i);
    let (mut i, field, negate) = if peek_char(&i) == Some('"') {
        (i, None, false)
    } else {
        let (rest, f) = commit(field(i))?;
        let rest = sp(rest);
        if let Some(after) = eat(rest, "!=") {
            (sp(after), Some(f), true)
        } else if let Some(after) = eat(rest, "=") {
            (sp(after), Some(f), false)
        } else {
            return fatal(rest, Expected::Char('='));
        }
    };
    let (rest, pattern) = if peek_char(&i) == Some('"') {
        commit(quoted_literal(i))?
    } else {
        commit(rest_of_command(i))?
    };
    i = rest;
    Ok((
        i,
        Command::Regex(RegexCmd {
            field,
            negate,
            pattern,
            span: span_between(&start, &i),
        }),
    ))
}

/// Options and field names in any order, separated by spaces or commas.
fn options_fields(mut i: Input) -> PResult<(Vec<CommandOption>, Vec<Field>)> {
    let mut options = Vec::new();
    let mut fields = Vec::new();
    loop {
        i = sp(i);
        if let Some(rest) = eat(i, ",") {
            i = rest;
            continue;
        }
        if at_command_end(&i) || starts_with(&i, "[") {
            return Ok((i, (options, fields)));
        }
        if looks_like_option(&i) {
            let (rest, mut opt) = option(i)?;
            // `addtotals fieldname=Score, a, b`: the comma ends the value.
            if opt.value.quote == Quote::None && opt.value.text.len() > 1 && opt.value.text.ends_with(',') {
                let keep = opt.value.text.len() - 1;
                opt.value.text.truncate(keep);
                opt.value.span.end -= 1;
                opt.span.end -= 1;
            }
            options.push(opt);
            i = rest;
        } else {
            let (rest, f) = commit(field(i))?;
            fields.push(f);
            i = rest;
        }
    }
}

/// `spath [input=<field>] [output=<field>] [path=<path> | <path>]`.
pub fn spath<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let (rest, (options, mut fields)) = options_fields(i)?;
    if fields.len() > 1 {
        return fatal(i, Expected::Message("spath takes one path".into()));
    }
    Ok((
        rest,
        Command::Spath(Spath {
            options,
            path: fields.pop(),
            span: span_between(&start, &rest),
        }),
    ))
}

/// `fromjson`, `xmlkv`, `makemv`, `mvexpand`, `mvcombine`, `addtotals`: options and fields.
pub fn options_and_fields<'a>(i: Input<'a>, start: Input<'a>, name: &str) -> PResult<'a, Command> {
    let (rest, (options, fields)) = options_fields(i)?;
    let needs_one = matches!(name, "fromjson" | "makemv" | "mvexpand" | "mvcombine");
    if needs_one && fields.len() != 1 {
        return fatal(rest, Expected::Message(format!("{name} takes one field")));
    }
    if name == "xmlkv" && fields.len() > 1 {
        return fatal(rest, Expected::Message("xmlkv takes at most one field".into()));
    }
    let c = OptionsAndFields {
        options,
        fields,
        span: span_between(&start, &rest),
    };
    Ok((
        rest,
        match name {
            "fromjson" => Command::FromJson(c),
            "xmlkv" => Command::XmlKv(c),
            "makemv" => Command::MakeMv(c),
            "mvexpand" => Command::MvExpand(c),
            "mvcombine" => Command::MvCombine(c),
            _ => Command::AddTotals(c),
        },
    ))
}

/// `replace <wc-string> with <wc-string> [, ...] [in <field>...]`.
pub fn replace<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut pairs = Vec::new();
    let mut fields = Vec::new();
    loop {
        if let Some(rest) = eat(i, ",") {
            i = sp(rest);
            continue;
        }
        if at_command_end(&i) {
            break;
        }
        if !pairs.is_empty() {
            if let Some(rest) = keyword(i, "in") {
                let (rest, list) = field_list(sp(rest), &|_| false)?;
                fields = list;
                i = rest;
                break;
            }
        }
        let (rest, from) = commit(value(i, true))?;
        let Some(rest) = keyword(sp(rest), "with") else {
            return fatal(sp(rest), Expected::Keyword("with"));
        };
        let (rest, to) = commit(value(sp(rest), true))?;
        pairs.push((from, to));
        i = sp(rest);
    }
    if pairs.is_empty() {
        return fatal(i, Expected::Message("expected <string> with <string>".into()));
    }
    Ok((
        i,
        Command::Replace(Replace {
            pairs,
            fields,
            span: span_between(&start, &i),
        }),
    ))
}

/// `foreach <field-pattern>... [<option>=<value>]... [ <subsearch> ]`.
pub fn foreach<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let (rest, (options, fields)) = options_fields(i)?;
    if fields.is_empty() {
        return fatal(rest, Expected::FieldName);
    }
    let Some(open) = eat(rest, "[") else {
        return fatal(rest, Expected::Char('['));
    };
    let Some(close) = closing_bracket(open.fragment()) else {
        return fatal(open, Expected::Char(']'));
    };
    let inner = &open.fragment()[..close];
    let lead = inner.len() - inner.trim_start().len();
    let body = inner.trim().to_string();
    let body_start = open.take_from(lead);
    let body_span = span_of(&body_start, body.len());
    let rest = open.take_from(close + 1);
    Ok((
        rest,
        Command::Foreach(Foreach {
            fields,
            options,
            body,
            body_span,
            span: span_between(&start, &rest),
        }),
    ))
}
