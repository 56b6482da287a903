//! SPL → plan. Decides Splunk's semantics: which names are fields and which are strings,
//! which function each name is, what each command's options mean, and which constructs are
//! type errors in Splunk (`if(x, ...)` with a non-Boolean condition, `eval x=a>b`).

use crate::eql::EqlOptions;
use crate::event::Name;
use crate::expr::{Arith, CExpr, Cmp};
use crate::func::{self, Func, Prepared};
use crate::pattern::LikePattern;
use crate::plan::*;
use crate::search::{CSearch, SearchCmp, SearchValue};
use crate::time::unit_seconds;
use crate::value::Value;
use quarry_syntax::diagnostic::did_you_mean;
use quarry_syntax::spl::ast::{self, *};
use quarry_syntax::{Code, Diagnostic, SourceId, SourceKind, SourceMap, Span};

/// What lowering SPL needs besides the tree.
#[derive(Clone, Debug)]
pub struct SplContext {
    /// Options for `sequence` (category field, tiebreaker, reorder window, limits); its
    /// semantics are always Elasticsearch's.
    pub eql: EqlOptions,
    /// Events reach the first command as read, nearly in time order (not as rows of an
    /// earlier sequence).
    pub ordered_input: bool,
    /// Tables for `lookup` and `inputlookup`.
    pub lookups: std::sync::Arc<crate::lookup::LookupRegistry>,
}

impl Default for SplContext {
    fn default() -> SplContext {
        SplContext {
            eql: EqlOptions::default(),
            ordered_input: true,
            lookups: Default::default(),
        }
    }
}

/// Lowers every command; returns all problems found, not just the first.
pub fn lower(pipeline: &Pipeline) -> Result<Vec<Op>, Vec<Diagnostic>> {
    lower_with(pipeline, &SplContext::default())
}

/// Lowers every command with `ctx`; returns all problems found, not just the first.
pub fn lower_with(pipeline: &Pipeline, ctx: &SplContext) -> Result<Vec<Op>, Vec<Diagnostic>> {
    let mut ops = Vec::new();
    let mut errors = Vec::new();
    let mut ordered = ctx.ordered_input;
    for (n, command) in pipeline.commands.iter().enumerate() {
        if n > 0 && super::datamodel::is_generating(command) {
            errors.push(
                Diagnostic::error(
                    Code::Semantic,
                    format!("`{}` must be the first command", command.name()),
                )
                .with_label(command.span(), "")
                .with_help(format!("start the query with `| {}`", command.name())),
            );
            continue;
        }
        match lower_command(command, ctx, ordered) {
            Ok(list) => ops.extend(list),
            Err(d) => errors.push(d),
        }
        ordered &= keeps_input_order(command);
    }
    if errors.is_empty() {
        Ok(ops)
    } else {
        Err(errors)
    }
}

/// Commands that pass events on in the order they came (and never make the planner put
/// events newest first before them).
fn keeps_input_order(command: &Command) -> bool {
    matches!(
        command,
        Command::Search(_)
            | Command::Where(_)
            | Command::Eval(_)
            | Command::Fields(_)
            | Command::Table(_)
            | Command::Rename(_)
            | Command::Bin(_)
            | Command::FillNull(_)
            | Command::IpLocation(_)
            | Command::Convert(_)
            | Command::Rex(_)
            | Command::Regex(_)
            | Command::Spath(_)
            | Command::FromJson(_)
            | Command::XmlKv(_)
            | Command::Replace(_)
            | Command::MakeMv(_)
            | Command::MvExpand(_)
            | Command::Foreach(_)
    )
}

