//! The EQL parser: recursive descent over the located input, with precedence climbing for
//! expressions. Keywords are case-insensitive; `/* ... */` and `// ...` are comments.

use super::ast::*;
use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::input::*;
use crate::span::{SourceId, Span};
use crate::spl::commands::{is_splunk_command, IMPLEMENTED};
use nom::Input as _;

/// Parses a whole EQL query held in source `source`. SPL commands may follow the EQL part:
/// the first `| <name>` whose name is not an EQL pipe switches to SPL for the rest.
pub fn parse_query(text: &str, source: SourceId) -> Result<Query, Vec<Diagnostic>> {
    let input = Input::new_extra(text, source);
    match query(input) {
        Ok((rest, mut q)) => {
            let rest = ws(rest);
            if rest.fragment().is_empty() {
                Ok(q)
            } else if rest.fragment().starts_with('|') {
                q.spl = Some(spl_tail(rest)?);
                Ok(q)
            } else {
                Err(vec![PError::at(
                    &rest,
                    Expected::Message("unexpected text after the query".into()),
                )
                .into_diagnostic()])
            }
        }
        Err(nom::Err::Error(e)) | Err(nom::Err::Failure(e)) => Err(vec![e.into_diagnostic()]),
        Err(nom::Err::Incomplete(_)) => Err(vec![Diagnostic::syntax(
            "incomplete query",
            Span::new(source, 0..text.len()),
        )]),
    }
}

/// The SPL commands after the EQL part, from the `|` that switches. Macros are not expanded
/// there (backticks are EQL's quoted names in the EQL part), so a macro call is an error.
fn spl_tail(at_pipe: Input) -> Result<crate::spl::ast::Pipeline, Vec<Diagnostic>> {
    let after = ws(at_pipe.take_from(1));
    let name = bare_name(after).map(|(_, n)| n).ok();
    let known = name.as_ref().is_some_and(|n| {
        let lower = n.text.to_ascii_lowercase();
        IMPLEMENTED.contains(&lower.as_str()) || is_splunk_command(&lower)
    });
    let Some(name) = name else {
        return Err(vec![PError::at(
            &after,
            Expected::Message("expected an EQL pipe or an SPL command after `|`".into()),
        )
        .into_diagnostic()]);
    };
    if !known {
        let (span, text) = (name.span, name.text.clone());
        let mut d = Diagnostic::error(
            Code::Unknown,
            format!("unsupported: {text} (neither an EQL pipe nor a Splunk command)"),
        )
        .with_label(span, "unknown pipe");
        if let Some(near) = did_you_mean(&text, PIPES.iter().chain(IMPLEMENTED).copied()) {
            d = d.with_help(format!("did you mean `{near}`?"));
        }
        return Err(vec![d]);
    }
    if let Some(offset) = macro_call(at_pipe.fragment()) {
        let call = at_pipe.take_from(offset);
        return Err(vec![Diagnostic::error(
            Code::Syntax,
            "macros are not expanded in SPL commands after an EQL query",
        )
        .with_label(span_of(&call, 1), "macro call")
        .with_help("write the macro's definition out, or start the pipeline in SPL")]);
    }
    crate::spl::parse::parse_pipeline_at(at_pipe)
}

/// Offset of the first backtick outside double-quoted strings.
fn macro_call(text: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (pos, c) in text.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == '`' && !quoted {
            return Some(pos);
        }
    }
    None
}

/// Skips whitespace and comments.
pub fn ws(mut i: Input) -> Input {
    loop {
        let before = i.location_offset();
        i = sp(i);
        if let Some(rest) = eat(i, "/*") {
            let n = rest
                .fragment()
                .find("*/")
                .map(|p| p + 2)
                .unwrap_or(rest.fragment().len());
            i = rest.take_from(n);
        } else if let Some(rest) = eat(i, "//") {
            let n = rest.fragment().find('\n').unwrap_or(rest.fragment().len());
            i = rest.take_from(n);
        }
        if i.location_offset() == before {
            return i;
        }
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '@'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '@'
}

/// A keyword (any case) standing alone.
fn kw<'a>(i: Input<'a>, word: &str) -> Option<Input<'a>> {
    let text = i.fragment();
    if text.len() < word.len() || !text.is_char_boundary(word.len()) || !text[..word.len()].eq_ignore_ascii_case(word) {
        return None;
    }
    match text[word.len()..].chars().next() {
        Some(c) if is_name_char(c) || c == '~' => None,
        _ => Some(i.take_from(word.len())),
    }
}

