//! Parser plumbing shared by the SPL and EQL parsers: the located input, the error type with its closed
//! list of expectations, and the small lexical helpers (whitespace, names, quoted strings,
//! `key=value` options).

use crate::diagnostic::{Code, Diagnostic};
use crate::span::{SourceId, Span};
use crate::spl::ast::{CommandOption, Field, Ident, Literal, Quote};

use nom::error::{ErrorKind, ParseError};
use nom::{Err, IResult, Input as _};
use nom_locate::LocatedSpan;
use std::cell::Cell;

/// The parser input: the query text with its byte offset and the id of the source it is in.
pub type Input<'a> = LocatedSpan<&'a str, SourceId>;
pub type PResult<'a, T> = IResult<Input<'a>, T, PError>;

/// How deep expressions and parentheses may nest before the parser gives up (hostile input
/// must not overflow the stack).
pub const MAX_DEPTH: usize = 128;

/// What the parser wanted to see where it failed. Each variant names an input that triggers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expected {
    /// `search x | ` followed by `=`: a command name must follow a pipe.
    CommandName,
    /// `stats count by` with nothing after `by`; `rename as x`.
    FieldName,
    /// `search user=` with nothing after the `=`.
    Value,
    /// `eval x=` with nothing after the `=`; `where`.
    Expression,
    /// `eval x=(1+2` — a parenthesis opened and never closed.
    ClosingParen,
    /// `search "abc` — a quote opened and never closed.
    ClosingQuote(char),
    /// A specific character: `eval x 1` wants `=`.
    Char(char),
    /// A keyword: `rename a b` wants `as`.
    Keyword(&'static str),
    /// `head abc`: a whole number.
    Number,
    /// `stats by x`: an aggregation such as `count` or `dc(x)`.
    Aggregation,
    /// `eval x=1 2`: the command is complete and something else follows.
    EndOfCommand,
    /// `search (a OR b` — search group without `)`.
    SearchTerm,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Anything else, with its own message.
    Message(String),
}

impl Expected {
    pub fn describe(&self) -> String {
        match self {
            Expected::CommandName => "expected a command name after `|`".into(),
            Expected::FieldName => "expected a field name".into(),
            Expected::Value => "expected a value".into(),
            Expected::Expression => "expected an expression".into(),
            Expected::ClosingParen => "expected `)`".into(),
            Expected::ClosingQuote(q) => format!("unterminated string: missing closing {q}"),
            Expected::Char(c) => format!("expected `{c}`"),
            Expected::Keyword(k) => format!("expected `{k}`"),
            Expected::Number => "expected a whole number".into(),
            Expected::Aggregation => "expected an aggregation such as `count` or `dc(field)`".into(),
            Expected::EndOfCommand => "unexpected text: expected `|` or the end of the query".into(),
            Expected::SearchTerm => "expected a search term".into(),
            Expected::TooDeep => format!("expression nested too deeply (limit {MAX_DEPTH})"),
            Expected::Message(m) => m.clone(),
        }
    }

    fn help(&self) -> Option<&'static str> {
        match self {
            Expected::ClosingQuote('"') => Some("close the string with `\"`; a `\"` inside a string is written `\\\"`"),
            Expected::ClosingQuote(_) => Some("close the field name with `'`"),
            Expected::ClosingParen => Some("every `(` needs a matching `)`"),
            Expected::EndOfCommand => Some("commands are separated by `|`"),
            Expected::Char('=') => Some("eval assigns with `field = expression`"),
            _ => None,
        }
    }
}

/// A parse failure: where, and what was expected there. When alternatives fail, the one that
/// got furthest wins, so the message points at the real problem.
#[derive(Clone, Debug, PartialEq)]
pub struct PError {
    pub source: SourceId,
    pub offset: usize,
    pub len: usize,
    pub expected: Expected,
    /// A complete diagnostic that replaces the generic one (used for `unsupported:` and friends).
    pub diagnostic: Option<Box<Diagnostic>>,
}

impl PError {
    pub fn at(i: &Input, expected: Expected) -> PError {
        PError {
            source: i.extra,
            offset: i.location_offset(),
            len: next_token_len(i.fragment()),
            expected,
            diagnostic: None,
        }
    }

    pub fn with_diagnostic(i: &Input, diagnostic: Diagnostic) -> PError {
        PError {
            diagnostic: Some(Box::new(diagnostic)),
            ..PError::at(i, Expected::Message(String::new()))
        }
    }

    pub fn span(&self) -> Span {
        Span::new(self.source, self.offset..self.offset + self.len)
    }

    pub fn into_diagnostic(self) -> Diagnostic {
        if let Some(d) = self.diagnostic {
            return *d;
        }
        let span = self.span();
        let mut d = Diagnostic::error(Code::Syntax, self.expected.describe()).with_label(span, "");
        if let Some(help) = self.expected.help() {
            d = d.with_help(help);
        }
        d
    }
}

