//! The literal prefilter: text every event a plan can keep holds in its raw line, so that a
//! reader can skip lines without it before parsing them.
//!
//! A [`Prefilter`] is an OR of ANDs of [`Needle`]s, derived from the leading filters of a plan
//! (`search` terms and `where` conditions, or an EQL query's event filters: any stage of a
//! sequence, `until` and missing-event stages included). Derivation is conservative: whatever
//! it cannot prove (negations, comparisons, numbers, functions, fields a source profile
//! computes) requires nothing, and a plan it cannot see through gets no prefilter.
//!
//! [`Prefilter::may_match`] is false only when a line certainly cannot give an event the plan
//! keeps. Text that stands for part of a JSON string value may be written with escapes in the
//! line, so a line holding `\u` (any character may be written so), or `\/` when the needle
//! holds `/`, may match whatever it contains; a needle holding `"`, `\` or a control
//! character (always escaped in JSON) is never used. Needles matched without case are ASCII
//! (ASCII folding is exact for them), except for the few non-ASCII characters whose case
//! folding is ASCII (KELVIN SIGN is a `k`): a line holding one of them may match.
//!
//! Results can still differ in three cases, each reported by one of the two runs:
//! - an EQL query orders events within a window (`--reorder-window`); an event arriving later
//!   than the window after a newer one is matched out of order. Skipped lines do not move the
//!   window, so fewer events are late and the order (so a sequence's matches) can differ;
//! - a sequence holding more partial sequences than `--max-partials` evicts the oldest; it
//!   drops those past `maxspan` every 1,024 events it sees, so with fewer events seen the
//!   evictions (noted by the run that makes them) can fall differently;
//! - a run that stops at a memory limit holds fewer events when fewer lines are read.
//!
//! Lines skipped are not parsed, so a skipped line that is not valid JSON is not reported.

use crate::eql::expr::{EExpr, Pattern, Source};
use crate::eql::ops::EventFilter;
use crate::eql::sequence::{StageFilter, StageSpec};
use crate::eql::value::Step;
use crate::eql::EqlOp;
use crate::event::DEFAULT_FIELDS;
use crate::expr::{CExpr, Cmp};
use crate::plan::{Op, Plan};
use crate::profile::Profile;
use crate::search::{CSearch, SearchCmp};
use crate::value::{parse_number, Value};
use memchr::memmem;
use std::fmt;
use std::sync::Arc;

/// The most alternatives one plan's prefilter may have; past it, none is derived.
pub const MAX_ALTERNATIVES: usize = 16;

/// Text a line must contain.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Needle {
    pub text: String,
    /// Found in any ASCII case (`SUCCESS` finds `success`).
    pub any_case: bool,
    /// The text is part of a JSON string value, which the line may write with escapes; false
    /// for text matched against the line itself (search terms, `_raw`).
    pub in_json: bool,
}

impl Needle {
    /// A needle that can be used as it is, or `None` when the text proves nothing about the
    /// line: empty, escaped in JSON, or non-ASCII text matched without case.
    fn new(text: &str, any_case: bool, in_json: bool) -> Option<Needle> {
        if text.is_empty() {
            return None;
        }
        if in_json && text.chars().any(|c| c == '"' || c == '\\' || c.is_control()) {
            return None;
        }
        if any_case && !text.is_ascii() {
            return None;
        }
        Some(Needle {
            text: text.to_string(),
            any_case,
            in_json,
        })
    }
}

impl fmt::Display for Needle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.text)?;
        if self.any_case {
            f.write_str(" (any case)")?;
        }
        Ok(())
    }
}

/// What a filter requires of a line: `None` is nothing; otherwise at least one alternative,
/// each a non-empty set of needles that must all be present.
type Req = Option<Vec<Vec<Needle>>>;

/// Literals every event a plan can keep contains in its raw line: an OR of ANDs of needles.
#[derive(Clone, Debug)]
pub struct Prefilter {
    any_of: Vec<Vec<Needle>>,
    compiled: Arc<Compiled>,
}

impl PartialEq for Prefilter {
    fn eq(&self, other: &Prefilter) -> bool {
        self.any_of == other.any_of
    }
}

impl Prefilter {
    /// The prefilter of `plan` for events read with `profile` (the source profile of the
    /// input: fields it computes require nothing). `None` when nothing useful can be derived
    /// (then every line is parsed).
    pub fn for_plan(plan: &Plan, profile: Option<&Profile>) -> Option<Prefilter> {
        if reads_inputs_again(plan) {
            return None;
        }
        let d = Derive { profile };
        let mut req: Req = None;
        for op in &plan.ops {
            match op {
                Op::Search(search) => req = and(req, d.search(search)),
                Op::Filter(expr) => req = and(req, d.expr(expr)),
                // Sorting by time neither drops nor adds events (see the module's note on the
                // reorder window).
                Op::Eql(EqlOp::TimeSort { .. }) => {}
                Op::Eql(EqlOp::Events { filter, lineages }) => {
                    // Lineage trackers watch every process event, matching or not.
                    if lineages.is_empty() {
                        req = and(req, d.event_filter(filter));
                    }
                    break;
                }
                Op::Eql(EqlOp::Sequence(spec)) => {
                    req = and(req, d.stages(spec.stages.iter().chain(&spec.until)));
                    break;
                }
                Op::Eql(EqlOp::Sample(spec)) => {
                    req = and(req, d.stages(spec.stages.iter()));
                    break;
                }
                Op::Eql(EqlOp::Join { stages, until, .. }) => {
                    let filters = stages.iter().chain(until).map(|(f, _)| d.event_filter(f));
                    req = and(req, any_of(filters, MAX_ALTERNATIVES));
                    break;
                }
                _ => break,
            }
        }
        req.map(Prefilter::new)
    }

    /// Builds a prefilter from alternatives of needles, each non-empty and made by
    /// [`Needle::new`].
    pub(crate) fn new(any_of: Vec<Vec<Needle>>) -> Prefilter {
        let any_of = simplify(any_of);
        let compiled = Arc::new(Compiled::new(&any_of));
        Prefilter { any_of, compiled }
    }

    /// The alternatives: a line may match when it holds every needle of one of them.
    pub fn alternatives(&self) -> &[Vec<Needle>] {
        &self.any_of
    }