fn lower_command(command: &Command, ctx: &SplContext, ordered: bool) -> Result<Vec<Op>, Diagnostic> {
    Ok(vec![match command {
        Command::Search(s) => match &s.expr {
            None => return Ok(Vec::new()),
            Some(e) if super::multi::has_subsearch(e) => super::multi::lower_subsearch_filter(e, ctx)?,
            Some(e) => Op::Search(lower_search(e)?),
        },
        Command::Lookup(_)
        | Command::InputLookup(_)
        | Command::OutputLookup(_)
        | Command::Map(_)
        | Command::Join(_)
        | Command::Append(_)
        | Command::AppendPipe(_)
        | Command::MakeResults(_)
        | Command::Transaction(_)
        | Command::Top(_)
        | Command::TimeChart(_)
        | Command::Format(_)
        | Command::Return(_) => return super::multi::lower(command, ctx),
        Command::Sequence(s) => return super::sequence::lower(s, &ctx.eql, ordered),
        Command::Where(w) => {
            require_boolean(&w.expr, "where", "the `where` command expects a Boolean expression")?;
            Op::Filter(lower_expr(&w.expr)?)
        }
        Command::Eval(e) => {
            let mut assignments = Vec::new();
            for a in &e.assignments {
                if is_boolean(&a.expr) {
                    return Err(
                        Diagnostic::error(Code::Semantic, "typechecking failed: eval cannot assign a Boolean")
                            .with_label(a.expr.span, "this is a Boolean")
                            .with_help("wrap the condition: if(<condition>, \"true\", \"false\")"),
                    );
                }
                assignments.push((Name::from(a.field.name.as_str()), lower_expr(&a.expr)?));
            }
            Op::Assign(assignments)
        }
        Command::Stats(s) => lower_stats(s)?,
        Command::StreamStats(s) => lower_streamstats(s)?,
        Command::Bin(b) => lower_bin(b)?,
        Command::FillNull(f) => Op::FillNull {
            value: Value::from(
                f.value
                    .as_ref()
                    .map(decode_search_literal)
                    .unwrap_or_else(|| "0".into()),
            ),
            fields: if f.fields.is_empty() {
                None
            } else {
                Some(f.fields.iter().map(|x| Name::from(x.name.as_str())).collect())
            },
        },
        Command::Fields(f) => Op::Project {
            remove: f.mode == FieldsMode::Remove,
            patterns: f.fields.iter().map(|x| FieldPattern::new(&x.name)).collect(),
        },
        Command::Table(t) => Op::Table(t.fields.iter().map(|x| FieldPattern::new(&x.name)).collect()),
        Command::Rename(r) => {
            let mut pairs = Vec::new();
            for (from, to) in &r.renames {
                let (f, t) = (FieldPattern::new(&from.name), FieldPattern::new(&to.name));
                if f.text.matches('*').count() != t.text.matches('*').count() && t.is_wildcard() {
                    return Err(
                        Diagnostic::error(Code::Semantic, "rename: both names need the same number of `*`")
                            .with_label(from.span.to(to.span), ""),
                    );
                }
                pairs.push((f, t));
            }
            Op::Rename(pairs)
        }
        Command::Sort(s) => lower_sort(s)?,
        Command::Head(h) => lower_head(h)?,
        Command::Tail(t) => Op::Tail(match &t.count {
            Some(c) => parse_count(c)?,
            None => 10,
        }),
        Command::Dedup(d) => lower_dedup(d)?,
        Command::IpLocation(i) => {
            let mut spec = IpLocationSpec {
                field: Name::from(i.field.name.as_str()),
                prefix: String::new(),
                all_fields: false,
            };
            for opt in &i.options {
                match opt.name.name.to_ascii_lowercase().as_str() {
                    "prefix" => spec.prefix = decode_search_literal(&opt.value),
                    "allfields" => spec.all_fields = parse_bool(opt)?,
                    "lang" => {
                        if !decode_search_literal(&opt.value).eq_ignore_ascii_case("en") {
                            return Err(Diagnostic::unsupported("iplocation lang other than en", opt.span));
                        }
                    }
                    _ => return Err(unknown_option("iplocation", opt, &["prefix", "allfields", "lang"])),
                }
            }
            Op::IpLocation(spec)
        }
        c @ (Command::Convert(_)
        | Command::Rex(_)
        | Command::Regex(_)
        | Command::Spath(_)
        | Command::FromJson(_)
        | Command::XmlKv(_)
        | Command::Replace(_)
        | Command::MakeMv(_)
        | Command::MvExpand(_)
        | Command::MvCombine(_)
        | Command::AddTotals(_)
        | Command::Foreach(_)) => super::fieldcmds::lower(c)?,
        Command::TStats(t) => return super::datamodel::lower_tstats(t, ctx),
        Command::DataModel(d) => return super::datamodel::lower_datamodel(d),
        Command::From(f) => return super::datamodel::lower_from(f),
        Command::Unsupported(u) => {
            if let Some(reason) = super::datamodel::unsupported_reason(&u.name.name) {
                return Err(Diagnostic::unsupported(
                    &format!("{} ({reason})", u.name.name),
                    u.name.span,
                ));
            }
            return Err(Diagnostic::unsupported(&u.name.name, u.name.span).with_note(format!(
                "`{}` is a Splunk command that Quarry does not implement yet",
                u.name.name
            )));
        }
    }])
}

pub(crate) fn unknown_option(command: &str, opt: &CommandOption, known: &[&str]) -> Diagnostic {
    let mut d = Diagnostic::error(Code::BadOption, format!("{command} has no option `{}`", opt.name.name))
        .with_label(opt.name.span, "unknown option");
    if let Some(near) = did_you_mean(&opt.name.name, known.iter().copied()) {
        d = d.with_help(format!("did you mean `{near}`?"));
    } else {
        d = d.with_help(format!("{command} takes: {}", known.join(", ")));
    }
    d
}

pub(crate) fn parse_bool(opt: &CommandOption) -> Result<bool, Diagnostic> {
    match decode_search_literal(&opt.value).to_ascii_lowercase().as_str() {
        "true" | "t" | "1" | "yes" => Ok(true),
        "false" | "f" | "0" | "no" => Ok(false),
        _ => Err(
            Diagnostic::error(Code::BadOption, format!("`{}` expects true or false", opt.name.name))
                .with_label(opt.value.span, "not a Boolean"),
        ),
    }
}

