//! Syntax trees and printing of the commands that extract, convert and reshape fields one
//! event at a time: `convert`, `rex`, `regex`, `spath`, `fromjson`, `xmlkv`, `replace`,
//! `makemv`, `mvexpand`, `mvcombine`, `addtotals` and `foreach`. Re-exported from
//! [`crate::spl::ast`].
//!
//! Options are kept as written (`name=value`, in order); their meaning is decided when the
//! engine lowers the command.

use crate::span::Span;
use crate::spl::ast::{CommandOption, Field, Ident, Literal};
use std::fmt::{self, Display, Formatter};

/// `convert [timeformat=<string>] <function>(<field>) [as <field>] [[,] ...]`:
/// `convert timeformat="%Y-%m-%dT%H:%M:%S" ctime(firstTime)`, `convert num(*)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Convert {
    pub options: Vec<CommandOption>,
    pub conversions: Vec<Conversion>,
    pub span: Span,
}

/// `ctime(firstTime) as first`: a conversion function, its field (may hold `*`) and an
/// optional new name.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    pub func: Ident,
    pub field: Field,
    pub alias: Option<Field>,
    pub span: Span,
}

/// `rex [field=<field>] [max_match=<n>] [offset_field=<field>] [mode=sed] "<regex>"`: named
/// groups of the regex become fields; with `mode=sed` the quoted text is a sed expression
/// (`s/a/b/g`, `y/abc/xyz/`) applied to the field.
#[derive(Clone, Debug, PartialEq)]
pub struct Rex {
    pub options: Vec<CommandOption>,
    /// The regex or sed expression, as written between the quotes.
    pub pattern: Literal,
    pub span: Span,
}

/// `regex [<field>=|<field>!=]"<regex>"`: keeps events whose field (default `_raw`) matches,
/// or with `!=` does not match.
#[derive(Clone, Debug, PartialEq)]
pub struct RegexCmd {
    pub field: Option<Field>,
    pub negate: bool,
    pub pattern: Literal,
    pub span: Span,
}

/// `spath [input=<field>] [output=<field>] [path=<path> | <path>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Spath {
    pub options: Vec<CommandOption>,
    /// A path written without `path=`: `spath data.items{}.name`.
    pub path: Option<Field>,
    pub span: Span,
}

/// A command made of options and field names in any order, kept apart:
/// `fromjson [prefix=<string>] <field>`, `xmlkv [<field>] [maxinputs=<n>]`,
/// `makemv [delim=<string>|tokenizer=<regex>] [allowempty=<bool>] [setsv=<bool>] <field>`,
/// `mvexpand <field> [limit=<n>]`, `mvcombine [delim=<string>] <field>`,
/// `addtotals [row=<bool>] [col=<bool>] [fieldname=<field>] [labelfield=<field>]
/// [label=<string>] [<field>...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionsAndFields {
    pub options: Vec<CommandOption>,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `replace <wc-string> with <wc-string> [, ...] [in <field>...]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Replace {
    pub pairs: Vec<(Literal, Literal)>,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `foreach <field-pattern>... [fieldstr=<string>] [matchstr=<string>] [matchseg1=<string>]
/// ... [ <subsearch> ]`: the subsearch runs once per matching field, with `<<FIELD>>`,
/// `<<MATCHSTR>>` and `<<MATCHSEG1>>`... replaced. The subsearch is kept as text because the
/// templates make it SPL only once they are filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct Foreach {
    pub fields: Vec<Field>,
    pub options: Vec<CommandOption>,
    /// The text between the brackets, trimmed.
    pub body: String,
    /// Span of the text between the brackets.
    pub body_span: Span,
    pub span: Span,
}

fn options(f: &mut Formatter<'_>, options: &[CommandOption]) -> fmt::Result {
    for option in options {
        write!(f, " {option}")?;
    }
    Ok(())
}

impl Display for Convert {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("convert")?;
        options(f, &self.options)?;
        for (n, c) in self.conversions.iter().enumerate() {
            f.write_str(if n == 0 { " " } else { ", " })?;
            write!(f, "{}({})", c.func, c.field)?;
            if let Some(alias) = &c.alias {
                write!(f, " as {alias}")?;
            }
        }
        Ok(())
    }
}

impl Display for Rex {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("rex")?;
        options(f, &self.options)?;
        write!(f, " {}", self.pattern)
    }
}

impl Display for RegexCmd {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("regex ")?;
        if let Some(field) = &self.field {
            write!(f, "{field}{}", if self.negate { "!=" } else { "=" })?;
        }
        write!(f, "{}", self.pattern)
    }
}

impl Display for Spath {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("spath")?;
        options(f, &self.options)?;
        if let Some(path) = &self.path {
            write!(f, " {path}")?;
        }
        Ok(())
    }
}

impl OptionsAndFields {
    /// Prints the command: its name, the options, then the fields.
    pub fn write(&self, f: &mut Formatter<'_>, name: &str) -> fmt::Result {
        f.write_str(name)?;
        options(f, &self.options)?;
        for (n, field) in self.fields.iter().enumerate() {
            f.write_str(if n == 0 { " " } else { ", " })?;
            write!(f, "{field}")?;
        }
        Ok(())
    }
}

impl Display for Replace {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("replace")?;
        for (n, (from, to)) in self.pairs.iter().enumerate() {
            f.write_str(if n == 0 { " " } else { ", " })?;
            write!(f, "{from} with {to}")?;
        }
        if !self.fields.is_empty() {
            f.write_str(" in")?;
            for (n, field) in self.fields.iter().enumerate() {
                f.write_str(if n == 0 { " " } else { ", " })?;
                write!(f, "{field}")?;
            }
        }
        Ok(())
    }
}

impl Display for Foreach {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("foreach")?;
        for field in &self.fields {
            write!(f, " {field}")?;
        }
        options(f, &self.options)?;
        write!(f, " [ {} ]", self.body)
    }
}
