//! Lowering of the commands that read lookups, run subsearches or combine several events or
//! result sets (`spl/multi.rs` in the syntax crate has their trees).

use super::spl::{
    decode_search_literal, lower_aggregations, lower_expr, lower_search, lower_with, parse_bool, parse_count,
    parse_span, unknown_option, SplContext,
};
use crate::event::Name;
use crate::lookup::{LookupEntry, LookupTable};
use crate::plan::*;
use crate::search::CSearch;
use quarry_syntax::spl::ast::*;
use quarry_syntax::{Code, Diagnostic};
use std::sync::Arc;

/// Does a search expression hold a `[...]` subsearch?
pub fn has_subsearch(e: &SearchExpr) -> bool {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().any(has_subsearch),
        SearchKind::Not(inner) | SearchKind::Group(inner) => has_subsearch(inner),
        SearchKind::Subsearch(_) => true,
        _ => false,
    }
}

fn collect_subsearches<'a>(e: &'a SearchExpr, out: &mut Vec<&'a Subsearch>) {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().for_each(|i| collect_subsearches(i, out)),
        SearchKind::Not(inner) | SearchKind::Group(inner) => collect_subsearches(inner, out),
        SearchKind::Subsearch(s) => out.push(s),
        _ => {}
    }
}

/// A search with subsearches: each subsearch is planned now and run when the search runs.
pub fn lower_subsearch_filter(e: &SearchExpr, ctx: &SplContext) -> Result<Op, Diagnostic> {
    // Everything but the subsearches must lower now, so errors show before running.
    resolve_search(e, &mut std::iter::repeat_with(|| CSearch::All))?;
    let mut subs = Vec::new();
    collect_subsearches(e, &mut subs);
    let plans = subs
        .into_iter()
        .map(|s| subplan(&s.pipeline, ctx, EventOrder::NewestFirst))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Op::SubsearchFilter(SubsearchFilterSpec { expr: e.clone(), plans }))
}

/// Lowers `e`, taking the search each subsearch stands for from `subs`, in order.
pub fn resolve_search(e: &SearchExpr, subs: &mut dyn Iterator<Item = CSearch>) -> Result<CSearch, Diagnostic> {
    Ok(match &e.kind {
        SearchKind::And(items) => CSearch::And(
            items
                .iter()
                .map(|i| resolve_search(i, subs))
                .collect::<Result<_, _>>()?,
        ),
        SearchKind::Or(items) => CSearch::Or(
            items
                .iter()
                .map(|i| resolve_search(i, subs))
                .collect::<Result<_, _>>()?,
        ),
        SearchKind::Not(inner) => CSearch::Not(Box::new(resolve_search(inner, subs)?)),
        SearchKind::Group(inner) => resolve_search(inner, subs)?,
        SearchKind::Subsearch(_) => subs.next().unwrap_or(CSearch::Or(Vec::new())),
        _ => lower_search(e)?,
    })
}

/// A pipeline of its own (a subsearch, `appendpipe`'s pipeline), planned with `ctx`'s
/// lookups.
fn subplan(pipeline: &Pipeline, ctx: &SplContext, order: EventOrder) -> Result<Arc<Plan>, Diagnostic> {
    let sub_ctx = SplContext {
        ordered_input: order == EventOrder::NewestFirst,
        ..ctx.clone()
    };
    let ops = lower_with(pipeline, &sub_ctx).map_err(|mut errors| errors.remove(0))?;
    Ok(Arc::new(Plan::new(ops, order)))
}

fn lookup_table(ctx: &SplContext, table: &Field) -> Result<Arc<LookupTable>, Diagnostic> {
    match ctx.lookups.get(&table.name) {
        Some(LookupEntry::Table(t)) => Ok(t.clone()),
        Some(LookupEntry::Missing(reason)) => Err(Diagnostic::error(
            Code::Unsupported,
            format!("missing lookup: {} ({reason})", table.name),
        )
        .with_label(table.span, "its data is not available")),
        None => Err(
            Diagnostic::error(Code::Unsupported, format!("missing lookup: {}", table.name))
                .with_label(table.span, "no such lookup")
                .with_help("load lookup tables with `--lookups DIR|FILE` (CSV files, lookups/*.yml, transforms.conf)"),
        ),
    }
}