pub(crate) fn parse_count(lit: &Literal) -> Result<usize, Diagnostic> {
    decode_search_literal(lit).trim().parse::<usize>().map_err(|_| {
        Diagnostic::error(Code::BadOption, "expected a whole number").with_label(lit.span, "not a whole number")
    })
}

fn lower_stats(s: &Stats) -> Result<Op, Diagnostic> {
    for opt in &s.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "allnum" | "delim" | "partitions" | "dedup_splitvals" => {}
            _ => {
                return Err(unknown_option(
                    s.kind.name(),
                    opt,
                    &["allnum", "delim", "partitions", "dedup_splitvals"],
                ))
            }
        }
    }
    let aggregations = lower_aggregations(&s.aggregations)?;
    Ok(Op::Aggregate(AggregateSpec {
        keep_events: s.kind == StatsKind::EventStats,
        aggregations,
        by: s.by.iter().map(|f| Name::from(f.name.as_str())).collect(),
    }))
}

/// The aggregations of `stats`, `eventstats` and `streamstats`: `count`, `dc(x)`,
/// `sum(eval(...)) as n`, `values(*) as *` ...
pub(crate) fn lower_aggregations(aggs: &[Aggregation]) -> Result<Vec<AggSpec>, Diagnostic> {
    let mut aggregations = Vec::new();
    for agg in aggs {
        let Some(func) = AggFunc::parse(&agg.func.name) else {
            return Err(Diagnostic::unsupported(&agg.func.name, agg.func.span)
                .with_note("not a stats function Quarry implements"));
        };
        let input = match &agg.arg {
            None if func == AggFunc::Count => AggInput::Events,
            None => {
                return Err(Diagnostic::error(
                    Code::Semantic,
                    format!("`{}` needs a field: {}(<field>)", agg.func.name, agg.func.name),
                )
                .with_label(agg.span, ""))
            }
            Some(AggArg::Field(f)) if f.has_wildcard() => AggInput::Wildcard(FieldPattern::new(&f.name)),
            Some(AggArg::Field(f)) => AggInput::Field(Name::from(f.name.as_str())),
            Some(AggArg::Eval(e)) => {
                if agg.alias.is_none() {
                    return Err(Diagnostic::error(
                        Code::Semantic,
                        "an eval expression inside stats must be renamed with `as`",
                    )
                    .with_label(agg.span, "")
                    .with_help(format!("{agg} as <name>")));
                }
                AggInput::Expr(lower_expr(e)?)
            }
        };
        let output = match (&agg.alias, &input) {
            (Some(alias), _) => alias.name.clone(),
            (None, AggInput::Wildcard(p)) => format!("{}({})", agg.func.name, p.text),
            (None, _) => match &agg.arg {
                None => agg.func.name.clone(),
                Some(AggArg::Field(f)) => format!("{}({})", agg.func.name, f.name),
                Some(AggArg::Eval(e)) => format!("{}(eval({e}))", agg.func.name),
            },
        };
        if let AggInput::Wildcard(p) = &input {
            if output.contains('*') && output.matches('*').count() != p.text.matches('*').count() {
                return Err(Diagnostic::error(
                    Code::Semantic,
                    "the output name needs as many `*` as the field pattern",
                )
                .with_label(agg.span, ""));
            }
        }
        aggregations.push(AggSpec { func, input, output });
    }
    Ok(aggregations)
}

/// `streamstats`: options, reset conditions, aggregations and by-fields.
fn lower_streamstats(s: &StreamStats) -> Result<Op, Diagnostic> {
    const KNOWN: &[&str] = &[
        "current",
        "window",
        "time_window",
        "global",
        "reset_on_change",
        "reset_before",
        "reset_after",
        "allnum",
    ];
    let mut spec = StreamStatsSpec {
        aggregations: lower_aggregations(&s.aggregations)?,
        by: s.by.iter().map(|f| Name::from(f.name.as_str())).collect(),
        current: true,
        window: 0,
        time_window: None,
        global: true,
        reset_on_change: false,
        reset_before: None,
        reset_after: None,
        allnum: false,
    };
    let mut seen: Vec<(String, Span)> = Vec::new();
    let mut once = |name: &Ident| -> Result<(), Diagnostic> {
        let lower = name.name.to_ascii_lowercase();
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == lower) {
            return Err(
                Diagnostic::error(Code::BadOption, format!("streamstats: `{}` is given twice", name.name))
                    .with_label(name.span, "given again here")
                    .with_secondary(*first, "first given here"),
            );
        }
        seen.push((lower, name.span));
        Ok(())
    };
    for opt in &s.options {
        once(&opt.name)?;
        match opt.name.name.to_ascii_lowercase().as_str() {
            "current" => spec.current = parse_bool(opt)?,
            "window" => spec.window = parse_count(&opt.value)?,
            "time_window" => spec.time_window = Some(parse_time_window(opt)?),
            "global" => spec.global = parse_bool(opt)?,
            "reset_on_change" => spec.reset_on_change = parse_bool(opt)?,
            "allnum" => spec.allnum = parse_bool(opt)?,
            _ => return Err(unknown_option("streamstats", opt, KNOWN)),
        }
    }
    for reset in &s.resets {
        once(&reset.name)?;
        require_boolean(
            &reset.expr,
            &reset.name.name,
            &format!("`{}` expects a Boolean expression", reset.name.name),
        )?;
        let condition = Some(lower_expr(&reset.expr)?);
        if reset.name.is("reset_before") {
            spec.reset_before = condition;
        } else {
            spec.reset_after = condition;
        }
    }
    Ok(Op::StreamStats(spec))
}

