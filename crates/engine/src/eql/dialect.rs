//! Every difference between Elasticsearch's EQL and endgame's EQL, in one place. The rest of
//! the engine asks these questions instead of testing the dialect itself. "Difference N"
//! refers to the numbered list in the conformance suite's README
//! (`shared/conformance/eql/README.md`); `tests/eql.rs` shows each one.

/// Which implementation's meaning a query gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Dialect {
    /// Elasticsearch EQL, the semantics Elastic's detection rules run under.
    #[default]
    Elasticsearch,
    /// The endgame Python engine (`eql` on PyPI), for older content.
    Endgame,
}

impl Dialect {
    pub fn parse(text: &str) -> Option<Dialect> {
        match text {
            "elasticsearch" | "es" => Some(Dialect::Elasticsearch),
            "endgame" => Some(Dialect::Endgame),
            _ => None,
        }
    }
}

/// The semantics a compiled query runs with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Semantics {
    pub dialect: Dialect,
    /// Endgame's global case mode (`--case-sensitive`); Elasticsearch ignores it.
    pub case_sensitive: bool,
}

impl Semantics {
    fn endgame(&self) -> bool {
        self.dialect == Dialect::Endgame
    }

    /// Difference 1: `==`/`!=` on strings: Elasticsearch is case-sensitive; endgame follows its case mode.
    pub fn equality_ignores_case(&self) -> bool {
        self.endgame() && !self.case_sensitive
    }

    /// Difference 1: `==` against a string literal holding `*`: a wildcard in endgame, literal in Elasticsearch.
    pub fn equality_wildcards(&self) -> bool {
        self.endgame()
    }

    /// Difference 4: `in` (without `~`): endgame follows its case mode; Elasticsearch is case-sensitive.
    pub fn in_ignores_case(&self, tilde: bool) -> bool {
        tilde || (self.endgame() && !self.case_sensitive)
    }

    /// Difference 5: Functions without `~`: endgame follows its case mode; Elasticsearch is case-sensitive.
    pub fn function_ignores_case(&self, tilde: bool) -> bool {
        tilde || (self.endgame() && !self.case_sensitive)
    }

    /// Difference 6: `<`, `<=`, ... on strings.
    pub fn ordering_ignores_case(&self) -> bool {
        self.endgame() && !self.case_sensitive
    }

    /// Join keys of sequences, joins and `unique`: endgame compares them without case.
    pub fn keys_ignore_case(&self) -> bool {
        self.endgame() && !self.case_sensitive
    }

    /// Difference 10: A multi-valued join key joins on each value (Elasticsearch); endgame joins on the
    /// whole value.
    pub fn expands_multivalued_keys(&self) -> bool {
        !self.endgame()
    }

    /// Difference 10: A null value of a non-optional join key keeps the event out (Elasticsearch);
    /// endgame treats null as an ordinary key.
    pub fn null_keys_join(&self, optional: bool) -> bool {
        optional || self.endgame()
    }

    /// Difference 11: Competing partial sequences: Elasticsearch keeps every partial of a stage and
    /// extends the latest one (dropping older ones); endgame keeps one per key and stage.
    pub fn keeps_every_partial(&self) -> bool {
        !self.endgame()
    }

    /// Difference 12: `until`: endgame ends a key's partial sequences before looking at the event's own
    /// stages; Elasticsearch only rejects extensions across an `until` event, so the event may
    /// still complete a sequence.
    pub fn until_before_stages(&self) -> bool {
        self.endgame()
    }

    /// Difference 13: maxspan: endgame truncates to whole seconds and applies a zero span; Elasticsearch
    /// honours milliseconds and ignores a non-positive span. Returns the span in nanoseconds,
    /// or `None` when it does not apply.
    pub fn maxspan_nanos(&self, nanos: i64) -> Option<i64> {
        if self.endgame() {
            Some((nanos / 1_000_000_000) * 1_000_000_000)
        } else if nanos > 0 {
            Some(nanos)
        } else {
            None
        }
    }

    /// Difference 17: Order: Elasticsearch sorts events by (@timestamp, tiebreaker); endgame streams them
    /// in input order.
    pub fn sorts_by_time(&self) -> bool {
        !self.endgame()
    }

    /// Difference 8: Category names: endgame compares them without case.
    pub fn category_ignores_case(&self) -> bool {
        self.endgame()
    }
}
