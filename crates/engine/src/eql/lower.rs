//! EQL syntax → plan. Decides each construct's meaning under the chosen dialect.

use super::dialect::{Dialect, Semantics};
use super::expr::{Arith, EExpr, Order, Pattern, Source};
use super::func::{self, EqlFunc};
use super::lineage::LineageSpec;
use super::ops::EventFilter;
use super::sample::SampleSpec;
use super::sequence::{KeyExpr, KeySpec, SequenceSpec, StageFilter, StageSpec};
use super::value::Step;
use super::{EqlOp, EqlOptions};
use crate::value::Value;
use quarry_syntax::diagnostic::did_you_mean;
use quarry_syntax::eql::ast::*;
use quarry_syntax::{Code, Diagnostic, Span};

/// Where an expression is used: what its field names can refer to.
#[derive(Default)]
struct Context {
    /// In a pipe over multi-event results: `events[n]` refers to the n-th event.
    pipe: bool,
    /// Names bound by `arraySearch`, innermost last.
    vars: Vec<String>,
    /// Lineage trackers the expression uses (event queries only).
    lineages: Option<Vec<LineageSpec>>,
}

struct Lowerer<'a> {
    opts: &'a EqlOptions,
    semantics: Semantics,
}

fn err(message: impl Into<String>, span: Span) -> Diagnostic {
    Diagnostic::error(Code::Semantic, message).with_label(span, "")
}

fn endgame_only(what: &str, span: Span) -> Diagnostic {
    Diagnostic::unsupported(&format!("{what} in Elasticsearch EQL"), span)
        .with_note(format!("{what} is endgame EQL; Elasticsearch rejects it"))
        .with_help("run with --eql-dialect endgame for endgame semantics")
}

/// Lowers one event query (`<category> where <condition>`) into a filter: the stages of SPL's
/// `sequence` command.
pub fn event_filter(q: &EventQuery, opts: &EqlOptions) -> Result<EventFilter, Diagnostic> {
    let l = Lowerer {
        opts,
        semantics: opts.semantics,
    };
    l.plain_filter(q)
}

/// What every sequence must satisfy, whichever language wrote it: two stages or more, one of
/// them not a missing event, as many join keys in each, and a bound when a missing-event stage
/// leads or trails. `spans` has one entry per stage, `whole` is the sequence.
pub fn check_sequence(
    stages: &[StageSpec],
    spans: &[Span],
    whole: Span,
    maxspan: Option<i64>,
) -> Result<(), Diagnostic> {
    if stages.len() < 2 {
        return Err(err("a sequence needs at least two stages", whole));
    }
    if stages.iter().all(|st| st.missing) {
        return Err(err(
            "a sequence needs at least one stage that is not a missing event",
            whole,
        ));
    }
    check_key_counts(stages, spans)?;
    let leading_or_trailing = stages.first().is_some_and(|st| st.missing) || stages.last().is_some_and(|st| st.missing);
    if leading_or_trailing && maxspan.is_none() {
        return Err(err(
            "a missing-event stage at the start or end of a sequence needs `with maxspan=...`",
            whole,
        ));
    }
    Ok(())
}

fn check_key_counts(stages: &[StageSpec], spans: &[Span]) -> Result<(), Diagnostic> {
    if let Some(first) = stages.first() {
        for (stage, span) in stages.iter().zip(spans) {
            if stage.keys.len() != first.keys.len() {
                return Err(err(
                    format!(
                        "inconsistent number of join keys: {} here, {} in the first stage",
                        stage.keys.len(),
                        first.keys.len()
                    ),
                    *span,
                ));
            }
        }
    }
    Ok(())
}

/// How the results of a multi-event query become rows for SPL commands after it: join keys
/// named as the query writes them (`user.email`; a per-stage key as the first stage writes
/// it), slots numbered by the stage as written. `None` for an event query, whose events flow
/// on as they are.
pub fn row_shape(query: &Query) -> Option<crate::plan::UnfoldSpec> {
    let (by, stages): (&[Expr], &[Stage]) = match &query.body {
        Body::Event(_) => return None,
        Body::Sequence(s) => (&s.by, &s.stages),
        Body::Sample(s) => (&s.by, &s.stages),
        Body::Join(j) => (&j.by, &j.stages),
    };
    let first_stage_keys = stages.first().map(|st| st.by.as_slice()).unwrap_or_default();
    let keys = by
        .iter()
        .chain(first_stage_keys)
        .map(|e| crate::event::Name::from(e.to_string().trim_start_matches('?')))
        .collect();
    let mut numbers = Vec::new();
    for (n, stage) in stages.iter().enumerate() {
        for _ in 0..stage.runs.unwrap_or(1) {
            numbers.push(n + 1);
        }
    }
    Some(crate::plan::UnfoldSpec {
        keys,
        stages: numbers,
        mode: crate::plan::RowMode::Events,
    })
}

