//! The SPL pipeline, command by command: which fields are constant (and why), which fields can
//! exist, and the findings that follow — a condition that can never hold (L0004), grouping by
//! a constant (L0005), grouping by a field that is never there (L0006), a `streamstats` window
//! shared by its groups (L0010) — plus the findings about single expressions (`exprs`).

use super::abs::{aggregate_constant, merge_origins, Abs, Fact, Origin, Truth};
use super::eval::{self, Facts};
use super::names::Names;
use super::produced::Produced;
use super::{exprs, finding, CONSTANT_GROUP, MISSING_GROUP_FIELD, NEVER_TRUE, SHARED_WINDOW};
use crate::lower::spl::{decode_search_literal, parse_bool, parse_count};
use crate::plan::{AggFunc, FieldPattern};
use crate::profile::Profile;
use crate::value::Value;
use quarry_syntax::diagnostic::did_you_mean;
use quarry_syntax::spl::ast::*;
use quarry_syntax::{Diagnostic, Span};

/// Every finding about a parsed (macro-expanded) pipeline.
pub fn lint_pipeline(pipeline: &Pipeline, profile: Option<&Profile>) -> Vec<Diagnostic> {
    let names = Names::new(pipeline, profile);
    let mut walk = Walk {
        facts: Facts::new(),
        produced: Produced::from_profile(profile),
        sourcetype: profile.map(|p| p.sourcetype.clone()),
        out: Vec::new(),
    };
    for command in &pipeline.commands {
        check_expressions(command, &names, &mut walk.out);
        walk.step(command);
    }
    walk.out
}

fn check_expressions(command: &Command, names: &Names, out: &mut Vec<Diagnostic>) {
    match command {
        Command::Eval(e) => e
            .assignments
            .iter()
            .for_each(|a| exprs::check(&a.expr, true, names, out)),
        Command::Where(w) => exprs::check(&w.expr, false, names, out),
        Command::Stats(s) => {
            for agg in &s.aggregations {
                if let Some(AggArg::Eval(e)) = &agg.arg {
                    exprs::check(e, true, names, out);
                }
            }
        }
        Command::Head(h) => {
            if let Some(c) = &h.condition {
                exprs::check(c, false, names, out);
            }
        }
        Command::StreamStats(s) => check_shared_window(s, out),
        _ => {}
    }
}

/// L0010: `streamstats window=N ... by x` without `global=false`. Splunk's `global` defaults
/// to true: the window is the last N events of every group together, and each group's
/// statistics are taken from its events among them; `previous` in `streamstats current=f
/// window=1 last(x) as previous by user` is empty whenever another user's event came between.
fn check_shared_window(s: &StreamStats, out: &mut Vec<Diagnostic>) {
    let option = |name: &str| s.options.iter().find(|o| o.name.is(name));
    // Read as the run reads them; a value the run rejects is its error, not a finding.
    let Some(window) = option("window") else { return };
    let size = parse_count(&window.value).unwrap_or(0);
    if size == 0 || s.by.is_empty() {
        return;
    }
    let global = option("global");
    if global.is_some_and(|g| !parse_bool(g).unwrap_or(true)) {
        return;
    }
    let by: Vec<&str> = s.by.iter().map(|f| f.name.as_str()).collect();
    let span = s.by.iter().map(|f| f.span).reduce(Span::to).unwrap_or(s.span);
    let message = format!(
        "`streamstats window={size} ... by {}` keeps one window of the last {size} event(s) of all groups, not one per group",
        by.join(" ")
    );
    let mut d = finding(SHARED_WINDOW, message)
        .with_label(window.span, "one window for every group")
        .with_secondary(span, "statistics per group, from its events in that window");
    if let Some(global) = global {
        d = d.with_secondary(global.span, "a single window");
    }
    out.push(d.with_help("for a window per group, add `global=false`"));
}

struct Walk<'a> {
    /// Fields that hold the same value on every event at this point.
    facts: Facts,
    produced: Produced<'a>,
    sourcetype: Option<String>,
    out: Vec<Diagnostic>,
}

