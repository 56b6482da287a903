//! The abstract values of the lint's interpretation: what is known about a field or an
//! expression on every event that reaches a point of the pipeline, and why.
//!
//! The domain is small on purpose: a value is either the same constant on every event, a
//! Boolean that is never true (false or null), or unknown. Whenever every input of an
//! operation is a constant, the result is computed by the engine itself, so the lint and a
//! run agree on Splunk's semantics (division by zero, null propagation, `LIKE`, rounding).

use crate::event::{Event, FieldMap, Name};
use crate::expr::EvalContext;
use crate::ops::aggregators::AggState;
use crate::plan::AggFunc;
use crate::value::Value;
use quarry_syntax::spl::ast::{Expr, ExprKind, Ident};
use quarry_syntax::Span;

/// What is known about a value on every event.
#[derive(Clone, Debug, PartialEq)]
pub enum Abs {
    /// The same value on every event; `Value::Null` is "always null or absent".
    Const(Value),
    /// A condition that is false or null on every event, never true.
    NeverTrue,
    /// Anything.
    Unknown,
}

/// A field that is constant from some point on, and where that came from.
#[derive(Clone, Debug)]
pub struct Origin {
    pub field: String,
    pub value: Value,
    /// The assignment or aggregation that made it constant.
    pub span: Span,
    /// Why the assigned expression is constant, when that is not obvious (`the condition of
    /// this if is never true`).
    pub because: Option<String>,
}

impl Origin {
    pub fn label(&self) -> String {
        let mut text = format!("`{}` is always {}", self.field, show(&self.value));
        if let Some(because) = &self.because {
            text.push_str(": ");
            text.push_str(because);
        }
        text
    }
}

/// An abstract value with the constant fields it was computed from and, when the expression
/// itself explains the constant, a short reason.
#[derive(Clone, Debug)]
pub struct Fact {
    pub abs: Abs,
    pub origins: Vec<Origin>,
    pub because: Option<String>,
}

impl Fact {
    pub fn unknown() -> Fact {
        Fact {
            abs: Abs::Unknown,
            origins: Vec::new(),
            because: None,
        }
    }

    pub fn constant(value: Value) -> Fact {
        Fact {
            abs: Abs::Const(value),
            origins: Vec::new(),
            because: None,
        }
    }

    pub fn constant_value(&self) -> Option<&Value> {
        match &self.abs {
            Abs::Const(v) => Some(v),
            _ => None,
        }
    }

    pub fn truth(&self) -> Truth {
        match &self.abs {
            Abs::Const(Value::Bool(true)) => Truth::Always,
            Abs::Const(Value::Bool(false)) | Abs::Const(Value::Null) | Abs::NeverTrue => Truth::Never,
            _ => Truth::Maybe,
        }
    }

    /// The same knowledge, explained by the origins of `others` as well.
    pub fn with_origins_of<'a>(mut self, others: impl IntoIterator<Item = &'a Fact>) -> Fact {
        for other in others {
            merge_origins(&mut self.origins, &other.origins);
        }
        self
    }

    pub fn because(mut self, reason: impl Into<String>) -> Fact {
        self.because = Some(reason.into());
        self
    }
}

/// Adds origins not already present (by field and span).
pub fn merge_origins(into: &mut Vec<Origin>, from: &[Origin]) {
    for o in from {
        if !into
            .iter()
            .any(|x| x.field == o.field && x.span.range() == o.span.range())
        {
            into.push(o.clone());
        }
    }
}

/// Is a condition true on every event, on none, or does it depend on the event?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Truth {
    Always,
    Never,
    Maybe,
}

/// A value as the lint shows it: `0`, `null`, `"text"`.
pub fn show(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Str(s) => format!("\"{s}\""),
        Value::Bool(b) => b.to_string(),
        Value::Multi(items) => format!("({})", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        other => other.display_text(),
    }
}

/// Evaluates an eval-expression node with the engine after replacing its operands by
/// `operands` (constants). `None` when the node cannot be folded (an unknown function, a value
/// that has no literal form).
pub fn fold(node: &Expr, operands: &[Value]) -> Option<Value> {
    let mut literal_args = Vec::with_capacity(operands.len());
    for value in operands {
        literal_args.push(literal(value, node.span)?);
    }
    let rebuilt = rebuild(node, literal_args)?;
    let compiled = crate::lower::spl::lower_expr(&rebuilt).ok()?;
    Some(compiled.eval(&Event::default(), &EvalContext::new(0.0)))
}