fn column_check(table: &LookupTable, field: &Field) -> Result<(), Diagnostic> {
    if table.column(&field.name).is_some() {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::Semantic,
        format!("lookup table {} has no column `{}`", table.name, field.name),
    )
    .with_label(field.span, "not a column of the table")
    .with_help(format!("its columns: {}", table.columns.join(", "))))
}

fn name(f: &Field) -> Name {
    Name::from(f.name.as_str())
}

fn number(opt: &CommandOption) -> Result<usize, Diagnostic> {
    parse_count(&opt.value)
}

fn seconds(opt: &CommandOption) -> Result<f64, Diagnostic> {
    match parse_span(opt)? {
        BucketSpan::Seconds(s) => Ok(s),
        // A plain number is seconds here.
        BucketSpan::Numeric(n) => Ok(n),
    }
}

/// Lowers one of this module's commands.
pub fn lower(command: &Command, ctx: &SplContext) -> Result<Vec<Op>, Diagnostic> {
    Ok(match command {
        Command::Lookup(l) => vec![lower_lookup(l, ctx)?],
        Command::InputLookup(l) => vec![lower_inputlookup(l, ctx)?],
        Command::OutputLookup(l) => vec![lower_outputlookup(l, ctx)?],
        Command::Map(m) => vec![lower_map(m, ctx)?],
        Command::Join(j) => vec![lower_join(j, ctx)?],
        Command::Append(a) => {
            for opt in &a.options {
                match opt.name.name.to_ascii_lowercase().as_str() {
                    "extendtimerange" | "maxtime" | "timeout" => {}
                    _ => {
                        return Err(unknown_option(
                            "append",
                            opt,
                            &["extendtimerange", "maxtime", "timeout"],
                        ))
                    }
                }
            }
            vec![Op::Append(subplan(
                &a.subsearch.pipeline,
                ctx,
                EventOrder::NewestFirst,
            )?)]
        }
        Command::AppendPipe(a) => {
            for opt in &a.options {
                if !opt.name.is("run_in_preview") {
                    return Err(unknown_option("appendpipe", opt, &["run_in_preview"]));
                }
            }
            vec![Op::AppendPipe(subplan(&a.subsearch.pipeline, ctx, EventOrder::Input)?)]
        }
        Command::MakeResults(m) => {
            let mut count = 1;
            for opt in &m.options {
                match opt.name.name.to_ascii_lowercase().as_str() {
                    "count" => count = number(opt)?,
                    "annotate" if !parse_bool(opt)? => {}
                    "annotate" => return Err(Diagnostic::unsupported("makeresults annotate=true", opt.span)),
                    "format" | "data" => {
                        return Err(Diagnostic::unsupported(
                            &format!("makeresults {}=", opt.name.name),
                            opt.span,
                        ))
                    }
                    _ => {
                        return Err(unknown_option(
                            "makeresults",
                            opt,
                            &["count", "annotate", "format", "data"],
                        ))
                    }
                }
            }
            vec![Op::MakeResults { count }]
        }
        Command::Transaction(t) => vec![lower_transaction(t)?],
        Command::Top(t) => vec![lower_top(t)?],
        Command::TimeChart(t) => lower_timechart(t)?,
        Command::Format(f) => vec![lower_format(f)?],
        Command::Return(r) => vec![lower_return(r)?],
        other => {
            return Err(Diagnostic::unsupported(other.name(), other.span()));
        }
    })
}