/// Length of the token at the start of `text`, for the caret under an error (at least 0).
fn next_token_len(text: &str) -> usize {
    let mut chars = text.char_indices();
    match chars.next() {
        None => 0,
        Some((_, c)) if c.is_whitespace() => 0,
        Some((_, c)) if is_word_char(c) => text.find(|c: char| !is_word_char(c)).unwrap_or(text.len()),
        Some((_, c)) => c.len_utf8(),
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '{' | '}' | '*' | '@' | ':' | '-')
}

impl<'a> ParseError<Input<'a>> for PError {
    fn from_error_kind(input: Input<'a>, _: ErrorKind) -> Self {
        PError::at(&input, Expected::Message("unexpected input".into()))
    }

    fn append(_: Input<'a>, _: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        if other.offset > self.offset || (other.offset == self.offset && self.diagnostic.is_none()) {
            other
        } else {
            self
        }
    }
}

/// A recoverable failure (alternatives may still be tried).
pub fn fail<'a, T>(i: Input<'a>, expected: Expected) -> PResult<'a, T> {
    Err(Err::Error(PError::at(&i, expected)))
}

/// A committed failure: the command keyword matched, so this is the error to report.
pub fn fatal<'a, T>(i: Input<'a>, expected: Expected) -> PResult<'a, T> {
    Err(Err::Failure(PError::at(&i, expected)))
}

/// Turns recoverable errors into committed ones (nom's `cut`, for plain functions).
pub fn commit<T>(r: Result<T, Err<PError>>) -> Result<T, Err<PError>> {
    r.map_err(|e| match e {
        Err::Error(e) => Err::Failure(e),
        other => other,
    })
}

pub fn span_between(start: &Input, end: &Input) -> Span {
    Span::new(start.extra, start.location_offset()..end.location_offset())
}

pub fn span_of(i: &Input, len: usize) -> Span {
    Span::new(i.extra, i.location_offset()..i.location_offset() + len)
}

/// Skips whitespace (spaces, tabs, newlines).
pub fn sp(i: Input) -> Input {
    let n = i.fragment().len() - i.fragment().trim_start().len();
    i.take_from(n)
}

pub fn starts_with(i: &Input, s: &str) -> bool {
    i.fragment().starts_with(s)
}

pub fn peek_char(i: &Input) -> Option<char> {
    i.fragment().chars().next()
}

/// Consumes `s` if the input starts with it.
pub fn eat<'a>(i: Input<'a>, s: &str) -> Option<Input<'a>> {
    if i.fragment().starts_with(s) {
        Some(i.take_from(s.len()))
    } else {
        None
    }
}

/// Consumes `s` or fails expecting it.
pub fn expect_char(i: Input, c: char) -> PResult<()> {
    if i.fragment().starts_with(c) {
        Ok((i.take_from(c.len_utf8()), ()))
    } else {
        fail(i, Expected::Char(c))
    }
}

/// True at the end of a command: only whitespace before `|`, `]` or the end of the query.
pub fn at_command_end(i: &Input) -> bool {
    let rest = sp(*i);
    rest.fragment().is_empty() || rest.fragment().starts_with('|') || rest.fragment().starts_with(']')
}

/// `[A-Za-z_][A-Za-z0-9_]*`: command, function and option names.
pub fn ident(i: Input) -> PResult<Ident> {
    let text = i.fragment();
    let mut end = 0;
    for (pos, c) in text.char_indices() {
        let ok = if pos == 0 {
            c.is_ascii_alphabetic() || c == '_'
        } else {
            c.is_ascii_alphanumeric() || c == '_'
        };
        if !ok {
            break;
        }
        end = pos + c.len_utf8();
    }
    if end == 0 {
        return fail(i, Expected::Message("expected a name".into()));
    }
    let ident = Ident {
        name: text[..end].to_string(),
        span: span_of(&i, end),
    };
    Ok((i.take_from(end), ident))
}

/// A case-insensitive keyword that is a whole word (`by`, `as`, `AND` in eval).
pub fn keyword<'a>(i: Input<'a>, word: &str) -> Option<Input<'a>> {
    let text = i.fragment();
    if text.len() < word.len() || !text.is_char_boundary(word.len()) || !text[..word.len()].eq_ignore_ascii_case(word) {
        return None;
    }
    match text[word.len()..].chars().next() {
        Some(c) if c.is_ascii_alphanumeric() || c == '_' => None,
        _ => Some(i.take_from(word.len())),
    }
}

