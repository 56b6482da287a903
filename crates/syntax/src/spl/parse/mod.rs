//! The SPL parser: a pipeline of commands separated by `|`.
//!
//! A failed command is recorded and the parser skips to the next top-level `|`, so one run
//! reports every broken command.

pub mod cmd;
pub mod expr;

pub mod search;
pub mod subsearch;

use crate::diagnostic::Diagnostic;
use crate::input::*;
use crate::span::{SourceId, Span};
use crate::spl::ast::Pipeline;
use nom::Input as _;

/// Parses an SPL query (after macro expansion) held in source `source`.
pub fn parse_pipeline(text: &str, source: SourceId) -> Result<Pipeline, Vec<Diagnostic>> {
    parse_pipeline_at(Input::new_extra(text, source))
}

/// Parses SPL from `input` to the end of its text; spans keep `input`'s offsets (SPL commands
/// after an EQL query start part-way into the query).
pub fn parse_pipeline_at(input: Input) -> Result<Pipeline, Vec<Diagnostic>> {
    let source = input.extra;
    let whole = input.location_offset()..input.location_offset() + input.fragment().len();
    let mut commands = Vec::new();
    let mut errors = Vec::new();
    let mut i = sp(input);
    let mut first = true;
    if let Some(rest) = eat(i, "|") {
        i = sp(rest);
        first = false;
    }
    loop {
        // An empty stage (`a | | b`, or a trailing `|` left by a macro that expands to nothing)
        // is skipped, as Splunk does.
        if i.fragment().is_empty() || i.fragment().starts_with('|') {
            if let Some(rest) = eat(i, "|") {
                i = sp(rest);
                first = false;
                continue;
            }
            break;
        }
        let result = if first { cmd::first_command(i) } else { cmd::command(i) };
        first = false;
        match result {
            Ok((rest, command)) => {
                let rest = sp(rest);
                if !rest.fragment().is_empty() && !rest.fragment().starts_with('|') {
                    errors.push(PError::at(&rest, Expected::EndOfCommand).into_diagnostic());
                    i = skip_to_pipe(rest);
                } else {
                    commands.push(command);
                    i = rest;
                }
            }
            Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => {
                errors.push(e.into_diagnostic());
                i = skip_to_pipe(i);
            }
            Err(nom::Err::Incomplete(_)) => {
                errors.push(Diagnostic::syntax("incomplete query", span_of(&i, 0)));
                break;
            }
        }
        if let Some(rest) = eat(i, "|") {
            i = sp(rest);
        } else {
            if !i.fragment().is_empty() {
                // A stray `]` or `)` at the top level.
                errors.push(PError::at(&i, Expected::EndOfCommand).into_diagnostic());
            }
            break;
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if commands.is_empty() {
        return Err(vec![Diagnostic::syntax("empty query", Span::new(source, whole))
            .with_help(
                "a query starts with search terms (`eventType=user.session.start`) or `| command`",
            )]);
    }
    Ok(Pipeline {
        commands,
        span: Span::new(source, whole),
    })
}

fn skip_to_pipe(i: Input) -> Input {
    let n = next_top_level_pipe(i.fragment());
    sp(i.take_from(n))
}
