//! The aggregations of one group, shared by `stats`, `eventstats` and `streamstats`: what an
//! event gives each aggregation ([`Inputs`]), the states those inputs feed ([`Slots`]), and
//! the named results.

use super::aggregators::AggState;
use super::RunContext;
use crate::event::{Event, Name};
use crate::plan::{AggFunc, AggInput, AggSpec, FieldPattern};
use crate::value::Value;
use indexmap::IndexMap;

/// What one event gives one aggregation.
#[derive(Clone, Debug)]
pub enum Input {
    /// `count` without a field: the event itself.
    Event,
    Value(Value),
    /// A wildcard aggregation (`values(*)`): every matching field with its value.
    Fields(Vec<(Name, Value)>),
}

/// What one event gives each aggregation, in order, with the event's time.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub time: Option<f64>,
    pub values: Vec<Input>,
}

impl Inputs {
    /// Reads the inputs of `specs` from `event`; a wildcard never matches a by-field.
    pub fn read(specs: &[AggSpec], by: &[Name], event: &Event, ctx: &RunContext) -> Inputs {
        let values = specs
            .iter()
            .map(|spec| match &spec.input {
                AggInput::Events => Input::Event,
                AggInput::Field(name) => Input::Value(event.get(name)),
                AggInput::Expr(expr) => Input::Value(match expr.eval(event, &ctx.eval) {
                    // A condition counts where it is true: `count(eval(x="a"))`.
                    Value::Bool(true) => Value::str("True"),
                    Value::Bool(false) => Value::Null,
                    other => other,
                }),
                // A row (a `stats` result, say) is its fields: no name needs looking up.
                AggInput::Wildcard(pattern) if event.doc.is_none() && event.fill.is_none() => Input::Fields(
                    event
                        .fields
                        .iter()
                        .filter(|(name, value)| !value.is_null() && pattern.matches(name) && !by.contains(*name))
                        .map(|(name, value)| (name.clone(), value.clone()))
                        .collect(),
                ),
                AggInput::Wildcard(pattern) => Input::Fields(
                    event
                        .field_names()
                        .into_iter()
                        .filter(|name| pattern.matches(name) && !by.contains(name))
                        .map(|name| {
                            let value = event.get(&name);
                            (name, value)
                        })
                        .collect(),
                ),
            })
            .collect();
        Inputs {
            time: event.time(),
            values,
        }
    }
}

/// One aggregation's state, and whether it has seen a value that is not a number (for
/// `allnum=true`).
#[derive(Clone, Debug)]
struct Tracked {
    state: AggState,
    non_numeric: bool,
}

impl Tracked {
    fn new(func: AggFunc) -> Tracked {
        Tracked {
            state: AggState::new(func),
            non_numeric: false,
        }
    }

    fn add(&mut self, value: &Value, time: Option<f64>) {
        if value.iter().any(|v| v.as_number().is_none()) {
            self.non_numeric = true;
        }
        self.state.add(value, time);
    }

    fn result(&self, func: AggFunc, allnum: bool) -> Value {
        if allnum && self.non_numeric && numeric_only(func) {
            return Value::Null;
        }
        self.state.result()
    }
}

/// Functions that compute on numbers alone, which `allnum=true` withholds once a value is not
/// a number (`min` and `max` also order text, so they are not among them).
fn numeric_only(func: AggFunc) -> bool {
    matches!(
        func,
        AggFunc::Sum
            | AggFunc::SumSq
            | AggFunc::Avg
            | AggFunc::Stdev
            | AggFunc::StdevP
            | AggFunc::Var
            | AggFunc::VarP
            | AggFunc::Range
            | AggFunc::Median
            | AggFunc::Percentile(_)
    )
}

#[derive(Clone, Debug)]
enum Slot {
    Fixed(Tracked),
    /// A wildcard aggregation: one state per field name.
    Wildcard(IndexMap<Name, Tracked, ahash::RandomState>),
}

/// The states of every aggregation of one group.
#[derive(Clone, Debug)]
pub struct Slots(Vec<Slot>);

impl Slots {
    pub fn new(specs: &[AggSpec]) -> Slots {
        Slots(
            specs
                .iter()
                .map(|a| match a.input {
                    AggInput::Wildcard(_) => Slot::Wildcard(IndexMap::default()),
                    _ => Slot::Fixed(Tracked::new(a.func)),
                })
                .collect(),
        )
    }

    /// Feeds one event's inputs (read with the same `specs`).
    pub fn add(&mut self, specs: &[AggSpec], inputs: &Inputs) {
        for ((spec, slot), input) in specs.iter().zip(self.0.iter_mut()).zip(&inputs.values) {
            match (input, slot) {
                (Input::Event, Slot::Fixed(t)) => t.state.add_event(),
                (Input::Value(value), Slot::Fixed(t)) => t.add(value, inputs.time),
                (Input::Fields(fields), Slot::Wildcard(states)) => {
                    for (name, value) in fields {
                        states
                            .entry(name.clone())
                            .or_insert_with(|| Tracked::new(spec.func))
                            .add(value, inputs.time);
                    }
                }
                _ => {}
            }
        }
    }

    /// The aggregate fields, in output order; a wildcard aggregation gives one field per
    /// field name, sorted by name.
    pub fn results(&self, specs: &[AggSpec], allnum: bool) -> Vec<(Name, Value)> {
        let mut out = Vec::new();
        for (spec, slot) in specs.iter().zip(&self.0) {
            match slot {
                Slot::Fixed(t) => out.push((Name::from(spec.output.as_str()), t.result(spec.func, allnum))),
                Slot::Wildcard(states) => {
                    let AggInput::Wildcard(pattern) = &spec.input else {
                        continue;
                    };
                    let output = FieldPattern::new(&spec.output);
                    let mut names: Vec<&Name> = states.keys().collect();
                    names.sort();
                    for name in names {
                        let parts = pattern.captures(name).unwrap_or_default();
                        let out_name = if output.is_wildcard() {
                            output.fill(&parts)
                        } else {
                            spec.output.clone()
                        };
                        out.push((Name::from(out_name), states[name].result(spec.func, allnum)));
                    }
                }
            }
        }
        out
    }
}