fn lower_lookup(l: &Lookup, ctx: &SplContext) -> Result<Op, Diagnostic> {
    for opt in &l.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "local" | "update" => {
                parse_bool(opt)?;
            }
            _ => return Err(unknown_option("lookup", opt, &["local", "update"])),
        }
    }
    let table = lookup_table(ctx, &l.table)?;
    let mut inputs = Vec::new();
    for input in &l.inputs {
        column_check(&table, &input.field)?;
        inputs.push((input.field.name.clone(), Name::from(input.event_field())));
    }
    let outputs = match &l.output {
        Some(out) => {
            let mut list = Vec::new();
            for o in &out.fields {
                column_check(&table, &o.field)?;
                list.push((o.field.name.clone(), Name::from(o.event_field())));
            }
            list
        }
        None => table
            .columns
            .iter()
            .filter(|c| !inputs.iter().any(|(i, _)| i == *c))
            .map(|c| (c.clone(), Name::from(c.as_str())))
            .collect(),
    };
    Ok(Op::Lookup(LookupSpec {
        table,
        inputs,
        outputs,
        new_only: l.output.as_ref().is_some_and(LookupOutput::new_only),
    }))
}

fn lower_inputlookup(l: &InputLookup, ctx: &SplContext) -> Result<Op, Diagnostic> {
    let table = lookup_table(ctx, &l.table)?;
    let mut spec = InputLookupSpec {
        table,
        append: false,
        start: 0,
        max: None,
        condition: l.condition.as_ref().map(lower_search).transpose()?,
    };
    for opt in &l.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "append" => spec.append = parse_bool(opt)?,
            "start" => spec.start = number(opt)?,
            "max" => spec.max = Some(number(opt)?),
            _ => return Err(unknown_option("inputlookup", opt, &["append", "start", "max"])),
        }
    }
    Ok(Op::InputLookup(spec))
}

fn lower_map(m: &Map, ctx: &SplContext) -> Result<Op, Diagnostic> {
    let mut search = None;
    let mut max = MAP_MAXSEARCHES;
    for opt in &m.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "search" => search = Some((decode_search_literal(&opt.value), opt.value.span)),
            "maxsearches" => max = number(opt)?,
            _ => return Err(unknown_option("map", opt, &["search", "maxsearches"])),
        }
    }
    let Some((template, span)) = search else {
        return Err(Diagnostic::unsupported("map without search=", m.span)
            .with_help("give the search to run: map search=\"search user=$user$\""));
    };
    // Planned once with every token standing for a value, so that what it cannot run is
    // reported now rather than once per result.
    let probe = substitute_tokens(&template, |_| "0".to_string());
    map_plan(&probe, ctx).map_err(|d| {
        Diagnostic::error(d.code, d.message)
            .with_label(span, "in this search")
            .with_note(format!("map runs the search once per result: {template}"))
    })?;
    Ok(Op::Map(MapSpec {
        template,
        max,
        ctx: Arc::new(ctx.clone()),
    }))
}

/// The plan of one of `map`'s searches, its tokens already replaced.
pub fn map_plan(text: &str, ctx: &SplContext) -> Result<Arc<Plan>, Diagnostic> {
    let pipeline = super::spl::parse_text(text, quarry_syntax::spl::parse_pipeline).map_err(|mut e| e.remove(0))?;
    subplan(&pipeline, ctx, EventOrder::NewestFirst)
}

