//! The EQL syntax tree: plain data with a span on every node.

use crate::span::Span;

/// A whole query: an event query, `sequence`, `sample` or `join`, then pipes. The first pipe
/// that is not an EQL pipe starts SPL: `sequence ... | head 5 | stats count by user.email`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub body: Body,
    pub pipes: Vec<Pipe>,
    /// The EQL part: body and EQL pipes.
    pub span: Span,
    /// SPL commands after the EQL part; their span starts at the `|` that switches.
    pub spl: Option<crate::spl::ast::Pipeline>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// `process where pid == 4`, `any where true`.
    Event(EventQuery),
    /// `sequence [by k, ...] [with maxspan=10m] [stage] [stage] ... [until [stage]]`.
    Sequence(Sequence),
    /// `sample by k [stage] [stage] ...`.
    Sample(Sample),
    /// `join [by k] [stage] [stage] ... [until [stage]]` (endgame).
    Join(Join),
}

/// A name: a bare identifier or a `` `back-quoted` `` one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub text: String,
    pub quoted: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Category {
    /// `any`: every event.
    Any,
    Named(Name),
}

/// `<category> where <condition>`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventQuery {
    pub category: Category,
    pub condition: Expr,
    pub span: Span,
}

/// A stage of a sequence, sample or join: `[<event query>] [by k, ...] [with runs=N]`, a missing
/// event `![...]`, or endgame's `fork=true`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub query: EventQuery,
    pub by: Vec<Expr>,
    pub runs: Option<u64>,
    pub missing: bool,
    pub fork: Option<bool>,
    pub span: Span,
}

/// `maxspan=10m`: the number and unit as written.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSpan {
    pub value: String,
    pub unit: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    pub by: Vec<Expr>,
    pub maxspan: Option<TimeSpan>,
    pub stages: Vec<Stage>,
    pub until: Option<Stage>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub by: Vec<Expr>,
    pub stages: Vec<Stage>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub by: Vec<Expr>,
    pub stages: Vec<Stage>,
    pub until: Option<Stage>,
    pub span: Span,
}

/// `| name args`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipe {
    pub kind: PipeKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PipeKind {
    /// `| head 5`
    Head(u64),
    /// `| tail 5`
    Tail(u64),
    /// `| filter <condition>` (endgame)
    Filter(Expr),
    /// `| unique a, b` (endgame)
    Unique(Vec<Expr>),
    /// `| unique_count a, b` (endgame)
    UniqueCount(Vec<Expr>),
    /// `| count [a, b]` (endgame)
    Count(Vec<Expr>),
    /// `| sort a, b` (endgame)
    Sort(Vec<Expr>),
}

impl PipeKind {
    pub fn name(&self) -> &'static str {
        match self {
            PipeKind::Head(_) => "head",
            PipeKind::Tail(_) => "tail",
            PipeKind::Filter(_) => "filter",
            PipeKind::Unique(_) => "unique",
            PipeKind::UniqueCount(_) => "unique_count",
            PipeKind::Count(_) => "count",
            PipeKind::Sort(_) => "sort",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `process.pid`, `?x`, `` `sequence` ``, `@timestamp`, `list[1].name`.
    Field(FieldRef),
    Null,
    Bool(bool),
    /// A number as written: `4`, `4.5`, `.5`, `1e3`.
    Number(String),
    Str(StrLit),
    /// `name(args)` or the case-insensitive `name~(args)`.
    Call {
        name: Name,
        insensitive: bool,
        args: Vec<Expr>,
    },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `x : "a*"`, `x like~ ("a", "b")`, `x regex "..."`, `x !: "a"`.
    Match {
        op: MatchOp,
        negated: bool,
        left: Box<Expr>,
        patterns: Vec<Expr>,
        /// Written as a parenthesised list.
        list: bool,
    },
    /// `x in (a, b)`, `x in~ (...)`, `x not in (...)`.
    In {
        left: Box<Expr>,
        list: Vec<Expr>,
        insensitive: bool,
        negated: bool,
    },
    /// `descendant of [process where ...]`, `child of [...]`, `event of [...]` (endgame).
    Lineage {
        relation: Relation,
        query: Box<EventQuery>,
    },
    /// `(x)`, kept for printing.
    Group(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// `?field`: null when absent instead of an error.
    pub optional: bool,
    pub base: Name,
    pub path: Vec<PathStep>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathStep {
    Attr(Name),
    Index(u64),
}

/// How a string was written; `text` is what is between the delimiters, escapes not decoded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StrLit {
    pub text: String,
    pub style: StrStyle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StrStyle {
    /// `"..."` with backslash escapes.
    Double,
    /// `'...'` with backslash escapes (endgame).
    Single,
    /// `"""..."""`, no escapes.
    Triple,
    /// `?"..."`, no escapes (endgame).
    RawDouble,
    /// `?'...'`, no escapes (endgame).
    RawSingle,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    And,
    /// `==`
    Eq,
    /// `=` (endgame)
    Assign,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOp {
    pub fn as_str(&self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Assign => "=",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }

    /// or (1) < and (2) < not (3) < comparisons (4) < + - (5) < * / % (6) < sign (7).
    pub fn precedence(&self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Assign
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 6,
        }
    }
}

pub const NOT_PRECEDENCE: u8 = 3;
pub const COMPARISON_PRECEDENCE: u8 = 4;
pub const SIGN_PRECEDENCE: u8 = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `:` — case-insensitive, `*` and `?` wildcards.
    Colon,
    Like,
    LikeInsensitive,
    Regex,
    RegexInsensitive,
}

impl MatchOp {
    pub fn as_str(&self) -> &'static str {
        match self {
            MatchOp::Colon => ":",
            MatchOp::Like => "like",
            MatchOp::LikeInsensitive => "like~",
            MatchOp::Regex => "regex",
            MatchOp::RegexInsensitive => "regex~",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Relation {
    Descendant,
    Child,
    Event,
}

impl Relation {
    pub fn as_str(&self) -> &'static str {
        match self {
            Relation::Descendant => "descendant",
            Relation::Child => "child",
            Relation::Event => "event",
        }
    }
}