/// A bare name.
fn bare_name(i: Input) -> PResult<Name> {
    let text = i.fragment();
    let mut end = 0;
    for (pos, c) in text.char_indices() {
        let ok = if pos == 0 { is_name_start(c) } else { is_name_char(c) };
        if !ok {
            break;
        }
        end = pos + c.len_utf8();
    }
    if end == 0 {
        return fail(i, Expected::Message("expected a name".into()));
    }
    let name = Name {
        text: text[..end].to_string(),
        quoted: false,
        span: span_of(&i, end),
    };
    Ok((i.take_from(end), name))
}

/// A bare or `` `back-quoted` `` name.
fn name(i: Input) -> PResult<Name> {
    if peek_char(&i) == Some('`') {
        let (rest, (text, span)) = quoted(i, '`')?;
        return Ok((
            rest,
            Name {
                text,
                quoted: true,
                span,
            },
        ));
    }
    bare_name(i)
}

/// Words that cannot be bare field names.
pub const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "like", "regex", "where", "by", "with", "until", "sequence", "sample", "join", "of",
    "true", "false", "null",
];

fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn query(i: Input) -> PResult<Query> {
    let start = ws(i);
    let (mut i, body) = if let Some(rest) = kw(start, "sequence") {
        let (rest, s) = commit(sequence(rest, start))?;
        (rest, Body::Sequence(s))
    } else if let Some(rest) = kw(start, "sample") {
        let (rest, s) = commit(sample(rest, start))?;
        (rest, Body::Sample(s))
    } else if let Some(rest) = kw(start, "join") {
        let (rest, j) = commit(join(rest, start))?;
        (rest, Body::Join(j))
    } else {
        let (rest, q) = event_query(start)?;
        (rest, Body::Event(q))
    };
    let mut pipes = Vec::new();
    loop {
        let after = ws(i);
        let Some(rest) = eat(after, "|") else { break };
        if !is_eql_pipe(ws(rest)) {
            // SPL from here on (see `parse_query`).
            break;
        }
        let (rest, p) = commit(pipe(ws(rest), after))?;
        pipes.push(p);
        i = rest;
    }
    let span = span_between(&start, &i);
    Ok((
        i,
        Query {
            body,
            pipes,
            span,
            spl: None,
        },
    ))
}

/// Does the input start with `<category> where` (an EQL event query)?
pub(crate) fn starts_event_query(i: &Input) -> bool {
    let start = ws(*i);
    match name(start) {
        Ok((rest, _)) => kw(ws(rest), "where").is_some(),
        Err(_) => false,
    }
}

/// `<category> where <condition>`.
pub(crate) fn event_query(i: Input) -> PResult<EventQuery> {
    let start = ws(i);
    let (rest, cat) = match name(start) {
        Ok(ok) => ok,
        Err(_) => {
            return fail(
                start,
                Expected::Message("expected `<category> where <condition>`".into()),
            )
        }
    };
    let after = ws(rest);
    let Some(rest) = kw(after, "where") else {
        return fatal(after, Expected::Keyword("where"));
    };
    let category = if !cat.quoted && cat.text.eq_ignore_ascii_case("any") {
        Category::Any
    } else {
        Category::Named(cat)
    };
    let (rest, condition) = commit(expr(rest))?;
    Ok((
        rest,
        EventQuery {
            category,
            condition,
            span: span_between(&start, &rest),
        },
    ))
}

/// `by a, b` (at least one expression).
fn by_list(i: Input) -> PResult<Vec<Expr>> {
    let (mut i, first) = commit(expr(i))?;
    let mut list = vec![first];
    loop {
        let after = ws(i);
        let Some(rest) = eat(after, ",") else { break };
        let next = ws(rest);
        if next.fragment().starts_with('[') || next.fragment().is_empty() {
            // a trailing comma (endgame accepts one)
            i = rest;
            break;
        }
        let (rest, e) = commit(expr(next))?;
        list.push(e);
        i = rest;
    }
    Ok((i, list))
}

fn time_span(i: Input) -> PResult<TimeSpan> {
    let start = ws(i);
    let text = start.fragment();
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    if digits == 0 {
        return fatal(start, Expected::Message("expected a time span such as 10m".into()));
    }
    let value = text[..digits].to_string();
    let rest = start.take_from(digits);
    let unit_len = rest
        .fragment()
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.fragment().len());
    let unit = (unit_len > 0).then(|| rest.fragment()[..unit_len].to_string());
    let rest = rest.take_from(unit_len);
    Ok((
        rest,
        TimeSpan {
            value,
            unit,
            span: span_between(&start, &rest),
        },
    ))
}

