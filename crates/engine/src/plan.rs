//! The logical plan: what each stage of a pipeline does, with semantic names. Both front ends
//! lower into it; the operators in `ops` execute it.

use crate::event::Name;
use crate::expr::CExpr;
use crate::pattern::Wildcard;
use crate::search::CSearch;
use crate::value::Value;
use std::fmt;
use std::sync::Arc;

pub use crate::plan_multi::*;

#[derive(Clone, Debug)]
pub enum Op {
    /// Keep events matching a search expression (`search`).
    Search(CSearch),
    /// Keep events for which the expression is true (`where`).
    Filter(CExpr),
    /// Set fields, in order (`eval`).
    Assign(Vec<(Name, CExpr)>),
    /// Group and aggregate (`stats`), or annotate every event with its group's aggregates
    /// (`eventstats`).
    Aggregate(AggregateSpec),
    /// Add running aggregates to each event as it passes (`streamstats`).
    StreamStats(StreamStatsSpec),
    /// Round a field down to a bucket (`bin`, `bucket`).
    Bucket(BucketSpec),
    /// Round a time field down to a bucket whose size comes from the events' own time range
    /// (`bin _time`, `tstats ... by _time` without `span=`); holds every event until the end.
    AutoBucket(AutoBucketSpec),
    /// Fill null fields (`fillnull`); without a field list, every field seen in the results.
    FillNull { value: Value, fields: Option<Vec<Name>> },
    /// Keep or remove fields (`fields`).
    Project { remove: bool, patterns: Vec<FieldPattern> },
    /// Make a table of these columns (`table`).
    Table(Vec<FieldPattern>),
    /// Rename fields (`rename`).
    Rename(Vec<(FieldPattern, FieldPattern)>),
    /// Order results (`sort`).
    Sort(SortSpec),
    /// The first results (`head`).
    Head(HeadSpec),
    /// The last results, in reverse order (`tail`).
    Tail(usize),
    /// Drop repeated combinations of field values (`dedup`).
    Dedup(DedupSpec),
    /// Add location fields for an IP address (`iplocation`).
    IpLocation(IpLocationSpec),
    /// Put events in Splunk's result order, newest first (inserted by the planner).
    TimeOrder,
    /// An EQL operator.
    Eql(crate::eql::EqlOp),
    /// Turn multi-event results (sequences, samples, joins) into rows that SPL commands read:
    /// one per event, or one per result (`sequence ... mode=summary`). Other events pass.
    Unfold(UnfoldSpec),
    /// Add fields from a lookup table (`lookup`).
    Lookup(LookupSpec),
    /// The rows of a lookup table (`inputlookup`).
    InputLookup(InputLookupSpec),
    /// Results pass and are written to a lookup table file (`outputlookup`).
    OutputLookup(OutputLookupSpec),
    /// A search per input result (`map`).
    Map(MapSpec),
    /// Generated results (`makeresults`): `count` rows with `_time` set to now.
    MakeResults { count: usize },
    /// A search holding subsearches.
    SubsearchFilter(SubsearchFilterSpec),
    /// Join each result with the rows of a subsearch (`join`).
    Join(JoinSpec),
    /// The results of a subsearch after the results (`append`).
    Append(Arc<Plan>),
    /// The results of a pipeline over the results, after them (`appendpipe`).
    AppendPipe(Arc<Plan>),
    /// Group events into transactions (`transaction`).
    Transaction(TransactionSpec),
    /// The most or least common values (`top`, `rare`).
    Top(TopSpec),
    /// Time buckets as rows, by-values as columns (`timechart`).
    Chart(ChartSpec),
    /// All results as one search string (`format`, `return`).
    Format(FormatSpec),
    /// Extract, convert or reshape fields (`convert`, `rex`, `spath`, `mvexpand`, ...).
    FieldOp(crate::ops::fieldops::FieldOp),
    /// Pass events unchanged and tell the user something once at the end of the run
    /// (`tstats summariesonly=...` has no effect on raw events).
    Note(String),
}