/// Lowers a whole query.
pub fn lower(query: &Query, opts: &EqlOptions) -> Result<Vec<EqlOp>, Vec<Diagnostic>> {
    let l = Lowerer {
        opts,
        semantics: opts.semantics,
    };
    l.query(query).map_err(|d| vec![d])
}

impl Lowerer<'_> {
    fn es(&self) -> bool {
        self.semantics.dialect == Dialect::Elasticsearch
    }

    fn query(&self, q: &Query) -> Result<Vec<EqlOp>, Diagnostic> {
        let mut ops = Vec::new();
        if self.semantics.sorts_by_time() {
            ops.push(EqlOp::TimeSort {
                tiebreaker: self.opts.tiebreaker.as_deref().map(path_of),
                window: self.opts.reorder_window,
            });
        }
        let multi = !matches!(q.body, Body::Event(_));
        match &q.body {
            Body::Event(e) => {
                let mut ctx = Context {
                    lineages: Some(Vec::new()),
                    ..Context::default()
                };
                let filter = self.event_filter(e, &mut ctx)?;
                ops.push(EqlOp::Events {
                    filter,
                    lineages: ctx.lineages.unwrap_or_default(),
                });
            }
            Body::Sequence(s) => ops.push(EqlOp::Sequence(self.sequence(s)?)),
            Body::Sample(s) => ops.push(EqlOp::Sample(self.sample(s)?)),
            Body::Join(j) => {
                if self.es() {
                    return Err(endgame_only("join", j.span));
                }
                let stages = j
                    .stages
                    .iter()
                    .map(|s| self.join_stage(&j.by, s))
                    .collect::<Result<Vec<_>, _>>()?;
                let until = j.until.as_ref().map(|s| self.join_stage(&j.by, s)).transpose()?;
                ops.push(EqlOp::Join {
                    stages,
                    until,
                    semantics: self.semantics,
                });
            }
        }
        for pipe in &q.pipes {
            ops.push(self.pipe(pipe, multi)?);
        }
        if let Some(size) = self.opts.size {
            ops.push(EqlOp::Head(size));
        }
        Ok(ops)
    }

    fn pipe(&self, pipe: &Pipe, multi: bool) -> Result<EqlOp, Diagnostic> {
        let mut ctx = Context {
            pipe: multi,
            ..Context::default()
        };
        let ignore_case = self.semantics.keys_ignore_case();
        if self.es() && !matches!(pipe.kind, PipeKind::Head(_) | PipeKind::Tail(_)) {
            return Err(endgame_only(&format!("the `{}` pipe", pipe.kind.name()), pipe.span));
        }
        let list =
            |ctx: &mut Context, list: &[Expr]| list.iter().map(|e| self.expr(e, ctx)).collect::<Result<Vec<_>, _>>();
        Ok(match &pipe.kind {
            PipeKind::Head(n) => EqlOp::Head(*n),
            PipeKind::Tail(n) => EqlOp::Tail(*n),
            PipeKind::Filter(e) => EqlOp::Filter(self.expr(e, &mut ctx)?),
            PipeKind::Unique(keys) => EqlOp::Unique {
                keys: list(&mut ctx, keys)?,
                ignore_case,
            },
            PipeKind::UniqueCount(keys) => EqlOp::UniqueCount {
                keys: list(&mut ctx, keys)?,
                ignore_case,
            },
            PipeKind::Count(keys) => EqlOp::Count(list(&mut ctx, keys)?),
            PipeKind::Sort(keys) => EqlOp::Sort(list(&mut ctx, keys)?),
        })
    }

    fn event_filter(&self, q: &EventQuery, ctx: &mut Context) -> Result<EventFilter, Diagnostic> {
        let category = match &q.category {
            Category::Any => None,
            Category::Named(n) => Some(n.text.clone()),
        };
        Ok(EventFilter {
            category,
            category_field: path_of(&self.opts.category_field),
            category_ignores_case: self.semantics.category_ignores_case(),
            condition: self.expr(&q.condition, ctx)?,
        })
    }

    fn plain_filter(&self, q: &EventQuery) -> Result<EventFilter, Diagnostic> {
        self.event_filter(q, &mut Context::default())
    }

    fn key(&self, e: &Expr) -> Result<KeySpec, Diagnostic> {
        let optional = matches!(&e.kind, ExprKind::Field(f) if f.optional);
        Ok(KeySpec {
            expr: KeyExpr::Eql(self.expr(e, &mut Context::default())?),
            optional,
        })
    }

    fn stage(&self, by: &[Expr], stage: &Stage) -> Result<StageSpec, Diagnostic> {
        let mut keys = by.iter().map(|e| self.key(e)).collect::<Result<Vec<_>, _>>()?;
        for e in &stage.by {
            keys.push(self.key(e)?);
        }
        if stage.fork.is_some() && self.es() {
            return Err(endgame_only("fork", stage.span));
        }
        Ok(StageSpec {
            filter: StageFilter::Eql(self.plain_filter(&stage.query)?),
            keys,
            missing: stage.missing,
            fork: stage.fork.unwrap_or(false),
        })
    }

    fn join_stage(&self, by: &[Expr], stage: &Stage) -> Result<(EventFilter, Vec<EExpr>), Diagnostic> {
        let mut keys = Vec::new();
        for e in by.iter().chain(&stage.by) {
            keys.push(self.expr(e, &mut Context::default())?);
        }
        Ok((self.plain_filter(&stage.query)?, keys))
    }

    fn sequence(&self, s: &Sequence) -> Result<SequenceSpec, Diagnostic> {
        let mut stages = Vec::new();
        let mut spans = Vec::new();
        for stage in &s.stages {
            if stage.missing && !self.es() {
                return Err(
                    Diagnostic::unsupported("missing-event stages in endgame EQL", stage.span)
                        .with_help("missing events (![...]) are Elasticsearch EQL; use --eql-dialect elasticsearch"),
                );
            }
            if stage.runs.is_some() && !self.es() {
                return Err(Diagnostic::unsupported("with runs in endgame EQL", stage.span));
            }
            let spec = self.stage(&s.by, stage)?;
            for _ in 0..stage.runs.unwrap_or(1) {
                stages.push(spec.clone());
                spans.push(stage.span);
            }
        }
        let until = s.until.as_ref().map(|u| self.stage(&s.by, u)).transpose()?;
        let maxspan = match &s.maxspan {
            Some(span) => self.semantics.maxspan_nanos(time_span_nanos(span)?),
            None => None,
        };
        check_sequence(&stages, &spans, s.span, maxspan)?;
        Ok(SequenceSpec {
            stages,
            until,
            maxspan,
            semantics: self.semantics,
            max_partials: self.opts.max_partials,
        })
    }

    fn sample(&self, s: &Sample) -> Result<SampleSpec, Diagnostic> {
        if !self.es() {
            return Err(Diagnostic::unsupported("sample in endgame EQL", s.span)
                .with_help("sample is Elasticsearch EQL; use --eql-dialect elasticsearch"));
        }
        let stages = s
            .stages
            .iter()
            .map(|st| self.stage(&s.by, st))
            .collect::<Result<Vec<_>, _>>()?;
        if stages.len() < 2 {
            return Err(err("a sample needs at least two stages", s.span));
        }
        let spans: Vec<Span> = s.stages.iter().map(|st| st.span).collect();
        check_key_counts(&stages, &spans)?;
        Ok(SampleSpec {
            stages,
            max_samples_per_key: self.opts.max_samples_per_key.max(1),
            semantics: self.semantics,
        })
    }

    // -------------------------------------------------------------- expressions

    fn string(&self, s: &StrLit, span: Span) -> Result<String, Diagnostic> {
        if self.es() && matches!(s.style, StrStyle::Single | StrStyle::RawDouble | StrStyle::RawSingle) {
            return Err(endgame_only("a single-quoted or ?-prefixed string", span)
                .with_help("Elasticsearch strings use double quotes, or \"\"\"...\"\"\" for raw text"));
        }
        Ok(match s.style {
            StrStyle::Triple | StrStyle::RawDouble | StrStyle::RawSingle => s.text.clone(),
            StrStyle::Double | StrStyle::Single => unescape(&s.text).map_err(|m| err(m, span))?,
        })
    }

    fn literal(&self, e: &Expr) -> Result<Option<Value>, Diagnostic> {
        Ok(match &e.kind {
            ExprKind::Str(s) => Some(Value::from(self.string(s, e.span)?)),
            ExprKind::Number(n) => Some(number(n, e.span)?),
            ExprKind::Bool(b) => Some(Value::Bool(*b)),
            ExprKind::Null => Some(Value::Null),
            ExprKind::Group(inner) => self.literal(inner)?,
            ExprKind::Neg(inner) => match self.literal(inner)? {
                Some(Value::Int(i)) => Some(Value::Int(-i)),
                Some(Value::Float(f)) => Some(Value::Float(-f)),
                _ => None,
            },
            _ => None,
        })
    }

    fn expr(&self, e: &Expr, ctx: &mut Context) -> Result<EExpr, Diagnostic> {
        let b = |x: &Expr, ctx: &mut Context| self.expr(x, ctx).map(Box::new);
        Ok(match &e.kind {
            ExprKind::Field(f) => self.field(f, ctx, e.span)?,
            ExprKind::Null => EExpr::Literal(Value::Null),
            ExprKind::Bool(v) => EExpr::Literal(Value::Bool(*v)),
            ExprKind::Number(n) => EExpr::Literal(number(n, e.span)?),
            ExprKind::Str(s) => EExpr::Literal(Value::from(self.string(s, e.span)?)),
            ExprKind::Group(inner) => self.expr(inner, ctx)?,
            ExprKind::Not(inner) => EExpr::Not(b(inner, ctx)?),
            ExprKind::Neg(inner) => EExpr::Neg(b(inner, ctx)?),
            ExprKind::Binary { op, left, right }
                if matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
                    && self.time_comparison(left, right, TimeCmp::from(*op), ctx)?.is_some() =>
            {
                self.time_comparison(left, right, TimeCmp::from(*op), ctx)?
                    .unwrap_or(EExpr::Literal(Value::Null))
            }
            ExprKind::Binary { op, left, right } => match op {
                BinaryOp::And => EExpr::And(b(left, ctx)?, b(right, ctx)?),
                BinaryOp::Or => EExpr::Or(b(left, ctx)?, b(right, ctx)?),
                BinaryOp::Add => EExpr::Arith {
                    op: Arith::Add,
                    left: b(left, ctx)?,
                    right: b(right, ctx)?,
                },
                BinaryOp::Sub => EExpr::Arith {
                    op: Arith::Sub,
                    left: b(left, ctx)?,
                    right: b(right, ctx)?,
                },
                BinaryOp::Mul => EExpr::Arith {
                    op: Arith::Mul,
                    left: b(left, ctx)?,
                    right: b(right, ctx)?,
                },
                BinaryOp::Div => EExpr::Arith {
                    op: Arith::Div,
                    left: b(left, ctx)?,
                    right: b(right, ctx)?,
                },
                BinaryOp::Mod => EExpr::Arith {
                    op: Arith::Mod,
                    left: b(left, ctx)?,
                    right: b(right, ctx)?,
                },
                BinaryOp::Eq | BinaryOp::Assign | BinaryOp::Ne => {
                    if *op == BinaryOp::Assign && self.es() {
                        return Err(endgame_only("`=` for comparison", e.span).with_help("compare with `==`"));
                    }
                    self.equality(left, right, *op == BinaryOp::Ne, ctx)?
                }
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => EExpr::Order {
                    op: match op {
                        BinaryOp::Lt => Order::Lt,
                        BinaryOp::Le => Order::Le,
                        BinaryOp::Gt => Order::Gt,
                        _ => Order::Ge,
                    },
                    left: b(left, ctx)?,
                    right: b(right, ctx)?,
                    ignore_case: self.semantics.ordering_ignores_case(),
                },
            },
            ExprKind::Match {
                op,
                negated,
                left,
                patterns,
                ..
            } => {
                let mut compiled = Vec::new();
                for p in patterns {
                    let Some(value) = self.literal(p)? else {
                        return Err(err(
                            format!("the pattern of `{}` must be a literal", op.as_str()),
                            p.span,
                        ));
                    };
                    compiled.push(match (op, value) {
                        (_, Value::Null) => Pattern::Equal(Value::Null),
                        (MatchOp::Colon, Value::Str(s)) => Pattern::Wildcard {
                            pattern: s.to_string(),
                            ignore_case: true,
                        },
                        (MatchOp::Like | MatchOp::LikeInsensitive, Value::Str(s)) => Pattern::Wildcard {
                            pattern: s.to_string(),
                            ignore_case: *op == MatchOp::LikeInsensitive,
                        },
                        (MatchOp::Regex | MatchOp::RegexInsensitive, Value::Str(s)) => {
                            let flags = if *op == MatchOp::RegexInsensitive {
                                "(?is)"
                            } else {
                                "(?s)"
                            };
                            let re = regex::Regex::new(&format!("{flags}^(?:{s})$"))
                                .map_err(|x| err(format!("invalid regular expression: {x}"), p.span))?;
                            Pattern::Regex(re)
                        }
                        (_, other) => Pattern::Equal(other),
                    });
                }
                EExpr::Match {
                    left: b(left, ctx)?,
                    patterns: compiled,
                    negate: *negated,
                }
            }
            ExprKind::In {
                left,
                list,
                insensitive,
                negated,
            } => EExpr::In {
                left: b(left, ctx)?,
                list: list.iter().map(|i| self.expr(i, ctx)).collect::<Result<_, _>>()?,
                ignore_case: self.semantics.in_ignores_case(*insensitive),
                negate: *negated,
            },
            ExprKind::Call {
                name,
                insensitive,
                args,
            } => self.call(name, *insensitive, args, e.span, ctx)?,
            ExprKind::Lineage { relation, query } => {
                if self.es() {
                    return Err(endgame_only(&format!("`{} of`", relation.as_str()), e.span));
                }
                let spec = LineageSpec {
                    relation: *relation,
                    query: self.plain_filter(query)?,
                    process: EventFilter {
                        category: Some("process".into()),
                        category_field: path_of(&self.opts.category_field),
                        category_ignores_case: true,
                        condition: EExpr::Literal(Value::Bool(true)),
                    },
                };
                let Some(lineages) = ctx.lineages.as_mut() else {
                    return Err(
                        Diagnostic::unsupported(&format!("`{} of` here", relation.as_str()), e.span)
                            .with_note("lineage tests work in event queries only"),
                    );
                };
                lineages.push(spec);
                EExpr::Lineage(lineages.len() - 1)
            }
        })
    }

    fn equality(&self, left: &Expr, right: &Expr, negate: bool, ctx: &mut Context) -> Result<EExpr, Diagnostic> {
        let ignore_case = self.semantics.equality_ignores_case();
        // A comparison with the null literal tests for null.
        for (literal, other) in [(right, left), (left, right)] {
            if matches!(self.literal(literal)?, Some(Value::Null)) {
                return Ok(EExpr::IsNull {
                    expr: Box::new(self.expr(other, ctx)?),
                    negate,
                });
            }
        }
        if let Some(e) = self.time_comparison(left, right, if negate { TimeCmp::Ne } else { TimeCmp::Eq }, ctx)? {
            return Ok(e);
        }
        if self.semantics.equality_wildcards() {
            for (literal, other) in [(right, left), (left, right)] {
                if let Some(Value::Str(s)) = self.literal(literal)? {
                    if s.contains('*') {
                        return Ok(EExpr::WildcardEqual {
                            left: Box::new(self.expr(other, ctx)?),
                            pattern: s.to_string(),
                            negate,
                            ignore_case,
                        });
                    }
                }
            }
        }
        Ok(EExpr::Equal {
            left: Box::new(self.expr(left, ctx)?),
            right: Box::new(self.expr(right, ctx)?),
            negate,
            ignore_case,
            any_value: self.es(),
        })
    }

    /// `@timestamp < "2017-08-30T20:47:32Z"`: the time field compared with date text compares
    /// instants (Elasticsearch maps the time field as a date).
    fn time_comparison(
        &self,
        left: &Expr,
        right: &Expr,
        op: TimeCmp,
        ctx: &mut Context,
    ) -> Result<Option<EExpr>, Diagnostic> {
        let Some(time_field) = &self.opts.time_field else {
            return Ok(None);
        };
        let is_time =
            |e: &Expr| matches!(&e.kind, ExprKind::Field(f) if f.path.is_empty() && f.base.text == *time_field);
        let (field_left, literal) = if is_time(left) {
            (true, right)
        } else if is_time(right) {
            (false, left)
        } else {
            return Ok(None);
        };
        let Some(Value::Str(text)) = self.literal(literal)? else {
            return Ok(None);
        };
        let Some(ns) = crate::time::parse_iso8601_nanos(&text) else {
            return Ok(None);
        };
        let _ = ctx;
        let time = Box::new(EExpr::EventTime);
        let instant = Box::new(EExpr::Literal(Value::Int(ns)));
        let (l, r) = if field_left { (time, instant) } else { (instant, time) };
        Ok(Some(match op {
            TimeCmp::Eq | TimeCmp::Ne => EExpr::Equal {
                left: l,
                right: r,
                negate: op == TimeCmp::Ne,
                ignore_case: false,
                any_value: false,
            },
            TimeCmp::Lt => EExpr::Order {
                op: Order::Lt,
                left: l,
                right: r,
                ignore_case: false,
            },
            TimeCmp::Le => EExpr::Order {
                op: Order::Le,
                left: l,
                right: r,
                ignore_case: false,
            },
            TimeCmp::Gt => EExpr::Order {
                op: Order::Gt,
                left: l,
                right: r,
                ignore_case: false,
            },
            TimeCmp::Ge => EExpr::Order {
                op: Order::Ge,
                left: l,
                right: r,
                ignore_case: false,
            },
        }))
    }

    fn field(&self, f: &FieldRef, ctx: &mut Context, span: Span) -> Result<EExpr, Diagnostic> {
        if f.optional && !self.es() {
            return Err(Diagnostic::unsupported("optional fields (?field) in endgame EQL", span));
        }
        let mut path: Vec<Step> = vec![Step::Attr(f.base.text.clone())];
        for step in &f.path {
            path.push(match step {
                PathStep::Attr(n) => Step::Attr(n.text.clone()),
                PathStep::Index(i) => Step::Index(*i as usize),
            });
        }
        if let Some(var) = ctx.vars.iter().rposition(|v| *v == f.base.text) {
            return Ok(EExpr::Field {
                source: Source::Var(var),
                path: path[1..].to_vec(),
            });
        }
        if ctx.pipe && f.base.text == "events" {
            if let Some(PathStep::Index(n)) = f.path.first() {
                return Ok(EExpr::Field {
                    source: Source::EventAt(*n as usize),
                    path: path[2..].to_vec(),
                });
            }
        }
        Ok(EExpr::Field {
            source: Source::Event,
            path,
        })
    }

    fn call(
        &self,
        name: &Name,
        tilde: bool,
        args: &[Expr],
        span: Span,
        ctx: &mut Context,
    ) -> Result<EExpr, Diagnostic> {
        let lower = name.text.to_ascii_lowercase();
        match lower.as_str() {
            "arraysearch" | "arraycount" => {
                if args.len() != 3 {
                    return Err(err(format!("`{}` takes (array, variable, condition)", name.text), span));
                }
                let ExprKind::Field(FieldRef {
                    base,
                    path,
                    optional: false,
                }) = &args[1].kind
                else {
                    return Err(err("the second argument must be a variable name", args[1].span));
                };
                if !path.is_empty() {
                    return Err(err("the second argument must be a variable name", args[1].span));
                }
                let list = Box::new(self.expr(&args[0], ctx)?);
                ctx.vars.push(base.text.clone());
                let var = ctx.vars.len() - 1;
                let body = self.expr(&args[2], ctx);
                ctx.vars.pop();
                return Ok(EExpr::ArrayWalk {
                    list,
                    var,
                    body: Box::new(body?),
                    count: lower == "arraycount",
                });
            }
            "safe" => {
                if args.len() != 1 {
                    return Err(err("`safe` takes one argument", span));
                }
                return Ok(EExpr::Safe(Box::new(self.expr(&args[0], ctx)?)));
            }
            _ => {}
        }
        let Some(info) = func::lookup(&name.text) else {
            let mut d = Diagnostic::error(
                Code::Unknown,
                format!("unsupported: {} (not an EQL function)", name.text),
            )
            .with_label(name.span, "unknown function");
            if let Some(near) = did_you_mean(&lower, FUNCTIONS.iter().copied()) {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            return Err(d);
        };
        if tilde && !info.insensitive_form {
            return Err(err(
                format!("`{}` has no case-insensitive form `{}~`", name.text, name.text),
                span,
            ));
        }
        if args.len() < info.min_args || args.len() > info.max_args {
            return Err(err(
                format!("`{}` takes {} argument(s), not {}", name.text, arity(&info), args.len()),
                span,
            ));
        }
        if matches!(info.func, EqlFunc::Wildcard | EqlFunc::Match) {
            for p in &args[1..] {
                if !matches!(self.literal(p)?, Some(Value::Str(_))) {
                    return Err(err(format!("the patterns of `{}` must be strings", name.text), p.span));
                }
            }
        }
        for (n, arg) in args.iter().enumerate() {
            let kind = func::argument_kind(info.func, n);
            if let Some(value) = self.literal(arg)? {
                if !kind.accepts(&value) {
                    return Err(err(
                        format!("argument {} of `{}` must be {}", n + 1, name.text, kind.describe()),
                        arg.span,
                    ));
                }
            }
        }
        Ok(EExpr::Call {
            func: info.func,
            args: args.iter().map(|a| self.expr(a, ctx)).collect::<Result<_, _>>()?,
            ignore_case: self.semantics.function_ignores_case(tilde),
            endgame: !self.es(),
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeCmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl From<BinaryOp> for TimeCmp {
    fn from(op: BinaryOp) -> TimeCmp {
        match op {
            BinaryOp::Lt => TimeCmp::Lt,
            BinaryOp::Le => TimeCmp::Le,
            BinaryOp::Gt => TimeCmp::Gt,
            BinaryOp::Ge => TimeCmp::Ge,
            BinaryOp::Ne => TimeCmp::Ne,
            _ => TimeCmp::Eq,
        }
    }
}

/// The EQL functions Quarry implements (their `~` case-insensitive forms aside).
pub const FUNCTIONS: &[&str] = &[
    "add",
    "subtract",
    "multiply",
    "divide",
    "modulo",
    "between",
    "cidrMatch",
    "concat",
    "endsWith",
    "startsWith",
    "indexOf",
    "length",
    "number",
    "string",
    "stringContains",
    "substring",
    "wildcard",
    "match",
    "matchLite",
    "arrayContains",
    "arraySearch",
    "arrayCount",
    "safe",
];

fn arity(info: &func::FuncInfo) -> String {
    if info.max_args == usize::MAX {
        format!("at least {}", info.min_args)
    } else if info.min_args == info.max_args {
        info.min_args.to_string()
    } else {
        format!("{} to {}", info.min_args, info.max_args)
    }
}

/// `a.b.c` → attribute steps.
pub fn path_of(dotted: &str) -> Vec<Step> {
    dotted.split('.').map(|s| Step::Attr(s.to_string())).collect()
}

fn number(text: &str, span: Span) -> Result<Value, Diagnostic> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    text.parse::<f64>()
        .map(Value::Float)
        .map_err(|_| err(format!("bad number `{text}`"), span))
}

/// Decodes backslash escapes of a quoted string.
fn unescape(raw: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('\\') => out.push('\\'),
            Some('u') => {
                // `\u{202E}` (Elasticsearch) or `\u202E`.
                let rest = chars.as_str();
                let (hex, used) = match rest.strip_prefix('{') {
                    Some(braced) => match braced.find('}') {
                        Some(end) => (braced[..end].to_string(), end + 2),
                        None => return Err("bad escape: missing `}` after \\u{".into()),
                    },
                    None => (rest.chars().take(4).collect::<String>(), 4),
                };
                let code = u32::from_str_radix(&hex, 16).map_err(|_| format!("bad escape \\u{hex}"))?;
                out.push(char::from_u32(code).ok_or_else(|| format!("bad escape \\u{hex}"))?);
                for _ in 0..used {
                    chars.next();
                }
            }
            Some(other) => {
                // Unknown escapes keep the backslash (Windows paths in endgame rules).
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Ok(out)
}

/// `10m` → nanoseconds.
pub(crate) fn time_span_nanos(span: &TimeSpan) -> Result<i64, Diagnostic> {
    let value: f64 = span
        .value
        .parse()
        .map_err(|_| err(format!("bad maxspan `{}`", span.value), span.span))?;
    let unit = span.unit.as_deref().unwrap_or("s");
    let per_unit: f64 = match unit {
        "ms" => 1e6,
        "s" => 1e9,
        "m" => 60e9,
        "h" => 3600e9,
        "d" => 86400e9,
        other => {
            return Err(err(format!("unknown time unit `{other}` (ms, s, m, h, d)"), span.span));
        }
    };
    Ok((value * per_unit).round() as i64)
}