fn sequence<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Sequence> {
    let mut i = ws(i);
    let mut by = Vec::new();
    let mut maxspan = None;
    loop {
        if let Some(rest) = kw(i, "by") {
            let (rest, list) = by_list(ws(rest))?;
            by = list;
            i = ws(rest);
        } else if let Some(rest) = kw(i, "with") {
            let rest = ws(rest);
            let Some(rest) = kw(rest, "maxspan") else {
                return fatal(rest, Expected::Keyword("maxspan"));
            };
            let rest = ws(rest);
            let Some(rest) = eat(rest, "=").filter(|r| !r.fragment().starts_with('=')) else {
                return fatal(rest, Expected::Char('='));
            };
            let (rest, span) = time_span(rest)?;
            maxspan = Some(span);
            i = ws(rest);
        } else {
            break;
        }
    }
    let (rest, stages) = stages(i, true)?;
    let (rest, until) = until(rest)?;
    Ok((
        rest,
        Sequence {
            by,
            maxspan,
            stages,
            until,
            span: span_between(&start, &rest),
        },
    ))
}

fn sample<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Sample> {
    let mut i = ws(i);
    let mut by = Vec::new();
    if let Some(rest) = kw(i, "by") {
        let (rest, list) = by_list(ws(rest))?;
        by = list;
        i = ws(rest);
    }
    let (rest, stages) = stages(i, false)?;
    Ok((
        rest,
        Sample {
            by,
            stages,
            span: span_between(&start, &rest),
        },
    ))
}

fn join<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Join> {
    let mut i = ws(i);
    let mut by = Vec::new();
    if let Some(rest) = kw(i, "by") {
        let (rest, list) = by_list(ws(rest))?;
        by = list;
        i = ws(rest);
    }
    let (rest, stages) = stages(i, false)?;
    let (rest, until) = until(rest)?;
    Ok((
        rest,
        Join {
            by,
            stages,
            until,
            span: span_between(&start, &rest),
        },
    ))
}

fn until(i: Input) -> PResult<Option<Stage>> {
    let after = ws(i);
    match kw(after, "until") {
        Some(rest) => {
            let rest = ws(rest);
            if !rest.fragment().starts_with('[') {
                return fatal(rest, Expected::Char('['));
            }
            let (rest, s) = stage(rest, false)?;
            Ok((rest, Some(s)))
        }
        None => Ok((i, None)),
    }
}

fn stages(i: Input, allow_missing: bool) -> PResult<Vec<Stage>> {
    let mut i = ws(i);
    let mut list = Vec::new();
    while i.fragment().starts_with('[') || (allow_missing && i.fragment().starts_with("![")) {
        let (rest, s) = stage(i, allow_missing)?;
        list.push(s);
        i = ws(rest);
    }
    if list.is_empty() {
        return fatal(
            i,
            Expected::Message("expected a stage: `[<category> where <condition>]`".into()),
        );
    }
    Ok((i, list))
}

fn stage(i: Input, allow_missing: bool) -> PResult<Stage> {
    let start = i;
    let (i, missing) = match eat(i, "!") {
        Some(rest) if allow_missing => (rest, true),
        _ => (i, false),
    };
    let Some(rest) = eat(i, "[") else {
        return fatal(i, Expected::Char('['));
    };
    spl_stage(ws(rest))?;
    let (rest, query) = commit(event_query(rest))?;
    let rest = ws(rest);
    let Some(mut i) = eat(rest, "]") else {
        return fatal(rest, Expected::Char(']'));
    };
    let mut by = Vec::new();
    let mut runs = None;
    let mut fork = None;
    loop {
        let after = ws(i);
        if let Some(rest) = kw(after, "by") {
            let (rest, list) = by_list(ws(rest))?;
            by = list;
            i = rest;
        } else if let Some(rest) = kw(after, "with").map(ws).and_then(|r| kw(r, "runs")) {
            let rest = ws(rest);
            let Some(rest) = eat(rest, "=") else {
                return fatal(rest, Expected::Char('='));
            };
            let rest = ws(rest);
            let (rest, n) = commit(whole_number(rest))?;
            let value: u64 = n.text.parse().unwrap_or(0);
            if value < 1 {
                return fatal(rest, Expected::Message("runs must be at least 1".into()));
            }
            runs = Some(value);
            i = rest;
        } else if let Some(rest) = kw(after, "fork") {
            let eq = ws(rest);
            match eat(eq, "=") {
                Some(v) => {
                    let v = ws(v);
                    if let Some(r) = kw(v, "true") {
                        fork = Some(true);
                        i = r;
                    } else if let Some(r) = kw(v, "false") {
                        fork = Some(false);
                        i = r;
                    } else {
                        return fatal(v, Expected::Message("expected true or false".into()));
                    }
                }
                None => {
                    fork = Some(true);
                    i = rest;
                }
            }
        } else {
            break;
        }
    }
    Ok((
        i,
        Stage {
            query,
            by,
            runs,
            missing,
            fork,
            span: span_between(&start, &i),
        },
    ))
}

