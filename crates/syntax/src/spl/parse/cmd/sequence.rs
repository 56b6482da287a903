//! `sequence [by <field>, ...] [with] [<option>=<value>]... <stage>... [until <stage>]`.
//!
//! A stage is `[search <terms>]` (SPL) or `[<category> where <condition>]` (EQL, read by the
//! EQL parser), optionally `![...]` for a missing event, then `by <field>, ...` and
//! `with runs=<n>`. Option values are checked when the command is planned.

use crate::diagnostic::{Code, Diagnostic};
use crate::input::*;
use crate::spl::ast::{Command, Field, Sequence, SequenceStage, StageBody};

/// After the command name.
pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
    let mut i = sp(i);
    let mut by = Vec::new();
    let mut options = Vec::new();
    loop {
        if let Some(rest) = keyword(i, "by") {
            let (rest, list) = key_list(rest)?;
            by = list;
            i = sp(rest);
        } else if let Some(rest) = keyword(i, "with") {
            let rest = sp(rest);
            if !looks_like_option(&rest) {
                return fatal(
                    rest,
                    Expected::Message("expected an option such as `maxspan=10m` after `with`".into()),
                );
            }
            i = rest;
        } else if looks_like_option(&i) {
            let (rest, opt) = option(i)?;
            options.push(opt);
            i = sp(rest);
        } else {
            break;
        }
    }
    let mut stages = Vec::new();
    let mut end = i;
    while at_stage(&i) {
        let (rest, s) = stage(i, true)?;
        stages.push(s);
        end = rest;
        i = sp(rest);
    }
    if stages.is_empty() {
        return fatal(
            i,
            Expected::Message("expected a stage: `[search <terms>]` or `[<category> where <condition>]`".into()),
        );
    }
    let mut until = None;
    if let Some(rest) = keyword(i, "until") {
        let rest = sp(rest);
        if !rest.fragment().starts_with('[') {
            return fatal(rest, Expected::Char('['));
        }
        let (rest, s) = stage(rest, false)?;
        until = Some(s);
        end = rest;
    }
    let span = span_between(&start, &end);
    Ok((
        end,
        Command::Sequence(Sequence {
            by,
            options,
            stages,
            until,
            span,
        }),
    ))
}

fn at_stage(i: &Input) -> bool {
    i.fragment().starts_with('[') || i.fragment().starts_with("![")
}

/// Join-key fields after `by`, up to `with`, an option, a stage or `until`.
fn key_list(i: Input) -> PResult<Vec<Field>> {
    let stop = |i: &Input| {
        at_stage(i) || keyword(*i, "with").is_some() || keyword(*i, "until").is_some() || looks_like_option(i)
    };
    let (rest, fields) = field_list(sp(i), &stop)?;
    if fields.is_empty() {
        return fatal(sp(rest), Expected::FieldName);
    }
    Ok((rest, fields))
}

fn stage(i: Input, allow_missing: bool) -> PResult<SequenceStage> {
    let start = i;
    let (i, missing) = match eat(i, "!") {
        Some(rest) if allow_missing => (rest, true),
        _ => (i, false),
    };
    let Some(open) = eat(i, "[") else {
        return fatal(i, Expected::Char('['));
    };
    let inner = sp(open);
    let (rest, body) = stage_body(inner)?;
    let rest = sp(rest);
    let Some(mut i) = eat(rest, "]") else {
        if rest.fragment().starts_with('|') {
            return Err(nom::Err::Failure(PError::with_diagnostic(
                &rest,
                Diagnostic::error(
                    Code::Syntax,
                    "a stage holds one search: `|` is not allowed inside `[...]`",
                )
                .with_label(span_of(&rest, 1), "pipe inside a stage")
                .with_help("filter before the sequence instead: `<terms> | sequence ... [search ...]`"),
            )));
        }
        return fatal(rest, Expected::Char(']'));
    };
    let mut by = Vec::new();
    let mut runs = None;
    loop {
        let after = sp(i);
        if let Some(rest) = keyword(after, "by") {
            let (rest, list) = key_list(rest)?;
            by = list;
            i = rest;
        } else if let Some(rest) = keyword(after, "with") {
            let rest = sp(rest);
            let (rest, opt) = match option(rest) {
                Ok(ok) if opt_is(&ok.1.name.name, "runs") => ok,
                _ => {
                    return fatal(
                        rest,
                        Expected::Message("expected `runs=<n>` after a stage's `with`".into()),
                    )
                }
            };
            runs = Some(opt.value);
            i = rest;
        } else {
            break;
        }
    }
    Ok((
        i,
        SequenceStage {
            missing,
            body,
            by,
            runs,
            span: span_between(&start, &i),
        },
    ))
}

fn opt_is(name: &str, wanted: &str) -> bool {
    name.eq_ignore_ascii_case(wanted)
}

/// `search <terms>` or `<category> where <condition>`.
fn stage_body(i: Input) -> PResult<StageBody> {
    if crate::eql::parse::starts_event_query(&i) {
        let (rest, query) = commit(crate::eql::parse::event_query(i))?;
        return Ok((rest, StageBody::Eql(query)));
    }
    if let Some(rest) = keyword(i, "search") {
        if let (rest, Command::Search(s)) = super::search::parse(rest, i)? {
            return Ok((rest, StageBody::Search(s)));
        }
    }
    let len = next_top_level_pipe(i.fragment()).min(i.fragment().find(']').unwrap_or(usize::MAX));
    let shown = i.fragment()[..len].trim_end().len().max(1).min(i.fragment().len());
    Err(nom::Err::Failure(PError::with_diagnostic(
        &i,
        Diagnostic::error(
            Code::Syntax,
            "a stage is `[search <terms>]` (SPL) or `[<category> where <condition>]` (EQL)",
        )
        .with_label(span_of(&i, shown), "neither `search` nor `<category> where`")
        .with_help("write SPL search terms after `search`: `[search eventType=user.mfa.okta_verify.deny_push]`")
        .with_help("or an EQL event query: `[any where event.action == \"user.mfa.okta_verify.deny_push\"]`"),
    )))
}
