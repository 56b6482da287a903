//! From SPL text to a plan: macro expansion, parsing, lowering.

use crate::eql::EqlOptions;
use crate::lookup::LookupRegistry;
use crate::lower;
use crate::plan::{EventOrder, Plan};
use quarry_syntax::spl::ast::Pipeline;
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::spl::parse_pipeline;
use quarry_syntax::{Diagnostic, SourceId, SourceMap};
use std::sync::Arc;

/// A query ready to run, with the tree it came from.
#[derive(Clone, Debug)]
pub struct CompiledSpl {
    /// The expanded query text's source.
    pub expanded: SourceId,
    pub pipeline: Pipeline,
    pub plan: Plan,
}

/// Expands macros in source `query` and parses it.
pub fn parse(
    sources: &mut SourceMap,
    query: SourceId,
    macros: &MacroLibrary,
) -> Result<(SourceId, Pipeline), Vec<Diagnostic>> {
    let expanded = macros.expand(sources, query)?;
    let text = sources.text(expanded).to_string();
    let pipeline = parse_pipeline(&text, expanded)?;
    Ok((expanded, pipeline))
}

/// Expands, parses and lowers source `query`.
pub fn compile(
    sources: &mut SourceMap,
    query: SourceId,
    macros: &MacroLibrary,
    order: EventOrder,
) -> Result<CompiledSpl, Vec<Diagnostic>> {
    compile_with(sources, query, macros, order, &EqlOptions::default())
}

/// Expands, parses and lowers source `query`; `eql` gives the options of its `sequence`
/// commands (category field, tiebreaker, reorder window, limits).
pub fn compile_with(
    sources: &mut SourceMap,
    query: SourceId,
    macros: &MacroLibrary,
    order: EventOrder,
    eql: &EqlOptions,
) -> Result<CompiledSpl, Vec<Diagnostic>> {
    compile_with_lookups(sources, query, macros, order, eql, &Arc::new(LookupRegistry::new()))
}

/// As [`compile_with`], with the lookup tables `lookup` and `inputlookup` read.
pub fn compile_with_lookups(
    sources: &mut SourceMap,
    query: SourceId,
    macros: &MacroLibrary,
    order: EventOrder,
    eql: &EqlOptions,
    lookups: &Arc<LookupRegistry>,
) -> Result<CompiledSpl, Vec<Diagnostic>> {
    let (expanded, pipeline) = parse(sources, query, macros)?;
    let ctx = lower::spl::SplContext {
        eql: eql.clone(),
        ordered_input: true,
        lookups: lookups.clone(),
    };
    let ops = lower::spl::lower_with(&pipeline, &ctx)?;
    Ok(CompiledSpl {
        expanded,
        pipeline,
        plan: Plan::new(ops, order),
    })
}
