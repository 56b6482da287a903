//! One diagnostic type for every stage: parsing, macro expansion, planning, linting, reading input.
//! Libraries build them; only the command line renders them.

use crate::span::Span;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// A stable code per kind of problem, so tests and users can refer to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    /// The text does not follow the grammar.
    Syntax,
    /// A command or function that exists in the language but that Quarry does not implement.
    Unsupported,
    /// A name that is not a command or function of the language at all.
    Unknown,
    /// A macro call whose macro is not defined.
    UndefinedMacro,
    /// A macro call with the wrong number of arguments, or a recursive macro.
    MacroExpansion,
    /// A command option that the command does not take, or a bad option value.
    BadOption,
    /// A well-formed query that cannot run as written (wrong arity, bad span, ...).
    Semantic,
    /// An input problem: bad JSON line, unreadable file.
    Input,
    /// A finding of `quarry lint`.
    Lint(&'static str),
}

impl Code {
    pub fn as_str(&self) -> &'static str {
        match self {
            Code::Syntax => "E0001",
            Code::Unsupported => "E0002",
            Code::Unknown => "E0003",
            Code::UndefinedMacro => "E0004",
            Code::MacroExpansion => "E0005",
            Code::BadOption => "E0006",
            Code::Semantic => "E0007",
            Code::Input => "E0008",
            Code::Lint(code) => code,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Vec<String>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: Vec::new(),
            help: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn syntax(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::error(Code::Syntax, message).with_label(span, "")
    }

    /// `unsupported: <name>`: the language has it, Quarry does not implement it (yet).
    pub fn unsupported(name: &str, span: Span) -> Diagnostic {
        Diagnostic::error(Code::Unsupported, format!("unsupported: {name}"))
            .with_label(span, "not implemented by Quarry")
    }

    /// Adds the primary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: true,
        });
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: message.into(),
            primary: false,
        });
        self
    }

    /// Adds a primary label only when there is none yet (an outer stage knows a wider span).
    pub fn with_span_fallback(self, span: Span) -> Diagnostic {
        if self.labels.iter().any(|l| l.primary) {
            self
        } else {
            self.with_label(span, "")
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help.push(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// The one-line form, without source text (the command line renders the full form).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// Near-miss suggestion: the candidate closest to `name`, if it is close enough.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::normalized_damerau_levenshtein(&lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