/// `text` with every `$name$` replaced by `value(name)`; a `$` without a closing one, or
/// around a space, stays as written.
pub fn substitute_tokens(text: &str, value: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('$') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('$') {
            Some(close) if close > 0 && !after[..close].contains(char::is_whitespace) => {
                out.push_str(&value(&after[..close]));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn lower_outputlookup(l: &OutputLookup, ctx: &SplContext) -> Result<Op, Diagnostic> {
    let mut spec = OutputLookupSpec {
        name: l.table.name.clone(),
        path: ctx.lookups.output_path(&l.table.name),
        append: false,
        create_empty: true,
        override_if_empty: true,
        max: None,
    };
    for opt in &l.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "append" => spec.append = parse_bool(opt)?,
            "create_empty" => spec.create_empty = parse_bool(opt)?,
            "override_if_empty" => spec.override_if_empty = parse_bool(opt)?,
            "max" => spec.max = Some(number(opt)?),
            "createinapp" => {
                parse_bool(opt)?;
            }
            "key_field" | "output_format" => {
                return Err(Diagnostic::unsupported(
                    &format!("outputlookup {}=", opt.name.name),
                    opt.span,
                ))
            }
            _ => {
                return Err(unknown_option(
                    "outputlookup",
                    opt,
                    &[
                        "append",
                        "create_empty",
                        "override_if_empty",
                        "max",
                        "createinapp",
                        "key_field",
                        "output_format",
                    ],
                ))
            }
        }
    }
    Ok(Op::OutputLookup(spec))
}

fn lower_join(j: &Join, ctx: &SplContext) -> Result<Op, Diagnostic> {
    let mut spec = JoinSpec {
        plan: subplan(&j.subsearch.pipeline, ctx, EventOrder::NewestFirst)?,
        fields: j.fields.iter().map(name).collect(),
        kind: JoinKind::Inner,
        max: 1,
        overwrite: true,
    };
    for opt in &j.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "type" => {
                spec.kind = match decode_search_literal(&opt.value).to_ascii_lowercase().as_str() {
                    "inner" => JoinKind::Inner,
                    "left" | "outer" => JoinKind::Left,
                    _ => {
                        return Err(
                            Diagnostic::error(Code::BadOption, "join type= expects inner, left or outer")
                                .with_label(opt.value.span, ""),
                        )
                    }
                }
            }
            "max" => spec.max = number(opt)?,
            "overwrite" => spec.overwrite = parse_bool(opt)?,
            "usetime" | "earlier" => {
                return Err(Diagnostic::unsupported(&format!("join {}=", opt.name.name), opt.span))
            }
            _ => {
                return Err(unknown_option(
                    "join",
                    opt,
                    &["type", "max", "overwrite", "usetime", "earlier"],
                ))
            }
        }
    }
    if spec.fields.is_empty() {
        return Err(Diagnostic::unsupported("join without a field list", j.span)
            .with_help("name the fields to join on: `join user [search ...]`"));
    }
    Ok(Op::Join(spec))
}

fn lower_transaction(t: &Transaction) -> Result<Op, Diagnostic> {
    let mut spec = TransactionSpec {
        fields: t.fields.iter().map(name).collect(),
        max_span: None,
        max_pause: None,
        max_events: None,
        starts_with: None,
        ends_with: None,
        keep_evicted: false,
    };
    for opt in &t.options {
        let literal = match &opt.value {
            TransactionValue::Literal(l) => Some(l),
            _ => None,
        };
        let as_option = || {
            literal.map(|l| CommandOption {
                name: opt.name.clone(),
                value: l.clone(),
                span: opt.span,
            })
        };
        let lower = opt.name.name.to_ascii_lowercase();
        match (lower.as_str(), as_option()) {
            ("maxspan", Some(o)) => spec.max_span = negative_is_none(seconds_or_minus_one(&o)?),
            ("maxpause", Some(o)) => spec.max_pause = negative_is_none(seconds_or_minus_one(&o)?),
            ("maxevents", Some(o)) => {
                let text = decode_search_literal(&o.value);
                spec.max_events = if text.trim() == "-1" { None } else { Some(number(&o)?) };
            }
            ("keepevicted", Some(o)) => spec.keep_evicted = parse_bool(&o)?,
            // The default, and what Quarry does: an event joins a transaction only when its
            // fields agree with it.
            ("connected", Some(o)) => {
                parse_bool(&o)?;
            }
            ("startswith" | "endswith", _) => {
                let filter = match &opt.value {
                    TransactionValue::Search(s) => TxFilter::Search(lower_search(s)?),
                    TransactionValue::Eval(e) => TxFilter::Eval(lower_expr(e)?),
                    TransactionValue::Literal(l) => {
                        let text = decode_search_literal(l);
                        TxFilter::Search(crate::lower::spl::compile_search_text(&text).map_err(|mut d| d.remove(0))?)
                    }
                };
                if lower == "startswith" {
                    spec.starts_with = Some(filter);
                } else {
                    spec.ends_with = Some(filter);
                }
            }
            (
                "mvlist" | "delim" | "keeporphans" | "maxopentxn" | "maxopenevents" | "unifyends" | "mvraw" | "nullstr"
                | "name",
                _,
            ) => {
                return Err(Diagnostic::unsupported(
                    &format!("transaction {}=", opt.name.name),
                    opt.span,
                ));
            }
            _ => {
                return Err(Diagnostic::error(
                    Code::BadOption,
                    format!("transaction has no option `{}` taking this value", opt.name.name),
                )
                .with_label(opt.span, "")
                .with_help(
                    "transaction takes: maxspan, maxpause, maxevents, startswith, endswith, keepevicted, connected",
                ))
            }
        }
    }
    Ok(Op::Transaction(spec))
}