/// `[search ...]` is a stage of SPL's `sequence` command, not of EQL's.
fn spl_stage(i: Input) -> Result<(), nom::Err<PError>> {
    if kw(i, "search").is_none() || starts_event_query(&i) {
        return Ok(());
    }
    let d = Diagnostic::error(Code::Syntax, "an SPL stage in an EQL query")
        .with_label(span_of(&i, "search".len()), "`search` starts an SPL stage")
        .with_note("the stages of an EQL sequence are EQL event queries: `[<category> where <condition>]`")
        .with_help(
            "for SPL stages, use the SPL `sequence` command: `<terms> | sequence by <field> [search ...] [search ...]`",
        );
    Err(nom::Err::Failure(PError::with_diagnostic(&i, d)))
}

/// The pipe names after `|`.
pub const PIPES: &[&str] = &["head", "tail", "filter", "unique", "unique_count", "count", "sort"];

/// Is the input (after a `|`) an EQL pipe's name? Anything else switches to SPL.
fn is_eql_pipe(i: Input) -> bool {
    match bare_name(i) {
        Ok((_, n)) => PIPES.iter().any(|p| p.eq_ignore_ascii_case(&n.text)),
        Err(_) => false,
    }
}

fn pipe<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Pipe> {
    let (rest, pipe_name) = match bare_name(i) {
        Ok(ok) => ok,
        Err(_) => return fatal(i, Expected::Message("expected a pipe name such as head or tail".into())),
    };
    let lower = pipe_name.text.to_ascii_lowercase();
    let after = ws(rest);
    let (rest, kind) = match lower.as_str() {
        "head" | "tail" => {
            let (rest, n) = if at_pipe_end(&after) {
                // Both default to 50 when no count is given.
                (after, 50)
            } else {
                let (rest, lit) = commit(whole_number(after))?;
                (rest, lit.text.parse().unwrap_or(u64::MAX))
            };
            (
                rest,
                if lower == "head" {
                    PipeKind::Head(n)
                } else {
                    PipeKind::Tail(n)
                },
            )
        }
        "filter" => {
            let (rest, e) = commit(expr(after))?;
            (rest, PipeKind::Filter(e))
        }
        "unique" | "unique_count" | "count" | "sort" => {
            let (rest, list) = pipe_args(after, lower != "count")?;
            let kind = match lower.as_str() {
                "unique" => PipeKind::Unique(list),
                "unique_count" => PipeKind::UniqueCount(list),
                "count" => PipeKind::Count(list),
                _ => PipeKind::Sort(list),
            };
            (rest, kind)
        }
        _ => {
            let mut d = Diagnostic::error(
                Code::Unknown,
                format!("unsupported: {} (not an EQL pipe)", pipe_name.text),
            )
            .with_label(pipe_name.span, "unknown pipe");
            if let Some(near) = did_you_mean(&lower, PIPES.iter().copied()) {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            return Err(nom::Err::Failure(PError::with_diagnostic(&i, d)));
        }
    };
    Ok((
        rest,
        Pipe {
            kind,
            span: span_between(&start, &rest),
        },
    ))
}

fn at_pipe_end(i: &Input) -> bool {
    let t = ws(*i);
    t.fragment().is_empty() || t.fragment().starts_with('|')
}

/// Arguments of `unique`, `sort` ...: expressions separated by commas or by spaces.
fn pipe_args(i: Input, required: bool) -> PResult<Vec<Expr>> {
    let mut i = i;
    let mut list = Vec::new();
    loop {
        let after = ws(i);
        if at_pipe_end(&after) {
            break;
        }
        if !list.is_empty() {
            if let Some(rest) = eat(after, ",") {
                i = rest;
                continue;
            }
        }
        let (rest, e) = commit(expr(after))?;
        list.push(e);
        i = rest;
    }
    if required && list.is_empty() {
        return fatal(ws(i), Expected::Expression);
    }
    Ok((i, list))
}

// ------------------------------------------------------------------ expressions

/// Operators in a row before an expression is refused (a long chain builds a deep tree).
const MAX_CHAIN: usize = 1000;

pub fn expr(i: Input) -> PResult<Expr> {
    binary(ws(i), 1)
}

fn binary(i: Input, min_prec: u8) -> PResult<Expr> {
    let _guard = enter(&i)?;
    let start = i;
    let (mut i, mut lhs) = if min_prec <= NOT_PRECEDENCE {
        not_expr(i)?
    } else {
        unary(i)?
    };
    let mut chained = 0;
    loop {
        chained += 1;
        if chained > MAX_CHAIN {
            return fatal(
                i,
                Expected::Message(format!(
                    "expression too long (more than {MAX_CHAIN} operators in a row)"
                )),
            );
        }
        // endgame method syntax: `x:length()` is `length(x)`.
        if let Some((rest, call)) = method_call(i, &start, &lhs)? {
            lhs = call;
            i = rest;
            continue;
        }
        let after = ws(i);
        // Comparisons and set/pattern tests (one per operand, not chained).
        if min_prec <= COMPARISON_PRECEDENCE {
            if let Some((rest, e)) = comparison_tail(after, &start, &lhs)? {
                lhs = e;
                i = rest;
                continue;
            }
        }
        let Some((rest, op)) = binary_op(after) else { break };
        let prec = op.precedence();
        if prec < min_prec || prec == COMPARISON_PRECEDENCE {
            break;
        }
        let (rest, rhs) = commit(binary(ws(rest), prec + 1))?;
        lhs = Expr {
            span: span_between(&start, &rest),
            kind: ExprKind::Binary {
                op,
                left: Box::new(lhs),
                right: Box::new(rhs),
            },
        };
        i = rest;
    }
    Ok((i, lhs))
}

/// `:name(args)` right after an operand (no spaces): a method call on it.
fn method_call<'a>(i: Input<'a>, start: &Input<'a>, lhs: &Expr) -> Result<Option<(Input<'a>, Expr)>, nom::Err<PError>> {
    let Some(after_colon) = eat(i, ":") else {
        return Ok(None);
    };
    let Ok((after_name, name)) = bare_name(after_colon) else {
        return Ok(None);
    };
    if !after_name.fragment().starts_with('(') {
        return Ok(None);
    }
    let (rest, mut args) = commit(paren_list(after_name))?;
    args.insert(0, lhs.clone());
    Ok(Some((
        rest,
        Expr {
            span: span_between(start, &rest),
            kind: ExprKind::Call {
                name,
                insensitive: false,
                args,
            },
        },
    )))
}

