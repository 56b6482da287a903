//! Printing a syntax tree back to SPL. Parsing the printed text gives an equal tree (spans
//! aside): `parse(print(parse(q))) == parse(q)`.

use crate::spl::ast::*;
use std::fmt::{self, Display, Formatter, Write};

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (n, command) in self.commands.iter().enumerate() {
            match (n, command) {
                (0, Command::Search(Search { expr: Some(expr), .. })) => write!(f, "{expr}")?,
                (0, other) => write!(f, "| {other}")?,
                (_, other) => write!(f, " | {other}")?,
            }
        }
        Ok(())
    }
}

impl Display for Quote {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Quote::None => Ok(()),
            Quote::Double => f.write_char('"'),
            Quote::Single => f.write_char('\''),
        }
    }
}

impl Display for Field {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.quote, self.name, self.quote)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.quote, self.text, self.quote)
    }
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Display for CommandOption {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

fn join<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

fn options(f: &mut Formatter<'_>, options: &[CommandOption]) -> fmt::Result {
    for option in options {
        write!(f, " {option}")?;
    }
    Ok(())
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Command::Search(c) => match &c.expr {
                Some(expr) => write!(f, "search {expr}"),
                None => f.write_str("search"),
            },
            Command::Where(c) => write!(f, "where {}", c.expr),
            Command::Eval(c) => {
                f.write_str("eval ")?;
                for (n, a) in c.assignments.iter().enumerate() {
                    if n > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}={}", a.field, a.expr)?;
                }
                Ok(())
            }
            Command::Stats(c) => {
                f.write_str(c.kind.name())?;
                options(f, &c.options)?;
                f.write_char(' ')?;
                join(f, &c.aggregations, ", ")?;
                if !c.by.is_empty() {
                    f.write_str(" by ")?;
                    join(f, &c.by, ", ")?;
                }
                Ok(())
            }
            Command::StreamStats(c) => {
                f.write_str("streamstats")?;
                options(f, &c.options)?;
                for reset in &c.resets {
                    write!(f, " {}={}", reset.name, reset.value)?;
                }
                f.write_char(' ')?;
                join(f, &c.aggregations, ", ")?;
                if !c.by.is_empty() {
                    f.write_str(" by ")?;
                    join(f, &c.by, ", ")?;
                }
                Ok(())
            }
            Command::Bin(c) => {
                f.write_str(self.name())?;
                options(f, &c.options)?;
                write!(f, " {}", c.field)?;
                if let Some(alias) = &c.alias {
                    write!(f, " as {alias}")?;
                }
                Ok(())
            }
            Command::FillNull(c) => {
                f.write_str("fillnull")?;
                if let Some(value) = &c.value {
                    write!(f, " value={value}")?;
                }
                for field in &c.fields {
                    write!(f, " {field}")?;
                }
                Ok(())
            }
            Command::Fields(c) => {
                f.write_str(match c.mode {
                    FieldsMode::Keep => "fields ",
                    FieldsMode::Plus => "fields + ",
                    FieldsMode::Remove => "fields - ",
                })?;
                join(f, &c.fields, ", ")
            }
            Command::Table(c) => {
                f.write_str("table ")?;
                join(f, &c.fields, ", ")
            }
            Command::Rename(c) => {
                f.write_str("rename ")?;
                for (n, (from, to)) in c.renames.iter().enumerate() {
                    if n > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{from} as {to}")?;
                }
                Ok(())
            }
            Command::Sort(c) => {
                f.write_str("sort")?;
                if let Some(count) = &c.count {
                    write!(f, " {count}")?;
                }
                options(f, &c.options)?;
                f.write_char(' ')?;
                join(f, &c.keys, ", ")?;
                if c.reverse {
                    f.write_str(" desc")?;
                }
                Ok(())
            }
            Command::Head(c) => {
                f.write_str("head")?;
                if let Some(count) = &c.count {
                    write!(f, " {count}")?;
                }
                if let Some(condition) = &c.condition {
                    write!(f, " {condition}")?;
                }
                options(f, &c.options)
            }
            Command::Tail(c) => {
                f.write_str("tail")?;
                if let Some(count) = &c.count {
                    write!(f, " {count}")?;
                }
                Ok(())
            }
            Command::Dedup(c) => {
                f.write_str("dedup")?;
                if let Some(count) = &c.count {
                    write!(f, " {count}")?;
                }
                f.write_char(' ')?;
                join(f, &c.fields, ", ")?;
                options(f, &c.options)?;
                if !c.sort_by.is_empty() {
                    f.write_str(" sortby ")?;
                    join(f, &c.sort_by, ", ")?;
                }
                Ok(())
            }
            Command::IpLocation(c) => {
                f.write_str("iplocation")?;
                options(f, &c.options)?;
                write!(f, " {}", c.field)
            }
            Command::Sequence(c) => write!(f, "{c}"),
            Command::Lookup(c) => write!(f, "{c}"),
            Command::InputLookup(c) => write!(f, "{c}"),
            Command::OutputLookup(c) => write!(f, "{c}"),
            Command::Map(c) => write!(f, "{c}"),
            Command::Join(c) => write!(f, "{c}"),
            Command::Append(c) => write!(f, "{c}"),
            Command::AppendPipe(c) => write!(f, "{c}"),
            Command::MakeResults(c) => write!(f, "{c}"),
            Command::Transaction(c) => write!(f, "{c}"),
            Command::Top(c) => write!(f, "{c}"),
            Command::TimeChart(c) => write!(f, "{c}"),
            Command::Format(c) => write!(f, "{c}"),
            Command::Return(c) => write!(f, "{c}"),
            Command::Convert(c) => write!(f, "{c}"),
            Command::Rex(c) => write!(f, "{c}"),
            Command::Regex(c) => write!(f, "{c}"),
            Command::Spath(c) => write!(f, "{c}"),
            Command::FromJson(c) => c.write(f, "fromjson"),
            Command::XmlKv(c) => c.write(f, "xmlkv"),
            Command::Replace(c) => write!(f, "{c}"),
            Command::MakeMv(c) => c.write(f, "makemv"),
            Command::MvExpand(c) => c.write(f, "mvexpand"),
            Command::MvCombine(c) => c.write(f, "mvcombine"),
            Command::AddTotals(c) => c.write(f, "addtotals"),
            Command::Foreach(c) => write!(f, "{c}"),
            Command::TStats(c) => {
                f.write_str("tstats")?;
                options(f, &c.options)?;
                f.write_char(' ')?;
                join(f, &c.aggregations, " ")?;
                if let Some(from) = &c.from {
                    write!(f, " from {from}")?;
                }
                if let Some(filter) = &c.filter {
                    write!(f, " where {filter}")?;
                }
                if !c.by.is_empty() || !c.by_options.is_empty() {
                    f.write_str(" by ")?;
                    join(f, &c.by, " ")?;
                    options(f, &c.by_options)?;
                }
                Ok(())
            }
            Command::DataModel(c) => {
                f.write_str("datamodel")?;
                for word in [&c.model, &c.object, &c.mode].into_iter().flatten() {
                    write!(f, " {word}")?;
                }
                options(f, &c.options)
            }
            Command::From(c) => {
                let sep = if c.colon { ":" } else { " " };
                write!(f, "from {}{sep}{}", c.kind, c.name)
            }
            Command::Unsupported(c) => {
                f.write_str(&c.name.name)?;
                if !c.args.is_empty() {
                    write!(f, " {}", c.args)?;
                }
                Ok(())
            }
        }
    }
}

