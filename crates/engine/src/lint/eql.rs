//! EQL findings: a wildcard pattern compared with `==`, `!=` or `in`, where the dialect reads
//! `*` and `?` as plain characters (L0008), and a `sequence` with no time bound (L0009).

use super::{finding, UNBOUNDED_SEQUENCE, WILDCARD_EQUALITY};
use crate::eql::Semantics;
use quarry_syntax::eql::ast::*;
use quarry_syntax::{Diagnostic, Span};

/// Every finding about a parsed EQL query under `semantics`.
pub fn lint_query(query: &Query, semantics: Semantics) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut visit = |e: &Expr| wildcards(e, semantics, &mut out);
    match &query.body {
        Body::Event(q) => visit_query(q, &mut visit),
        Body::Sequence(s) => {
            s.by.iter().for_each(&mut visit);
            for stage in s.stages.iter().chain(&s.until) {
                visit_stage(stage, &mut visit);
            }
        }
        Body::Sample(s) => {
            s.by.iter().for_each(&mut visit);
            s.stages.iter().for_each(|st| visit_stage(st, &mut visit));
        }
        Body::Join(j) => {
            j.by.iter().for_each(&mut visit);
            for stage in j.stages.iter().chain(&j.until) {
                visit_stage(stage, &mut visit);
            }
        }
    }
    for pipe in &query.pipes {
        match &pipe.kind {
            PipeKind::Filter(e) => visit(e),
            PipeKind::Unique(items) | PipeKind::UniqueCount(items) | PipeKind::Count(items) | PipeKind::Sort(items) => {
                items.iter().for_each(&mut visit)
            }
            PipeKind::Head(_) | PipeKind::Tail(_) => {}
        }
    }
    if let Body::Sequence(s) = &query.body {
        unbounded(s, semantics, &mut out);
    }
    out
}

fn visit_stage(stage: &Stage, visit: &mut impl FnMut(&Expr)) {
    visit_query(&stage.query, visit);
    stage.by.iter().for_each(visit);
}

fn visit_query(q: &EventQuery, visit: &mut impl FnMut(&Expr)) {
    visit(&q.condition);
}

/// The text of a string literal, if `e` is one.
fn string(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Str(s) => Some(&s.text),
        ExprKind::Group(inner) => string(inner),
        _ => None,
    }
}

fn has_wildcard(text: &str) -> bool {
    text.contains('*') || text.contains('?')
}

/// L0008, everywhere in `e`.
fn wildcards(e: &Expr, semantics: Semantics, out: &mut Vec<Diagnostic>) {
    match &e.kind {
        ExprKind::Binary { op, left, right } => {
            if matches!(op, BinaryOp::Eq | BinaryOp::Ne) && !semantics.equality_wildcards() {
                for (lit, other) in [(right, left), (left, right)] {
                    if let (Some(text), None) = (string(lit), string(other)) {
                        if has_wildcard(text) {
                            out.push(equality(e, *op == BinaryOp::Ne, other, lit, text));
                        }
                    }
                }
            }
            wildcards(left, semantics, out);
            wildcards(right, semantics, out);
        }
        ExprKind::In {
            left,
            list,
            insensitive,
            negated,
        } => {
            let patterns: Vec<&Expr> = list.iter().filter(|i| string(i).is_some_and(has_wildcard)).collect();
            if !patterns.is_empty() {
                out.push(in_list(e, left, list, &patterns, *insensitive, *negated));
            }
            wildcards(left, semantics, out);
        }
        ExprKind::Not(inner) | ExprKind::Neg(inner) | ExprKind::Group(inner) => wildcards(inner, semantics, out),
        ExprKind::Call { args, .. } => args.iter().for_each(|a| wildcards(a, semantics, out)),
        ExprKind::Match { left, patterns, .. } => {
            wildcards(left, semantics, out);
            patterns.iter().for_each(|p| wildcards(p, semantics, out));
        }
        ExprKind::Lineage { query, .. } => wildcards(&query.condition, semantics, out),
        ExprKind::Field(_) | ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Str(_) => {}
    }
}

fn equality(e: &Expr, negated: bool, field: &Expr, lit: &Expr, text: &str) -> Diagnostic {
    let op = if negated { "!=" } else { "==" };
    let not = if negated { "not " } else { "" };
    finding(
        WILDCARD_EQUALITY,
        format!("`{op}` compares with \"{text}\" character for character: in Elasticsearch `*` and `?` are wildcards only with `:` and `like`"),
    )
    .with_label(e.span, format!("matches only the literal text \"{text}\""))
    .with_secondary(lit.span, "a pattern")
    .with_help(format!(
        "to match the pattern, write {not}{field} : {lit} (any case) or {not}{field} like {lit} (exact case)"
    ))
}

fn in_list(e: &Expr, field: &Expr, list: &[Expr], patterns: &[&Expr], insensitive: bool, negated: bool) -> Diagnostic {
    let op = match (negated, insensitive) {
        (false, false) => "in",
        (false, true) => "in~",
        (true, false) => "not in",
        (true, true) => "not in~",
    };
    let not = if negated { "not " } else { "" };
    let items = list.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    let like = if insensitive { "like~" } else { "like" };
    let mut d = finding(
        WILDCARD_EQUALITY,
        format!("`{op}` compares each value character for character: `*` and `?` in its list are not wildcards"),
    )
    .with_label(e.span, "matches only the literal texts");
    for p in patterns {
        d = d.with_secondary(p.span, "a pattern");
    }
    d.with_help(format!(
        "to match the patterns, write {not}{field} : ({items}) (any case) or {not}{field} {like} ({items})"
    ))
}

/// L0009: `sequence` without a time bound (or, in Elasticsearch, with one it ignores).
fn unbounded(s: &Sequence, semantics: Semantics, out: &mut Vec<Diagnostic>) {
    match &s.maxspan {
        None => {
            let keyword = Span {
                end: s.span.start.saturating_add(8).min(s.span.end),
                ..s.span
            };
            let header = s.by.iter().map(|b| b.span).fold(keyword, Span::to);
            out.push(
                finding(
                    UNBOUNDED_SEQUENCE,
                    "`sequence` without `maxspan`: its steps may be any time apart, and every partial match is kept until it completes",
                )
                .with_label(header, "no time bound")
                .with_help("bound it with the longest time the steps can take: sequence ... with maxspan=5m"),
            );
        }
        Some(span) => {
            let nanos = crate::eql::lower::time_span_nanos(span).unwrap_or(1);
            if semantics.maxspan_nanos(nanos).is_none() {
                out.push(
                    finding(
                        UNBOUNDED_SEQUENCE,
                        format!("`maxspan={}` does not bound the sequence: Elasticsearch ignores a span that is not positive", span_text(span)),
                    )
                    .with_label(span.span, "ignored")
                    .with_help("give a positive duration: with maxspan=5m"),
                );
            }
        }
    }
}

fn span_text(span: &TimeSpan) -> String {
    format!("{}{}", span.value, span.unit.as_deref().unwrap_or(""))
}
