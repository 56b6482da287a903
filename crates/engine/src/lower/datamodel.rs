//! The data model commands → plan: `tstats`, `| datamodel` and `| from datamodel:`.
//!
//! Quarry has no data model acceleration: these commands read the raw events. `tstats ... from
//! datamodel=<Model>.<Object> where <search> by <fields>` becomes
//!
//! 1. a search for the dataset's constraint chain (root, parents, the dataset itself),
//! 2. assignments `<Lineage>.<field> = <field>` for the model fields the command names,
//! 3. a search for the `where` clause (`nodename=<Lineage>` adds that dataset's constraints),
//! 4. `bin _time span=<span>` when the `by` clause has a span (`bin _time` with the automatic
//!    span when it has `_time` without one), and
//! 5. the `stats` aggregation.
//!
//! `summariesonly`, `allow_old_summaries`, `local`, `chunk_size` and `include_reduced_buckets`
//! choose which accelerated summaries Splunk reads; over raw events they change nothing.

use super::spl::{decode_search_literal, lower_aggregations, lower_search, parse_bool, parse_span, unknown_option};
use crate::datamodel::{self, DataModel, DmObject};
use crate::event::Name;
use crate::expr::CExpr;
use crate::plan::*;
use crate::search::CSearch;
use crate::value::Value;
use quarry_syntax::diagnostic::did_you_mean;
use quarry_syntax::spl::ast::{self, *};
use quarry_syntax::{Code, Diagnostic, Span};

/// The dataset a command reads: a whole model, or one dataset of it.
struct Scope<'a> {
    model: &'a DataModel,
    object: Option<&'a DmObject>,
}

impl<'a> Scope<'a> {
    /// `Endpoint.Processes`, `Network_Resolution`, `Authentication.Authentication.Failed_Authentication`.
    fn resolve(text: &str, span: Span) -> Result<Scope<'static>, Diagnostic> {
        let models = datamodel::shipped()?;
        let (model_name, object_name) = match text.split_once('.') {
            Some((m, o)) => (m, Some(o)),
            None => (text, None),
        };
        let Some(model) = models.get(model_name) else {
            let mut d = Diagnostic::unsupported(&format!("data model {model_name}"), span)
                .with_note("Quarry ships the CIM data models in queries/datamodels/");
            if let Some(near) = did_you_mean(model_name, models.names()) {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            return Err(d);
        };
        let object = match object_name {
            None => None,
            Some(name) => Some(model.object(name).ok_or_else(|| {
                let mut d = Diagnostic::error(
                    Code::Semantic,
                    format!("data model {} has no dataset `{name}`", model.model),
                )
                .with_label(span, "unknown dataset");
                if let Some(near) = did_you_mean(name, model.objects.iter().map(|o| o.name.as_str())) {
                    d = d.with_help(format!("did you mean `{near}`?"));
                }
                d
            })?),
        };
        Ok(Scope { model, object })
    }

    /// The constraint chain of the dataset; for a whole model, any root dataset's constraint.
    fn constraint(&self) -> Result<CSearch, Diagnostic> {
        match self.object {
            Some(object) => chain(self.model, object),
            None => Ok(CSearch::Or(
                self.model
                    .roots()
                    .map(|root| compile(self.model, root))
                    .collect::<Result<_, _>>()?,
            )),
        }
    }

    /// Does the command see this dataset's fields? Its lineage and descendants do.
    fn includes(&self, other: &DmObject) -> bool {
        match self.object {
            None => true,
            Some(object) => self.model.descends_from(other, object) || self.model.descends_from(object, other),
        }
    }
}

fn compile(model: &DataModel, object: &DmObject) -> Result<CSearch, Diagnostic> {
    super::spl::compile_search_text(&object.constraint).map_err(|errors| {
        let detail = errors.first().map(|d| d.message.clone()).unwrap_or_default();
        Diagnostic::error(
            Code::Semantic,
            format!("data model {}: constraint of `{}`: {detail}", model.model, object.name),
        )
    })
}

