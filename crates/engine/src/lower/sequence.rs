//! SPL's `sequence` command → the EQL sequence engine, with Elasticsearch semantics.
//!
//! Join keys are Splunk field names, read as SPL reads fields (`target{}.alternateId` is a
//! multivalue that joins on each value). A stage is an SPL search (Splunk semantics) or an
//! EQL event query (Elasticsearch semantics). The command lowers to three operators: a time
//! sort (the sequence engine needs events oldest first), the sequence, and the rows.

use super::spl::{decode_search_literal, lower_search, unknown_option};
use crate::eql::lower::{check_sequence, event_filter, path_of};
use crate::eql::sequence::{KeyExpr, KeySpec, SequenceSpec, StageFilter, StageSpec};
use crate::eql::{EqlOp, EqlOptions, Semantics};
use crate::event::Name;
use crate::plan::{Op, RowMode, UnfoldSpec};
use crate::search::CSearch;
use quarry_syntax::eql::ast as eql;
use quarry_syntax::spl::ast::{
    CommandOption, Field, Quote, SearchExpr, SearchKind, Sequence, SequenceStage, StageBody,
};
use quarry_syntax::{Code, Diagnostic, Span};

/// Lowers `sequence ...`. `ordered_input`: events reach the command as read (nearly in time
/// order), so a reorder window suffices; otherwise every event is sorted first.
pub fn lower(s: &Sequence, opts: &EqlOptions, ordered_input: bool) -> Result<Vec<Op>, Diagnostic> {
    let opts = EqlOptions {
        semantics: Semantics::default(),
        ..opts.clone()
    };
    let mut maxspan = None;
    let mut mode = RowMode::Events;
    for opt in &s.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "maxspan" => maxspan = Some(parse_maxspan(opt)?),
            "mode" => {
                mode = RowMode::parse(&decode_search_literal(&opt.value)).ok_or_else(|| {
                    Diagnostic::error(Code::BadOption, "`mode` is `events` or `summary`")
                        .with_label(opt.value.span, "unknown mode")
                        .with_help("mode=events: one row per matched event; mode=summary: one row per sequence")
                })?
            }
            _ => return Err(unknown_option("sequence", opt, &["maxspan", "mode"])),
        }
    }
    let by: Vec<KeySpec> = s.by.iter().map(spl_key).collect();
    let mut stages = Vec::new();
    let mut spans = Vec::new();
    let mut numbers = Vec::new();
    for (n, stage) in s.stages.iter().enumerate() {
        let spec = stage_spec(stage, n + 1, &by, &opts)?;
        let runs = match &stage.runs {
            Some(lit) => parse_runs(lit)?,
            None => 1,
        };
        for _ in 0..runs {
            stages.push(spec.clone());
            spans.push(stage.span);
            numbers.push(n + 1);
        }
    }
    let until = match &s.until {
        Some(u) => {
            if let Some(runs) = &u.runs {
                return Err(Diagnostic::error(Code::BadOption, "`until` takes no `with runs=`")
                    .with_label(runs.span, "runs on the until stage"));
            }
            Some(stage_spec(u, 0, &by, &opts)?)
        }
        None => None,
    };
    check_sequence(&stages, &spans, s.span, maxspan)?;
    let mut keys: Vec<Name> = s.by.iter().map(|f| Name::from(f.name.as_str())).collect();
    if let Some(first) = s.stages.first() {
        keys.extend(first.by.iter().map(|f| Name::from(f.name.as_str())));
    }
    Ok(vec![
        Op::Eql(EqlOp::TimeSort {
            tiebreaker: opts.tiebreaker.as_deref().map(path_of),
            window: if ordered_input { opts.reorder_window } else { None },
        }),
        Op::Eql(EqlOp::Sequence(SequenceSpec {
            stages,
            until,
            maxspan,
            semantics: opts.semantics,
            max_partials: opts.max_partials,
        })),
        Op::Unfold(UnfoldSpec {
            keys,
            stages: numbers,
            mode,
        }),
    ])
}

fn spl_key(field: &Field) -> KeySpec {
    KeySpec {
        expr: KeyExpr::Spl(Name::from(field.name.as_str())),
        optional: false,
    }
}