/// `time_window=<n><unit>`: seconds (s), minutes (m), hours (h), days (d) or weeks (w).
fn parse_time_window(opt: &CommandOption) -> Result<f64, Diagnostic> {
    let text = decode_search_literal(&opt.value);
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let bad = |why: &str| {
        Diagnostic::error(Code::BadOption, format!("bad time_window `{text}`"))
            .with_label(opt.value.span, why.to_string())
            .with_help("for example time_window=30s, time_window=5m, time_window=1h or time_window=2d")
    };
    let n: f64 = match &text[..digits_end] {
        "" => 1.0,
        digits => digits.parse().map_err(|_| bad("not a number"))?,
    };
    if n <= 0.0 {
        return Err(bad("the window must be longer than 0"));
    }
    let unit = &text[digits_end..];
    if unit.is_empty() {
        return Err(bad("a time window needs a unit"));
    }
    match unit_seconds(unit) {
        Some(seconds) => Ok(n * seconds),
        None if matches!(
            unit,
            "mon"
                | "month"
                | "months"
                | "q"
                | "qtr"
                | "qtrs"
                | "quarter"
                | "quarters"
                | "y"
                | "yr"
                | "yrs"
                | "year"
                | "years"
        ) =>
        {
            Err(
                Diagnostic::unsupported(&format!("streamstats time_window in {unit}"), opt.value.span)
                    .with_help("give the window in seconds, minutes, hours, days or weeks"),
            )
        }
        None => Err(bad("not a time unit")),
    }
}

fn lower_bin(b: &Bin) -> Result<Op, Diagnostic> {
    let mut span = None;
    let mut bins = None;
    for opt in &b.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "span" => span = Some(parse_span(opt)?),
            "bins" => bins = Some((parse_bins(opt)?, opt.name.span)),
            "minspan" | "start" | "end" | "aligntime" => {
                return Err(
                    Diagnostic::unsupported(&format!("bin {}=", opt.name.name), opt.name.span)
                        .with_help("give the bucket size with span=<n><unit> (s, m, h, d) or span=<number>"),
                )
            }
            _ => {
                return Err(unknown_option(
                    if b.bucket_alias { "bucket" } else { "bin" },
                    opt,
                    &["span", "bins", "minspan", "start", "end", "aligntime"],
                ))
            }
        }
    }
    let field = Name::from(b.field.name.as_str());
    let output = Name::from(b.alias.as_ref().unwrap_or(&b.field).name.as_str());
    let Some(span) = span else {
        // Splunk sizes time buckets from the search's time range; over files, from the events'.
        if b.field.name == "_time" {
            return Ok(Op::AutoBucket(AutoBucketSpec {
                field,
                output,
                bins: bins.map_or(100, |(n, _)| n),
            }));
        }
        let at = bins.map_or(b.span, |(_, at)| at);
        return Err(
            Diagnostic::unsupported("bin without span= on a field other than _time", at)
                .with_help("automatic bucket sizes are implemented for _time only; give span=<number>"),
        );
    };
    // With both, Splunk uses span= and ignores bins=.
    Ok(Op::Bucket(BucketSpec { field, output, span }))
}

/// `bins=<n>`: a positive whole number of buckets.
pub(crate) fn parse_bins(opt: &CommandOption) -> Result<u32, Diagnostic> {
    let text = decode_search_literal(&opt.value);
    match text.parse::<u32>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Diagnostic::error(Code::BadOption, format!("bad bins `{text}`"))
            .with_label(opt.value.span, "expected a whole number of buckets, at least 1")),
    }
}

pub(crate) fn parse_span(opt: &CommandOption) -> Result<BucketSpan, Diagnostic> {
    let text = decode_search_literal(&opt.value);
    let digits_end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let bad = || {
        Diagnostic::error(Code::BadOption, format!("bad span `{text}`"))
            .with_label(opt.value.span, "expected a number with an optional unit")
            .with_help("for example span=2s, span=5m, span=1h, span=1d or span=10")
    };
    let n: f64 = if digits_end == 0 {
        1.0
    } else {
        text[..digits_end].parse().map_err(|_| bad())?
    };
    if n <= 0.0 {
        return Err(bad());
    }
    let unit = &text[digits_end..];
    if unit.is_empty() {
        return Ok(BucketSpan::Numeric(n));
    }
    match unit_seconds(unit) {
        Some(s) => Ok(BucketSpan::Seconds(n * s)),
        None if matches!(unit, "mon" | "month" | "months" | "q" | "qtr" | "y" | "year" | "years") => {
            Err(Diagnostic::unsupported(&format!("span in {unit}"), opt.value.span))
        }
        None => Err(bad()),
    }
}