impl Display for Sequence {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("sequence")?;
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            join(f, &self.by, ", ")?;
        }
        if !self.options.is_empty() {
            f.write_str(" with")?;
            options(f, &self.options)?;
        }
        for stage in &self.stages {
            write!(f, " {stage}")?;
        }
        if let Some(until) = &self.until {
            write!(f, " until {until}")?;
        }
        Ok(())
    }
}

impl Display for SequenceStage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.missing {
            f.write_char('!')?;
        }
        write!(f, "[{}]", self.body)?;
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            join(f, &self.by, ", ")?;
        }
        if let Some(runs) = &self.runs {
            write!(f, " with runs={runs}")?;
        }
        Ok(())
    }
}

impl Display for StageBody {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            StageBody::Search(Search { expr: Some(expr), .. }) => write!(f, "search {expr}"),
            StageBody::Search(Search { expr: None, .. }) => f.write_str("search"),
            StageBody::Eql(query) => write!(f, "{query}"),
        }
    }
}

impl Display for Aggregation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.func.name)?;
        match &self.arg {
            Some(AggArg::Field(field)) => write!(f, "({field})")?,
            Some(AggArg::Eval(expr)) => write!(f, "(eval({expr}))")?,
            None => {}
        }
        if let Some(alias) = &self.alias {
            write!(f, " as {alias}")?;
        }
        Ok(())
    }
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.direction {
            SortDirection::Default => {}
            SortDirection::Ascending => f.write_char('+')?,
            SortDirection::Descending => f.write_char('-')?,
        }
        match self.conversion {
            Some(conversion) => write!(f, "{}({})", conversion.as_str(), self.field),
            None => write!(f, "{}", self.field),
        }
    }
}

