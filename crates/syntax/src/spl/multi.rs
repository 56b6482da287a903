//! Syntax tree and printing of the commands that read lookups, run subsearches or combine
//! several events or result sets: `lookup`, `inputlookup`, `join`, `append`, `appendpipe`,
//! `makeresults`, `transaction`, `top`, `rare`, `timechart`, `format`, `return`, and the
//! `[ ... ]` subsearch itself. Re-exported from [`crate::spl::ast`].

use crate::span::Span;
use crate::spl::ast::{Aggregation, CommandOption, Expr, Field, Ident, Literal, Pipeline, SearchExpr};
use std::fmt::{self, Display, Formatter, Write};

/// `[ <pipeline> ]`: a search run before the command that holds it. The first command is an
/// implicit `search` unless the text starts with `|` (`[| inputlookup users.csv]`).
#[derive(Clone, Debug, PartialEq)]
pub struct Subsearch {
    pub pipeline: Pipeline,
    pub span: Span,
}

/// `<field> [AS <field>]`: a lookup column and the event field it is read from or written to.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldAs {
    pub field: Field,
    pub alias: Option<Field>,
    pub span: Span,
}

impl FieldAs {
    /// The event field's name: the alias if there is one.
    pub fn event_field(&self) -> &str {
        &self.alias.as_ref().unwrap_or(&self.field).name
    }
}

/// `lookup [local=<bool>] [update=<bool>] <table> (<field> [AS <field>])...
/// [OUTPUT|OUTPUTNEW (<field> [AS <field>])...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Lookup {
    pub options: Vec<CommandOption>,
    pub table: Field,
    pub inputs: Vec<FieldAs>,
    pub output: Option<LookupOutput>,
    pub span: Span,
}

/// `OUTPUT a AS b, c` or `OUTPUTNEW ...`; the keyword as written.
#[derive(Clone, Debug, PartialEq)]
pub struct LookupOutput {
    pub keyword: Ident,
    pub fields: Vec<FieldAs>,
}

impl LookupOutput {
    /// `OUTPUTNEW`: only fill fields the event does not have.
    pub fn new_only(&self) -> bool {
        self.keyword.is("outputnew")
    }
}

/// `inputlookup [append=<bool>] [start=<n>] [max=<n>] <table> [where <search-expression>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct InputLookup {
    pub options: Vec<CommandOption>,
    pub table: Field,
    pub condition: Option<SearchExpr>,
    pub span: Span,
}

/// `outputlookup [append=<bool>] [create_empty=<bool>] [override_if_empty=<bool>] [max=<n>]
/// <table>`: results pass unchanged and are written to the table; options may also follow
/// the table name.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputLookup {
    pub options: Vec<CommandOption>,
    pub table: Field,
    pub span: Span,
}

/// `map search="<search>" [maxsearches=<n>]`: the search runs once per input result with
/// `$field$` replaced by that result's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Map {
    pub options: Vec<CommandOption>,
    pub span: Span,
}

/// `join [type=inner|left|outer] [max=<n>] [overwrite=<bool>] <field>... [ <subsearch> ]`;
/// options may also follow the fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub options: Vec<CommandOption>,
    pub fields: Vec<Field>,
    pub subsearch: Subsearch,
    pub span: Span,
}

/// `append [<option>=<value>]... [ <subsearch> ]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Append {
    pub options: Vec<CommandOption>,
    pub subsearch: Subsearch,
    pub span: Span,
}

/// `appendpipe [run_in_preview=<bool>] [ <pipeline over the current results> ]`.
#[derive(Clone, Debug, PartialEq)]
pub struct AppendPipe {
    pub options: Vec<CommandOption>,
    pub subsearch: Subsearch,
    pub span: Span,
}

/// `makeresults [count=<n>] [annotate=<bool>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct MakeResults {
    pub options: Vec<CommandOption>,
    pub span: Span,
}

/// `transaction [<field>...] [maxspan=<span>] [maxpause=<span>] [maxevents=<n>]
/// [startswith=<filter>] [endswith=<filter>] [connected=<bool>] [keepevicted=<bool>] ...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Transaction {
    pub fields: Vec<Field>,
    pub options: Vec<TransactionOption>,
    pub span: Span,
}

/// One `name=value` of `transaction`; `startswith` and `endswith` take a filter.
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionOption {
    pub name: Ident,
    pub value: TransactionValue,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TransactionValue {
    /// A plain value (`maxspan=30m`) or a quoted search (`startswith="login"`).
    Literal(Literal),
    /// `(EventCode=4624 user=x)`: search terms in parentheses.
    Search(SearchExpr),
    /// `eval(<expression>)`.
    Eval(Expr),
}

/// `top|rare [<n>] [<option>=<value>]... <field>... [by <field>...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Top {
    /// `rare` rather than `top`.
    pub rare: bool,
    pub count: Option<Literal>,
    pub options: Vec<CommandOption>,
    pub fields: Vec<Field>,
    pub by: Vec<Field>,
    pub span: Span,
}

