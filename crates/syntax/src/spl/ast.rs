//! The SPL syntax tree: plain data, one struct per command, every node with its span.
//!
//! The tree keeps what was written (quote style of names and strings, `=` versus `==`) so that
//! printing it gives back an equivalent query; meaning is decided later, when the engine lowers
//! the tree into a plan.

use crate::span::Span;

pub use super::fieldcmds::{Conversion, Convert, Foreach, OptionsAndFields, RegexCmd, Replace, Rex, Spath};
pub use crate::spl::multi::*;

/// A whole query: commands separated by `|`. The first command may be an implicit `search`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub commands: Vec<Command>,
    pub span: Span,
}

/// How a name or a literal was quoted in the query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quote {
    /// `name`
    None,
    /// `"name"`
    Double,
    /// `'name'`
    Single,
}

/// A field name as written in a command argument, a `by` clause or an eval expression.
/// In commands the name may hold `*` wildcards (`fields - lat*`, `values(*) as *`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub quote: Quote,
    pub span: Span,
}

impl Field {
    pub fn new(name: impl Into<String>, span: Span) -> Field {
        Field {
            name: name.into(),
            quote: Quote::None,
            span,
        }
    }

    pub fn has_wildcard(&self) -> bool {
        self.name.contains('*')
    }
}

/// A name of a command, function or option, as written (case kept).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl Ident {
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// `key=value` after a command name: `span=2s`, `value=NULL`, `limit=10`.
#[derive(Clone, Debug, PartialEq)]
pub struct CommandOption {
    pub name: Ident,
    pub value: Literal,
    pub span: Span,
}

/// A value in a search term, an option, or `fillnull value=`: the text between the quotes
/// exactly as written (escapes are decoded when the value is used), and how it was quoted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Literal {
    pub text: String,
    pub quote: Quote,
    pub span: Span,
}