fn chain(model: &DataModel, object: &DmObject) -> Result<CSearch, Diagnostic> {
    Ok(CSearch::And(
        model
            .lineage(object)
            .into_iter()
            .map(|o| compile(model, o))
            .collect::<Result<_, _>>()?,
    ))
}

/// `<Lineage>.<field> = <field>` (or the dataset's calculation) for the model fields of the
/// datasets `include` selects that are in `wanted` (all of them when `None`).
fn assignments(
    scope: &Scope,
    include: impl Fn(&DmObject) -> bool,
    wanted: Option<&[String]>,
) -> Result<Vec<(Name, CExpr)>, Diagnostic> {
    let mut out = Vec::new();
    for (full, plain) in scope.model.field_names(include) {
        if wanted.is_some_and(|w| !w.contains(&full)) || out.iter().any(|(n, _): &(Name, CExpr)| n.as_ref() == full) {
            continue;
        }
        let expr = match scope.model.calculation(&full) {
            Some(text) => super::spl::compile_expr_text(text).map_err(|errors| {
                let detail = errors.first().map(|d| d.message.clone()).unwrap_or_default();
                Diagnostic::error(
                    Code::Semantic,
                    format!("data model {}: calculated field `{full}`: {detail}", scope.model.model),
                )
            })?,
            None => CExpr::Field(Name::from(plain)),
        };
        out.push((Name::from(full.as_str()), expr));
    }
    Ok(out)
}

pub fn lower_tstats(t: &TStats, ctx: &super::spl::SplContext) -> Result<Vec<Op>, Diagnostic> {
    const KNOWN: &[&str] = &[
        "summariesonly",
        "allow_old_summaries",
        "local",
        "chunk_size",
        "include_reduced_buckets",
        "fillnull_value",
        "prestats",
        "append",
    ];
    let mut fillnull = None;
    let mut summaries = Vec::new();
    for opt in &t.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "summariesonly" | "allow_old_summaries" => {
                parse_bool(opt)?;
                summaries.push(opt.name.name.clone());
            }
            "local" | "include_reduced_buckets" => {
                parse_bool(opt)?;
            }
            "chunk_size" => {}
            "fillnull_value" => fillnull = Some(decode_search_literal(&opt.value)),
            "prestats" | "append" => {
                if parse_bool(opt)? {
                    return Err(
                        Diagnostic::unsupported(&format!("tstats {}=true", opt.name.name), opt.span)
                            .with_note("prestats output is only read by a later chart, stats or timechart"),
                    );
                }
            }
            _ => return Err(unknown_option("tstats", opt, KNOWN)),
        }
    }
    let scope = match &t.from {
        None => None,
        Some(from) if from.name.is("datamodel") => {
            Some(Scope::resolve(&decode_search_literal(&from.value), from.value.span)?)
        }
        Some(from) => {
            return Err(
                Diagnostic::unsupported(&format!("tstats from {}=", from.name.name), from.span)
                    .with_help("Quarry reads data models: from datamodel=<Model>.<Object>"),
            )
        }
    };
    let mut ops = Vec::new();
    if !summaries.is_empty() {
        ops.push(Op::Note(format!(
            "tstats: {} select accelerated data model summaries in Splunk and have no effect on the raw events Quarry reads",
            summaries.join(", ")
        )));
    }
    if let Some(scope) = &scope {
        ops.push(Op::Search(scope.constraint()?));
        let mut wanted = Vec::new();
        for agg in &t.aggregations {
            match &agg.arg {
                Some(AggArg::Field(f)) => wanted.push(f.name.clone()),
                Some(AggArg::Eval(e)) => expr_fields(e, &mut wanted),
                None => {}
            }
        }
        wanted.extend(t.by.iter().map(|f| f.name.clone()));
        if let Some(filter) = &t.filter {
            search_fields(filter, &mut wanted);
        }
        // A subsearch's results may name any of the dataset's fields.
        let with_subsearch = t.filter.as_ref().is_some_and(super::multi::has_subsearch);
        let assign = assignments(
            scope,
            |o| scope.includes(o),
            (!with_subsearch).then_some(wanted.as_slice()),
        )?;
        if !assign.is_empty() {
            ops.push(Op::Assign(assign));
        }
    }
    if let Some(filter) = &t.filter {
        if super::multi::has_subsearch(filter) {
            // `where [| inputlookup ... | table Processes.process]`: the subsearch's results,
            // as `format` writes them, take its place, as in a search.
            if names_node(filter) {
                return Err(Diagnostic::unsupported(
                    "tstats where nodename= with a subsearch",
                    filter.span,
                ));
            }
            ops.push(super::multi::lower_subsearch_filter(filter, ctx)?);
        } else {
            ops.push(Op::Search(lower_where(filter, scope.as_ref())?));
        }
    }
    for opt in &t.by_options {
        if opt.name.is("span") {
            if !t.by.iter().any(|f| f.name == "_time") {
                return Err(
                    Diagnostic::error(Code::Semantic, "tstats: span= needs _time in the by clause")
                        .with_label(opt.span, ""),
                );
            }
            ops.push(Op::Bucket(BucketSpec {
                field: Name::from("_time"),
                output: Name::from("_time"),
                span: parse_span(opt)?,
            }));
        } else {
            return Err(unknown_option("tstats by", opt, &["span"]));
        }
    }
    if t.by_options.is_empty() {
        // Splunk sizes the buckets from the search's time range; over files (an all-time
        // search), from the events' own range, as `bin _time` does.
        if t.by.iter().any(|f| f.name == "_time") {
            ops.push(Op::AutoBucket(AutoBucketSpec {
                field: Name::from("_time"),
                output: Name::from("_time"),
                bins: 100,
            }));
        }
    }
    let by: Vec<Name> = t.by.iter().map(|f| Name::from(f.name.as_str())).collect();
    if let Some(value) = fillnull {
        ops.push(Op::FillNull {
            value: Value::from(value),
            fields: Some(by.clone()),
        });
    }
    ops.push(Op::Aggregate(AggregateSpec {
        keep_events: false,
        aggregations: lower_aggregations(&t.aggregations)?,
        by,
    }));
    Ok(ops)
}