/// How tightly a search node binds: AND (1) < OR (2) < NOT (3) < a term or a group (4).
fn search_binding(e: &SearchExpr) -> u8 {
    match e.kind {
        SearchKind::And(_) => 1,
        SearchKind::Or(_) => 2,
        SearchKind::Not(_) => 3,
        _ => 4,
    }
}

fn search_operand(f: &mut Formatter<'_>, e: &SearchExpr, min: u8) -> fmt::Result {
    if search_binding(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl Display for SearchExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SearchKind::And(items) => {
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        f.write_char(' ')?;
                    }
                    search_operand(f, item, 2)?;
                }
                Ok(())
            }
            SearchKind::Or(items) => {
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        f.write_str(" OR ")?;
                    }
                    search_operand(f, item, 3)?;
                }
                Ok(())
            }
            SearchKind::Not(inner) => {
                f.write_str("NOT ")?;
                search_operand(f, inner, 3)
            }
            SearchKind::Term(lit) => write!(f, "{lit}"),
            SearchKind::Compare { field, op, value } => write!(f, "{field}{}{value}", op.as_str()),
            SearchKind::In { field, values } => {
                write!(f, "{field} IN (")?;
                join(f, values, ", ")?;
                f.write_char(')')
            }
            SearchKind::Group(inner) => write!(f, "({inner})"),
            SearchKind::Subsearch(sub) => write!(f, "{sub}"),
        }
    }
}

/// Binding strength of an eval node (see [`BinaryOp::precedence`]); atoms bind tightest.
fn expr_binding(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Unary { op: UnaryOp::Not, .. } => NOT_PRECEDENCE,
        ExprKind::Unary { .. } => NEG_PRECEDENCE,
        ExprKind::In { .. } => IN_PRECEDENCE,
        _ => 9,
    }
}

fn expr_operand(f: &mut Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if expr_binding(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

/// An operand that ends its expression. A prefix operator there (`a==NOT b`, `-NOT b`,
/// `--b`) was parsed without parentheses, taking the rest of the operand: parentheses would
/// add a group the source did not have.
fn last_operand(f: &mut Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if matches!(e.kind, ExprKind::Unary { .. }) {
        write!(f, "{e}")
    } else {
        expr_operand(f, e, min)
    }
}

fn is_plain_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Field(field) => {
                if field.quote == Quote::None && !is_plain_name(&field.name) {
                    write!(f, "'{}'", field.name)
                } else {
                    write!(f, "{field}")
                }
            }
            ExprKind::Str(text) => write!(f, "\"{text}\""),
            ExprKind::Number(text) => f.write_str(text),
            ExprKind::Call { name, args } => {
                write!(f, "{name}(")?;
                join(f, args, ", ")?;
                f.write_char(')')
            }
            ExprKind::Unary { op, expr } => match op {
                UnaryOp::Not => {
                    f.write_str("NOT ")?;
                    expr_operand(f, expr, NOT_PRECEDENCE)
                }
                UnaryOp::Neg | UnaryOp::Plus => {
                    f.write_char(if *op == UnaryOp::Neg { '-' } else { '+' })?;
                    last_operand(f, expr, 9)
                }
            },
            ExprKind::Binary { op, left, right } => {
                let prec = op.precedence();
                expr_operand(f, left, prec)?;
                match op {
                    BinaryOp::And | BinaryOp::Or | BinaryOp::Xor | BinaryOp::Like | BinaryOp::Concat => {
                        write!(f, " {} ", op.as_str())?
                    }
                    _ => f.write_str(op.as_str())?,
                }
                last_operand(f, right, prec + 1)
            }
            ExprKind::In { expr, list } => {
                expr_operand(f, expr, IN_PRECEDENCE + 1)?;
                f.write_str(" IN (")?;
                join(f, list, ", ")?;
                f.write_char(')')
            }
            ExprKind::Group(inner) => write!(f, "({inner})"),
        }
    }
}
