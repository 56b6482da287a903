//! `[ <pipeline> ]`: a subsearch, inside a search expression (`user=x [search ...]`) or as the
//! argument of `join`, `append` and `appendpipe`.
//!
//! The text between the brackets is a whole pipeline. Its first command is an implicit
//! `search`, except that a generating command may start it with or without a `|`:
//! `[| inputlookup users.csv]` and `[inputlookup users.csv]` are the same.

use super::{cmd, parse_pipeline_at};
use crate::diagnostic::{Code, Diagnostic};
use crate::input::*;
use crate::spl::ast::{Pipeline, Subsearch};
use nom::Input as _;

/// Commands that generate results and may start a subsearch without a `|`.
const GENERATING: &[&str] = &[
    "datamodel",
    "dbinspect",
    "eventcount",
    "from",
    "inputcsv",
    "inputlookup",
    "loadjob",
    "makeresults",
    "metadata",
    "mstats",
    "multisearch",
    "pivot",
    "rest",
    "savedsearch",
    "summary",
    "tstats",
];

/// A subsearch starting at `[`.
pub fn subsearch(i: Input) -> PResult<Subsearch> {
    bracketed(i, false)
}

/// `[ <command> | ... ]` (`appendpipe`): a pipeline over the current results, whose first
/// command is named (there is no implicit `search`).
pub fn subpipeline(i: Input) -> PResult<Subsearch> {
    bracketed(i, true)
}

fn bracketed(i: Input, commands: bool) -> PResult<Subsearch> {
    let _guard = enter(&i)?;
    let Some(open) = eat(i, "[") else {
        return fail(i, Expected::Char('['));
    };
    let Some(len) = closing_bracket(open.fragment()) else {
        return Err(nom::Err::Failure(PError::with_diagnostic(
            &i,
            Diagnostic::error(Code::Syntax, "subsearch without a closing `]`")
                .with_label(span_of(&i, 1), "opened here")
                .with_help("a subsearch is written `[search ...]` or `[| inputlookup ...]`"),
        )));
    };
    let inner = open.take(len);
    let rest = open.take_from(len + 1);
    let pipeline = inner_pipeline(inner, commands).map_err(|mut errors| {
        let first = errors.remove(0);
        nom::Err::Failure(PError::with_diagnostic(&inner, first))
    })?;
    Ok((
        rest,
        Subsearch {
            pipeline,
            span: span_between(&i, &rest),
        },
    ))
}

fn inner_pipeline(inner: Input, commands: bool) -> Result<Pipeline, Vec<Diagnostic>> {
    let start = sp(inner);
    if let Ok((after, name)) = ident(start) {
        let generating = GENERATING.iter().any(|g| name.is(g));
        if (commands || generating) && !after.fragment().starts_with('=') {
            let (rest, first) = cmd::command(start).map_err(|e| match e {
                nom::Err::Error(e) | nom::Err::Failure(e) => vec![e.into_diagnostic()],
                nom::Err::Incomplete(_) => vec![Diagnostic::syntax("incomplete subsearch", span_of(&start, 0))],
            })?;
            let rest = sp(rest);
            let mut commands = vec![first];
            if !rest.fragment().is_empty() {
                if !rest.fragment().starts_with('|') {
                    return Err(vec![PError::at(&rest, Expected::EndOfCommand).into_diagnostic()]);
                }
                commands.extend(parse_pipeline_at(rest)?.commands);
            }
            let span = span_between(&inner, &inner.take_from(inner.fragment().len()));
            return Ok(Pipeline { commands, span });
        }
    }
    parse_pipeline_at(inner)
}
