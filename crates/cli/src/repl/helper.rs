//! The line editor's helper: completion, hints, colours and the end-of-entry check, each
//! from its own module, joined for rustyline.

use super::complete::{complete, Completion, Vocabulary};
use super::highlight::{highlight, hint, HINT};
use super::validate::is_complete;
use crate::lang::Lang;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;

pub struct ReplHelper {
    pub vocabulary: Vocabulary,
    /// `None`: each entry's language is detected.
    pub lang: Option<Lang>,
    /// Colour what is typed.
    pub color: bool,
    files: FilenameCompleter,
}

impl ReplHelper {
    pub fn new(color: bool) -> ReplHelper {
        ReplHelper {
            vocabulary: Vocabulary::default(),
            lang: None,
            color,
            files: FilenameCompleter::new(),
        }
    }
}

impl Helper for ReplHelper {}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        match complete(line, pos, self.lang, &self.vocabulary) {
            Completion::Path => self.files.complete(line, pos, ctx),
            Completion::Words { start, candidates } => Ok((
                start,
                candidates
                    .into_iter()
                    .map(|c| Pair {
                        display: c.clone(),
                        replacement: c,
                    })
                    .collect(),
            )),
        }
    }
}

/// A hint that is only shown: the right arrow does not insert it.
pub struct SyntaxHint(String);

impl Hint for SyntaxHint {
    fn display(&self) -> &str {
        &self.0
    }

    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Hinter for ReplHelper {
    type Hint = SyntaxHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<SyntaxHint> {
        hint(line, pos, self.lang).map(SyntaxHint)
    }
}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight(line, self.lang))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{HINT}{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input(), self.lang) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}