/// How multi-event results become rows (`docs/pipelines.md` shows both shapes).
#[derive(Clone, Debug)]
pub struct UnfoldSpec {
    /// The join-key fields, in key order, named as the query names them.
    pub keys: Vec<Name>,
    /// For each event slot of a result, its stage number as written (1-based): a stage
    /// `with runs=3` fills three slots with one number.
    pub stages: Vec<usize>,
    pub mode: RowMode,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowMode {
    /// One row per matched event, in sequence order, carrying `sequence_id`, `sequence_stage`
    /// and the join keys.
    Events,
    /// One row per result: join keys, `_time`, `sequence_id`, `duration`, `event_count`, and
    /// `stage<N>.<field>` with the values of each stage's events.
    Summary,
}

impl RowMode {
    pub fn parse(text: &str) -> Option<RowMode> {
        match text.to_ascii_lowercase().as_str() {
            "events" => Some(RowMode::Events),
            "summary" => Some(RowMode::Summary),
            _ => None,
        }
    }
}

/// A field name that may hold `*` wildcards (`lat*`, `*`).
#[derive(Clone, Debug)]
pub struct FieldPattern {
    pub text: String,
    wildcard: Wildcard,
    /// The pattern with a group per `*`, made the first time captures are asked for.
    captures: std::sync::OnceLock<Option<regex::Regex>>,
}

impl FieldPattern {
    pub fn new(text: &str) -> FieldPattern {
        FieldPattern {
            text: text.to_string(),
            wildcard: Wildcard::new(text, true),
            captures: std::sync::OnceLock::new(),
        }
    }

    pub fn is_wildcard(&self) -> bool {
        self.wildcard.has_wildcard()
    }

    /// Does the pattern match a field name? A lone `*` does not match internal fields
    /// (those starting with `_`), as in Splunk.
    pub fn matches(&self, name: &str) -> bool {
        if self.is_wildcard() && name.starts_with('_') && !self.text.starts_with('_') {
            return false;
        }
        self.wildcard.matches(name)
    }

    /// The parts of `name` that the pattern's `*`s matched, in order.
    pub fn captures(&self, name: &str) -> Option<Vec<String>> {
        if !self.matches(name) {
            return None;
        }
        let re = self.captures.get_or_init(|| {
            let mut pattern = String::from("^");
            for (n, piece) in self.text.split('*').enumerate() {
                if n > 0 {
                    pattern.push_str("(.*?)");
                }
                pattern.push_str(&regex::escape(piece));
            }
            pattern.push('$');
            regex::Regex::new(&pattern).ok()
        });
        let caps = re.as_ref()?.captures(name)?;
        Some(
            caps.iter()
                .skip(1)
                .map(|c| c.map(|m| m.as_str().to_string()).unwrap_or_default())
                .collect(),
        )
    }

