//! The languages of a pipeline, for `quarry check`: where an EQL query switches to SPL, and
//! which language each stage of a `sequence` command is in. Plain queries have no parts.

use crate::lang::Lang;
use quarry_syntax::spl::ast::{Command, Pipeline, SequenceStage};
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{SourceKind, SourceMap};

/// A query's parts: the label for its `ok:` line and the lines under it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// `eql`, `spl`, or `eql, then spl`.
    pub label: String,
    pub lines: Vec<String>,
}

/// Describes `text` in `lang`. A query that does not parse gets the bare language (its
/// errors are reported elsewhere).
pub fn describe(text: &str, lang: Lang, macros: &MacroLibrary) -> Parts {
    let mut sources = SourceMap::new();
    let id = sources.add("query", text, SourceKind::Query);
    let mut parts = Parts {
        label: lang.name().to_string(),
        lines: Vec::new(),
    };
    match lang {
        Lang::Eql => {
            let Ok(mut query) = quarry_syntax::eql::parse_query(text, id) else {
                return parts;
            };
            let Some(spl) = query.spl.take() else { return parts };
            parts.label = "eql, then spl".into();
            parts.lines.push(format!("  eql: {query}"));
            let commands: Vec<String> = spl.commands.iter().map(|c| c.to_string()).collect();
            parts.lines.push(format!("  spl: | {}", commands.join(" | ")));
            stage_lines(&spl, &mut parts.lines);
        }
        Lang::Spl => {
            let Ok((_, pipeline)) = quarry_engine::spl::parse(&mut sources, id, macros) else {
                return parts;
            };
            if pipeline.commands.iter().any(|c| matches!(c, Command::Sequence(_))) {
                parts.lines.push(format!("  spl: {pipeline}"));
                stage_lines(&pipeline, &mut parts.lines);
            }
        }
    }
    parts
}

/// A line per stage of each `sequence` command, with its language.
fn stage_lines(pipeline: &Pipeline, lines: &mut Vec<String>) {
    let line = |name: String, stage: &SequenceStage| format!("    {name} ({}): {}", stage.body.language(), stage.body);
    for command in &pipeline.commands {
        let Command::Sequence(s) = command else { continue };
        for (n, stage) in s.stages.iter().enumerate() {
            lines.push(line(format!("stage {}", n + 1), stage));
        }
        if let Some(until) = &s.until {
            lines.push(line("until".into(), until));
        }
    }
}