fn not_expr(i: Input) -> PResult<Expr> {
    if let Some(rest) = kw(i, "not") {
        let after = ws(rest);
        // `not in` belongs to a comparison, not to a prefix `not`.
        if kw(after, "in").is_none() && !after.fragment().to_ascii_lowercase().starts_with("in~") {
            let _guard = enter(&i)?;
            let (rest, inner) = commit(binary(after, NOT_PRECEDENCE))?;
            return Ok((
                rest,
                Expr {
                    span: span_between(&i, &rest),
                    kind: ExprKind::Not(Box::new(inner)),
                },
            ));
        }
    }
    binary(i, COMPARISON_PRECEDENCE)
}

/// After an operand: `== x`, `in (...)`, `not in (...)`, `: x`, `like~ (...)`, ...
fn comparison_tail<'a>(
    i: Input<'a>,
    start: &Input<'a>,
    lhs: &Expr,
) -> Result<Option<(Input<'a>, Expr)>, nom::Err<PError>> {
    // set membership
    let (negated, after_not) = match kw(i, "not") {
        Some(rest) => (true, ws(rest)),
        None => (false, i),
    };
    let in_kw = kw(after_not, "in").map(|r| (r, false)).or_else(|| {
        eat(after_not, "in~")
            .or_else(|| eat(after_not, "IN~"))
            .map(|r| (r, true))
    });
    if let Some((rest, insensitive)) = in_kw {
        let rest = ws(rest);
        let (rest, list) = commit(paren_list(rest))?;
        return Ok(Some((
            rest,
            Expr {
                span: span_between(start, &rest),
                kind: ExprKind::In {
                    left: Box::new(lhs.clone()),
                    list,
                    insensitive,
                    negated,
                },
            },
        )));
    }
    if negated {
        return Ok(None);
    }
    // pattern operators
    let pattern_op = if let Some(r) = eat(i, "!:") {
        Some((r, MatchOp::Colon, true))
    } else if let Some(r) = eat(i, ":") {
        Some((r, MatchOp::Colon, false))
    } else {
        [
            ("like~", MatchOp::LikeInsensitive),
            ("regex~", MatchOp::RegexInsensitive),
            ("like", MatchOp::Like),
            ("regex", MatchOp::Regex),
        ]
        .iter()
        .find_map(|(word, op)| {
            let t = i.fragment();
            if t.len() >= word.len() && t.is_char_boundary(word.len()) && t[..word.len()].eq_ignore_ascii_case(word) {
                let next = t[word.len()..].chars().next();
                if word.ends_with('~') || !next.is_some_and(|c| is_name_char(c) || c == '~') {
                    return Some((i.take_from(word.len()), *op, false));
                }
            }
            None
        })
    };
    if let Some((rest, op, negated)) = pattern_op {
        let rest = ws(rest);
        let (rest, patterns, list) = if rest.fragment().starts_with('(') {
            let (r, l) = commit(paren_list(rest))?;
            (r, l, true)
        } else {
            let (r, e) = commit(binary(rest, COMPARISON_PRECEDENCE + 1))?;
            (r, vec![e], false)
        };
        return Ok(Some((
            rest,
            Expr {
                span: span_between(start, &rest),
                kind: ExprKind::Match {
                    op,
                    negated,
                    left: Box::new(lhs.clone()),
                    patterns,
                    list,
                },
            },
        )));
    }
    // comparison operators
    for (text, op) in [
        ("==", BinaryOp::Eq),
        ("!=", BinaryOp::Ne),
        ("<=", BinaryOp::Le),
        (">=", BinaryOp::Ge),
        ("=", BinaryOp::Assign),
        ("<", BinaryOp::Lt),
        (">", BinaryOp::Gt),
    ] {
        if let Some(rest) = eat(i, text) {
            let (rest, rhs) = commit(binary(ws(rest), COMPARISON_PRECEDENCE + 1))?;
            return Ok(Some((
                rest,
                Expr {
                    span: span_between(start, &rest),
                    kind: ExprKind::Binary {
                        op,
                        left: Box::new(lhs.clone()),
                        right: Box::new(rhs),
                    },
                },
            )));
        }
    }
    Ok(None)
}