/// A keyword that must be written in capitals and stand alone (the search language's
/// `AND`, `OR`, `NOT`, `IN`).
pub fn upper_keyword<'a>(i: Input<'a>, word: &str) -> Option<Input<'a>> {
    let text = i.fragment();
    if !text.starts_with(word) {
        return None;
    }
    match text[word.len()..].chars().next() {
        None => Some(i.take_from(word.len())),
        Some(c) if c.is_whitespace() || c == '(' || c == ')' => Some(i.take_from(word.len())),
        Some(_) => None,
    }
}

/// A quoted string starting at `i` with quote `q`; returns the raw text between the quotes
/// (backslash escapes kept as written) and the span including the quotes.
pub fn quoted(i: Input, q: char) -> PResult<(String, Span)> {
    let text = i.fragment();
    if !text.starts_with(q) {
        return fail(i, Expected::Char(q));
    }
    let mut escaped = false;
    for (pos, c) in text.char_indices().skip(1) {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' {
            escaped = true;
        } else if c == q {
            let raw = text[1..pos].to_string();
            let len = pos + 1;
            return Ok((i.take_from(len), (raw, span_of(&i, len))));
        }
    }
    Err(Err::Failure(PError {
        len: 1,
        ..PError::at(&i, Expected::ClosingQuote(q))
    }))
}

/// Characters that end a bare field name in command arguments.
fn ends_field(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '|' | '(' | ')' | '[' | ']' | '=' | '"' | '!' | '<' | '>')
}

/// Length of a bare field name at the start of `text`. A parenthesised part with no space in
/// it belongs to the name (`aceFlags(inheritance)`), as Splunk reads it.
fn bare_field_len(text: &str) -> usize {
    let mut end = 0;
    loop {
        let run = text[end..].find(ends_field).map(|n| end + n).unwrap_or(text.len());
        end = run;
        if end == 0 || !text[end..].starts_with('(') {
            return end;
        }
        match text[end + 1..].find(|c: char| c == ')' || c.is_whitespace() || matches!(c, ',' | '|' | '(')) {
            Some(close) if close > 0 && text[end + 1 + close..].starts_with(')') => end += close + 2,
            _ => return end,
        }
    }
}

/// A field name in command arguments: bare (`client.ipAddress`, `target{}.id`, `lat*`),
/// `"double quoted"` or `'single quoted'`.
pub fn field(i: Input) -> PResult<Field> {
    match peek_char(&i) {
        Some('"') => {
            let (rest, (mut name, span)) = quoted(i, '"')?;
            // `"Processes".*` is one name: Splunk joins a quoted part with the text after it.
            let tail = bare_field_len(rest.fragment());
            if tail > 0 {
                name.push_str(&rest.fragment()[..tail]);
                let rest = rest.take_from(tail);
                let span = span_between(&i, &rest);
                return Ok((
                    rest,
                    Field {
                        name,
                        quote: Quote::None,
                        span,
                    },
                ));
            }
            Ok((
                rest,
                Field {
                    name,
                    quote: Quote::Double,
                    span,
                },
            ))
        }
        Some('\'') => {
            let (rest, (name, span)) = quoted(i, '\'')?;
            Ok((
                rest,
                Field {
                    name,
                    quote: Quote::Single,
                    span,
                },
            ))
        }
        _ => {
            let text = i.fragment();
            let end = bare_field_len(text);
            if end == 0 {
                return fail(i, Expected::FieldName);
            }
            let f = Field {
                name: text[..end].to_string(),
                quote: Quote::None,
                span: span_of(&i, end),
            };
            Ok((i.take_from(end), f))
        }
    }
}

