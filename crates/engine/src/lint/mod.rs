//! `quarry lint`: findings that explain why a rule cannot do what its description says.
//!
//! Quarry runs a rule as written, even when it is broken; the lint says why. It works on the
//! macro-expanded syntax tree (and, for SPL, the source profile of the rule's sourcetype) with
//! a small abstract interpretation of the pipeline: which fields hold the same value on every
//! event, and why (`abs`, `eval`); which fields can exist at all (`produced`). Whenever an
//! operation's inputs are all constant, the engine itself computes its result, so the lint
//! uses exactly the semantics a run uses.
//!
//! Every finding is a warning with a stable code, a primary label under the offending text,
//! secondary labels where the cause lies elsewhere, and a `help:` line with a fix.

mod abs;
mod eql;
mod eval;
mod exprs;
mod macros;
mod names;
mod produced;
mod spl;

use crate::eql::Semantics;
use crate::profile::Profile;
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{Code, Diagnostic, SourceId, SourceMap};

/// `"outcome.result"="SUCCESS"`: a comparison of two constants in eval.
pub const LITERAL_COMPARISON: &str = "L0001";
/// `eval groupby="a.b"`: a field name written as a string where a value is produced.
pub const FIELD_NAME_AS_VALUE: &str = "L0002";
/// `if(c, 0, 0)`: a conditional whose branches are all the same.
pub const EQUAL_BRANCHES: &str = "L0003";
/// A `search` or `where` condition that no event can satisfy, given constant fields.
pub const NEVER_TRUE: &str = "L0004";
/// `stats ... by x` where x is the same on every event: one group.
pub const CONSTANT_GROUP: &str = "L0005";
/// `stats ... by x` where x never exists (or is always null): every event dropped.
pub const MISSING_GROUP_FIELD: &str = "L0006";
/// A macro with no definition (other than Splunk's empty `*_filter` macros).
pub const UNDEFINED_MACRO: &str = "L0007";
/// EQL `==`, `!=` or `in` with a wildcard pattern, which the dialect compares literally.
pub const WILDCARD_EQUALITY: &str = "L0008";
/// EQL `sequence` without a (positive) `maxspan`.
pub const UNBOUNDED_SEQUENCE: &str = "L0009";
/// SPL `streamstats window=N ... by x` without `global=false`: one window over all events.
pub const SHARED_WINDOW: &str = "L0010";

/// One kind of finding, for `--help` and documentation.
pub struct Finding {
    pub code: &'static str,
    pub summary: &'static str,
}

/// Every finding the lint reports.
pub const FINDINGS: &[Finding] = &[
    Finding {
        code: LITERAL_COMPARISON,
        summary: "SPL eval compares two constants (\"a.b\"=\"x\"): a double-quoted name is a string, not a field",
    },
    Finding {
        code: FIELD_NAME_AS_VALUE,
        summary:
            "SPL eval produces the text of a field name (eval x=\"a.b\", if(c, \"a.b\", ...)) instead of the field",
    },
    Finding {
        code: EQUAL_BRANCHES,
        summary: "SPL if/case whose branches are all the same: the condition makes no difference",
    },
    Finding {
        code: NEVER_TRUE,
        summary: "SPL search/where condition that no event can pass, because the fields it reads are constant",
    },
    Finding {
        code: CONSTANT_GROUP,
        summary: "SPL stats/eventstats by fields that are the same on every event: one group",
    },
    Finding {
        code: MISSING_GROUP_FIELD,
        summary: "SPL stats by a field the source never produces (or that is always null): every event is dropped",
    },
    Finding {
        code: UNDEFINED_MACRO,
        summary: "SPL macro with no definition (other than the empty *_filter macros): Splunk will not run the search",
    },
    Finding {
        code: WILDCARD_EQUALITY,
        summary: "EQL ==, != or in against a pattern with * or ?: Elasticsearch compares it literally",
    },
    Finding {
        code: UNBOUNDED_SEQUENCE,
        summary: "EQL sequence without a positive maxspan: unbounded in time and in state",
    },
    Finding {
        code: SHARED_WINDOW,
        summary: "SPL streamstats window=N ... by without global=false: one window of the last N events of all groups",
    },
];

/// A finding: a warning with a lint code.
fn finding(code: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning(Code::Lint(code), message)
}

/// Lints the SPL query in source `query`: expands its macros, parses it and examines it with
/// the source profile of its sourcetype, if any. Errors (the query does not parse) come back
/// as `Err`, with any findings made before.
pub fn lint_spl(
    sources: &mut SourceMap,
    query: SourceId,
    macros: &MacroLibrary,
    profile: Option<&Profile>,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let (expanded, mut findings) = macros::expand(sources, query, macros)?;
    let text = sources.text(expanded).to_string();
    let pipeline = quarry_syntax::spl::parse_pipeline(&text, expanded).map_err(|mut errors| {
        errors.extend(findings.iter().cloned());
        errors
    })?;
    findings.extend(spl::lint_pipeline(&pipeline, profile));
    sort(&mut findings, sources);
    Ok(findings)
}

/// Lints an SPL pipeline that is already expanded and parsed.
pub fn lint_spl_pipeline(pipeline: &quarry_syntax::spl::ast::Pipeline, profile: Option<&Profile>) -> Vec<Diagnostic> {
    spl::lint_pipeline(pipeline, profile)
}

/// Lints the EQL query in source `query` under `semantics`.
pub fn lint_eql(
    sources: &SourceMap,
    query: SourceId,
    semantics: Semantics,
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let tree = quarry_syntax::eql::parse_query(sources.text(query), query)?;
    let mut findings = eql::lint_query(&tree, semantics);
    sort(&mut findings, sources);
    Ok(findings)
}

/// Lints a parsed EQL query.
pub fn lint_eql_query(query: &quarry_syntax::eql::ast::Query, semantics: Semantics) -> Vec<Diagnostic> {
    eql::lint_query(query, semantics)
}

/// In the order of the text the user wrote.
fn sort(findings: &mut [Diagnostic], sources: &SourceMap) {
    findings.sort_by_key(|d| {
        d.primary_span()
            .map(|s| {
                let (resolved, _) = sources.resolve(s);
                (resolved.source, resolved.start)
            })
            .unwrap_or_default()
    });
}