fn binary_op(i: Input) -> Option<(Input, BinaryOp)> {
    if let Some(r) = kw(i, "and") {
        return Some((r, BinaryOp::And));
    }
    if let Some(r) = kw(i, "or") {
        return Some((r, BinaryOp::Or));
    }
    for (text, op) in [
        ("+", BinaryOp::Add),
        ("-", BinaryOp::Sub),
        ("*", BinaryOp::Mul),
        ("/", BinaryOp::Div),
        ("%", BinaryOp::Mod),
    ] {
        if let Some(rest) = eat(i, text) {
            // `//` and `/*` start comments.
            if text == "/" && (rest.fragment().starts_with('/') || rest.fragment().starts_with('*')) {
                return None;
            }
            return Some((rest, op));
        }
    }
    None
}

/// `( a, b, c )` (possibly empty, trailing comma allowed).
fn paren_list(i: Input) -> PResult<Vec<Expr>> {
    let open = i;
    let Some(rest) = eat(i, "(") else {
        return fail(i, Expected::Char('('));
    };
    let _guard = enter(&i)?;
    let mut i = ws(rest);
    let mut list = Vec::new();
    loop {
        if let Some(rest) = eat(i, ")") {
            return Ok((rest, list));
        }
        if i.fragment().is_empty() {
            return Err(nom::Err::Failure(PError {
                len: 1,
                ..PError::at(&open, Expected::ClosingParen)
            }));
        }
        let (rest, e) = commit(expr(i))?;
        list.push(e);
        let rest = ws(rest);
        if let Some(r) = eat(rest, ",") {
            i = ws(r);
            continue;
        }
        if let Some(r) = eat(rest, ")") {
            return Ok((r, list));
        }
        return fatal(rest, Expected::Message("expected `,` or `)`".into()));
    }
}

fn unary(i: Input) -> PResult<Expr> {
    for (sign, neg) in [("-", true), ("+", false)] {
        if let Some(rest) = eat(i, sign) {
            let _guard = enter(&i)?;
            let (rest, inner) = commit(binary(ws(rest), SIGN_PRECEDENCE))?;
            let span = span_between(&i, &rest);
            return Ok((
                rest,
                if neg {
                    Expr {
                        kind: ExprKind::Neg(Box::new(inner)),
                        span,
                    }
                } else {
                    inner
                },
            ));
        }
    }
    atom(i)
}