/// The `where` clause; `nodename=<Lineage>` stands for that dataset's constraints.
fn lower_where(e: &SearchExpr, scope: Option<&Scope>) -> Result<CSearch, Diagnostic> {
    let recurse = |items: &[SearchExpr]| {
        items
            .iter()
            .map(|x| lower_where(x, scope))
            .collect::<Result<Vec<_>, _>>()
    };
    Ok(match &e.kind {
        SearchKind::And(items) => CSearch::And(recurse(items)?),
        SearchKind::Or(items) => CSearch::Or(recurse(items)?),
        SearchKind::Not(inner) => CSearch::Not(Box::new(lower_where(inner, scope)?)),
        SearchKind::Group(inner) => lower_where(inner, scope)?,
        SearchKind::Compare { field, op, value } if field.name == "nodename" => {
            let Some(scope) = scope else {
                return Err(
                    Diagnostic::error(Code::Semantic, "nodename= needs from datamodel=<Model>").with_label(e.span, ""),
                );
            };
            let name = decode_search_literal(value);
            let object = scope.model.object(&name).ok_or_else(|| {
                Diagnostic::error(
                    Code::Semantic,
                    format!("data model {} has no dataset `{name}`", scope.model.model),
                )
                .with_label(value.span, "unknown dataset")
            })?;
            let constraint = chain(scope.model, object)?;
            match op {
                SearchOp::Eq => constraint,
                SearchOp::Ne => CSearch::Not(Box::new(constraint)),
                _ => return Err(Diagnostic::error(Code::Semantic, "nodename takes = or !=").with_label(e.span, "")),
            }
        }
        _ => lower_search(e)?,
    })
}

/// Whether `e` compares `nodename`.
fn names_node(e: &SearchExpr) -> bool {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().any(names_node),
        SearchKind::Not(inner) | SearchKind::Group(inner) => names_node(inner),
        SearchKind::Compare { field, .. } => field.name == "nodename",
        _ => false,
    }
}

