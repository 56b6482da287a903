//! Printing EQL back to text; parsing the print gives an equal tree.

use super::ast::*;
use std::fmt::{self, Display, Formatter, Write};

fn join<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.body {
            Body::Event(q) => write!(f, "{q}")?,
            Body::Sequence(s) => write!(f, "{s}")?,
            Body::Sample(s) => write!(f, "{s}")?,
            Body::Join(j) => write!(f, "{j}")?,
        }
        for pipe in &self.pipes {
            write!(f, " | {pipe}")?;
        }
        if let Some(spl) = &self.spl {
            for command in &spl.commands {
                write!(f, " | {command}")?;
            }
        }
        Ok(())
    }
}

impl Display for Name {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.quoted {
            write!(f, "`{}`", self.text)
        } else {
            f.write_str(&self.text)
        }
    }
}

impl Display for EventQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.category {
            Category::Any => f.write_str("any")?,
            Category::Named(n) => write!(f, "{n}")?,
        }
        write!(f, " where {}", self.condition)
    }
}

impl Display for Stage {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.missing {
            f.write_char('!')?;
        }
        write!(f, "[{}]", self.query)?;
        if let Some(fork) = self.fork {
            write!(f, " fork={fork}")?;
        }
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            join(f, &self.by, ", ")?;
        }
        if let Some(runs) = self.runs {
            write!(f, " with runs={runs}")?;
        }
        Ok(())
    }
}

impl Display for TimeSpan {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.value, self.unit.as_deref().unwrap_or(""))
    }
}

fn stages(f: &mut Formatter<'_>, list: &[Stage], until: &Option<Stage>) -> fmt::Result {
    for stage in list {
        write!(f, " {stage}")?;
    }
    if let Some(until) = until {
        write!(f, " until {until}")?;
    }
    Ok(())
}

impl Display for Sequence {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("sequence")?;
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            join(f, &self.by, ", ")?;
        }
        if let Some(span) = &self.maxspan {
            write!(f, " with maxspan={span}")?;
        }
        stages(f, &self.stages, &self.until)
    }
}

impl Display for Sample {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("sample")?;
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            join(f, &self.by, ", ")?;
        }
        stages(f, &self.stages, &None)
    }
}

impl Display for Join {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("join")?;
        if !self.by.is_empty() {
            f.write_str(" by ")?;
            join(f, &self.by, ", ")?;
        }
        stages(f, &self.stages, &self.until)
    }
}

impl Display for Pipe {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        match &self.kind {
            PipeKind::Head(n) | PipeKind::Tail(n) => write!(f, " {n}"),
            PipeKind::Filter(e) => write!(f, " {e}"),
            PipeKind::Unique(list) | PipeKind::UniqueCount(list) | PipeKind::Count(list) | PipeKind::Sort(list) => {
                if !list.is_empty() {
                    f.write_char(' ')?;
                    join(f, list, ", ")?;
                }
                Ok(())
            }
        }
    }
}

impl Display for FieldRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.optional {
            f.write_char('?')?;
        }
        write!(f, "{}", self.base)?;
        for step in &self.path {
            match step {
                PathStep::Attr(n) => write!(f, ".{n}")?,
                PathStep::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl Display for StrLit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.style {
            StrStyle::Double => write!(f, "\"{}\"", self.text),
            StrStyle::Single => write!(f, "'{}'", self.text),
            StrStyle::Triple => write!(f, "\"\"\"{}\"\"\"", self.text),
            StrStyle::RawDouble => write!(f, "?\"{}\"", self.text),
            StrStyle::RawSingle => write!(f, "?'{}'", self.text),
        }
    }
}

/// Binding strength of a node; atoms bind tightest.
fn binding(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Not(_) => NOT_PRECEDENCE,
        ExprKind::Match { .. } | ExprKind::In { .. } => COMPARISON_PRECEDENCE,
        ExprKind::Neg(_) => SIGN_PRECEDENCE,
        _ => 9,
    }
}

fn operand(f: &mut Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if binding(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Field(r) => write!(f, "{r}"),
            ExprKind::Null => f.write_str("null"),
            ExprKind::Bool(b) => write!(f, "{b}"),
            ExprKind::Number(n) => f.write_str(n),
            ExprKind::Str(s) => write!(f, "{s}"),
            ExprKind::Call {
                name,
                insensitive,
                args,
            } => {
                write!(f, "{name}{}(", if *insensitive { "~" } else { "" })?;
                join(f, args, ", ")?;
                f.write_char(')')
            }
            ExprKind::Not(inner) => {
                f.write_str("not ")?;
                operand(f, inner, NOT_PRECEDENCE)
            }
            ExprKind::Neg(inner) => {
                f.write_char('-')?;
                operand(f, inner, 9)
            }
            ExprKind::Binary { op, left, right } => {
                let prec = op.precedence();
                // Comparisons do not chain: both sides bind tighter.
                let (lmin, rmin) = if prec == COMPARISON_PRECEDENCE {
                    (prec + 1, prec + 1)
                } else {
                    (prec, prec + 1)
                };
                operand(f, left, lmin)?;
                write!(f, " {} ", op.as_str())?;
                operand(f, right, rmin)
            }
            ExprKind::Match {
                op,
                negated,
                left,
                patterns,
                list,
            } => {
                operand(f, left, COMPARISON_PRECEDENCE + 1)?;
                match (op, negated) {
                    (MatchOp::Colon, true) => f.write_str(" !: ")?,
                    (MatchOp::Colon, false) => f.write_str(" : ")?,
                    (op, _) => write!(f, " {} ", op.as_str())?,
                }
                if *list {
                    f.write_char('(')?;
                    join(f, patterns, ", ")?;
                    f.write_char(')')
                } else {
                    for p in patterns {
                        operand(f, p, COMPARISON_PRECEDENCE + 1)?;
                    }
                    Ok(())
                }
            }
            ExprKind::In {
                left,
                list,
                insensitive,
                negated,
            } => {
                operand(f, left, COMPARISON_PRECEDENCE + 1)?;
                f.write_str(if *negated { " not in" } else { " in" })?;
                f.write_str(if *insensitive { "~ (" } else { " (" })?;
                join(f, list, ", ")?;
                f.write_char(')')
            }
            ExprKind::Lineage { relation, query } => write!(f, "{} of [{query}]", relation.as_str()),
            ExprKind::Group(inner) => write!(f, "({inner})"),
        }
    }
}