    /// False only when the line certainly cannot give an event the plan keeps.
    pub fn may_match(&self, line: &[u8]) -> bool {
        self.compiled.may_match(line)
    }
}

impl fmt::Display for Prefilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let many = self.any_of.len() > 1;
        for (n, all) in self.any_of.iter().enumerate() {
            if n > 0 {
                f.write_str(" OR ")?;
            }
            let group = many && all.len() > 1;
            if group {
                f.write_str("(")?;
            }
            for (m, needle) in all.iter().enumerate() {
                if m > 0 {
                    f.write_str(" AND ")?;
                }
                write!(f, "{needle}")?;
            }
            if group {
                f.write_str(")")?;
            }
        }
        Ok(())
    }
}

/// The bit of plan `n` in a mask of plans ([`PlanFilters::plans`]): plans from 63 on share
/// the last bit.
pub fn plan_bit(plan: usize) -> u64 {
    1 << plan.min(63)
}

/// Every plan's bit.
pub const ALL_PLANS: u64 = u64::MAX;

/// The prefilters of several plans over one reading (`quarry run DIR`): which plans a line may
/// matter to, so that each plan is given only the lines its own prefilter lets through and a
/// line no plan needs is not parsed. A needle several plans need is looked for once per line.
#[derive(Debug)]
pub struct PlanFilters {
    compiled: Compiled,
    /// The plans of each alternative of `compiled`.
    owners: Vec<u64>,
    /// The plans without a prefilter: every line may matter to them.
    always: u64,
    /// The bits of all the plans.
    all: u64,
}

impl PlanFilters {
    /// From each plan's prefilter, in plan order (`None`: the plan needs every line).
    pub fn new(filters: impl IntoIterator<Item = Option<Prefilter>>) -> PlanFilters {
        let mut any_of: Vec<Vec<Needle>> = Vec::new();
        let mut owners: Vec<u64> = Vec::new();
        let mut always = 0;
        let mut all = 0;
        for (n, filter) in filters.into_iter().enumerate() {
            let bit = plan_bit(n);
            all |= bit;
            let Some(filter) = filter else {
                always |= bit;
                continue;
            };
            for alternative in filter.any_of {
                // Plans asking for the same text share the alternative.
                match any_of.iter().position(|a| *a == alternative) {
                    Some(at) => owners[at] |= bit,
                    None => {
                        any_of.push(alternative);
                        owners.push(bit);
                    }
                }
            }
        }
        PlanFilters {
            compiled: Compiled::new(&any_of),
            owners,
            always,
            all,
        }
    }

    /// True when some line may matter to no plan, or to only some of them.
    pub fn filters_anything(&self) -> bool {
        self.always != self.all
    }

    /// The plans `line` may matter to ([`plan_bit`]); 0 when it certainly gives no event any
    /// plan keeps.
    pub fn plans(&self, bytes: &[u8]) -> u64 {
        if self.always == self.all {
            return self.all;
        }
        Line::with(bytes, |line| {
            let mut plans = self.always;
            let mut probe = Probe::default();
            for (at, owners) in self.owners.iter().enumerate() {
                if owners & !plans == 0 {
                    continue;
                }
                if self.compiled.holds(at, line, &mut probe) {
                    plans |= owners;
                    if plans == self.all {
                        break;
                    }
                }
            }
            plans
        })
    }
}

/// Does the plan run a search over the run's inputs again (`[...]`, `join`, `append`, `map`)?
/// Such a search may be given the events read for the plan, which must then be all of them.
fn reads_inputs_again(plan: &Plan) -> bool {
    plan.ops.iter().any(|op| match op {
        Op::SubsearchFilter(_) | Op::Join(_) | Op::Append(_) | Op::Map(_) => true,
        Op::AppendPipe(inner) => reads_inputs_again(inner),
        _ => false,
    })
}

// ------------------------------------------------------------------ combining requirements

fn and(a: Req, b: Req) -> Req {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => {
            if a.len() * b.len() > MAX_ALTERNATIVES {
                // Requiring less is always safe: keep the side with fewer alternatives.
                return Some(if a.len() <= b.len() { a } else { b });
            }
            let mut out = Vec::with_capacity(a.len() * b.len());
            for x in &a {
                for y in &b {
                    let mut all = x.clone();
                    all.extend(y.iter().cloned());
                    out.push(all);
                }
            }
            Some(simplify(out))
        }
    }
}

/// OR of requirements: nothing as soon as one requires nothing, or past `cap` alternatives.
fn any_of(items: impl IntoIterator<Item = Req>, cap: usize) -> Req {
    let mut out: Vec<Vec<Needle>> = Vec::new();
    let mut seen = false;
    for item in items {
        out.extend(item?);
        seen = true;
    }
    if !seen {
        // An empty OR matches nothing; requiring nothing is the safe side.
        return None;
    }
    let out = simplify(out);
    (out.len() <= cap).then_some(out)
}

fn all_of(items: impl IntoIterator<Item = Req>) -> Req {
    items.into_iter().fold(None, and)
}

/// Deduplicates the needles of each alternative and drops alternatives that require more than
/// another one (`a OR (a AND b)` is `a`).
fn simplify(alternatives: Vec<Vec<Needle>>) -> Vec<Vec<Needle>> {
    let mut alts: Vec<Vec<Needle>> = alternatives
        .into_iter()
        .map(|all| {
            let mut unique: Vec<Needle> = Vec::with_capacity(all.len());
            for needle in all {
                if !unique.contains(&needle) {
                    unique.push(needle);
                }
            }
            unique
        })
        .collect();
    let mut out: Vec<Vec<Needle>> = Vec::new();
    // Shorter alternatives first, so that one absorbing another is already kept.
    let mut order: Vec<usize> = (0..alts.len()).collect();
    order.sort_by_key(|i| alts[*i].len());
    let mut keep = vec![false; alts.len()];
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        let absorbed = kept.iter().any(|k| alts[*k].iter().all(|n| alts[i].contains(n)));
        if !absorbed {
            keep[i] = true;
            kept.push(i);
        }
    }
    // In the order written.
    for (i, all) in alts.drain(..).enumerate() {
        if keep[i] {
            out.push(all);
        }
    }
    out
}