fn sort_key(k: &SortKey) -> SortKeySpec {
    SortKeySpec {
        field: Name::from(k.field.name.as_str()),
        descending: k.direction == SortDirection::Descending,
        conversion: match k.conversion {
            None | Some(ast::SortConversion::Auto) => crate::plan::SortConversion::Auto,
            Some(ast::SortConversion::Str) => crate::plan::SortConversion::Str,
            Some(ast::SortConversion::Num) => crate::plan::SortConversion::Num,
            Some(ast::SortConversion::Ip) => crate::plan::SortConversion::Ip,
        },
    }
}

fn lower_sort(s: &Sort) -> Result<Op, Diagnostic> {
    let mut limit = Some(DEFAULT_SORT_LIMIT);
    if let Some(count) = &s.count {
        limit = Some(parse_count(count)?);
    }
    for opt in &s.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "limit" => limit = Some(parse_count(&opt.value)?),
            _ => return Err(unknown_option("sort", opt, &["limit"])),
        }
    }
    if limit == Some(0) {
        limit = None;
    }
    let mut keys: Vec<SortKeySpec> = s.keys.iter().map(sort_key).collect();
    if s.reverse {
        for k in &mut keys {
            k.descending = !k.descending;
        }
    }
    Ok(Op::Sort(SortSpec { keys, limit }))
}

fn lower_head(h: &Head) -> Result<Op, Diagnostic> {
    let mut spec = HeadSpec {
        limit: None,
        condition: None,
        keep_last: false,
        null_is_true: false,
    };
    if let Some(c) = &h.count {
        spec.limit = Some(parse_count(c)?);
    }
    if let Some(e) = &h.condition {
        require_boolean(e, "head", "head (<expression>) expects a Boolean expression")?;
        spec.condition = Some(lower_expr(e)?);
    }
    for opt in &h.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "limit" => spec.limit = Some(parse_count(&opt.value)?),
            "keeplast" => spec.keep_last = parse_bool(opt)?,
            "null" => spec.null_is_true = parse_bool(opt)?,
            _ => return Err(unknown_option("head", opt, &["limit", "keeplast", "null"])),
        }
    }
    if spec.limit.is_none() && spec.condition.is_none() {
        spec.limit = Some(10);
    }
    Ok(Op::Head(spec))
}

fn lower_dedup(d: &Dedup) -> Result<Op, Diagnostic> {
    let mut spec = DedupSpec {
        count: match &d.count {
            Some(c) => parse_count(c)?.max(1),
            None => 1,
        },
        fields: d.fields.iter().map(|f| Name::from(f.name.as_str())).collect(),
        keep_empty: false,
        consecutive: false,
        sort_by: d.sort_by.iter().map(sort_key).collect(),
    };
    for opt in &d.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "keepempty" => spec.keep_empty = parse_bool(opt)?,
            "consecutive" => spec.consecutive = parse_bool(opt)?,
            "keepevents" => {
                if parse_bool(opt)? {
                    return Err(Diagnostic::unsupported("dedup keepevents=true", opt.span));
                }
            }
            _ => {
                return Err(unknown_option(
                    "dedup",
                    opt,
                    &["keepempty", "consecutive", "keepevents"],
                ))
            }
        }
    }
    for f in &d.fields {
        if f.has_wildcard() {
            return Err(Diagnostic::unsupported("dedup with wildcard fields", f.span));
        }
    }
    Ok(Op::Dedup(spec))
}

// ---------------------------------------------------------------- search expressions

/// Lowers a search expression.
pub fn lower_search(e: &SearchExpr) -> Result<CSearch, Diagnostic> {
    Ok(match &e.kind {
        SearchKind::And(items) => CSearch::And(items.iter().map(lower_search).collect::<Result<_, _>>()?),
        SearchKind::Or(items) => CSearch::Or(items.iter().map(lower_search).collect::<Result<_, _>>()?),
        SearchKind::Not(inner) => CSearch::Not(Box::new(lower_search(inner)?)),
        SearchKind::Group(inner) => lower_search(inner)?,
        SearchKind::Subsearch(sub) => {
            return Err(Diagnostic::unsupported("subsearch here", sub.span)
                .with_note("a `[...]` subsearch is read in the `search` command and at the start of a query"))
        }
        SearchKind::Term(lit) => {
            let text = decode_search_literal(lit);
            if lit.quote == Quote::None && text.chars().all(|c| c == '*') {
                CSearch::All
            } else if lit.quote == Quote::None && is_directive(&text) {
                return Err(Diagnostic::unsupported(&text, lit.span));
            } else {
                CSearch::Term(crate::pattern::Term::new(&text))
            }
        }
        SearchKind::Compare { field, op, value } => {
            check_search_field(field)?;
            CSearch::Compare {
                field: Name::from(field.name.as_str()),
                op: match op {
                    SearchOp::Eq => SearchCmp::Eq,
                    SearchOp::Ne => SearchCmp::Ne,
                    SearchOp::Lt => SearchCmp::Lt,
                    SearchOp::Le => SearchCmp::Le,
                    SearchOp::Gt => SearchCmp::Gt,
                    SearchOp::Ge => SearchCmp::Ge,
                },
                value: SearchValue::new(&decode_search_literal(value)),
            }
        }
        SearchKind::In { field, values } => {
            check_search_field(field)?;
            CSearch::Or(
                values
                    .iter()
                    .map(|v| CSearch::Compare {
                        field: Name::from(field.name.as_str()),
                        op: SearchCmp::Eq,
                        value: SearchValue::new(&decode_search_literal(v)),
                    })
                    .collect(),
            )
        }
    })
}