    /// Fills the pattern's `*`s with `parts`.
    pub fn fill(&self, parts: &[String]) -> String {
        let mut out = String::new();
        for (n, piece) in self.text.split('*').enumerate() {
            if n > 0 {
                out.push_str(parts.get(n - 1).map(String::as_str).unwrap_or(""));
            }
            out.push_str(piece);
        }
        out
    }
}

#[derive(Clone, Debug)]
pub struct AggregateSpec {
    /// `eventstats`: keep the events and add the aggregates to each.
    pub keep_events: bool,
    pub aggregations: Vec<AggSpec>,
    pub by: Vec<Name>,
}

/// Splunk's `max_stream_window` (limits.conf): a time window holds at most this many events.
pub const MAX_STREAM_WINDOW: usize = 10_000;

#[derive(Clone, Debug)]
pub struct StreamStatsSpec {
    pub aggregations: Vec<AggSpec>,
    pub by: Vec<Name>,
    /// `current=false`: the current event is left out of its own aggregates.
    pub current: bool,
    /// `window=N`: the last N events; 0 for every event since the last reset.
    pub window: usize,
    /// `time_window=`: only events less than this many seconds away from the current one.
    pub time_window: Option<f64>,
    /// `global=false`: with a window, one window per group rather than one for all events.
    pub global: bool,
    /// `reset_on_change=true`: start again when the by-field values change.
    pub reset_on_change: bool,
    /// `reset_before=`: start again, before the event's aggregates, when this is true.
    pub reset_before: Option<CExpr>,
    /// `reset_after=`: start again, after the event's aggregates, when this is true.
    pub reset_after: Option<CExpr>,
    /// `allnum=true`: numeric functions give nothing once a value is not a number.
    pub allnum: bool,
}

impl StreamStatsSpec {
    /// Events held per window (or in the one global window); `None` when no window is held.
    pub fn window_limit(&self) -> Option<usize> {
        match (self.window, self.time_window) {
            (0, None) => None,
            (n, None) => Some(n),
            (0, Some(_)) => Some(MAX_STREAM_WINDOW),
            (n, Some(_)) => Some(n.min(MAX_STREAM_WINDOW)),
        }
    }
}

#[derive(Clone, Debug)]
pub struct AggSpec {
    pub func: AggFunc,
    pub input: AggInput,
    /// The output field, or for a wildcard input the output pattern (`*`, `max_*`).
    pub output: String,
}

#[derive(Clone, Debug)]
pub enum AggInput {
    /// `count` without a field: counts events.
    Events,
    Field(Name),
    Expr(CExpr),
    /// `values(*)`: one aggregation per matching field.
    Wildcard(FieldPattern),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AggFunc {
    Count,
    DistinctCount,
    Values,
    List,
    Min,
    Max,
    Sum,
    SumSq,
    Avg,
    Earliest,
    Latest,
    EarliestTime,
    LatestTime,
    First,
    Last,
    Stdev,
    StdevP,
    Var,
    VarP,
    Range,
    Median,
    Mode,
    Percentile(f64),
}

impl AggFunc {
    /// Reads an aggregation function name (any case): `count`, `dc`, `perc95`, `p50` ...
    pub fn parse(name: &str) -> Option<AggFunc> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_str() {
            "count" | "c" => AggFunc::Count,
            "dc" | "distinct_count" | "estdc" => AggFunc::DistinctCount,
            "values" => AggFunc::Values,
            "list" => AggFunc::List,
            "min" => AggFunc::Min,
            "max" => AggFunc::Max,
            "sum" => AggFunc::Sum,
            "sumsq" => AggFunc::SumSq,
            "avg" | "mean" => AggFunc::Avg,
            "earliest" => AggFunc::Earliest,
            "latest" => AggFunc::Latest,
            "earliest_time" => AggFunc::EarliestTime,
            "latest_time" => AggFunc::LatestTime,
            "first" => AggFunc::First,
            "last" => AggFunc::Last,
            "stdev" => AggFunc::Stdev,
            "stdevp" => AggFunc::StdevP,
            "var" => AggFunc::Var,
            "varp" => AggFunc::VarP,
            "range" => AggFunc::Range,
            "median" => AggFunc::Median,
            "mode" => AggFunc::Mode,
            other => {
                let digits = other
                    .strip_prefix("exactperc")
                    .or_else(|| other.strip_prefix("upperperc"))
                    .or_else(|| other.strip_prefix("perc"))
                    .or_else(|| other.strip_prefix('p'))?;
                let p: f64 = digits.parse().ok()?;
                if !(0.0..=100.0).contains(&p) {
                    return None;
                }
                AggFunc::Percentile(p)
            }
        })
    }

    /// Functions whose result depends on the order events arrive in.
    pub fn order_sensitive(&self) -> bool {
        matches!(self, AggFunc::List | AggFunc::First | AggFunc::Last)
    }
}

#[derive(Clone, Debug)]
pub struct BucketSpec {
    pub field: Name,
    pub output: Name,
    pub span: BucketSpan,
}

/// `bin` without `span=`: the span is the smallest of Splunk's automatic spans that cuts the
/// events' time range into at most `bins` buckets.
#[derive(Clone, Debug)]
pub struct AutoBucketSpec {
    pub field: Name,
    pub output: Name,
    pub bins: u32,
}

#[derive(Clone, Copy, Debug)]
pub enum BucketSpan {
    /// A span with a time unit (`2s`, `1h`, `1d`): values are epoch seconds rounded down.
    Seconds(f64),
    /// A plain number (`span=10`): values become ranges such as `10-20`.
    Numeric(f64),
}