fn seconds_or_minus_one(opt: &CommandOption) -> Result<f64, Diagnostic> {
    if decode_search_literal(&opt.value).trim() == "-1" {
        return Ok(-1.0);
    }
    seconds(opt)
}

fn negative_is_none(s: f64) -> Option<f64> {
    (s >= 0.0).then_some(s)
}

fn lower_top(t: &Top) -> Result<Op, Diagnostic> {
    let command = if t.rare { "rare" } else { "top" };
    let mut spec = TopSpec {
        rare: t.rare,
        fields: t.fields.iter().map(name).collect(),
        by: t.by.iter().map(name).collect(),
        limit: t.count.as_ref().map(parse_count).transpose()?.unwrap_or(10),
        count_field: Name::from("count"),
        percent_field: Name::from("percent"),
        show_count: true,
        show_percent: true,
        use_other: false,
        other_str: "OTHER".into(),
    };
    for opt in &t.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "limit" => spec.limit = number(opt)?,
            "countfield" => spec.count_field = Name::from(decode_search_literal(&opt.value).as_str()),
            "percentfield" => spec.percent_field = Name::from(decode_search_literal(&opt.value).as_str()),
            "showcount" => spec.show_count = parse_bool(opt)?,
            "showperc" => spec.show_percent = parse_bool(opt)?,
            "useother" => spec.use_other = parse_bool(opt)?,
            "otherstr" => spec.other_str = decode_search_literal(&opt.value),
            _ => {
                return Err(unknown_option(
                    command,
                    opt,
                    &[
                        "limit",
                        "countfield",
                        "percentfield",
                        "showcount",
                        "showperc",
                        "useother",
                        "otherstr",
                    ],
                ))
            }
        }
    }
    Ok(Op::Top(spec))
}