/// `TERM(x)`, `CASE(x)` and friends.
fn is_directive(text: &str) -> bool {
    ["TERM(", "CASE(", "PREFIX("].iter().any(|d| text.starts_with(d))
}

fn check_search_field(field: &Field) -> Result<(), Diagnostic> {
    match field.name.as_str() {
        "earliest" | "latest" | "_index_earliest" | "_index_latest" | "starttime" | "endtime" | "starttimeu"
        | "endtimeu" | "starthoursago" | "endhoursago" | "startdaysago" | "enddaysago" | "startminutesago"
        | "endminutesago" | "timeformat" | "savedsearch" | "savedsplunk" | "eventtypetag" | "hosttag" => Err(
            Diagnostic::unsupported(&format!("{} (search time modifier)", field.name), field.span)
                .with_help("Quarry searches every event of the given inputs; filter on _time with where instead"),
        ),
        name if name.contains('*') => Err(Diagnostic::unsupported("wildcard field name in search", field.span)),
        _ => Ok(()),
    }
}

/// The text of a search-language literal: `\"` and `\\` are unescaped.
pub fn decode_search_literal(lit: &Literal) -> String {
    if lit.quote == Quote::None {
        return lit.text.clone();
    }
    let mut out = String::new();
    let mut chars = lit.text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------- eval expressions

/// The text of an eval string literal: `\"`, `\\`, `\t`, `\n`, `\r` are decoded; any other
/// backslash stays (so `"\d+"` is the regex `\d+`).
pub fn decode_eval_string(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Does the expression produce a Boolean (statically)?
pub fn is_boolean(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Group(inner) => is_boolean(inner),
        ExprKind::Unary { op: UnaryOp::Not, .. } => true,
        ExprKind::In { .. } => true,
        ExprKind::Binary { op, .. } => matches!(
            op,
            BinaryOp::Eq
                | BinaryOp::EqEq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::Like
                | BinaryOp::And
                | BinaryOp::Or
                | BinaryOp::Xor
        ),
        ExprKind::Call { name, args } => match func::lookup(&name.name) {
            Some(info) if info.boolean => true,
            Some(info) if info.func == Func::If => args.len() == 3 && is_boolean(&args[1]) && is_boolean(&args[2]),
            _ => false,
        },
        _ => false,
    }
}

fn require_boolean(e: &Expr, context: &str, message: &str) -> Result<(), Diagnostic> {
    if is_boolean(e) {
        return Ok(());
    }
    let mut d = Diagnostic::error(Code::Semantic, format!("typechecking failed: {message}"))
        .with_label(e.span, "not a Boolean");
    if let ExprKind::Field(f) = &e.kind {
        d = d.with_help(format!(
            "compare it to something, e.g. {context} ... {}=\"value\", or use isnotnull({})",
            f, f
        ));
    }
    Err(d)
}

/// Lowers an eval expression.
pub fn lower_expr(e: &Expr) -> Result<CExpr, Diagnostic> {
    let b = |x: &Expr| lower_expr(x).map(Box::new);
    Ok(match &e.kind {
        ExprKind::Field(f) => CExpr::Field(Name::from(f.name.as_str())),
        ExprKind::Str(raw) => CExpr::Literal(Value::from(decode_eval_string(raw))),
        ExprKind::Number(text) => CExpr::Literal(number_literal(text, e.span)?),
        ExprKind::Group(inner) => lower_expr(inner)?,
        ExprKind::Unary { op, expr } => match op {
            UnaryOp::Not => {
                require_boolean(expr, "NOT", "NOT expects a Boolean operand")?;
                CExpr::Not(b(expr)?)
            }
            UnaryOp::Neg => CExpr::Neg(b(expr)?),
            UnaryOp::Plus => lower_expr(expr)?,
        },
        ExprKind::In { expr, list } => CExpr::In(b(expr)?, list.iter().map(lower_expr).collect::<Result<_, _>>()?),
        ExprKind::Binary { op, left, right } => {
            let arith = |a: Arith| -> Result<CExpr, Diagnostic> { Ok(CExpr::Arith(a, b(left)?, b(right)?)) };
            let cmp = |c: Cmp| -> Result<CExpr, Diagnostic> { Ok(CExpr::Compare(c, b(left)?, b(right)?)) };
            let logic = |name: &str| -> Result<(), Diagnostic> {
                require_boolean(left, name, &format!("{name} expects Boolean operands"))?;
                require_boolean(right, name, &format!("{name} expects Boolean operands"))
            };
            match op {
                BinaryOp::Add => arith(Arith::Add)?,
                BinaryOp::Sub => arith(Arith::Sub)?,
                BinaryOp::Mul => arith(Arith::Mul)?,
                BinaryOp::Div => arith(Arith::Div)?,
                BinaryOp::Mod => arith(Arith::Mod)?,
                BinaryOp::Concat => CExpr::Concat(b(left)?, b(right)?),
                BinaryOp::Eq | BinaryOp::EqEq => cmp(Cmp::Eq)?,
                BinaryOp::Ne => cmp(Cmp::Ne)?,
                BinaryOp::Lt => cmp(Cmp::Lt)?,
                BinaryOp::Le => cmp(Cmp::Le)?,
                BinaryOp::Gt => cmp(Cmp::Gt)?,
                BinaryOp::Ge => cmp(Cmp::Ge)?,
                BinaryOp::Like => {
                    let compiled = literal_text(right).map(|p| LikePattern::new(&p));
                    CExpr::Like(b(left)?, b(right)?, compiled)
                }
                BinaryOp::And => {
                    logic("AND")?;
                    CExpr::And(b(left)?, b(right)?)
                }
                BinaryOp::Or => {
                    logic("OR")?;
                    CExpr::Or(b(left)?, b(right)?)
                }
                BinaryOp::Xor => {
                    logic("XOR")?;
                    CExpr::Xor(b(left)?, b(right)?)
                }
            }
        }
        ExprKind::Call { name, args } => lower_call(name, args, e.span)?,
    })
}

fn number_literal(text: &str, span: Span) -> Result<Value, Diagnostic> {
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Value::Int(i));
    }
    text.parse::<f64>()
        .map(Value::Float)
        .map_err(|_| Diagnostic::syntax(format!("bad number `{text}`"), span))
}