#[derive(Clone, Debug)]
pub struct SortKeySpec {
    pub field: Name,
    pub descending: bool,
    pub conversion: SortConversion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortConversion {
    Auto,
    Str,
    Num,
    Ip,
}

#[derive(Clone, Debug)]
pub struct SortSpec {
    pub keys: Vec<SortKeySpec>,
    /// `None`: no limit (`sort 0`).
    pub limit: Option<usize>,
}

/// Splunk's `sort` keeps 10,000 results unless told otherwise.
pub const DEFAULT_SORT_LIMIT: usize = 10_000;

#[derive(Clone, Debug)]
pub struct HeadSpec {
    pub limit: Option<usize>,
    pub condition: Option<CExpr>,
    pub keep_last: bool,
    /// `null=true`: a condition that evaluates to null counts as true.
    pub null_is_true: bool,
}

#[derive(Clone, Debug)]
pub struct DedupSpec {
    pub count: usize,
    pub fields: Vec<Name>,
    pub keep_empty: bool,
    pub consecutive: bool,
    pub sort_by: Vec<SortKeySpec>,
}

#[derive(Clone, Debug)]
pub struct IpLocationSpec {
    pub field: Name,
    pub prefix: String,
    pub all_fields: bool,
}

/// How result order is decided.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventOrder {
    /// As Splunk: events come newest first (buffered and sorted by `_time` only where a later
    /// command or the output depends on the order).
    #[default]
    NewestFirst,
    /// In the order they are read (streams without buffering).
    Input,
}

/// A lowered pipeline, ready to build operators from.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub ops: Vec<Op>,
}

impl Plan {
    /// Builds a plan, inserting the time ordering Splunk gives events where the results
    /// depend on it (an order-sensitive command, or the output of events), unless a command
    /// that decides the order itself (`stats`, `sort`) comes first. Splunk orders events as
    /// the search reads them, so the ordering goes right after the leading filters, before any
    /// command can change `_time` or drop it.
    pub fn new(mut ops: Vec<Op>, order: EventOrder) -> Plan {
        if order == EventOrder::NewestFirst {
            let mut needed = true;
            for op in &ops {
                let sensitive = match op {
                    Op::Head(_)
                    | Op::Tail(_)
                    | Op::Dedup(_)
                    | Op::StreamStats(_)
                    | Op::Format(_)
                    | Op::OutputLookup(_)
                    | Op::Map(_) => true,
                    Op::Aggregate(spec) => spec.aggregations.iter().any(|a| a.func.order_sensitive()),
                    _ => false,
                };
                if sensitive {
                    break;
                }
                // A sequence puts events in time order itself and emits in sequence order.
                let decides_order = matches!(
                    op,
                    Op::Sort(_) | Op::Eql(_) | Op::MakeResults { .. } | Op::Transaction(_) | Op::Chart(_) | Op::Top(_)
                ) || matches!(op, Op::Aggregate(spec) if !spec.keep_events)
                    || matches!(op, Op::InputLookup(spec) if !spec.append);
                if decides_order {
                    needed = false;
                    break;
                }
            }
            if needed {
                let at = ops
                    .iter()
                    .take_while(|op| matches!(op, Op::Search(_) | Op::Filter(_)))
                    .count();
                ops.insert(at, Op::TimeOrder);
            }
        }
        Plan { ops }
    }

    /// Does the plan run subsearches over the run's inputs (`join`, `append`, `[...]`)?
    pub fn has_subsearch(&self) -> bool {
        self.ops
            .iter()
            .any(|op| matches!(op, Op::SubsearchFilter(_) | Op::Join(_) | Op::Append(_)))
    }