/// One command of the pipeline.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `search <expression>`, also implicit at the start of a query:
    /// `eventType=user.session.start outcome.result IN (SUCCESS, ALLOW)`.
    Search(Search),
    /// `where <eval-expression>`: `where dc_src_ip>1 AND (dc_os>1 OR dc_browser>1)`.
    Where(Where),
    /// `eval x=<expr>[, y=<expr>]...`.
    Eval(Eval),
    /// `stats <agg>... [by <field>...]` and `eventstats` (the same syntax).
    Stats(Stats),
    /// `streamstats [<option>=<value>]... <agg>... [by <field>...]`: running aggregates.
    StreamStats(StreamStats),
    /// `bin|bucket [span=<n><unit>] [bins=<n>] <field> [as <field>]`.
    Bin(Bin),
    /// `fillnull [value=<string>] [<field>...]`.
    FillNull(FillNull),
    /// `fields [+|-] <field>...`.
    Fields(Fields),
    /// `table <field>...`.
    Table(Table),
    /// `rename <field> as <field>[, ...]`.
    Rename(Rename),
    /// `sort [<count>] [+|-]<field>...`, keys may be `num(x)`, `str(x)`, `ip(x)`, `auto(x)`.
    Sort(Sort),
    /// `head [<count>] | head limit=<count> | head (<eval-expression>)`.
    Head(Head),
    /// `tail [<count>]`.
    Tail(Tail),
    /// `dedup [<count>] <field>... [keepevents=<bool>] [keepempty=<bool>] [consecutive=<bool>] [sortby <key>...]`.
    Dedup(Dedup),
    /// `iplocation [prefix=<string>] [allfields=<bool>] [lang=<string>] <field>`.
    IpLocation(IpLocation),
    /// `sequence [by <field>, ...] [with] [maxspan=<span>] [mode=events|summary] <stage>...
    /// [until <stage>]`: ordered matches per join key, run by the EQL sequence engine.
    Sequence(Sequence),
    /// `lookup <table> <field> [AS <field>]... [OUTPUT|OUTPUTNEW ...]`.
    Lookup(Lookup),
    /// `inputlookup <table> [where ...]`: the rows of a lookup table.
    InputLookup(InputLookup),
    /// `outputlookup [append=<bool>] <table>`: results pass and are written to the table.
    OutputLookup(OutputLookup),
    /// `map search="..." [maxsearches=<n>]`: a search per input result.
    Map(Map),
    /// `join [type=...] <field>... [ <subsearch> ]`.
    Join(Join),
    /// `append [ <subsearch> ]`.
    Append(Append),
    /// `appendpipe [ <pipeline> ]`.
    AppendPipe(AppendPipe),
    /// `makeresults [count=<n>]`.
    MakeResults(MakeResults),
    /// `transaction <field>... [maxspan=...] [startswith=...] ...`.
    Transaction(Transaction),
    /// `top ...` and `rare ...`.
    Top(Top),
    /// `timechart [span=...] <agg>... [by <field>]`.
    TimeChart(TimeChart),
    /// `format [...]`: results as one search string.
    Format(Format),
    /// `return [<count>] <field>...`: results as one search string.
    Return(Return),
    /// `convert [timeformat=<string>] ctime(<field>) [as <field>]...`.
    Convert(Convert),
    /// `rex [field=<field>] [max_match=<n>] [mode=sed] "<regex>"`.
    Rex(Rex),
    /// `regex [<field>=|<field>!=]"<regex>"`.
    Regex(RegexCmd),
    /// `spath [input=<field>] [output=<field>] [path=<path> | <path>]`.
    Spath(Spath),
    /// `fromjson [prefix=<string>] <field>`.
    FromJson(OptionsAndFields),
    /// `xmlkv [<field>] [maxinputs=<n>]`.
    XmlKv(OptionsAndFields),
    /// `replace <wc-string> with <wc-string>[, ...] [in <field>...]`.
    Replace(Replace),
    /// `makemv [delim=<string>|tokenizer=<regex>] [allowempty=<bool>] [setsv=<bool>] <field>`.
    MakeMv(OptionsAndFields),
    /// `mvexpand <field> [limit=<n>]`.
    MvExpand(OptionsAndFields),
    /// `mvcombine [delim=<string>] <field>`.
    MvCombine(OptionsAndFields),
    /// `addtotals [row=<bool>] [col=<bool>] [fieldname=<field>] [labelfield=<field>] [label=<string>] [<field>...]`.
    AddTotals(OptionsAndFields),
    /// `foreach <field-pattern>... [matchstr=...] [ <subsearch with <<FIELD>> templates> ]`.
    Foreach(Foreach),
    /// `tstats [<option>=<value>]... <agg>... [from datamodel=<Model>[.<Object>]]
    /// [where <search-expression>] [by <field>... [span=<span>]]`: statistics over the events
    /// of a CIM data model (`crates/engine/src/datamodel.rs`).
    TStats(TStats),
    /// `datamodel [<Model> [<Object>]] [search|flat] [<option>=<value>]...`.
    DataModel(DataModel),
    /// `from datamodel:<Model>.<Object>` (also `from datamodel <Model>.<Object>`).
    From(From),
    /// A Splunk command that Quarry parses only as far as its name: planning it fails with
    /// `unsupported: <name>`.
    Unsupported(Unsupported),
}