fn atom(i: Input) -> PResult<Expr> {
    let Some(c) = peek_char(&i) else {
        return fail(i, Expected::Expression);
    };
    match c {
        '(' => {
            let _guard = enter(&i)?;
            let (rest, inner) = commit(expr(i.take_from(1)))?;
            let rest = ws(rest);
            let Some(rest) = eat(rest, ")") else {
                return fatal(rest, Expected::ClosingParen);
            };
            Ok((
                rest,
                Expr {
                    span: span_between(&i, &rest),
                    kind: ExprKind::Group(Box::new(inner)),
                },
            ))
        }
        '"' | '\'' => string(i),
        '?' if matches!(i.fragment()[1..].chars().next(), Some('"') | Some('\'')) => string(i),
        '?' => {
            let (rest, mut f) = field(i.take_from(1))?;
            if let ExprKind::Field(r) = &mut f.kind {
                r.optional = true;
            }
            let span = span_between(&i, &rest);
            Ok((rest, Expr { span, ..f }))
        }
        c if c.is_ascii_digit() || (c == '.' && i.fragment()[1..].starts_with(|d: char| d.is_ascii_digit())) => {
            number(i)
        }
        _ => {
            if let Ok((rest, n)) = bare_name(i) {
                let lower = n.text.to_ascii_lowercase();
                match lower.as_str() {
                    "true" => {
                        return Ok((
                            rest,
                            Expr {
                                kind: ExprKind::Bool(true),
                                span: n.span,
                            },
                        ))
                    }
                    "false" => {
                        return Ok((
                            rest,
                            Expr {
                                kind: ExprKind::Bool(false),
                                span: n.span,
                            },
                        ))
                    }
                    "null" => {
                        return Ok((
                            rest,
                            Expr {
                                kind: ExprKind::Null,
                                span: n.span,
                            },
                        ))
                    }
                    "descendant" | "child" | "event" => {
                        if let Some(after_of) = kw(ws(rest), "of") {
                            return lineage(i, &lower, after_of);
                        }
                    }
                    _ => {}
                }
                // function call: name( or name~(
                let (after, insensitive) = match eat(rest, "~") {
                    Some(r) => (r, true),
                    None => (rest, false),
                };
                // `stringContains (x, y)`: a space before the parenthesis is allowed.
                let after = if ws(after).fragment().starts_with('(') && !is_keyword(&n.text) {
                    ws(after)
                } else {
                    after
                };
                if after.fragment().starts_with('(') {
                    let (after, args) = commit(paren_list(after))?;
                    return Ok((
                        after,
                        Expr {
                            span: span_between(&i, &after),
                            kind: ExprKind::Call {
                                name: n,
                                insensitive,
                                args,
                            },
                        },
                    ));
                }
                if insensitive {
                    return fatal(after, Expected::Char('('));
                }
                if is_keyword(&n.text) {
                    return fail(i, Expected::Expression);
                }
            }
            field(i)
        }
    }
}

fn lineage<'a>(start: Input<'a>, relation: &str, after_of: Input<'a>) -> PResult<'a, Expr> {
    let rest = ws(after_of);
    let Some(rest) = eat(rest, "[") else {
        return fatal(rest, Expected::Char('['));
    };
    let (rest, query) = commit(event_query(rest))?;
    let rest = ws(rest);
    let Some(rest) = eat(rest, "]") else {
        return fatal(rest, Expected::Char(']'));
    };
    let relation = match relation {
        "descendant" => Relation::Descendant,
        "child" => Relation::Child,
        _ => Relation::Event,
    };
    Ok((
        rest,
        Expr {
            span: span_between(&start, &rest),
            kind: ExprKind::Lineage {
                relation,
                query: Box::new(query),
            },
        },
    ))
}

fn field(i: Input) -> PResult<Expr> {
    let (mut rest, base) = match name(i) {
        Ok(ok) => ok,
        Err(_) => return fail(i, Expected::Expression),
    };
    let mut path = Vec::new();
    loop {
        if let Some(r) = eat(rest, ".") {
            let (r, part) = commit(name(r))?;
            path.push(PathStep::Attr(part));
            rest = r;
        } else if let Some(r) = eat(rest, "[") {
            let r = ws(r);
            let (r, n) = commit(whole_number(r))?;
            let r = ws(r);
            let Some(r) = eat(r, "]") else {
                return fatal(r, Expected::Char(']'));
            };
            path.push(PathStep::Index(n.text.parse().unwrap_or(u64::MAX)));
            rest = r;
        } else {
            break;
        }
    }
    Ok((
        rest,
        Expr {
            span: span_between(&i, &rest),
            kind: ExprKind::Field(FieldRef {
                optional: false,
                base,
                path,
            }),
        },
    ))
}