/// Evaluates an expression that reads no field (its value is the same on every event).
pub fn evaluate(e: &Expr) -> Option<Value> {
    let compiled = crate::lower::spl::lower_expr(e).ok()?;
    Some(compiled.eval(&Event::default(), &EvalContext::new(0.0)))
}

/// The node with its operands replaced, in the order [`operands`] lists them.
fn rebuild(node: &Expr, mut args: Vec<Expr>) -> Option<Expr> {
    let kind = match &node.kind {
        ExprKind::Unary { op, .. } => ExprKind::Unary {
            op: *op,
            expr: Box::new(args.pop()?),
        },
        ExprKind::Binary { op, .. } => {
            let right = args.pop()?;
            let left = args.pop()?;
            ExprKind::Binary {
                op: *op,
                left: Box::new(left),
                right: Box::new(right),
            }
        }
        ExprKind::In { .. } => {
            if args.is_empty() {
                return None;
            }
            let expr = args.remove(0);
            ExprKind::In {
                expr: Box::new(expr),
                list: args,
            }
        }
        ExprKind::Call { name, .. } => ExprKind::Call {
            name: name.clone(),
            args,
        },
        ExprKind::Group(_) => return args.pop(),
        ExprKind::Field(_) | ExprKind::Str(_) | ExprKind::Number(_) => return Some(node.clone()),
    };
    Some(Expr { kind, span: node.span })
}

/// The operands of a node, in the order [`fold`] expects them.
pub fn operands(node: &Expr) -> Vec<&Expr> {
    match &node.kind {
        ExprKind::Unary { expr, .. } => vec![expr],
        ExprKind::Binary { left, right, .. } => vec![left, right],
        ExprKind::In { expr, list } => std::iter::once(&**expr).chain(list.iter()).collect(),
        ExprKind::Call { args, .. } => args.iter().collect(),
        ExprKind::Group(inner) => vec![inner],
        ExprKind::Field(_) | ExprKind::Str(_) | ExprKind::Number(_) => Vec::new(),
    }
}

/// An eval literal that evaluates to `value`.
fn literal(value: &Value, span: Span) -> Option<Expr> {
    let call = |name: &str, args: Vec<Expr>| ExprKind::Call {
        name: Ident {
            name: name.into(),
            span,
        },
        args,
    };
    let kind = match value {
        Value::Null => call("null", Vec::new()),
        Value::Bool(true) => call("true", Vec::new()),
        Value::Bool(false) => call("false", Vec::new()),
        Value::Int(i) => ExprKind::Number(i.to_string()),
        Value::Float(f) if f.is_finite() => ExprKind::Number(format!("{f:?}")),
        Value::Str(s) => ExprKind::Str(s.replace('\\', "\\\\").replace('"', "\\\"")),
        Value::Multi(items) => call(
            "mvappend",
            items.iter().map(|i| literal(i, span)).collect::<Option<Vec<_>>>()?,
        ),
        Value::Float(_) | Value::Object(_) => return None,
    };
    Some(Expr { kind, span })
}

/// The result of an aggregation over groups whose events all carry `value`, when it is the
/// same whatever the group's size (`sum` of zeros, `dc` of one value, `values` of a
/// constant). `from_zero` includes the empty group (`stats` without `by` emits a row even
/// when no event arrives). Computed by the engine's own aggregators.
pub fn aggregate_constant(func: AggFunc, value: Option<&Value>, from_zero: bool) -> Option<Value> {
    let sizes: &[usize] = if from_zero { &[0, 1, 2, 3] } else { &[1, 2, 3] };
    let mut result: Option<Value> = None;
    for &n in sizes {
        let mut state = AggState::new(func);
        for i in 0..n {
            match value {
                None => state.add_event(),
                Some(v) => state.add(v, Some(i as f64)),
            }
        }
        let r = if n == 0 {
            AggState::empty_result(func)
        } else {
            state.result()
        };
        match &result {
            None => result = Some(r),
            Some(prev) if same(prev, &r) => {}
            Some(_) => return None,
        }
    }
    result
}

/// Equal values of the same kind (`0` and `"0"` differ for the lint's purposes).
pub fn same(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && a == b
}

/// A row holding `field = value` (nothing when the value is null), for evaluating a search
/// condition on a constant field.
pub fn row_with(field: &str, value: &Value) -> Event {
    let mut fields = FieldMap::default();
    if !value.is_null() {
        fields.insert(Name::from(field), value.clone());
    }
    Event::row(fields)
}