/// The needles of a literal: every non-empty piece between wildcards, all required.
fn pieces(pieces: &[&str], any_case: bool, in_json: bool) -> Req {
    let needles: Vec<Needle> = pieces
        .iter()
        .filter_map(|p| Needle::new(p, any_case, in_json))
        .collect();
    (!needles.is_empty()).then(|| vec![needles])
}

/// Could this piece of a pattern be matched by the text of a number (`12`, `-1.5`, `1e21`)?
/// A pattern all of whose pieces could also matches numbers, whose text the line may write
/// otherwise (`1.0e2` is read as 100).
fn numeric_piece(piece: &str) -> bool {
    piece
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
}

/// The literal pieces of a `LIKE` pattern (`%` any run, `_` one character, `\` escapes).
fn like_pieces(pattern: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in pattern.chars() {
        if escaped {
            if let Some(s) = out.last_mut() {
                s.push(c);
            }
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '%' | '_' => out.push(String::new()),
            other => {
                if let Some(s) = out.last_mut() {
                    s.push(other)
                }
            }
        }
    }
    out
}

// ------------------------------------------------------------------ derivation

/// Where a field's value comes from, for a needle.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    /// The raw line itself (`_raw`).
    Raw,
    /// A value of the event's JSON (directly or through a field alias).
    Json,
    /// Anything else: default fields, calculated fields, event types, tags.
    Unknown,
}

struct Derive<'a> {
    profile: Option<&'a Profile>,
}

impl Derive<'_> {
    fn field_kind(&self, name: &str) -> FieldKind {
        if name == "_raw" {
            return FieldKind::Raw;
        }
        if DEFAULT_FIELDS.contains(&name) || name == "eventtype" || name == "tag" {
            return FieldKind::Unknown;
        }
        if self.derived_elsewhere(name, 0) {
            return FieldKind::Unknown;
        }
        FieldKind::Json
    }

    /// Is the field computed by the profile, or an alias of something other than the JSON
    /// (`dest = "host"` copies a default field)?
    fn derived_elsewhere(&self, name: &str, depth: usize) -> bool {
        let Some(profile) = self.profile else { return false };
        if depth > 8 {
            return true;
        }
        if profile.calculated.contains_key(name) {
            return true;
        }
        match profile.aliases.get(name) {
            // Aliases read the fields below calculated ones: JSON, defaults, other aliases.
            Some(sources) => sources.iter().any(|s| {
                DEFAULT_FIELDS.contains(&s.as_ref())
                    || profile.aliases.get(s.as_ref()).is_some() && self.derived_elsewhere(s, depth + 1)
            }),
            None => false,
        }
    }

    // -------------------------------------------------------------- SPL search

    fn search(&self, s: &CSearch) -> Req {
        match s {
            CSearch::All | CSearch::Not(_) => None,
            CSearch::And(items) => all_of(items.iter().map(|i| self.search(i))),
            CSearch::Or(items) => any_of(items.iter().map(|i| self.search(i)), MAX_ALTERNATIVES),
            CSearch::Term(term) => {
                if term.matches_everything() {
                    return None;
                }
                let text = term.text();
                pieces(&text.split('*').collect::<Vec<_>>(), true, false)
            }
            CSearch::Compare { field, op, value } => {
                if *op != SearchCmp::Eq || value.text == "*" || parse_number(&value.text).is_some() {
                    return None;
                }
                let parts: Vec<&str> = value.text.split('*').collect();
                match self.field_kind(field) {
                    FieldKind::Unknown => None,
                    FieldKind::Raw => pieces(&parts, true, false),
                    FieldKind::Json => {
                        if parts.iter().all(|p| numeric_piece(p)) {
                            return None;
                        }
                        pieces(&parts, true, true)
                    }
                }
            }
        }
    }

    // -------------------------------------------------------------- SPL eval expressions

    fn expr(&self, e: &CExpr) -> Req {
        match e {
            CExpr::And(a, b) => and(self.expr(a), self.expr(b)),
            CExpr::Or(a, b) => any_of([self.expr(a), self.expr(b)], MAX_ALTERNATIVES),
            CExpr::SearchMatch(search) => self.search(search),
            CExpr::Compare(Cmp::Eq, a, b) => match (&**a, &**b) {
                (CExpr::Field(f), CExpr::Literal(Value::Str(s))) | (CExpr::Literal(Value::Str(s)), CExpr::Field(f)) => {
                    self.eval_equal(f, s)
                }
                _ => None,
            },
            CExpr::In(left, list) => {
                let CExpr::Field(f) = &**left else { return None };
                let items = list.iter().map(|item| match item {
                    CExpr::Literal(Value::Str(s)) => self.eval_equal(f, s),
                    _ => None,
                });
                any_of(items, MAX_ALTERNATIVES)
            }
            CExpr::Like(left, pattern, Some(_)) => {
                let (CExpr::Field(f), CExpr::Literal(Value::Str(p))) = (&**left, &**pattern) else {
                    return None;
                };
                let parts = like_pieces(p);
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                match self.field_kind(f) {
                    FieldKind::Unknown => None,
                    FieldKind::Raw => pieces(&parts, false, false),
                    FieldKind::Json => {
                        if parts.iter().all(|p| numeric_piece(p)) {
                            return None;
                        }
                        pieces(&parts, false, true)
                    }
                }
            }
            _ => None,
        }
    }

    /// `field = "text"` in eval: numbers compare as numbers, text exactly.
    fn eval_equal(&self, field: &str, text: &str) -> Req {
        if parse_number(text).is_some() {
            return None;
        }
        match self.field_kind(field) {
            FieldKind::Unknown => None,
            FieldKind::Raw => pieces(&[text], false, false),
            FieldKind::Json => pieces(&[text], false, true),
        }
    }

    // -------------------------------------------------------------- EQL

    fn stages<'s>(&self, stages: impl Iterator<Item = &'s StageSpec>) -> Req {
        let reqs = stages.map(|stage| match &stage.filter {
            StageFilter::Eql(filter) => self.event_filter(filter),
            StageFilter::Spl(search) => self.search(search),
        });
        any_of(reqs, MAX_ALTERNATIVES)
    }

    fn event_filter(&self, filter: &EventFilter) -> Req {
        let category = match &filter.category {
            Some(name) if self.eql_field(&filter.category_field) == Some(FieldKind::Json) => {
                pieces(&[name], filter.category_ignores_case, true)
            }
            _ => None,
        };
        and(category, self.eql(&filter.condition))
    }

    /// How an EQL field path of the event being matched is read (`None`: not such a field).
    fn eql_field(&self, path: &[Step]) -> Option<FieldKind> {
        let mut name = String::new();
        for step in path {
            match step {
                Step::Attr(a) => {
                    if !name.is_empty() {
                        name.push('.');
                    }
                    name.push_str(a);
                }
                // Indexed paths are read from the JSON only.
                Step::Index(_) => return Some(FieldKind::Json),
            }
        }
        if name.is_empty() {
            return None;
        }
        // EQL reads no default fields: only the overlay (empty while reading), the profile's
        // derived fields and the JSON.
        if name == "eventtype" || name == "tag" {
            return Some(FieldKind::Unknown);
        }
        if self.derived_elsewhere(&name, 0) {
            return Some(FieldKind::Unknown);
        }
        Some(FieldKind::Json)
    }

    /// The JSON field an EQL operand reads, if it is one.
    fn eql_json_field(&self, e: &EExpr) -> bool {
        match e {
            EExpr::Field {
                source: Source::Event,
                path,
            } => self.eql_field(path) == Some(FieldKind::Json),
            _ => false,
        }
    }

    fn eql(&self, e: &EExpr) -> Req {
        match e {
            EExpr::And(a, b) => and(self.eql(a), self.eql(b)),
            EExpr::Or(a, b) => any_of([self.eql(a), self.eql(b)], MAX_ALTERNATIVES),
            EExpr::Equal {
                left,
                right,
                negate: false,
                ignore_case,
                ..
            } => {
                let (field, literal) = match (&**left, &**right) {
                    (f, EExpr::Literal(Value::Str(s))) | (EExpr::Literal(Value::Str(s)), f) => (f, s),
                    _ => return None,
                };
                if !self.eql_json_field(field) {
                    return None;
                }
                // Strings equal only strings: no number can equal "200".
                pieces(&[literal], *ignore_case, true)
            }
            EExpr::WildcardEqual {
                left,
                pattern,
                negate: false,
                ignore_case,
            } => {
                if !self.eql_json_field(left) {
                    return None;
                }
                pieces(&pattern.split(['*', '?']).collect::<Vec<_>>(), *ignore_case, true)
            }
            EExpr::Match {
                left,
                patterns,
                negate: false,
            } => {
                if !self.eql_json_field(left) {
                    return None;
                }
                let reqs = patterns.iter().map(|p| match p {
                    Pattern::Wildcard { pattern, ignore_case } => {
                        pieces(&pattern.split(['*', '?']).collect::<Vec<_>>(), *ignore_case, true)
                    }
                    Pattern::Regex(_) | Pattern::Equal(_) => None,
                });
                any_of(reqs, MAX_ALTERNATIVES)
            }
            EExpr::In {
                left,
                list,
                ignore_case,
                negate: false,
            } => {
                if !self.eql_json_field(left) {
                    return None;
                }
                let reqs = list.iter().map(|item| match item {
                    EExpr::Literal(Value::Str(s)) => pieces(&[s], *ignore_case, true),
                    _ => None,
                });
                any_of(reqs, MAX_ALTERNATIVES)
            }
            _ => None,
        }
    }
}