/// One stage; `number` is 1-based (0 for `until`), for messages.
fn stage_spec(
    stage: &SequenceStage,
    number: usize,
    by: &[KeySpec],
    opts: &EqlOptions,
) -> Result<StageSpec, Diagnostic> {
    let which = if number == 0 {
        "the until stage".to_string()
    } else {
        format!("stage {number}")
    };
    let filter = match &stage.body {
        StageBody::Search(search) => match &search.expr {
            Some(expr) => StageFilter::Spl(
                eql_word(expr)
                    .map_or_else(|| lower_search(expr), Err)
                    .map_err(|d| d.with_secondary(stage.span, format!("in {which} (SPL search)")))?,
            ),
            None => StageFilter::Spl(CSearch::All),
        },
        StageBody::Eql(query) => {
            if let Some(span) = assignment(&query.condition) {
                return Err(Diagnostic::error(Code::Syntax, "`=` in an EQL stage")
                    .with_label(span, "EQL compares with `==` or `:`")
                    .with_secondary(stage.span, format!("{which} is EQL (`<category> where ...`)"))
                    .with_help("EQL: `==` is exact, `:` is case-insensitive with wildcards: `[any where eventType : \"user.mfa.*\"]`")
                    .with_help("or write the stage as an SPL search: `[search eventType=user.mfa.*]`"));
            }
            StageFilter::Eql(
                event_filter(query, opts).map_err(|d| d.with_secondary(stage.span, format!("in {which} (EQL)")))?,
            )
        }
    };
    let mut keys = by.to_vec();
    keys.extend(stage.by.iter().map(spl_key));
    Ok(StageSpec {
        filter,
        keys,
        missing: stage.missing,
        fork: false,
    })
}

/// An EQL word in an SPL search stage (`and`, `or`, `not` in lower case, `:`, `where`): in SPL
/// they would be search terms matched against the raw event, which is never what was meant.
fn eql_word(e: &SearchExpr) -> Option<Diagnostic> {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().find_map(eql_word),
        SearchKind::Not(inner) | SearchKind::Group(inner) => eql_word(inner),
        SearchKind::Term(lit) if lit.quote == Quote::None && EQL_WORDS.contains(&lit.text.as_str()) => Some(
            Diagnostic::error(Code::Syntax, format!("`{}` in an SPL search stage", lit.text))
                .with_label(lit.span, "EQL, not SPL search")
                .with_help("SPL search joins terms with AND, OR and NOT in capitals, and compares with `=`")
                .with_help("or write the stage in EQL: `[any where event.action : \"user.mfa.*\" and ...]`"),
        ),
        _ => None,
    }
}

const EQL_WORDS: &[&str] = &["and", "or", "not", ":", "where"];

/// The span of the first `=` comparison (SPL's, or endgame's) in an EQL condition.
fn assignment(e: &eql::Expr) -> Option<Span> {
    match &e.kind {
        eql::ExprKind::Binary {
            op: eql::BinaryOp::Assign,
            ..
        } => Some(e.span),
        eql::ExprKind::Binary { left, right, .. } => assignment(left).or_else(|| assignment(right)),
        eql::ExprKind::Not(inner) | eql::ExprKind::Neg(inner) | eql::ExprKind::Group(inner) => assignment(inner),
        _ => None,
    }
}

/// `maxspan=10m`: a number and a unit (`ms`, or a Splunk unit: `s`, `m`, `min`, `h`, `d`,
/// `w` ...; seconds without one). Returns nanoseconds; the bound is inclusive.
fn parse_maxspan(opt: &CommandOption) -> Result<i64, Diagnostic> {
    let text = decode_search_literal(&opt.value);
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let unit = &text[digits..];
    let per_unit = match unit {
        "" => Some(1e9),
        "ms" => Some(1e6),
        other => crate::time::unit_seconds(other).map(|s| s * 1e9),
    };
    let bad = |why: &str| {
        Diagnostic::error(Code::BadOption, format!("bad maxspan `{text}`: {why}"))
            .with_label(opt.value.span, "")
            .with_help("maxspan is a number and a unit: 500ms, 30s, 10m, 1h, 2d")
    };
    let Some(per_unit) = per_unit else {
        return Err(bad(&format!("unknown time unit `{unit}`")));
    };
    let value: f64 = text[..digits].parse().map_err(|_| bad("expected a number"))?;
    let nanos = (value * per_unit).round();
    if nanos <= 0.0 || !nanos.is_finite() || nanos > i64::MAX as f64 {
        return Err(bad("it must be greater than zero"));
    }
    Ok(nanos as i64)
}

fn parse_runs(lit: &quarry_syntax::spl::ast::Literal) -> Result<usize, Diagnostic> {
    match decode_search_literal(lit).parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(
            Diagnostic::error(Code::BadOption, "`runs` must be a whole number of at least 1")
                .with_label(lit.span, "not a number of runs"),
        ),
    }
}
