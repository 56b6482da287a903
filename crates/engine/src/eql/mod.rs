//! EQL: lowering Elastic's Event Query Language into operators, with Elasticsearch's or
//! endgame's semantics (`dialect.rs` holds every difference).

pub mod dialect;
pub mod expr;
pub mod func;
pub mod lineage;
pub mod lower;
pub mod ops;
pub mod sample;
pub mod sequence;
pub mod value;

use crate::ops::Operator;
use crate::plan::{Op, Plan};
pub use dialect::{Dialect, Semantics};
use quarry_syntax::{Diagnostic, SourceId, SourceMap};

/// How an EQL query is compiled and run.
#[derive(Clone, Debug)]
pub struct EqlOptions {
    pub semantics: Semantics,
    /// The field holding an event's category (`process where ...`).
    pub category_field: String,
    /// A field that orders events with equal timestamps (Elasticsearch's `tiebreaker_field`).
    pub tiebreaker: Option<String>,
    /// Cap on the number of results (the `size` of an Elasticsearch request).
    pub size: Option<u64>,
    /// `sample`: samples per join key.
    pub max_samples_per_key: usize,
    /// `sequence`: partial sequences kept in memory at most.
    pub max_partials: usize,
    /// The field events are timed by (compared with date text as an instant).
    pub time_field: Option<String>,
    /// How late (nanoseconds) an event may arrive and still be put in time order; `None`
    /// sorts all events before matching.
    pub reorder_window: Option<i64>,
}

/// Default reorder window: five minutes.
pub const DEFAULT_REORDER_WINDOW: i64 = 300 * 1_000_000_000;

/// Default cap on pending partial sequences (applies mostly to sequences without maxspan).
pub const DEFAULT_MAX_PARTIALS: usize = 1_000_000;

impl Default for EqlOptions {
    fn default() -> EqlOptions {
        EqlOptions {
            semantics: Semantics::default(),
            category_field: "event.category".into(),
            tiebreaker: None,
            size: None,
            max_samples_per_key: 1,
            max_partials: DEFAULT_MAX_PARTIALS,
            time_field: None,
            reorder_window: Some(DEFAULT_REORDER_WINDOW),
        }
    }
}

/// An EQL plan node.
#[derive(Clone, Debug)]
pub enum EqlOp {
    /// Sort events by (timestamp, tiebreaker), as Elasticsearch searches return them.
    TimeSort {
        tiebreaker: Option<Vec<value::Step>>,
        window: Option<i64>,
    },
    Events {
        filter: ops::EventFilter,
        lineages: Vec<lineage::LineageSpec>,
    },
    Sequence(sequence::SequenceSpec),
    Sample(sample::SampleSpec),
    Join {
        stages: Vec<(ops::EventFilter, Vec<expr::EExpr>)>,
        until: Option<(ops::EventFilter, Vec<expr::EExpr>)>,
        semantics: Semantics,
    },
    Head(u64),
    Tail(u64),
    Filter(expr::EExpr),
    Unique {
        keys: Vec<expr::EExpr>,
        ignore_case: bool,
    },
    UniqueCount {
        keys: Vec<expr::EExpr>,
        ignore_case: bool,
    },
    Count(Vec<expr::EExpr>),
    Sort(Vec<expr::EExpr>),
}

impl std::fmt::Display for EqlOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EqlOp::TimeSort { window: None, .. } => {
                write!(f, "TimeSort: events by (timestamp, tiebreaker) (buffers all)")
            }
            EqlOp::TimeSort { window: Some(w), .. } => write!(
                f,
                "TimeSort: events by (timestamp, tiebreaker), holding {}s of events",
                *w as f64 / 1e9
            ),
            EqlOp::Events { .. } => write!(f, "Filter: events of the category matching the condition"),
            EqlOp::Sequence(s) => write!(
                f,
                "Sequence: {} stage(s){}",
                s.stages.len(),
                match s.maxspan {
                    Some(ns) => format!(", maxspan {}s", ns as f64 / 1e9),
                    None => String::new(),
                }
            ),
            EqlOp::Sample(s) => write!(f, "Sample: {} stage(s) (buffers)", s.stages.len()),
            EqlOp::Join { stages, .. } => write!(f, "Join: {} stage(s)", stages.len()),
            EqlOp::Head(n) => write!(f, "Head: {n}"),
            EqlOp::Tail(n) => write!(f, "Tail: last {n}"),
            EqlOp::Filter(_) => write!(f, "Filter (pipe)"),
            EqlOp::Unique { .. } => write!(f, "Unique"),
            EqlOp::UniqueCount { .. } => write!(f, "UniqueCount"),
            EqlOp::Count(_) => write!(f, "Count"),
            EqlOp::Sort(_) => write!(f, "Sort (pipe)"),
        }
    }
}

/// Builds the operator for an EQL plan node.
pub fn build(op: &EqlOp) -> Box<dyn Operator> {
    match op {
        EqlOp::TimeSort { tiebreaker, window } => Box::new(ops::TimeSort::new(tiebreaker.clone(), *window)),
        EqlOp::Events { filter, lineages } => Box::new(ops::EventQuery::new(filter.clone(), lineages.clone())),
        EqlOp::Sequence(spec) => Box::new(sequence::Sequence::new(spec.clone())),
        EqlOp::Sample(spec) => Box::new(sample::Sample::new(spec.clone())),
        EqlOp::Join {
            stages,
            until,
            semantics,
        } => Box::new(ops::Join::new(stages.clone(), until.clone(), *semantics)),
        EqlOp::Head(n) => Box::new(ops::Head::new(*n)),
        EqlOp::Tail(n) => Box::new(crate::ops::head::Tail::in_order(*n)),
        EqlOp::Filter(e) => Box::new(ops::Filter(e.clone())),
        EqlOp::Unique { keys, ignore_case } => Box::new(ops::Unique::new(keys.clone(), *ignore_case)),
        EqlOp::UniqueCount { keys, ignore_case } => Box::new(ops::UniqueCount::new(keys.clone(), *ignore_case)),
        EqlOp::Count(keys) => Box::new(ops::Count::new(keys.clone())),
        EqlOp::Sort(keys) => Box::new(ops::Sort::new(keys.clone())),
    }
}

/// Parses and compiles the EQL query in source `query`. SPL commands after the EQL part get
/// its results as rows (see [`lower::row_shape`]).
pub fn compile(sources: &SourceMap, query: SourceId, opts: &EqlOptions) -> Result<Plan, Vec<Diagnostic>> {
    let tree = quarry_syntax::eql::parse_query(sources.text(query), query)?;
    let mut ops: Vec<Op> = lower::lower(&tree, opts)?.into_iter().map(Op::Eql).collect();
    if let Some(spl) = &tree.spl {
        if let Some(shape) = lower::row_shape(&tree) {
            ops.push(Op::Unfold(shape));
        }
        let ctx = crate::lower::spl::SplContext {
            eql: opts.clone(),
            ordered_input: matches!(tree.body, quarry_syntax::eql::ast::Body::Event(_)),
            lookups: Default::default(),
        };
        ops.extend(crate::lower::spl::lower_with(spl, &ctx)?);
    }
    Ok(Plan { ops })
}