// ------------------------------------------------------------------ matching

/// Byte sequences of non-ASCII characters that case folding turns into ASCII letters: KELVIN
/// SIGN (k), LATIN SMALL LETTER LONG S (s), LATIN CAPITAL LETTER I WITH DOT ABOVE (i) and
/// LATIN SMALL LETTER DOTLESS I (I).
const FOLDS_TO_ASCII: [&[u8]; 4] = [
    "\u{212A}".as_bytes(),
    "\u{017F}".as_bytes(),
    "\u{0130}".as_bytes(),
    "\u{0131}".as_bytes(),
];

/// A needle's searcher. Without case, the needle is lower-cased and looked for in the
/// line lower-cased (ASCII letters only: other bytes are left as they are).
#[derive(Debug)]
struct Finder {
    finder: memmem::Finder<'static>,
    any_case: bool,
}

thread_local! {
    /// The lower-cased copy of the line being looked at, reused from line to line.
    static LOWERED: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A line, lower-cased when first needed.
struct Line<'a> {
    bytes: &'a [u8],
    lowered: std::cell::OnceCell<std::cell::RefMut<'a, Vec<u8>>>,
    buffer: &'a std::cell::RefCell<Vec<u8>>,
}

impl Line<'_> {
    /// Calls `look` with `bytes` as a line, lower-cased (into this thread's buffer) when first
    /// needed.
    fn with<R>(bytes: &[u8], look: impl FnOnce(&Line) -> R) -> R {
        LOWERED.with(|buffer| {
            look(&Line {
                bytes,
                lowered: std::cell::OnceCell::new(),
                buffer,
            })
        })
    }

    fn lowered(&self) -> &[u8] {
        self.lowered.get_or_init(|| {
            let mut buffer = self.buffer.borrow_mut();
            buffer.clear();
            buffer.extend(self.bytes.iter().map(u8::to_ascii_lowercase));
            buffer
        })
    }
}

#[derive(Debug)]
struct CompiledNeedle {
    finder: Finder,
    any_case: bool,
    in_json: bool,
    has_slash: bool,
}

#[derive(Debug)]
struct Compiled {
    needles: Vec<CompiledNeedle>,
    /// Indexes into `needles`.
    any_of: Vec<Vec<usize>>,
}

/// What the line may hide from a plain search, found once per line when needed.
#[derive(Clone, Copy)]
struct Hazards {
    /// `\u`: any character may be written as an escape.
    unicode_escape: bool,
    /// `\/`: a `/` may be written escaped.
    escaped_slash: bool,
    /// A non-ASCII character that folds to an ASCII letter.
    folds: bool,
}