fn lower_timechart(t: &TimeChart) -> Result<Vec<Op>, Diagnostic> {
    let mut span = None;
    let mut spec = ChartSpec {
        span: 0.0,
        aggregations: lower_aggregations(&t.aggregations)?,
        by: t.by.as_ref().map(name),
        limit: 10,
        use_other: true,
        use_null: true,
        other_str: "OTHER".into(),
        null_str: "NULL".into(),
    };
    for opt in &t.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "span" => match parse_span(opt)? {
                BucketSpan::Seconds(s) => span = Some(s),
                BucketSpan::Numeric(_) => {
                    return Err(Diagnostic::error(Code::BadOption, "timechart span= needs a time unit")
                        .with_label(opt.value.span, "for example span=5m"))
                }
            },
            "limit" => spec.limit = number(opt)?,
            "useother" => spec.use_other = parse_bool(opt)?,
            "usenull" => spec.use_null = parse_bool(opt)?,
            "otherstr" => spec.other_str = decode_search_literal(&opt.value),
            "nullstr" => spec.null_str = decode_search_literal(&opt.value),
            "cont" if parse_bool(opt)? => {}
            "bins" | "minspan" | "start" | "end" | "aligntime" | "cont" | "partial" | "fixedrange" | "format"
            | "sep" | "agg" => {
                return Err(Diagnostic::unsupported(
                    &format!("timechart {}=", opt.name.name),
                    opt.span,
                ))
            }
            _ => {
                return Err(unknown_option(
                    "timechart",
                    opt,
                    &["span", "limit", "useother", "usenull", "otherstr", "nullstr", "cont"],
                ))
            }
        }
    }
    let Some(span) = span else {
        return Err(Diagnostic::unsupported("timechart without span=", t.span)
            .with_help("automatic bucket sizes depend on the search's time range; give span=<n><unit>"));
    };
    if spec
        .aggregations
        .iter()
        .any(|a| matches!(a.input, AggInput::Wildcard(_)))
    {
        return Err(Diagnostic::unsupported("timechart with a wildcard aggregation", t.span));
    }
    spec.span = span;
    let time = Name::from("_time");
    let mut by = vec![time.clone()];
    by.extend(spec.by.clone());
    let mut ops = vec![Op::Bucket(BucketSpec {
        field: time.clone(),
        output: time,
        span: BucketSpan::Seconds(span),
    })];
    // With usenull, a null by-value is a group of its own: fill it before grouping.
    if let (Some(b), true) = (&spec.by, spec.use_null) {
        let fill = crate::lower::spl::compile_expr_text(&format!(
            "if(isnull('{b}'), \"{}\", '{b}')",
            spec.null_str.replace('"', "\\\"")
        ))
        .map_err(|mut d| d.remove(0))?;
        ops.push(Op::Assign(vec![(b.clone(), fill)]));
    }
    ops.push(Op::Aggregate(AggregateSpec {
        keep_events: false,
        aggregations: spec.aggregations.clone(),
        by,
    }));
    ops.push(Op::Chart(spec));
    Ok(ops)
}

fn lower_format(f: &Format) -> Result<Op, Diagnostic> {
    let FormatSpec::Format {
        mut strings,
        mut mvsep,
        mut max_results,
        mut empty,
    } = FormatSpec::default_format()
    else {
        return Err(Diagnostic::error(Code::Semantic, "format").with_label(f.span, ""));
    };
    for opt in &f.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "mvsep" => mvsep = decode_search_literal(&opt.value),
            "maxresults" => max_results = number(opt)?,
            "emptystr" => empty = decode_search_literal(&opt.value),
            _ => return Err(unknown_option("format", opt, &["mvsep", "maxresults", "emptystr"])),
        }
    }
    if f.strings.len() == 6 {
        for (slot, lit) in strings.iter_mut().zip(&f.strings) {
            *slot = decode_search_literal(lit);
        }
    }
    Ok(Op::Format(FormatSpec::Format {
        strings,
        mvsep,
        max_results,
        empty,
    }))
}

fn lower_return(r: &Return) -> Result<Op, Diagnostic> {
    let items = r
        .items
        .iter()
        .map(|item| match item {
            ReturnItem::Field(f) => ReturnSpec::Named {
                name: name(f),
                field: name(f),
            },
            ReturnItem::Alias { alias, field } => ReturnSpec::Named {
                name: name(alias),
                field: name(field),
            },
            ReturnItem::Value(f) => ReturnSpec::Value(name(f)),
        })
        .collect();
    Ok(Op::Format(FormatSpec::Return {
        count: r.count.as_ref().map(parse_count).transpose()?.unwrap_or(1),
        items,
    }))
}