/// `timechart [<option>=<value>]... <agg>... [by <field>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeChart {
    pub options: Vec<CommandOption>,
    pub aggregations: Vec<Aggregation>,
    pub by: Option<Field>,
    pub span: Span,
}

/// `format [mvsep=<s>] [maxresults=<n>] ["<row prefix>" "<column prefix>" "<column separator>"
/// "<column end>" "<row separator>" "<row end>"]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Format {
    pub options: Vec<CommandOption>,
    /// None or all six strings.
    pub strings: Vec<Literal>,
    pub span: Span,
}

/// `return [<count>] [<alias>=<field>] [<field>] [$<field>]...`.
#[derive(Clone, Debug, PartialEq)]
pub struct Return {
    pub count: Option<Literal>,
    pub items: Vec<ReturnItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ReturnItem {
    /// `user`: `user="value"`.
    Field(Field),
    /// `src=src_ip`: `src="value of src_ip"`.
    Alias { alias: Field, field: Field },
    /// `$user`: the value alone.
    Value(Field),
}

fn comma_list<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn with_options(f: &mut Formatter<'_>, options: &[CommandOption]) -> fmt::Result {
    for option in options {
        write!(f, " {option}")?;
    }
    Ok(())
}

impl Display for Subsearch {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('[')?;
        if matches!(self.pipeline.commands.first(), Some(crate::spl::ast::Command::Search(s)) if s.expr.is_some()) {
            f.write_str("search ")?;
        }
        write!(f, "{}]", self.pipeline)
    }
}

impl Display for FieldAs {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.field)?;
        if let Some(alias) = &self.alias {
            write!(f, " AS {alias}")?;
        }
        Ok(())
    }
}

impl Display for Lookup {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("lookup")?;
        with_options(f, &self.options)?;
        write!(f, " {} ", self.table)?;
        comma_list(f, &self.inputs, ", ")?;
        if let Some(output) = &self.output {
            write!(f, " {} ", output.keyword)?;
            comma_list(f, &output.fields, ", ")?;
        }
        Ok(())
    }
}

impl Display for InputLookup {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("inputlookup")?;
        with_options(f, &self.options)?;
        write!(f, " {}", self.table)?;
        if let Some(condition) = &self.condition {
            write!(f, " where {condition}")?;
        }
        Ok(())
    }
}

impl Display for OutputLookup {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("outputlookup")?;
        with_options(f, &self.options)?;
        write!(f, " {}", self.table)
    }
}

impl Display for Map {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("map")?;
        with_options(f, &self.options)
    }
}

impl Display for Join {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("join")?;
        with_options(f, &self.options)?;
        if !self.fields.is_empty() {
            f.write_char(' ')?;
            comma_list(f, &self.fields, ", ")?;
        }
        write!(f, " {}", self.subsearch)
    }
}

impl Display for Append {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("append")?;
        with_options(f, &self.options)?;
        write!(f, " {}", self.subsearch)
    }
}

impl Display for AppendPipe {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("appendpipe")?;
        with_options(f, &self.options)?;
        // The pipeline's commands are all named: `[stats count | eval x=1]`.
        f.write_str(" [")?;
        for (n, command) in self.subsearch.pipeline.commands.iter().enumerate() {
            if n > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{command}")?;
        }
        f.write_char(']')
    }
}

impl Display for MakeResults {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("makeresults")?;
        with_options(f, &self.options)
    }
}

impl Display for Transaction {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("transaction")?;
        if !self.fields.is_empty() {
            f.write_char(' ')?;
            comma_list(f, &self.fields, ", ")?;
        }
        for option in &self.options {
            write!(f, " {}=", option.name)?;
            match &option.value {
                TransactionValue::Literal(l) => write!(f, "{l}")?,
                TransactionValue::Search(s) => write!(f, "({s})")?,
                TransactionValue::Eval(e) => write!(f, "eval({e})")?,
            }
        }
        Ok(())
    }
}

impl Display for Top {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.rare { "rare" } else { "top" })?;
        if let Some(count) = &self.count {
            write!(f, " {count}")?;
        }
        with_options(f, &self.options)?;
        f.write_char(' ')?;
        comma_list(f, &self.fields, ", ")?;
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            comma_list(f, &self.by, ", ")?;
        }
        Ok(())
    }
}

impl Display for TimeChart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("timechart")?;
        with_options(f, &self.options)?;
        f.write_char(' ')?;
        comma_list(f, &self.aggregations, " ")?;
        if let Some(by) = &self.by {
            write!(f, " by {by}")?;
        }
        Ok(())
    }
}

impl Display for Format {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("format")?;
        with_options(f, &self.options)?;
        for s in &self.strings {
            write!(f, " {s}")?;
        }
        Ok(())
    }
}

impl Display for Return {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("return")?;
        if let Some(count) = &self.count {
            write!(f, " {count}")?;
        }
        for item in &self.items {
            match item {
                ReturnItem::Field(field) => write!(f, " {field}")?,
                ReturnItem::Alias { alias, field } => write!(f, " {alias}={field}")?,
                ReturnItem::Value(field) => write!(f, " ${field}")?,
            }
        }
        Ok(())
    }
}