impl Hazards {
    fn of(line: &[u8]) -> Hazards {
        let (unicode_escape, escaped_slash) = if memchr::memchr(b'\\', line).is_some() {
            (
                memmem::find(line, b"\\u").is_some(),
                memmem::find(line, b"\\/").is_some(),
            )
        } else {
            (false, false)
        };
        let folds = !line.is_ascii() && FOLDS_TO_ASCII.iter().any(|seq| memmem::find(line, seq).is_some());
        Hazards {
            unicode_escape,
            escaped_slash,
            folds,
        }
    }
}

impl Compiled {
    fn new(any_of: &[Vec<Needle>]) -> Compiled {
        let mut table: Vec<&Needle> = Vec::new();
        let mut alternatives = Vec::new();
        for all in any_of {
            let mut indexes = Vec::new();
            for needle in all {
                let at = match table.iter().position(|n| *n == needle) {
                    Some(at) => at,
                    None => {
                        table.push(needle);
                        table.len() - 1
                    }
                };
                indexes.push(at);
            }
            alternatives.push(indexes);
        }
        let needles = table
            .iter()
            .map(|n| CompiledNeedle {
                finder: Finder {
                    finder: if n.any_case {
                        memmem::Finder::new(n.text.to_ascii_lowercase().as_bytes()).into_owned()
                    } else {
                        memmem::Finder::new(n.text.as_bytes()).into_owned()
                    },
                    any_case: n.any_case,
                },
                any_case: n.any_case,
                in_json: n.in_json,
                has_slash: n.text.contains('/'),
            })
            .collect();
        Compiled {
            needles,
            any_of: alternatives,
        }
    }

    fn found(&self, at: usize, line: &Line, hazards: &mut Option<Hazards>) -> bool {
        let needle = &self.needles[at];
        let hit = if needle.finder.any_case {
            needle.finder.finder.find(line.lowered()).is_some()
        } else {
            needle.finder.finder.find(line.bytes).is_some()
        };
        if hit {
            return true;
        }
        let h = *hazards.get_or_insert_with(|| Hazards::of(line.bytes));
        (needle.in_json && (h.unicode_escape || (needle.has_slash && h.escaped_slash))) || (needle.any_case && h.folds)
    }

    fn may_match(&self, bytes: &[u8]) -> bool {
        Line::with(bytes, |line| self.may_match_line(line))
    }

    fn may_match_line(&self, line: &Line) -> bool {
        let mut probe = Probe::default();
        (0..self.any_of.len()).any(|at| self.holds(at, line, &mut probe))
    }

    /// Does the line hold every needle of alternative `alternative`?
    fn holds(&self, alternative: usize, line: &Line, probe: &mut Probe) -> bool {
        self.any_of[alternative].iter().all(|&at| {
            if at >= probe.known.len() {
                return self.found(at, line, &mut probe.hazards);
            }
            if probe.known[at] == 0 {
                probe.known[at] = if self.found(at, line, &mut probe.hazards) { 1 } else { 2 };
            }
            probe.known[at] == 1
        })
    }
}

/// What is known of one line while its alternatives are tried: each needle is looked for once
/// (`known`: 0 unknown, 1 found, 2 not found), the hazards found when first needed.
struct Probe {
    known: [u8; 64],
    hazards: Option<Hazards>,
}