    /// Does the plan put events in time order as they stream (EQL's reorder window)? Such a
    /// plan does best when its inputs are read oldest first.
    pub fn streams_in_time_order(&self) -> bool {
        self.ops
            .iter()
            .any(|op| matches!(op, Op::Eql(crate::eql::EqlOp::TimeSort { window: Some(_), .. })))
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Search(_) => write!(f, "Search: keep events matching the search terms"),
            Op::Filter(_) => write!(f, "Filter: keep events where the expression is true"),
            Op::Assign(fields) => write!(
                f,
                "Assign: set {}",
                fields.iter().map(|(n, _)| n.as_ref()).collect::<Vec<_>>().join(", ")
            ),
            Op::Aggregate(spec) => write!(
                f,
                "{}: {} aggregation(s){}",
                if spec.keep_events { "Annotate" } else { "Aggregate" },
                spec.aggregations.len(),
                if spec.by.is_empty() {
                    String::new()
                } else {
                    format!(
                        " by {} (events where a by-field is null are dropped)",
                        spec.by.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(", ")
                    )
                }
            ),
            Op::StreamStats(spec) => {
                write!(f, "StreamStats: {} running aggregation(s)", spec.aggregations.len())?;
                if !spec.by.is_empty() {
                    let by: Vec<&str> = spec.by.iter().map(|n| n.as_ref()).collect();
                    write!(
                        f,
                        " by {} (events where a by-field is null pass unchanged)",
                        by.join(", ")
                    )?;
                }
                if spec.window > 0 {
                    write!(f, ", window of {} event(s)", spec.window)?;
                    if !spec.global && !spec.by.is_empty() {
                        f.write_str(" per group")?;
                    }
                }
                if let Some(seconds) = spec.time_window {
                    write!(f, ", time window of {seconds}s")?;
                }
                if !spec.current {
                    f.write_str(", current event excluded")?;
                }
                Ok(())
            }
            Op::Bucket(spec) => write!(f, "Bucket: {} into {}", spec.field, spec.output),
            Op::AutoBucket(spec) => write!(
                f,
                "Bucket: {} into {}, at most {} buckets over the events' time range (buffers)",
                spec.field, spec.output, spec.bins
            ),
            Op::FillNull { fields: None, .. } => write!(f, "FillNull: every field seen in the results (buffers)"),
            Op::FillNull { fields: Some(list), .. } => write!(
                f,
                "FillNull: {}",
                list.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(", ")
            ),
            Op::Project { remove, patterns } => write!(
                f,
                "Project: {} {}",
                if *remove { "remove" } else { "keep" },
                patterns.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Op::Table(cols) => write!(
                f,
                "Table: {}",
                cols.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(", ")
            ),
            Op::Rename(pairs) => write!(
                f,
                "Rename: {}",
                pairs
                    .iter()
                    .map(|(a, b)| format!("{} -> {}", a.text, b.text))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Op::Sort(spec) => write!(f, "Sort: {} key(s), limit {:?}", spec.keys.len(), spec.limit),
            Op::Head(spec) => write!(f, "Head: {:?}", spec.limit),
            Op::Tail(n) => write!(f, "Tail: last {n}, reversed"),
            Op::Dedup(spec) => write!(
                f,
                "Dedup: keep {} per {}",
                spec.count,
                spec.fields.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(", ")
            ),
            Op::IpLocation(spec) => write!(f, "IpLocation: {}", spec.field),
            Op::TimeOrder => write!(f, "TimeOrder: newest first (buffers)"),
            Op::Eql(op) => write!(f, "{op}"),
            Op::Lookup(spec) => write!(f, "Lookup: {}", spec.table.name),
            Op::InputLookup(spec) => write!(
                f,
                "InputLookup: rows of {}{}",
                spec.table.name,
                if spec.append { " after the results" } else { "" }
            ),
            Op::OutputLookup(spec) => match &spec.path {
                Some(path) => write!(f, "OutputLookup: {} to {}", spec.name, path.display()),
                None => write!(f, "OutputLookup: {} (not written)", spec.name),
            },
            Op::Map(spec) => write!(f, "Map: at most {} search(es) of {}", spec.max, spec.template),
            Op::MakeResults { count } => write!(f, "MakeResults: {count} result(s)"),
            Op::SubsearchFilter(spec) => write!(
                f,
                "Search: keep events matching the search terms, after running {} subsearch(es)",
                spec.plans.len()
            ),
            Op::Join(spec) => write!(
                f,
                "Join: {:?} on {} with a subsearch (buffers its results)",
                spec.kind,
                spec.fields.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(", ")
            ),
            Op::Append(_) => write!(f, "Append: a subsearch's results after the results"),
            Op::AppendPipe(_) => write!(f, "AppendPipe: a pipeline over the results, after them (buffers)"),
            Op::Transaction(spec) => write!(
                f,
                "Transaction: by {} (buffers)",
                spec.fields.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(", ")
            ),
            Op::Top(spec) => write!(
                f,
                "{}: {}",
                if spec.rare { "Rare" } else { "Top" },
                spec.fields.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(", ")
            ),
            Op::Chart(spec) => write!(f, "Chart: {}s buckets as rows", spec.span),
            Op::Format(_) => write!(f, "Format: results as one search string"),
            Op::FieldOp(op) => write!(f, "{op}"),
            Op::Note(text) => write!(f, "Note: {text}"),
            Op::Unfold(spec) => write!(
                f,
                "Unfold: {} into rows{}",
                match spec.mode {
                    RowMode::Events => "each result's events",
                    RowMode::Summary => "each result",
                },
                if spec.keys.is_empty() {
                    String::new()
                } else {
                    format!(
                        " with join keys {}",
                        spec.keys.iter().map(|n| n.as_ref()).collect::<Vec<_>>().join(", ")
                    )
                }
            ),
        }
    }
}