/// The value of a literal argument (string or number), for compiling patterns ahead of time.
fn literal_value(e: &Expr) -> Option<Value> {
    match &e.kind {
        ExprKind::Str(raw) => Some(Value::from(decode_eval_string(raw))),
        ExprKind::Number(n) => number_literal(n, e.span).ok(),
        ExprKind::Group(inner) => literal_value(inner),
        _ => None,
    }
}

fn literal_text(e: &Expr) -> Option<String> {
    literal_value(e).and_then(|v| v.as_text().map(|t| t.into_owned()))
}

fn lower_call(name: &Ident, args: &[Expr], span: Span) -> Result<CExpr, Diagnostic> {
    let Some(info) = func::lookup(&name.name) else {
        let lower = name.name.to_ascii_lowercase();
        if func::KNOWN_UNIMPLEMENTED.contains(&lower.as_str()) {
            return Err(Diagnostic::unsupported(&name.name, name.span).with_note(format!(
                "`{}` is a Splunk eval function that Quarry does not implement yet",
                name.name
            )));
        }
        let mut d = Diagnostic::error(
            Code::Unknown,
            format!("unsupported: {} (not a Splunk eval function)", name.name),
        )
        .with_label(name.span, "unknown function");
        if let Some(near) = did_you_mean(&lower, FUNCTION_NAMES.iter().copied()) {
            d = d.with_help(format!("did you mean `{near}`?"));
        }
        return Err(d);
    };
    if args.len() < info.min_args || args.len() > info.max_args {
        let expected = if info.min_args == info.max_args {
            format!("{}", info.min_args)
        } else if info.max_args == usize::MAX {
            format!("at least {}", info.min_args)
        } else {
            format!("{} to {}", info.min_args, info.max_args)
        };
        return Err(Diagnostic::error(
            Code::Semantic,
            format!("`{}` takes {expected} argument(s), not {}", name.name, args.len()),
        )
        .with_label(span, ""));
    }
    let lowered = |a: &Expr| lower_expr(a);
    Ok(match info.func {
        Func::If => {
            require_boolean(&args[0], "if", "the condition of `if` must be a Boolean expression")?;
            CExpr::If(
                Box::new(lowered(&args[0])?),
                Box::new(lowered(&args[1])?),
                Box::new(lowered(&args[2])?),
            )
        }
        Func::Case | Func::Validate => {
            if !args.len().is_multiple_of(2) {
                return Err(
                    Diagnostic::error(Code::Semantic, format!("`{}` takes pairs of arguments", name.name))
                        .with_label(span, ""),
                );
            }
            let mut pairs = Vec::new();
            for pair in args.chunks(2) {
                require_boolean(
                    &pair[0],
                    &name.name,
                    &format!("each condition of `{}` must be a Boolean expression", name.name),
                )?;
                pairs.push((lowered(&pair[0])?, lowered(&pair[1])?));
            }
            if info.func == Func::Case {
                CExpr::Case(pairs)
            } else {
                CExpr::Validate(pairs)
            }
        }
        Func::Coalesce => CExpr::Coalesce(args.iter().map(lowered).collect::<Result<_, _>>()?),
        Func::MvFilter | Func::MvMap => super::fieldcmds::lower_per_value(info.func, name, args, span)?,
        Func::SearchMatch => {
            let Some(text) = literal_text(&args[0]) else {
                return Err(
                    Diagnostic::error(Code::Semantic, "searchmatch takes a quoted search string")
                        .with_label(args[0].span, "not a string literal"),
                );
            };
            let search = compile_search_text(&text).map_err(|d| {
                let message = d.into_iter().next().map(|d| d.message).unwrap_or_default();
                Diagnostic::error(Code::Semantic, format!("searchmatch: {message}")).with_label(args[0].span, "")
            })?;
            CExpr::SearchMatch(Box::new(search))
        }
        Func::NullIf => CExpr::NullIf(Box::new(lowered(&args[0])?), Box::new(lowered(&args[1])?)),
        Func::In => CExpr::In(
            Box::new(lowered(&args[0])?),
            args[1..].iter().map(lowered).collect::<Result<_, _>>()?,
        ),
        Func::Like => {
            let compiled = literal_text(&args[1]).map(|p| LikePattern::new(&p));
            CExpr::Like(Box::new(lowered(&args[0])?), Box::new(lowered(&args[1])?), compiled)
        }
        other => {
            if matches!(other, Func::Match | Func::Replace | Func::MvFind) {
                if let Some(pattern) = args.get(1).and_then(literal_text) {
                    super::fieldcmds::compile_regex(&pattern, args[1].span)?;
                }
            }
            let literals: Vec<Option<Value>> = args.iter().map(literal_value).collect();
            let prepared = func::prepare(other, &literals).map_err(|message| {
                Diagnostic::error(Code::Semantic, format!("`{}`: {message}", name.name)).with_label(span, "")
            })?;
            let _: &Prepared = &prepared;
            CExpr::Call(other, args.iter().map(lowered).collect::<Result<_, _>>()?, prepared)
        }
    })
}