impl Command {
    /// The command name as Quarry prints it.
    pub fn name(&self) -> &str {
        match self {
            Command::Search(_) => "search",
            Command::Where(_) => "where",
            Command::Eval(_) => "eval",
            Command::Stats(s) => s.kind.name(),
            Command::StreamStats(_) => "streamstats",
            Command::Bin(b) => {
                if b.bucket_alias {
                    "bucket"
                } else {
                    "bin"
                }
            }
            Command::FillNull(_) => "fillnull",
            Command::Fields(_) => "fields",
            Command::Table(_) => "table",
            Command::Rename(_) => "rename",
            Command::Sort(_) => "sort",
            Command::Head(_) => "head",
            Command::Tail(_) => "tail",
            Command::Dedup(_) => "dedup",
            Command::IpLocation(_) => "iplocation",
            Command::Sequence(_) => "sequence",
            Command::Lookup(_) => "lookup",
            Command::InputLookup(_) => "inputlookup",
            Command::OutputLookup(_) => "outputlookup",
            Command::Map(_) => "map",
            Command::Join(_) => "join",
            Command::Append(_) => "append",
            Command::AppendPipe(_) => "appendpipe",
            Command::MakeResults(_) => "makeresults",
            Command::Transaction(_) => "transaction",
            Command::Top(t) => {
                if t.rare {
                    "rare"
                } else {
                    "top"
                }
            }
            Command::TimeChart(_) => "timechart",
            Command::Format(_) => "format",
            Command::Return(_) => "return",
            Command::Convert(_) => "convert",
            Command::Rex(_) => "rex",
            Command::Regex(_) => "regex",
            Command::Spath(_) => "spath",
            Command::FromJson(_) => "fromjson",
            Command::XmlKv(_) => "xmlkv",
            Command::Replace(_) => "replace",
            Command::MakeMv(_) => "makemv",
            Command::MvExpand(_) => "mvexpand",
            Command::MvCombine(_) => "mvcombine",
            Command::AddTotals(_) => "addtotals",
            Command::Foreach(_) => "foreach",
            Command::TStats(_) => "tstats",
            Command::DataModel(_) => "datamodel",
            Command::From(_) => "from",
            Command::Unsupported(u) => &u.name.name,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Command::Search(c) => c.span,
            Command::Where(c) => c.span,
            Command::Eval(c) => c.span,
            Command::Stats(c) => c.span,
            Command::StreamStats(c) => c.span,
            Command::Bin(c) => c.span,
            Command::FillNull(c) => c.span,
            Command::Fields(c) => c.span,
            Command::Table(c) => c.span,
            Command::Rename(c) => c.span,
            Command::Sort(c) => c.span,
            Command::Head(c) => c.span,
            Command::Tail(c) => c.span,
            Command::Dedup(c) => c.span,
            Command::IpLocation(c) => c.span,
            Command::Sequence(c) => c.span,
            Command::Lookup(c) => c.span,
            Command::InputLookup(c) => c.span,
            Command::OutputLookup(c) => c.span,
            Command::Map(c) => c.span,
            Command::Join(c) => c.span,
            Command::Append(c) => c.span,
            Command::AppendPipe(c) => c.span,
            Command::MakeResults(c) => c.span,
            Command::Transaction(c) => c.span,
            Command::Top(c) => c.span,
            Command::TimeChart(c) => c.span,
            Command::Format(c) => c.span,
            Command::Return(c) => c.span,
            Command::Convert(c) => c.span,
            Command::Rex(c) => c.span,
            Command::Regex(c) => c.span,
            Command::Spath(c) => c.span,
            Command::FromJson(c) => c.span,
            Command::XmlKv(c) => c.span,
            Command::Replace(c) => c.span,
            Command::MakeMv(c) => c.span,
            Command::MvExpand(c) => c.span,
            Command::MvCombine(c) => c.span,
            Command::AddTotals(c) => c.span,
            Command::Foreach(c) => c.span,
            Command::TStats(c) => c.span,
            Command::DataModel(c) => c.span,
            Command::From(c) => c.span,
            Command::Unsupported(c) => c.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// `None` for a search with no terms (everything matches).
    pub expr: Option<SearchExpr>,
    pub span: Span,
}

/// The search language (`search` command and the start of a query). Its boolean operators
/// bind differently from eval's: NOT, then OR, then AND (implicit or explicit).
#[derive(Clone, Debug, PartialEq)]
pub struct SearchExpr {
    pub kind: SearchKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SearchKind {
    /// `a b`, `a AND b`: every operand must match.
    And(Vec<SearchExpr>),
    /// `a OR b`.
    Or(Vec<SearchExpr>),
    /// `NOT a`.
    Not(Box<SearchExpr>),
    /// A bare word or quoted phrase, matched against the raw event: `error`, `"access denied"`, `fail*`.
    Term(Literal),
    /// `field=value`, `field!=value`, `field<value` ...; values may hold `*` wildcards.
    Compare { field: Field, op: SearchOp, value: Literal },
    /// `field IN (a, b, "c d")`.
    In { field: Field, values: Vec<Literal> },
    /// `(...)`: kept so that printing shows the grouping that was written.
    Group(Box<SearchExpr>),
    /// `[ <subsearch> ]`: replaced by the subsearch's results, as `format` writes them.
    Subsearch(Box<Subsearch>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl SearchOp {
    pub fn as_str(&self) -> &'static str {
        match self {
            SearchOp::Eq => "=",
            SearchOp::Ne => "!=",
            SearchOp::Lt => "<",
            SearchOp::Le => "<=",
            SearchOp::Gt => ">",
            SearchOp::Ge => ">=",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Where {
    pub expr: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Eval {
    pub assignments: Vec<Assignment>,
    pub span: Span,
}

/// `field = expression` in `eval`.
#[derive(Clone, Debug, PartialEq)]
pub struct Assignment {
    pub field: Field,
    pub expr: Expr,
    pub span: Span,
}

/// An eval expression: `if(eventType="x", 1, 0)`, `a . "-" . 'b.c'`, `round(x/y, 2)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A field: `count`, or `'client.ipAddress'` (single quotes name a field).
    Field(Field),
    /// A string literal: `"SUCCESS"` (double quotes are always a string, even `"a.b"`).
    /// The text is as written between the quotes; escapes are decoded at plan time.
    Str(String),
    /// A number literal as written: `2`, `0.5`, `1e3`.
    Number(String),
    /// `name(arg, ...)`; function names are matched case-insensitively.
    Call { name: Ident, args: Vec<Expr> },
    /// `NOT x`, `-x`, `+x`.
    Unary { op: UnaryOp, expr: Box<Expr> },
    /// `x + y`, `a . b`, `x = y`, `x LIKE "a%"`, `a AND b` ...
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `x IN ("a", "b")`.
    In { expr: Box<Expr>, list: Vec<Expr> },
    /// `(x)`: kept so that printing shows the grouping that was written.
    Group(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    Neg,
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `.`: string concatenation.
    Concat,
    /// `=`
    Eq,
    /// `==`
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Like,
    And,
    Or,
    Xor,
}

impl BinaryOp {
    pub fn as_str(&self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Concat => ".",
            BinaryOp::Eq => "=",
            BinaryOp::EqEq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Like => "LIKE",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
            BinaryOp::Xor => "XOR",
        }
    }

    /// Binding strength in eval: XOR < OR < AND < (NOT) < comparisons < + - . < * / %.
    pub fn precedence(&self) -> u8 {
        match self {
            BinaryOp::Xor => 1,
            BinaryOp::Or => 2,
            BinaryOp::And => 3,
            BinaryOp::Eq
            | BinaryOp::EqEq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::Like => 5,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Concat => 6,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 7,
        }
    }
}

/// Precedence of `NOT` in eval: between AND and the comparisons.
pub const NOT_PRECEDENCE: u8 = 4;
/// Precedence of `IN` (a comparison).
pub const IN_PRECEDENCE: u8 = 5;
/// Precedence of unary minus and plus.
pub const NEG_PRECEDENCE: u8 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatsKind {
    Stats,
    EventStats,
}

impl StatsKind {
    pub fn name(&self) -> &'static str {
        match self {
            StatsKind::Stats => "stats",
            StatsKind::EventStats => "eventstats",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub kind: StatsKind,
    pub options: Vec<CommandOption>,
    pub aggregations: Vec<Aggregation>,
    pub by: Vec<Field>,
    pub span: Span,
}

/// `func`, `func(field)`, `func(eval(expr))`, each optionally `as name`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregation {
    pub func: Ident,
    pub arg: Option<AggArg>,
    pub alias: Option<Field>,
    pub span: Span,
}

/// `streamstats [reset_on_change=<bool>] [reset_before="(<eval-expression>)"]
/// [reset_after="(<eval-expression>)"] [current=<bool>] [window=<int>] [time_window=<span>]
/// [global=<bool>] [allnum=<bool>] <agg>... [by <field>...]`. Splunk also takes the options
/// after the aggregations and after the by clause: `streamstats count by shift reset_on_change=true`.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamStats {
    /// Every option but `reset_before` and `reset_after`, in the order written.
    pub options: Vec<CommandOption>,
    /// `reset_before=` and `reset_after=`, in the order written.
    pub resets: Vec<ResetOption>,
    pub aggregations: Vec<Aggregation>,
    pub by: Vec<Field>,
    pub span: Span,
}

/// `reset_before="(<eval-expression>)"` or `reset_after=...`: the value as written and the
/// eval expression read from it. Inside the quotes a `"` is written `\"`:
/// `reset_after="(action=\"REBOOT\")"`. Splunk also joins a quoted part with the text next to
/// it, so `reset_after="("match(test,\"yes\")")"` is the expression `(match(test,"yes"))`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResetOption {
    pub name: Ident,
    /// The value as written: one quoted string (quote `Double`), or joined parts kept as one
    /// unquoted text (quote `None`).
    pub value: Literal,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AggArg {
    /// `values(client.ipAddress)`, `values(*)`.
    Field(Field),
    /// `sum(eval(if(x="a",1,0)))`.
    Eval(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// Written as `bucket` rather than `bin`.
    pub bucket_alias: bool,
    pub field: Field,
    pub alias: Option<Field>,
    pub options: Vec<CommandOption>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FillNull {
    pub value: Option<Literal>,
    pub fields: Vec<Field>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldsMode {
    /// `fields a b` (keep).
    Keep,
    /// `fields + a b` (keep, written with `+`).
    Plus,
    /// `fields - a b` (remove).
    Remove,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fields {
    pub mode: FieldsMode,
    pub fields: Vec<Field>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub fields: Vec<Field>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rename {
    pub renames: Vec<(Field, Field)>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortConversion {
    Auto,
    Str,
    Num,
    Ip,
}

impl SortConversion {
    pub fn as_str(&self) -> &'static str {
        match self {
            SortConversion::Auto => "auto",
            SortConversion::Str => "str",
            SortConversion::Num => "num",
            SortConversion::Ip => "ip",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// No sign written.
    Default,
    Ascending,
    Descending,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortKey {
    pub direction: SortDirection,
    pub conversion: Option<SortConversion>,
    pub field: Field,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Sort {
    /// `sort 10 ...` or `sort limit=10 ...`.
    pub count: Option<Literal>,
    pub options: Vec<CommandOption>,
    pub keys: Vec<SortKey>,
    /// A trailing `desc` (or `d`) reverses the whole order.
    pub reverse: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    pub count: Option<Literal>,
    pub condition: Option<Expr>,
    pub options: Vec<CommandOption>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tail {
    pub count: Option<Literal>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Dedup {
    pub count: Option<Literal>,
    pub fields: Vec<Field>,
    pub options: Vec<CommandOption>,
    pub sort_by: Vec<SortKey>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct IpLocation {
    pub options: Vec<CommandOption>,
    pub field: Field,
    pub span: Span,
}

/// `sequence by user with maxspan=10m [search eventType=a] [any where x == 1] until [search b]`.
/// `with` is an optional word before the options and is not kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    pub by: Vec<Field>,
    /// `maxspan=<span>`, `mode=events|summary`, in the order written.
    pub options: Vec<CommandOption>,
    pub stages: Vec<SequenceStage>,
    pub until: Option<SequenceStage>,
    pub span: Span,
}

/// `[<body>] [by <field>, ...] [with runs=<n>]`, or a missing event `![<body>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceStage {
    pub missing: bool,
    pub body: StageBody,
    pub by: Vec<Field>,
    /// `with runs=<n>`: the value as written.
    pub runs: Option<Literal>,
    pub span: Span,
}

/// What a stage matches, in the language it is written in.
#[derive(Clone, Debug, PartialEq)]
pub enum StageBody {
    /// `search <terms>`: Splunk search semantics (case-insensitive, `*` wildcards).
    Search(Search),
    /// `<category> where <condition>`: EQL, with Elasticsearch semantics.
    Eql(crate::eql::ast::EventQuery),
}

impl StageBody {
    pub fn span(&self) -> Span {
        match self {
            StageBody::Search(s) => s.span,
            StageBody::Eql(q) => q.span,
        }
    }

    /// `spl` or `eql`.
    pub fn language(&self) -> &'static str {
        match self {
            StageBody::Search(_) => "spl",
            StageBody::Eql(_) => "eql",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Unsupported {
    pub name: Ident,
    /// The rest of the command up to the next top-level `|`, as written.
    pub args: String,
    pub span: Span,
}

/// `tstats`: options, aggregations (as in `stats`), the data model, the `where` search and the
/// `by` fields with their options (`span=1h` applies to `_time`).
#[derive(Clone, Debug, PartialEq)]
pub struct TStats {
    pub options: Vec<CommandOption>,
    pub aggregations: Vec<Aggregation>,
    /// `from datamodel=Endpoint.Processes`: the option after `from`.
    pub from: Option<CommandOption>,
    pub filter: Option<SearchExpr>,
    pub by: Vec<Field>,
    /// Options written among the `by` fields: `by _time span=1h Processes.dest`.
    pub by_options: Vec<CommandOption>,
    pub span: Span,
}

/// `datamodel [<Model> [<Object>]] [<mode>] [<option>=<value>]...`: the words as written.
#[derive(Clone, Debug, PartialEq)]
pub struct DataModel {
    pub model: Option<Ident>,
    pub object: Option<Ident>,
    /// `search`, `flat`, `acceleration_search` ...
    pub mode: Option<Ident>,
    pub options: Vec<CommandOption>,
    pub span: Span,
}

/// `from <kind>:<name>` or `from <kind> <name>`: `from datamodel:Web.Web`.
#[derive(Clone, Debug, PartialEq)]
pub struct From {
    pub kind: Ident,
    /// The dataset name (`Web.Web`).
    pub name: Literal,
    /// Written `kind:name` (true) or `kind name` (false).
    pub colon: bool,
    pub span: Span,
}
