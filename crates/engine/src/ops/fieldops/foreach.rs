//! `foreach <field-pattern>... [ <subsearch> ]`: for each field of the event matching a
//! pattern, the subsearch's templates are filled in (`<<FIELD>>` with the field name,
//! `<<MATCHSTR>>` with what the `*`s matched, `<<MATCHSEG1>>`... with what each `*` matched)
//! and its commands run over the event. The filled-in subsearch is compiled once per field
//! name and kept.

use crate::event::Event;
use crate::ops::{Accounting, Flow, Operator, RunContext};
use crate::plan::{FieldPattern, Op};
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct ForeachSpec {
    pub patterns: Vec<FieldPattern>,
    /// The subsearch with its templates.
    pub template: String,
    /// `fieldstr=` (default `<<FIELD>>`).
    pub fieldstr: String,
    /// `matchstr=` (default `<<MATCHSTR>>`).
    pub matchstr: String,
    /// `matchseg1=`, `matchseg2=`, ... (default `<<MATCHSEG1>>`, ...).
    pub matchseg: Vec<String>,
}

impl ForeachSpec {
    /// The subsearch for one field.
    pub fn fill(&self, field: &str, parts: &[String]) -> String {
        let mut text = self.template.replace(&self.fieldstr, field);
        text = text.replace(&self.matchstr, &parts.concat());
        for (k, seg) in self.matchseg.iter().enumerate() {
            text = text.replace(seg, parts.get(k).map(String::as_str).unwrap_or(""));
        }
        text
    }
}

pub struct Foreach {
    spec: ForeachSpec,
    compiled: HashMap<String, Option<Vec<Box<dyn Operator>>>>,
    failed: Vec<String>,
}

impl Foreach {
    pub fn new(spec: ForeachSpec) -> Foreach {
        Foreach {
            spec,
            compiled: HashMap::new(),
            failed: Vec::new(),
        }
    }
}

impl Operator for Foreach {
    fn push(&mut self, batch: &mut Vec<Event>, ctx: &RunContext) -> Flow {
        let mut out = Vec::with_capacity(batch.len());
        for event in batch.drain(..) {
            let mut one = vec![event];
            let names = super::matching_fields(&one[0], &self.spec.patterns);
            for name in names {
                let parts = self
                    .spec
                    .patterns
                    .iter()
                    .find_map(|p| p.captures(&name))
                    .unwrap_or_default();
                let text = self.spec.fill(&name, &parts);
                let ops =
                    self.compiled.entry(text.clone()).or_insert_with(
                        || match crate::lower::fieldcmds::compile_subsearch(&text) {
                            Ok(ops) => Some(crate::ops::build_chain(&ops)),
                            Err(message) => {
                                self.failed
                                    .push(format!("foreach: `{text}` does not compile: {message}"));
                                None
                            }
                        },
                    );
                let Some(ops) = ops else { continue };
                for op in ops.iter_mut() {
                    if one.is_empty() {
                        break;
                    }
                    if op.push(&mut one, ctx) == Flow::Stop && ctx.limits.tripped() {
                        // A command inside hit a limit (`mvexpand` over the memory budget).
                        // Returning drops the rest of the batch (it is being drained).
                        return Flow::Stop;
                    }
                }
                if one.is_empty() {
                    break;
                }
            }
            out.append(&mut one);
        }
        *batch = out;
        Flow::Continue
    }

    fn account(&self, acc: &mut Accounting) {
        for f in &self.failed {
            acc.note(f.clone());
        }
    }
}

/// The plan operators a subsearch may use inside `foreach`: those that look at one event.
pub fn allowed_in_foreach(op: &Op) -> bool {
    match op {
        Op::Search(_) | Op::Filter(_) | Op::Assign(_) | Op::Bucket(_) | Op::Rename(_) => true,
        Op::FieldOp(f) => f.keeps_order() && !matches!(f, super::FieldOp::AddTotals(_)),
        _ => false,
    }
}