impl Default for Probe {
    fn default() -> Probe {
        Probe {
            known: [0; 64],
            hazards: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eql::{Dialect, EqlOptions, Semantics};
    use crate::plan::EventOrder;
    use quarry_syntax::spl::macros::MacroLibrary;
    use quarry_syntax::{SourceKind, SourceMap};

    fn spl(query: &str) -> Plan {
        let mut sources = SourceMap::new();
        let id = sources.add("query", query, SourceKind::Query);
        crate::spl::compile(&mut sources, id, &MacroLibrary::new(), EventOrder::NewestFirst)
            .unwrap_or_else(|d| panic!("{query}: {d:?}"))
            .plan
    }

    fn eql_in(query: &str, dialect: Dialect) -> Plan {
        let mut sources = SourceMap::new();
        let id = sources.add("query", query, SourceKind::Query);
        let opts = EqlOptions {
            semantics: Semantics {
                dialect,
                case_sensitive: false,
            },
            ..EqlOptions::default()
        };
        crate::eql::compile(&sources, id, &opts).unwrap_or_else(|d| panic!("{query}: {d:?}"))
    }

    fn eql(query: &str) -> Plan {
        eql_in(query, Dialect::Elasticsearch)
    }

    fn show(plan: &Plan, profile: Option<&Profile>) -> String {
        match Prefilter::for_plan(plan, profile) {
            Some(p) => p.to_string(),
            None => "none".into(),
        }
    }

    fn of_spl(query: &str) -> String {
        show(&spl(query), None)
    }

    fn of_eql(query: &str) -> String {
        show(&eql(query), None)
    }

    fn profile() -> Profile {
        Profile::parse(
            r#"
sourcetype = "test:log"
[aliases]
user = "actor.alternateId"
"event.action" = "eventType"
dest = "host"
[calculated]
"event.module" = '"okta"'
action = 'if(eventType="user.session.start", "success", "failure")'
[[eventtypes]]
name = "okta_log"
search = 'eventType=user.session.start'
tags = ["authentication"]
"#,
            "test",
        )
        .expect("profile parses")
    }

    fn filter(needles: &[(&str, bool, bool)]) -> Prefilter {
        Prefilter::new(vec![needles
            .iter()
            .map(|(t, any_case, in_json)| Needle {
                text: t.to_string(),
                any_case: *any_case,
                in_json: *in_json,
            })
            .collect()])
    }

    // ---------------------------------------------------------------- SPL search

    #[test]
    fn a_field_value_is_needed_in_any_case() {
        assert_eq!(
            of_spl("eventType=user.mfa.okta_verify.deny_push"),
            r#""user.mfa.okta_verify.deny_push" (any case)"#
        );
        assert_eq!(
            of_spl(r#"outcome.result="FAILURE" eventType=x.y"#),
            r#""FAILURE" (any case) AND "x.y" (any case)"#
        );
    }

    #[test]
    fn every_piece_between_wildcards_is_needed() {
        assert_eq!(
            of_spl("eventType=user.*.deny*"),
            r#""user." (any case) AND ".deny" (any case)"#
        );
        assert_eq!(of_spl("eventType=*"), "none");
    }

    #[test]
    fn or_gives_alternatives_and_in_is_an_or() {
        assert_eq!(
            of_spl("eventType IN (a.b, c.d) OR (eventType=e.f factor=PUSH)"),
            r#""a.b" (any case) OR "c.d" (any case) OR ("e.f" (any case) AND "PUSH" (any case))"#
        );
        // One side needing nothing makes the whole OR need nothing.
        assert_eq!(of_spl("eventType=a.b OR status>3"), "none");
    }

    #[test]
    fn too_many_alternatives_give_none() {
        let values: Vec<String> = (0..=MAX_ALTERNATIVES).map(|n| format!("value{n}x")).collect();
        assert_eq!(of_spl(&format!("eventType IN ({})", values.join(", "))), "none");
        // An AND of two large ORs keeps one of them rather than their product.
        let four = "a IN (w1, w2, w3, w4)";
        let five = "b IN (v1, v2, v3, v4, v5)";
        assert_eq!(
            Prefilter::for_plan(&spl(&format!("{four} {five}")), None).map(|p| p.alternatives().len()),
            Some(4)
        );
    }

    #[test]
    fn negations_and_comparisons_need_nothing() {
        assert_eq!(of_spl("NOT eventType=a.b"), "none");
        assert_eq!(of_spl("eventType!=a.b"), "none");
        assert_eq!(of_spl("eventType>a.b"), "none");
        assert_eq!(of_spl("eventType=a.b NOT result=FAILURE"), r#""a.b" (any case)"#);
    }

    #[test]
    fn numbers_need_nothing() {
        // 200 also matches 200.0 and 2e2.
        assert_eq!(of_spl("status=200"), "none");
        assert_eq!(of_spl("status=-1.5"), "none");
        assert_eq!(of_spl(r#"status=" 200""#), "none");
        // A pattern a number's text could match.
        assert_eq!(of_spl("status=2*0"), "none");
        assert_eq!(of_spl("status=1*e*"), "none");
        // A piece no number holds: only text can match, so every piece is needed.
        assert_eq!(of_spl("status=ab*1"), r#""ab" (any case) AND "1" (any case)"#);
    }

    #[test]
    fn default_fields_need_nothing_and_raw_needs_the_text() {
        assert_eq!(
            of_spl(r#"sourcetype="OktaIM2:log" host=web1 index=main source=a.log"#),
            "none"
        );
        assert_eq!(of_spl("_raw=*deny_push*"), r#""deny_push" (any case)"#);
    }

    #[test]
    fn search_terms_are_needed_anywhere_in_the_line() {
        assert_eq!(of_spl("deny_push"), r#""deny_push" (any case)"#);
        assert_eq!(
            of_spl(r#""okta verify" err*"#),
            r#""okta verify" (any case) AND "err" (any case)"#
        );
        assert_eq!(of_spl("*"), "none");
        // Non-ASCII text without case: ASCII folding would not be enough.
        assert_eq!(of_spl("Zürich"), "none");
    }

    #[test]
    fn text_json_always_escapes_is_never_needed() {
        assert_eq!(of_spl(r#"msg="say \"hi\"""#), "none");
        assert_eq!(of_spl(r#"path="a\\b""#), "none");
        // Matched against the line itself, a term's quote is the quote written there.
        assert_eq!(of_spl(r#"_raw="*\"ok\"*""#), r#""\"ok\"" (any case)"#);
    }

    #[test]
    fn only_the_leading_filters_count() {
        assert_eq!(
            of_spl("eventType=a.b | eval x=1 | search result=FAILURE"),
            r#""a.b" (any case)"#
        );
        assert_eq!(
            of_spl(r#"eventType=a.b | where result="FAILURE" | stats count"#),
            r#""a.b" (any case) AND "FAILURE""#
        );
        assert_eq!(of_spl("| makeresults"), "none");
    }

    #[test]
    fn plans_that_read_the_inputs_again_get_none() {
        assert_eq!(of_spl("eventType=a.b | append [search eventType=c.d]"), "none");
        assert_eq!(of_spl("eventType=a.b | join user [search eventType=c.d]"), "none");
    }

    // ---------------------------------------------------------------- SPL where

    #[test]
    fn where_equality_is_case_sensitive() {
        assert_eq!(
            of_spl(r#"| where eventType="user.session.start""#),
            r#""user.session.start""#
        );
        assert_eq!(
            of_spl(r#"| where "user.session.start"=eventType"#),
            r#""user.session.start""#
        );
        assert_eq!(of_spl(r#"| where status="200""#), "none");
        assert_eq!(of_spl("| where status=200"), "none");
        assert_eq!(of_spl(r#"| where eventType!="a.b""#), "none");
        assert_eq!(of_spl(r#"| where NOT eventType="a.b""#), "none");
    }

    #[test]
    fn where_or_in_like_and_searchmatch() {
        assert_eq!(of_spl(r#"| where a="x1" OR b="y1""#), r#""x1" OR "y1""#);
        assert_eq!(of_spl(r#"| where a IN ("x1", "y1")"#), r#""x1" OR "y1""#);
        assert_eq!(of_spl(r#"| where a IN ("x1", 2)"#), "none");
        assert_eq!(of_spl(r#"| where b LIKE "%New IP=POSITIVE%""#), r#""New IP=POSITIVE""#);
        assert_eq!(of_spl(r#"| where like(b, "a_c%d\%")"#), r#""a" AND "c" AND "d%""#);
        assert_eq!(of_spl(r#"| where b LIKE "1%5""#), "none");
        assert_eq!(of_spl(r#"| where searchmatch("eventType=a.b")"#), r#""a.b" (any case)"#);
        assert_eq!(of_spl(r#"| where match(a, "x1")"#), "none");
    }

    // ---------------------------------------------------------------- profiles

    #[test]
    fn fields_a_profile_computes_need_nothing_but_aliases_do() {
        let p = profile();
        let of = |q: &str| show(&spl(q), Some(&p));
        assert_eq!(of("user=bob@example.com"), r#""bob@example.com" (any case)"#);
        assert_eq!(of("action=success"), "none");
        assert_eq!(of("eventtype=okta_log"), "none");
        assert_eq!(of("tag=authentication"), "none");
        // `dest` copies the default field `host`, which the line does not hold.
        assert_eq!(of("dest=web1"), "none");
        // Without the profile, `action` is the event's own field.
        assert_eq!(of_spl("action=success"), r#""success" (any case)"#);
    }

    // ---------------------------------------------------------------- EQL

    #[test]
    fn eql_equality_is_case_sensitive_in_elasticsearch() {
        assert_eq!(
            of_eql(r#"any where event.action == "user.mfa.okta_verify.deny_push""#),
            r#""user.mfa.okta_verify.deny_push""#
        );
        // Strings equal strings only: "200" is needed as written.
        assert_eq!(of_eql(r#"any where code == "200""#), r#""200""#);
        assert_eq!(of_eql("any where code == 200"), "none");
        assert_eq!(of_eql(r#"any where code != "x1""#), "none");
        assert_eq!(of_eql(r#"any where not code == "x1""#), "none");
        assert_eq!(of_eql(r#"any where a == "x1" or b == "y1""#), r#""x1" OR "y1""#);
    }

    #[test]
    fn eql_insensitive_forms() {
        assert_eq!(
            of_eql(r#"any where a : "x1*y1""#),
            r#""x1" (any case) AND "y1" (any case)"#
        );
        assert_eq!(of_eql(r#"any where a like "x1?y1""#), r#""x1" AND "y1""#);
        assert_eq!(of_eql(r#"any where a like~ "x1""#), r#""x1" (any case)"#);
        assert_eq!(of_eql(r#"any where a in ("x1", "y1")"#), r#""x1" OR "y1""#);
        assert_eq!(
            of_eql(r#"any where a in~ ("x1", "y1")"#),
            r#""x1" (any case) OR "y1" (any case)"#
        );
        assert_eq!(of_eql(r#"any where a regex "x1.*""#), "none");
        assert_eq!(of_eql(r#"any where startsWith(a, "x1")"#), "none");
    }

    #[test]
    fn endgame_compares_without_case() {
        let plan = eql_in(r#"process where name == "cmd*.exe""#, Dialect::Endgame);
        assert_eq!(
            show(&plan, None),
            r#""process" (any case) AND "cmd" (any case) AND ".exe" (any case)"#
        );
        let lineage = eql_in(
            r#"process where descendant of [process where name == "x.exe"]"#,
            Dialect::Endgame,
        );
        assert_eq!(show(&lineage, None), "none");
    }

    #[test]
    fn an_endgame_join_needs_any_of_its_stages_or_until() {
        let plan = eql_in(
            r#"join by user [any where a == "x1"] [any where a == "y1"] until [any where a == "z1"]"#,
            Dialect::Endgame,
        );
        assert_eq!(
            show(&plan, None),
            r#""x1" (any case) OR "y1" (any case) OR "z1" (any case)"#
        );
    }

    #[test]
    fn a_category_is_needed_unless_the_profile_computes_it() {
        assert_eq!(
            of_eql(r#"authentication where a == "x1""#),
            r#""authentication" AND "x1""#
        );
        let p = Profile::parse(
            "sourcetype = \"t\"\n[calculated]\n\"event.category\" = '\"authentication\"'\n",
            "t",
        )
        .expect("profile parses");
        assert_eq!(show(&eql(r#"authentication where a == "x1""#), Some(&p)), r#""x1""#);
    }

    #[test]
    fn a_sequence_needs_any_of_its_stages_until_and_missing_ones_included() {
        let plan = eql(r#"sequence by user with maxspan=1m
                 [any where a == "first"] ![any where a == "gap"] [any where a == "last"]
               until [any where a == "stop"]"#);
        assert_eq!(show(&plan, None), r#""first" OR "gap" OR "last" OR "stop""#);
        let open = eql(r#"sequence by user [any where a == "first"] [any where true]"#);
        assert_eq!(show(&open, None), "none");
        let sample = eql(r#"sample by user [any where a == "x1"] [any where a == "y1"]"#);
        assert_eq!(show(&sample, None), r#""x1" OR "y1""#);
    }

    #[test]
    fn the_shipped_elastic_rule_with_and_without_the_okta_profile() {
        let plan = eql(r#"sequence by user.email with maxspan=10m
  [any where event.module == "okta" and event.action == "user.mfa.okta_verify.deny_push"]
  [any where event.module == "okta" and event.action == "user.mfa.okta_verify.deny_push"]
  [any where event.module == "okta" and event.action == "user.authentication.sso"]"#);
        assert_eq!(
            show(&plan, None),
            r#"("okta" AND "user.mfa.okta_verify.deny_push") OR ("okta" AND "user.authentication.sso")"#
        );
        assert_eq!(
            show(&plan, Some(&profile())),
            r#""user.mfa.okta_verify.deny_push" OR "user.authentication.sso""#
        );
    }

    #[test]
    fn spl_sequence_stages_after_the_leading_search() {
        let plan = spl("eventType=user.* | sequence by user [search result=FAILURE] [search result=SUCCESS]");
        assert_eq!(
            show(&plan, None),
            r#"("user." (any case) AND "FAILURE" (any case)) OR ("user." (any case) AND "SUCCESS" (any case))"#
        );
    }

    // ---------------------------------------------------------------- several plans

    #[test]
    fn each_plan_gets_the_lines_its_own_prefilter_lets_through() {
        let a = Prefilter::for_plan(&spl("eventType=a.b"), None);
        let b = Prefilter::for_plan(&spl(r#"| where x="c1""#), None);
        let filters = PlanFilters::new([a, b]);
        assert!(filters.filters_anything());
        assert_eq!(filters.plans(br#"{"eventType":"A.B"}"#), plan_bit(0));
        assert_eq!(filters.plans(br#"{"x":"c1"}"#), plan_bit(1));
        assert_eq!(
            filters.plans(br#"{"eventType":"a.b","x":"c1"}"#),
            plan_bit(0) | plan_bit(1)
        );
        assert_eq!(filters.plans(br#"{"eventType":"c.d","x":"C1"}"#), 0, "no plan needs it");
    }

    #[test]
    fn a_plan_without_a_prefilter_gets_every_line() {
        let a = Prefilter::for_plan(&spl("eventType=a.b"), None);
        let filters = PlanFilters::new([None, a.clone()]);
        assert_eq!(filters.plans(br#"{"eventType":"c.d"}"#), plan_bit(0));
        assert_eq!(filters.plans(br#"{"eventType":"a.b"}"#), plan_bit(0) | plan_bit(1));
        let none = PlanFilters::new([None, None]);
        assert!(!none.filters_anything());
        assert_eq!(none.plans(b"{}"), plan_bit(0) | plan_bit(1));
    }

    #[test]
    fn plans_that_share_a_needle_share_its_alternative_and_plans_past_63_share_a_bit() {
        let same = || Prefilter::for_plan(&spl("eventType=a.b"), None);
        let mut filters: Vec<Option<Prefilter>> = (0..70).map(|_| same()).collect();
        filters[65] = Prefilter::for_plan(&spl("eventType=c.d"), None);
        let filters = PlanFilters::new(filters);
        assert_eq!(filters.owners.len(), 2, "one alternative per distinct text");
        assert_eq!(
            filters.plans(br#"{"eventType":"a.b"}"#),
            ALL_PLANS,
            "bit 63 for plans 63..70"
        );
        assert_eq!(filters.plans(br#"{"eventType":"c.d"}"#), plan_bit(63));
        assert_eq!(plan_bit(63), plan_bit(69));
    }

    // ---------------------------------------------------------------- may_match

    #[test]
    fn may_match_finds_needles_in_any_case_or_exactly() {
        let any = filter(&[("deny_push", true, true)]);
        assert!(any.may_match(br#"{"eventType":"user.mfa.okta_verify.DENY_PUSH"}"#));
        assert!(!any.may_match(br#"{"eventType":"user.session.start"}"#));
        let exact = filter(&[("deny_push", false, true)]);
        assert!(exact.may_match(br#"{"eventType":"deny_push"}"#));
        assert!(!exact.may_match(br#"{"eventType":"DENY_PUSH"}"#));
    }

    #[test]
    fn all_needles_of_one_alternative_are_needed() {
        let f = Prefilter::for_plan(&spl("(a=x1 b=y1) OR c=z1"), None).expect("derived");
        assert!(f.may_match(br#"{"a":"x1","b":"y1"}"#));
        assert!(f.may_match(br#"{"c":"Z1"}"#));
        assert!(!f.may_match(br#"{"a":"x1","b":"q"}"#));
    }

    #[test]
    fn a_unicode_escape_anywhere_may_hide_a_needle() {
        let f = filter(&[("deny_push", false, true)]);
        // "deny_push" with its `_` written as \u005f.
        assert!(f.may_match(br#"{"eventType":"deny\u005fpush"}"#));
        assert!(f.may_match(br#"{"other":"\u00e9","eventType":"x"}"#));
        assert!(!f.may_match(br#"{"eventType":"x\n"}"#));
        // Text matched against the line itself is not read through JSON.
        let raw = filter(&[("deny_push", true, false)]);
        assert!(!raw.may_match(br#"{"eventType":"deny\u005fpush"}"#));
    }

    #[test]
    fn an_escaped_slash_may_hide_a_needle_with_a_slash() {
        let slash = filter(&[("/api/v1", false, true)]);
        assert!(slash.may_match(br#"{"url":"\/api\/v1"}"#));
        assert!(!slash.may_match(br#"{"url":"/api/v2"}"#));
        let plain = filter(&[("api", false, true)]);
        assert!(!plain.may_match(br#"{"url":"\/x"}"#));
    }

    #[test]
    fn other_escapes_only_write_characters_never_needed() {
        // \" \\ \n \t \r \b \f write characters a needle cannot hold.
        let f = filter(&[("okta", false, true)]);
        assert!(!f.may_match(br#"{"a":"say \"hi\"\\ \n\t\r\b\f"}"#));
        assert_eq!(of_spl("| where a=\"x\ty\""), "none");
    }

    #[test]
    fn characters_that_fold_to_ascii_may_hide_an_any_case_needle() {
        // KELVIN SIGN lower-cases to `k`: `okta` matches "o\u{212A}ta" without case.
        let any = filter(&[("okta", true, true)]);
        assert!(any.may_match("{\"a\":\"o\u{212A}ta\"}".as_bytes()));
        assert!(any.may_match("{\"a\":\"x\u{017F}\"}".as_bytes()));
        assert!(!any.may_match("{\"a\":\"Zürich\"}".as_bytes()));
        let exact = filter(&[("okta", false, true)]);
        assert!(!exact.may_match("{\"a\":\"o\u{212A}ta\"}".as_bytes()));
    }

    #[test]
    fn the_folding_guard_covers_every_character_folding_to_ascii() {
        let guarded: Vec<char> = FOLDS_TO_ASCII
            .iter()
            .filter_map(|b| std::str::from_utf8(b).ok()?.chars().next())
            .collect();
        let letter = regex::Regex::new("^(?i)[a-z]$").expect("valid");
        for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
            let lowers_to_ascii = c.to_lowercase().any(|l| l.is_ascii_alphabetic());
            let folds_to_ascii = letter.is_match(c.encode_utf8(&mut [0; 4]));
            if lowers_to_ascii || folds_to_ascii {
                assert!(guarded.contains(&c), "U+{:04X} folds to ASCII", c as u32);
            }
        }
    }

    #[test]
    fn one_prefilter_serves_reader_threads() {
        fn shared<T: Send + Sync + Clone>(_: &T) {}
        let f = filter(&[("deny_push", true, true)]);
        shared(&f);
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let f = f.clone();
                std::thread::spawn(move || f.may_match(b"{\"eventType\":\"DENY_PUSH\"}"))
            })
            .collect();
        assert!(handles.into_iter().all(|h| h.join().unwrap_or(false)));
    }

    #[test]
    fn display_is_readable() {
        let f = filter(&[("a.b", true, true), ("c", false, true)]);
        assert_eq!(f.to_string(), r#""a.b" (any case) AND "c""#);
    }
}