/// The eval functions Quarry implements: offered in "did you mean" for unknown functions and
/// by completion.
pub const FUNCTION_NAMES: &[&str] = &[
    "if",
    "case",
    "coalesce",
    "validate",
    "nullif",
    "null",
    "true",
    "false",
    "isnull",
    "isnotnull",
    "isnum",
    "isint",
    "isstr",
    "isbool",
    "typeof",
    "like",
    "match",
    "in",
    "cidrmatch",
    "len",
    "lower",
    "upper",
    "trim",
    "ltrim",
    "rtrim",
    "substr",
    "replace",
    "split",
    "tostring",
    "tonumber",
    "urldecode",
    "abs",
    "ceil",
    "ceiling",
    "floor",
    "round",
    "sqrt",
    "pow",
    "exp",
    "ln",
    "log",
    "pi",
    "exact",
    "min",
    "max",
    "random",
    "mvcount",
    "mvindex",
    "mvjoin",
    "mvappend",
    "mvdedup",
    "mvsort",
    "mvfind",
    "mvzip",
    "mvfilter",
    "mvmap",
    "spath",
    "json_extract",
    "printf",
    "json_object",
    "json_array",
    "json_keys",
    "json_valid",
    "json_array_to_mv",
    "searchmatch",
    "md5",
    "sha1",
    "sha256",
    "sha512",
    "now",
    "time",
    "strftime",
    "strptime",
    "relative_time",
];

// ---------------------------------------------------------------- text helpers

pub(crate) fn parse_text<T>(
    text: &str,
    parse: impl FnOnce(&str, SourceId) -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>> {
    let mut sources = SourceMap::new();
    let id = sources.add("expression", text, SourceKind::Query);
    parse(text, id)
}

/// Compiles an eval expression written as text (for profiles' calculated fields).
pub fn compile_expr_text(text: &str) -> Result<CExpr, Vec<Diagnostic>> {
    let query = format!("| eval x={text}");
    let pipeline = parse_text(&query, quarry_syntax::spl::parse_pipeline)?;
    match pipeline.commands.first() {
        Some(Command::Eval(e)) if pipeline.commands.len() == 1 && e.assignments.len() == 1 => {
            lower_expr(&e.assignments[0].expr).map_err(|d| vec![d])
        }
        _ => Err(vec![Diagnostic::error(
            Code::Syntax,
            format!("not a single eval expression: {text}"),
        )]),
    }
}

/// Compiles a search expression written as text (for event types).
pub fn compile_search_text(text: &str) -> Result<CSearch, Vec<Diagnostic>> {
    let pipeline = parse_text(text, quarry_syntax::spl::parse_pipeline)?;
    match pipeline.commands.first() {
        Some(Command::Search(s)) if pipeline.commands.len() == 1 => match &s.expr {
            Some(e) => lower_search(e).map_err(|d| vec![d]),
            None => Ok(CSearch::All),
        },
        _ => Err(vec![Diagnostic::error(
            Code::Syntax,
            format!("not a search expression: {text}"),
        )]),
    }
}