fn search_fields(e: &SearchExpr, out: &mut Vec<String>) {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().for_each(|x| search_fields(x, out)),
        SearchKind::Not(inner) | SearchKind::Group(inner) => search_fields(inner, out),
        SearchKind::Compare { field, .. } | SearchKind::In { field, .. } => out.push(field.name.clone()),
        SearchKind::Term(_) | SearchKind::Subsearch(_) => {}
    }
}

fn expr_fields(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Field(f) => out.push(f.name.clone()),
        ExprKind::Str(_) | ExprKind::Number(_) => {}
        ExprKind::Call { args, .. } => args.iter().for_each(|a| expr_fields(a, out)),
        ExprKind::Unary { expr, .. } | ExprKind::Group(expr) => expr_fields(expr, out),
        ExprKind::Binary { left, right, .. } => {
            expr_fields(left, out);
            expr_fields(right, out);
        }
        ExprKind::In { expr, list } => {
            expr_fields(expr, out);
            list.iter().for_each(|a| expr_fields(a, out));
        }
    }
}

/// `| datamodel <Model> <Object> search`: the dataset's events with its fields as
/// `<Lineage>.<field>`; `flat` gives them without the prefix.
pub fn lower_datamodel(d: &ast::DataModel) -> Result<Vec<Op>, Diagnostic> {
    for opt in &d.options {
        match opt.name.name.to_ascii_lowercase().as_str() {
            "summariesonly" | "allow_old_summaries" | "strict_fields" => {
                parse_bool(opt)?;
            }
            _ => {
                return Err(unknown_option(
                    "datamodel",
                    opt,
                    &["summariesonly", "allow_old_summaries", "strict_fields"],
                ))
            }
        }
    }
    let (Some(model), Some(object)) = (&d.model, &d.object) else {
        return Err(
            Diagnostic::unsupported("datamodel without a dataset (describing models)", d.span)
                .with_help("name the model and the dataset: | datamodel Endpoint Processes search"),
        );
    };
    let scope = Scope::resolve(&format!("{}.{}", model.name, object.name), model.span.to(object.span))?;
    let mode = d.mode.as_ref().map(|m| m.name.to_ascii_lowercase());
    let mut ops = vec![Op::Search(scope.constraint()?)];
    match mode.as_deref() {
        Some("search") => {
            let object = scope.object;
            let lineage = |o: &DmObject| object.is_some_and(|obj| scope.model.descends_from(obj, o));
            ops.push(Op::Assign(assignments(&scope, lineage, None)?));
        }
        Some("flat") => {}
        _ => {
            let span = d.mode.as_ref().map_or(d.span, |m| m.span);
            return Err(Diagnostic::unsupported(
                &format!("datamodel {}", mode.as_deref().unwrap_or("(describing a dataset)")),
                span,
            )
            .with_help("Quarry runs the search and flat modes"));
        }
    }
    Ok(ops)
}

/// `| from datamodel:<Model>.<Object>`: the dataset's events, fields as extracted.
pub fn lower_from(f: &ast::From) -> Result<Vec<Op>, Diagnostic> {
    if !f.kind.is("datamodel") {
        return Err(Diagnostic::unsupported(&format!("from {}", f.kind.name), f.kind.span)
            .with_help("Quarry reads data models: | from datamodel:<Model>.<Object>"));
    }
    let scope = Scope::resolve(&decode_search_literal(&f.name), f.name.span)?;
    Ok(vec![Op::Search(scope.constraint()?)])
}

/// Why a real Splunk command cannot run here, for `unsupported: <command> (<reason>)`.
pub fn unsupported_reason(command: &str) -> Option<&'static str> {
    Some(match command.to_ascii_lowercase().as_str() {
        "mstats" | "mcatalog" | "mpreview" => "metrics indexes are not log events",
        "apply" | "fit" | "summary" | "score" => "Machine Learning Toolkit models are not available",
        "cyberchef" => "an add-on command (CyberChef for Splunk) that Quarry does not ship",
        "anomalydetection" => "statistical models over the whole result set are not implemented",
        _ => return None,
    })
}

/// Commands that generate events and must come first: `| tstats`, `| datamodel`, `| from`.
pub fn is_generating(command: &Command) -> bool {
    matches!(command, Command::TStats(_) | Command::DataModel(_) | Command::From(_))
}
