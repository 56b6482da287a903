//! Plan nodes of the commands that read lookups, run subsearches or combine several events
//! or result sets. Re-exported from [`crate::plan`].

use crate::event::Name;
use crate::lookup::LookupTable;
use crate::plan::{AggSpec, Plan};
use crate::search::CSearch;
use quarry_syntax::spl::ast::SearchExpr;
use std::sync::Arc;

/// Splunk's `maxout` for a subsearch in a search (limits.conf `[subsearch]`).
pub const SUBSEARCH_MAXOUT: usize = 10_000;
/// Splunk's `subsearch_maxout` for `join` and `append` (limits.conf `[join]`, `[append]`).
pub const JOIN_MAXOUT: usize = 50_000;

/// `lookup`: input columns matched against event fields, output columns written to fields.
#[derive(Clone, Debug)]
pub struct LookupSpec {
    pub table: Arc<LookupTable>,
    /// (column, event field).
    pub inputs: Vec<(String, Name)>,
    /// (column, event field).
    pub outputs: Vec<(String, Name)>,
    /// `OUTPUTNEW`: only fields the event does not have are written.
    pub new_only: bool,
}

/// `inputlookup`.
#[derive(Clone, Debug)]
pub struct InputLookupSpec {
    pub table: Arc<LookupTable>,
    /// `append=true`: the rows come after the results; otherwise they replace them.
    pub append: bool,
    pub start: usize,
    pub max: Option<usize>,
    pub condition: Option<CSearch>,
}

/// `map`: Splunk's default `maxsearches`.
pub const MAP_MAXSEARCHES: usize = 10;

/// `map`.
#[derive(Clone, Debug)]
pub struct MapSpec {
    /// The search, with `$field$` tokens.
    pub template: String,
    /// `maxsearches`: searches run for the first this many results.
    pub max: usize,
    /// How the search is planned once its tokens are replaced.
    pub ctx: Arc<crate::lower::spl::SplContext>,
}

/// `outputlookup`.
#[derive(Clone, Debug)]
pub struct OutputLookupSpec {
    /// The table as the query names it.
    pub name: String,
    /// The file written; `None` when the run writes no lookup tables.
    pub path: Option<std::path::PathBuf>,
    /// `append=true`: the rows are added after the file's own.
    pub append: bool,
    /// `create_empty` (default true): no results still create an empty file.
    pub create_empty: bool,
    /// `override_if_empty` (default true): no results empty an existing file.
    pub override_if_empty: bool,
    /// `max`: at most this many results are written.
    pub max: Option<usize>,
}

/// A search with `[ subsearch ]`s: each runs when the first event arrives, and its results,
/// written as `format` writes them, take its place in the search expression.
#[derive(Clone, Debug)]
pub struct SubsearchFilterSpec {
    /// The search as written.
    pub expr: SearchExpr,
    /// The subsearches, in the order they appear in `expr`.
    pub plans: Vec<Arc<Plan>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    Inner,
    /// `left` and `outer` (the same in Splunk).
    Left,
}

/// `join`.
#[derive(Clone, Debug)]
pub struct JoinSpec {
    pub plan: Arc<Plan>,
    pub fields: Vec<Name>,
    pub kind: JoinKind,
    /// Subsearch rows joined to each result; 0 for all.
    pub max: usize,
    /// Subsearch fields replace fields of the same name.
    pub overwrite: bool,
}

/// `transaction`.
#[derive(Clone, Debug)]
pub struct TransactionSpec {
    pub fields: Vec<Name>,
    pub max_span: Option<f64>,
    pub max_pause: Option<f64>,
    pub max_events: Option<usize>,
    pub starts_with: Option<TxFilter>,
    pub ends_with: Option<TxFilter>,
    pub keep_evicted: bool,
}

#[derive(Clone, Debug)]
pub enum TxFilter {
    Search(CSearch),
    Eval(crate::expr::CExpr),
}

/// `top` and `rare`.
#[derive(Clone, Debug)]
pub struct TopSpec {
    pub rare: bool,
    pub fields: Vec<Name>,
    pub by: Vec<Name>,
    /// 0 for every combination.
    pub limit: usize,
    pub count_field: Name,
    pub percent_field: Name,
    pub show_count: bool,
    pub show_percent: bool,
    pub use_other: bool,
    pub other_str: String,
}

/// The pivot step of `timechart`: rows of (`_time`, by-value, aggregates) become one row per
/// time bucket with a column per by-value.
#[derive(Clone, Debug)]
pub struct ChartSpec {
    pub span: f64,
    pub aggregations: Vec<AggSpec>,
    pub by: Option<Name>,
    /// At most this many by-values get their own column (0: all).
    pub limit: usize,
    pub use_other: bool,
    pub use_null: bool,
    pub other_str: String,
    pub null_str: String,
}

/// `format` and `return`: all results become one row whose `search` field holds them as a
/// search string.
#[derive(Clone, Debug)]
pub enum FormatSpec {
    Format {
        strings: [String; 6],
        mvsep: String,
        max_results: usize,
        /// What no results give (`emptystr=`).
        empty: String,
    },
    Return {
        count: usize,
        items: Vec<ReturnSpec>,
    },
}

#[derive(Clone, Debug)]
pub enum ReturnSpec {
    /// `name="value of field"`.
    Named { name: Name, field: Name },
    /// The value alone (`$field`).
    Value(Name),
}

impl FormatSpec {
    /// `format` with its defaults: `( ( a="1" AND b="2" ) OR ( ... ) )`.
    pub fn default_format() -> FormatSpec {
        FormatSpec::Format {
            strings: ["(", "(", "AND", ")", "OR", ")"].map(String::from),
            mvsep: "OR".into(),
            max_results: 0,
            empty: "NOT( )".into(),
        }
    }
}