/// A field list: names separated by whitespace and/or commas, up to the end of the command or
/// a word for which `stop` is true (e.g. `sortby`, `as`).
pub fn field_list<'a>(mut i: Input<'a>, stop: &dyn Fn(&Input<'a>) -> bool) -> PResult<'a, Vec<Field>> {
    let mut fields = Vec::new();
    loop {
        i = sp(i);
        if let Some(rest) = eat(i, ",") {
            i = rest;
            continue;
        }
        if at_command_end(&i) || stop(&i) {
            return Ok((i, fields));
        }
        let (rest, f) = field(i)?;
        fields.push(f);
        i = rest;
    }
}

/// A value in bare form: everything up to whitespace, `|`, `(` or `)`. An empty `()` inside
/// a value is part of it (`Processes.process=*GetCurrent()*`): it cannot open a group.
pub fn bare_value(i: Input) -> PResult<Literal> {
    let text = i.fragment();
    let mut end = text.len();
    for (pos, c) in text.char_indices() {
        if c == '(' && pos > 0 && text[pos..].starts_with("()") {
            continue;
        }
        if c == ')' && pos > 0 && text[..pos].ends_with('(') {
            continue;
        }
        if c.is_whitespace() || matches!(c, '|' | '(' | ')' | ']') {
            end = pos;
            break;
        }
    }
    if end == 0 {
        return fail(i, Expected::Value);
    }
    let lit = Literal {
        text: text[..end].to_string(),
        quote: Quote::None,
        span: span_of(&i, end),
    };
    Ok((i.take_from(end), lit))
}

/// A value: `"quoted"` or bare; `stop_at_comma` also ends a bare value at `,`.
pub fn value(i: Input, stop_at_comma: bool) -> PResult<Literal> {
    if peek_char(&i) == Some('"') {
        let (rest, (text, span)) = quoted(i, '"')?;
        return Ok((
            rest,
            Literal {
                text,
                quote: Quote::Double,
                span,
            },
        ));
    }
    if !stop_at_comma {
        return bare_value(i);
    }
    let text = i.fragment();
    let end = text
        .find(|c: char| c.is_whitespace() || matches!(c, '|' | '(' | ')' | ',' | ']'))
        .unwrap_or(text.len());
    if end == 0 {
        return fail(i, Expected::Value);
    }
    let lit = Literal {
        text: text[..end].to_string(),
        quote: Quote::None,
        span: span_of(&i, end),
    };
    Ok((i.take_from(end), lit))
}

/// `name=value` (no spaces around `=`, as Splunk writes command options). Fails without
/// consuming when the input is not an option.
pub fn option(i: Input) -> PResult<CommandOption> {
    option_with(i, false)
}

/// An option inside a comma-separated list (`by _time span=1h, host`): a bare value ends at `,`.
pub fn option_in_list(i: Input) -> PResult<CommandOption> {
    option_with(i, true)
}

fn option_with(i: Input, stop_at_comma: bool) -> PResult<CommandOption> {
    let start = i;
    let (rest, name) = ident(i)?;
    let Some(rest) = eat(rest, "=") else {
        return fail(start, Expected::Char('='));
    };
    if rest.fragment().starts_with('=') {
        return fail(start, Expected::Char('='));
    }
    let (rest, value) = commit(value(rest, stop_at_comma))?;
    Ok((
        rest,
        CommandOption {
            span: span_between(&start, &rest),
            name,
            value,
        },
    ))
}

/// True when the input is `name=` (an option), without consuming anything.
pub fn looks_like_option(i: &Input) -> bool {
    match ident(*i) {
        Ok((rest, _)) => rest.fragment().starts_with('=') && !rest.fragment().starts_with("=="),
        Err(_) => false,
    }
}

/// A whole number in bare form (`head 10`).
pub fn whole_number(i: Input) -> PResult<Literal> {
    let text = i.fragment();
    let end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    if end == 0 {
        return fail(i, Expected::Number);
    }
    if text[end..]
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return fail(i, Expected::Number);
    }
    let lit = Literal {
        text: text[..end].to_string(),
        quote: Quote::None,
        span: span_of(&i, end),
    };
    Ok((i.take_from(end), lit))
}

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Counts one level of nesting for as long as it lives; [`enter`] fails past [`MAX_DEPTH`].
pub struct DepthGuard(());

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

pub fn enter(i: &Input) -> Result<DepthGuard, Err<PError>> {
    let depth = DEPTH.with(|d| {
        let n = d.get() + 1;
        d.set(n);
        n
    });
    let guard = DepthGuard(());
    if depth > MAX_DEPTH {
        return Err(Err::Failure(PError::at(i, Expected::TooDeep)));
    }
    Ok(guard)
}

/// The characters of `text` that are query structure: outside `"` quotes and not escaped by a
/// backslash, with their offsets. Quotes and backslashes themselves are left out.
pub fn unquoted_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_quote = false;
    let mut escaped = false;
    text.char_indices().filter(move |&(_, c)| {
        if escaped {
            escaped = false;
            return false;
        }
        match c {
            '\\' => escaped = true,
            '"' => in_quote = !in_quote,
            _ => return !in_quote,
        }
        false
    })
}

/// Offset of the `]` that closes a bracket opened just before `text`, outside quotes and
/// nested brackets.
pub fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (pos, c) in unquoted_chars(text) {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(pos),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Offset, from the start of `text`, of the next `|` that is outside quotes, parentheses and
/// brackets; `text.len()` when there is none.
pub fn next_top_level_pipe(text: &str) -> usize {
    let mut depth = 0i32;
    for (pos, c) in unquoted_chars(text) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' if depth > 0 => depth -= 1,
            ']' => return pos,
            '|' if depth == 0 => return pos,
            _ => {}
        }
    }
    text.len()
}

/// The length of the number literal that `text` starts with: digits, an optional fraction
/// (a `.` followed by digits) and an optional exponent. Both languages write numbers so.
pub fn number_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits_from = |mut k: usize| {
        while k < bytes.len() && bytes[k].is_ascii_digit() {
            k += 1;
        }
        k
    };
    let mut end = digits_from(0);
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits_from(end + 1);
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut j = end + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            end = digits_from(j);
        }
    }
    end
}
