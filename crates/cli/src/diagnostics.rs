//! Rendering diagnostics: the query with a caret under the span, rustc-style. A span inside a
//! macro expansion is shown in the macro's body, with the backtick call that brought it in.

use annotate_snippets::{Level, Renderer, Snippet};
use quarry_syntax::{Diagnostic, Severity, SourceId, SourceMap, Span};
use std::io::IsTerminal;

/// Should stderr get colours? Only on a terminal, and never with `NO_COLOR` set.
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn level(severity: Severity, primary: bool) -> Level {
    match (severity, primary) {
        (Severity::Error, true) => Level::Error,
        (Severity::Warning, true) => Level::Warning,
        (Severity::Note, true) => Level::Note,
        (_, false) => Level::Info,
    }
}

/// Renders one diagnostic with its source text.
pub fn render(d: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    struct Note {
        span: Span,
        label: String,
        primary: bool,
    }
    let mut by_source: Vec<(SourceId, Vec<Note>)> = Vec::new();
    let mut push = |span: Span, label: String, primary: bool| {
        let source = span.source;
        match by_source.iter_mut().find(|(s, _)| *s == source) {
            Some((_, notes)) => notes.push(Note { span, label, primary }),
            None => by_source.push((source, vec![Note { span, label, primary }])),
        }
    };
    for label in &d.labels {
        let (span, call_site) = sources.resolve(label.span);
        push(span, label.message.clone(), label.primary);
        if let Some(call) = call_site {
            if call.source != span.source || call.range() != span.range() {
                push(call, "in the expansion of this macro".into(), false);
            }
        }
    }
    let title = d.message.clone();
    let code = d.code.as_str();
    let origins: Vec<String> = by_source
        .iter()
        .map(|(id, _)| sources.get(*id).map(|s| s.name.clone()).unwrap_or_default())
        .collect();
    let mut message = level(d.severity, true).title(&title).id(code);
    for ((id, notes), origin) in by_source.iter().zip(&origins) {
        let Some(source) = sources.get(*id) else { continue };
        let text = source.text.as_str();
        let mut snippet = Snippet::source(text)
            .line_start(source.first_line)
            .origin(origin)
            .fold(true);
        for note in notes {
            let mut range = note.span.range();
            range.end = range.end.min(text.len());
            range.start = range.start.min(range.end);
            snippet = snippet.annotation(level(d.severity, note.primary).span(range).label(&note.label));
        }
        message = message.snippet(snippet);
    }
    for help in &d.help {
        message = message.footer(Level::Help.title(help));
    }
    for note in &d.notes {
        message = message.footer(Level::Note.title(note));
    }
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let text = renderer.render(message).to_string();
    text
}

/// Renders several diagnostics, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    diagnostics
        .iter()
        .map(|d| render(d, sources, color))
        .collect::<Vec<_>>()
        .join("\n\n")
}