impl Walk<'_> {
    fn step(&mut self, command: &Command) {
        match command {
            Command::Search(s) => {
                if let Some(e) = &s.expr {
                    let fact = eval::search(e, &self.facts);
                    if fact.truth() == Truth::Never {
                        let mut blamed = Vec::new();
                        eval::blame_search(e, &self.facts, &mut blamed);
                        self.never_true("search", e.span, blamed, &fact.origins);
                    }
                }
            }
            Command::Where(w) => {
                let fact = eval::eval(&w.expr, &self.facts);
                if fact.truth() == Truth::Never {
                    let mut blamed = Vec::new();
                    eval::blame(&w.expr, &self.facts, &mut blamed);
                    self.never_true("where", w.expr.span, blamed, &fact.origins);
                }
            }
            Command::Eval(e) => {
                for a in &e.assignments {
                    let fact = eval::eval(&a.expr, &self.facts);
                    self.assign(&a.field.name, fact, a.field.span);
                    self.produced.add(&a.field.name);
                }
            }
            Command::Stats(s) => self.stats(s),
            Command::Bin(b) => {
                let output = &b.alias.as_ref().unwrap_or(&b.field).name;
                self.facts.shift_remove(output);
                self.produced.add(output);
            }
            Command::FillNull(f) => self.fillnull(f),
            Command::Fields(f) => {
                let patterns: Vec<&str> = f.fields.iter().map(|x| x.name.as_str()).collect();
                if f.mode == FieldsMode::Remove {
                    for p in &patterns {
                        let pattern = FieldPattern::new(p);
                        self.facts.retain(|name, _| !pattern.matches(name));
                        self.produced.remove(p);
                    }
                } else {
                    self.keep(&patterns);
                }
            }
            Command::Table(t) => {
                let patterns: Vec<&str> = t.fields.iter().map(|x| x.name.as_str()).collect();
                self.keep(&patterns);
            }
            Command::Rename(r) => {
                for (from, to) in &r.renames {
                    self.rename(&from.name, &to.name);
                }
            }
            Command::IpLocation(i) => {
                let mut prefix = String::new();
                let mut all = false;
                for opt in &i.options {
                    if opt.name.is("prefix") {
                        prefix = decode_search_literal(&opt.value);
                    } else if opt.name.is("allfields") {
                        all = matches!(
                            decode_search_literal(&opt.value).to_ascii_lowercase().as_str(),
                            "true" | "t" | "1" | "yes"
                        );
                    }
                }
                let mut outputs = vec!["City", "Country", "Region", "lat", "lon"];
                if all {
                    outputs.extend(["Continent", "MetroCode", "Timezone"]);
                }
                for o in outputs {
                    let name = format!("{prefix}{o}");
                    self.facts.shift_remove(&name);
                    self.produced.add(&name);
                }
            }
            Command::Sort(_) | Command::Head(_) | Command::Tail(_) | Command::Dedup(_) => {}
            // Commands the lint does not model may write any field.
            _ => {
                self.facts.clear();
                self.produced.open();
            }
        }
    }

    /// Records what `eval name=<expr>` (or an aggregation) makes of `name`.
    fn assign(&mut self, name: &str, fact: Fact, span: Span) {
        match fact.abs {
            Abs::Const(value) => {
                let mut origins = vec![Origin {
                    field: name.to_string(),
                    value: value.clone(),
                    span,
                    because: fact.because,
                }];
                merge_origins(&mut origins, &fact.origins);
                self.facts.insert(
                    name.to_string(),
                    Fact {
                        abs: Abs::Const(value),
                        origins,
                        because: None,
                    },
                );
            }
            _ => {
                self.facts.shift_remove(name);
            }
        }
    }

    fn keep(&mut self, patterns: &[&str]) {
        let compiled: Vec<FieldPattern> = patterns.iter().map(|p| FieldPattern::new(p)).collect();
        self.facts
            .retain(|name, _| name == "_time" || compiled.iter().any(|p| p.matches(name)));
        self.produced.keep(patterns);
    }

    fn rename(&mut self, from: &str, to: &str) {
        let from_p = FieldPattern::new(from);
        let to_p = FieldPattern::new(to);
        if !from_p.is_wildcard() {
            let moved = self.facts.shift_remove(from);
            self.facts.shift_remove(to);
            if let Some(fact) = moved {
                self.facts.insert(to.to_string(), fact);
            }
            self.produced.rename(from, to);
            return;
        }
        let names: Vec<String> = self.facts.keys().filter(|n| from_p.matches(n)).cloned().collect();
        for name in names {
            if let (Some(fact), Some(parts)) = (self.facts.shift_remove(&name), from_p.captures(&name)) {
                self.facts.insert(to_p.fill(&parts), fact);
            }
        }
        self.produced.open();
    }

    fn fillnull(&mut self, f: &FillNull) {
        let value = Value::from(
            f.value
                .as_ref()
                .map(decode_search_literal)
                .unwrap_or_else(|| "0".into()),
        );
        // Without a field list, fillnull fills only fields some result has: a field that is
        // null on every event stays null.
        for field in &f.fields {
            let is_null = self
                .facts
                .get(&field.name)
                .and_then(Fact::constant_value)
                .is_some_and(Value::is_null);
            if is_null {
                self.assign(&field.name, Fact::constant(value.clone()), f.span);
            }
            self.produced.add(&field.name);
        }
    }

    fn stats(&mut self, s: &Stats) {
        if s.kind == StatsKind::Stats {
            self.check_by_fields_exist(s);
        }
        self.check_constant_by(s);
        let from_zero = s.by.is_empty() && s.kind == StatsKind::Stats;
        let by: Vec<&str> = s.by.iter().map(|f| f.name.as_str()).collect();
        let mut outputs: Vec<(String, Fact, Span)> = Vec::new();
        let mut carry_all = false;
        let mut open = false;
        for agg in &s.aggregations {
            let func = AggFunc::parse(&agg.func.name);
            match &agg.arg {
                Some(AggArg::Field(f)) if f.has_wildcard() => {
                    let input = FieldPattern::new(&f.name);
                    let output_text = agg
                        .alias
                        .as_ref()
                        .map(|a| a.name.clone())
                        .unwrap_or_else(|| format!("{}({})", agg.func.name, f.name));
                    let output = FieldPattern::new(&output_text);
                    if output.text == input.text {
                        carry_all = true;
                    } else {
                        open = true;
                    }
                    for (name, fact) in &self.facts {
                        if by.contains(&name.as_str()) || !input.matches(name) {
                            continue;
                        }
                        let out_name = match input.captures(name) {
                            Some(parts) if output.is_wildcard() => output.fill(&parts),
                            _ => output_text.clone(),
                        };
                        let result = func
                            .and_then(|func| aggregate(func, Some(fact), from_zero))
                            .unwrap_or_else(Fact::unknown);
                        outputs.push((out_name, result, agg.alias.as_ref().map_or(agg.span, |a| a.span)));
                    }
                }
                arg => {
                    let name = match (&agg.alias, arg) {
                        (Some(alias), _) => alias.name.clone(),
                        (None, None) => agg.func.name.clone(),
                        (None, Some(AggArg::Field(f))) => format!("{}({})", agg.func.name, f.name),
                        (None, Some(AggArg::Eval(e))) => format!("{}(eval({e}))", agg.func.name),
                    };
                    let input = match arg {
                        None => None,
                        Some(AggArg::Field(f)) => Some(self.facts.get(&f.name).cloned().unwrap_or_else(Fact::unknown)),
                        Some(AggArg::Eval(e)) => Some(stats_input(eval::eval(e, &self.facts))),
                    };
                    let result = func
                        .and_then(|func| aggregate(func, input.as_ref(), from_zero))
                        .unwrap_or_else(Fact::unknown);
                    outputs.push((name, result, agg.alias.as_ref().map_or(agg.span, |a| a.span)));
                }
            }
        }
        let names: Vec<String> = by
            .iter()
            .map(|b| b.to_string())
            .chain(outputs.iter().map(|(n, _, _)| n.clone()))
            .collect();
        if s.kind == StatsKind::Stats {
            self.facts.retain(|name, _| by.contains(&name.as_str()));
            if open {
                self.produced.open();
            } else {
                self.produced.replace_with(&names, carry_all);
            }
        } else {
            names.iter().for_each(|n| self.produced.add(n));
        }
        for (name, fact, span) in outputs {
            self.assign(&name, fact, span);
        }
    }

    /// L0005: every by-field is the same on every event, so there is one group.
    fn check_constant_by(&mut self, s: &Stats) {
        if s.by.is_empty() {
            return;
        }
        let mut constants = Vec::new();
        for f in &s.by {
            match self.facts.get(&f.name) {
                Some(fact) if fact.constant_value().is_some_and(|v| !v.is_null()) => constants.push((f, fact)),
                _ => return,
            }
        }
        let described: Vec<String> = constants
            .iter()
            .map(|(f, fact)| {
                let v = fact.constant_value().map(super::abs::show).unwrap_or_default();
                format!("`{}` is always {v}", f.name)
            })
            .collect();
        let span = s.by.iter().map(|f| f.span).reduce(Span::to).unwrap_or(s.span);
        let mut d = finding(
            CONSTANT_GROUP,
            format!(
                "`{} ... by` puts every event into one group: {}",
                s.kind.name(),
                described.join(", ")
            ),
        )
        .with_label(span, "the same on every event");
        let mut origins = Vec::new();
        for (_, fact) in &constants {
            merge_origins(&mut origins, &fact.origins);
        }
        for o in &origins {
            d = d.with_secondary(o.span, o.label());
        }
        let meant = constants.iter().find_map(|(f, fact)| match fact.constant_value() {
            Some(Value::Str(text)) if super::names::looks_like_field(text) && text.contains('.') => Some(format!(
                "to group by the field, set it from the field: eval {}='{text}'",
                f.name
            )),
            _ => None,
        });
        d =
            d.with_help(meant.unwrap_or_else(|| {
                "group by a field that varies between events, or drop the constant from `by`".into()
            }));
        self.out.push(d);
    }

    /// L0006: `stats ... by x` where x never exists (or is always null): every event is
    /// dropped.
    fn check_by_fields_exist(&mut self, s: &Stats) {
        for f in &s.by {
            if f.has_wildcard() {
                continue;
            }
            let fact = self.facts.get(&f.name);
            if let Some(fact) = fact.filter(|x| x.constant_value().is_some_and(Value::is_null)) {
                let mut d = finding(
                    MISSING_GROUP_FIELD,
                    format!(
                        "`stats ... by {}` drops every event: `{}` is always null here",
                        f.name, f.name
                    ),
                )
                .with_label(f.span, "null on every event");
                for o in &fact.origins {
                    d = d.with_secondary(o.span, o.label());
                }
                self.out.push(d.with_help(format!(
                    "give it a value first (fillnull value=\"unknown\" {}) or group by another field",
                    f.name
                )));
                continue;
            }
            if fact.is_none() && self.produced.has(&f.name) == Some(false) {
                let source = self.sourcetype.clone().unwrap_or_default();
                let mut d = finding(
                    MISSING_GROUP_FIELD,
                    format!(
                        "`stats ... by {}` drops every event: the {source} source profile has no field `{}` and nothing before creates it",
                        f.name, f.name
                    ),
                )
                .with_label(f.span, "no event has this field");
                let candidates = self.produced.candidates();
                match did_you_mean(&f.name, candidates.iter().copied()) {
                    Some(near) => d = d.with_help(format!("did you mean `{near}`?")),
                    None => {
                        d = d.with_help(format!(
                            "create it before the stats (eval, rename, or fillnull value=\"unknown\" {}), or group by a field the source has",
                            f.name
                        ))
                    }
                }
                self.out.push(d);
            }
        }
    }

    /// L0004: a `search` or `where` that no event can pass.
    fn never_true(&mut self, command: &str, span: Span, blamed: Vec<(Span, String)>, origins: &[super::abs::Origin]) {
        let mut d = finding(
            NEVER_TRUE,
            format!("this `{command}` condition can never be true, so the rule can never match"),
        )
        .with_label(span, "never true on any event");
        let mut seen: Vec<std::ops::Range<usize>> = vec![span.range()];
        for (s, message) in blamed {
            if !seen.contains(&s.range()) {
                seen.push(s.range());
                d = d.with_secondary(s, message);
            }
        }
        for o in origins {
            if !seen.contains(&o.span.range()) {
                seen.push(o.span.range());
                d = d.with_secondary(o.span, o.label());
            }
        }
        self.out.push(d.with_help(
            "the condition reads fields that are the same on every event; fix where they are computed (labelled above)",
        ));
    }
}

/// What `stats` sees of an `eval(...)` argument: true counts as "True", false as nothing.
fn stats_input(fact: Fact) -> Fact {
    let abs = match &fact.abs {
        Abs::Const(Value::Bool(true)) => Abs::Const(Value::from("True")),
        Abs::Const(Value::Bool(false)) | Abs::NeverTrue => Abs::Const(Value::Null),
        other => other.clone(),
    };
    Fact { abs, ..fact }
}

/// The result of an aggregation over a constant input, when it does not depend on the number
/// of events. `input` is `None` for `count` without a field.
fn aggregate(func: AggFunc, input: Option<&Fact>, from_zero: bool) -> Option<Fact> {
    let value = match input {
        None if func == AggFunc::Count => None,
        None => return None,
        Some(fact) => Some(fact.constant_value()?),
    };
    let result = aggregate_constant(func, value, from_zero)?;
    let mut fact = Fact::constant(result);
    if let Some(input) = input {
        fact.origins = input.origins.clone();
        fact.because = input.because.clone();
    }
    Some(fact)
}