fn number(i: Input) -> PResult<Expr> {
    let text = i.fragment();
    let end = number_len(text);
    if text[end..].starts_with(|c: char| is_name_char(c)) {
        return fatal(i, Expected::Message("a name must not start with a digit".into()));
    }
    let span = span_of(&i, end);
    Ok((
        i.take_from(end),
        Expr {
            kind: ExprKind::Number(text[..end].to_string()),
            span,
        },
    ))
}

fn string(i: Input) -> PResult<Expr> {
    let text = i.fragment();
    if let Some(body) = text.strip_prefix("\"\"\"") {
        let Some(end) = body.find("\"\"\"") else {
            return Err(nom::Err::Failure(PError {
                len: 3,
                ..PError::at(
                    &i,
                    Expected::Message("unterminated string: missing closing \"\"\"".into()),
                )
            }));
        };
        // `""""a""""` style: extra closing quotes belong to the string.
        let mut close = end;
        while body[close + 3..].starts_with('"') {
            close += 1;
        }
        let len = 3 + close + 3;
        let lit = StrLit {
            text: body[..close].to_string(),
            style: StrStyle::Triple,
        };
        return Ok((
            i.take_from(len),
            Expr {
                kind: ExprKind::Str(lit),
                span: span_of(&i, len),
            },
        ));
    }
    let (raw, offset) = if text.starts_with('?') { (true, 1) } else { (false, 0) };
    let q = text[offset..].chars().next().unwrap_or('"');
    let body_start = i.take_from(offset);
    let (rest, (body, _)) = if raw {
        raw_quoted(body_start, q)?
    } else {
        quoted(body_start, q)?
    };
    if body.contains('\n') && !raw {
        // Strings end at the line: a newline inside one means the quote was never closed.
        return Err(nom::Err::Failure(PError {
            len: 1,
            ..PError::at(&body_start, Expected::ClosingQuote(q))
        }));
    }
    let style = match (raw, q) {
        (false, '"') => StrStyle::Double,
        (false, _) => StrStyle::Single,
        (true, '"') => StrStyle::RawDouble,
        (true, _) => StrStyle::RawSingle,
    };
    Ok((
        rest,
        Expr {
            kind: ExprKind::Str(StrLit { text: body, style }),
            span: span_between(&i, &rest),
        },
    ))
}

/// `?"..."`: the only escape is the quote itself.
fn raw_quoted(i: Input, q: char) -> PResult<(String, Span)> {
    let text = i.fragment();
    let mut escaped = false;
    for (pos, c) in text.char_indices().skip(1) {
        if escaped {
            escaped = false;
            continue;
        }
        if c == '\\' && text[pos + 1..].starts_with(q) {
            escaped = true;
        } else if c == q {
            let len = pos + 1;
            return Ok((i.take_from(len), (text[1..pos].to_string(), span_of(&i, len))));
        }
    }
    Err(nom::Err::Failure(PError {
        len: 1,
        ..PError::at(&i, Expected::ClosingQuote(q))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(q: &str) -> Query {
        parse_query(q, SourceId(0)).unwrap_or_else(|e| panic!("{q}: {e:?}"))
    }

    #[test]
    fn the_seed_rule_parses() {
        let q = ok("sequence by user.email with maxspan=10m\n  [any where event.module == \"okta\" and event.action == \"user.mfa.okta_verify.deny_push\"]\n  [any where event.module == \"okta\" and event.action == \"user.mfa.okta_verify.deny_push\"]\n  [any where event.module == \"okta\" and event.action == \"user.authentication.sso\"]");
        let Body::Sequence(s) = q.body else { panic!() };
        assert_eq!(s.stages.len(), 3);
        assert_eq!(s.maxspan.unwrap().unit.as_deref(), Some("m"));
    }

    #[test]
    fn not_in_is_one_operator() {
        let q = ok("process where opcode not in (0, 1)");
        let Body::Event(e) = q.body else { panic!() };
        assert!(matches!(e.condition.kind, ExprKind::In { negated: true, .. }));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse_query("process where (a == 1", SourceId(0)).unwrap_err();
        assert!(e[0].message.contains("`)`"), "{e:?}");
        let e = parse_query("process where a == 1 | frob 3", SourceId(0)).unwrap_err();
        assert!(e[0].message.contains("unsupported: frob"), "{e:?}");
    }
}
