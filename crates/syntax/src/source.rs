//! The texts that spans point into, and how macro expansions map back to what the user wrote.

use crate::span::{SourceId, Span};
use std::ops::Range;

/// What a source is, for rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A query typed on the command line or in the REPL.
    Query,
    /// A file (rule file, macros.conf, profile).
    File,
    /// The definition of a search macro.
    MacroBody { macro_name: String },
    /// A query after macro expansion; each segment says where its text came from.
    Expansion { of: SourceId, segments: Vec<Segment> },
}

/// A piece of an expanded text and its origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Byte range in the expanded text.
    pub expanded: Range<usize>,
    /// Where the bytes came from: a range of another source. For text taken from a macro body,
    /// `call_site` is the backtick call in the outermost source that caused the expansion.
    pub origin: Span,
    pub call_site: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
    pub kind: SourceKind,
    /// Line the text starts on within `name` (for queries embedded in rule files), 1-based.
    pub first_line: usize,
}

/// Every text a diagnostic may point into.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    sources: Vec<Source>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>, kind: SourceKind) -> SourceId {
        self.add_at_line(name, text, kind, 1)
    }

    pub fn add_at_line(
        &mut self,
        name: impl Into<String>,
        text: impl Into<String>,
        kind: SourceKind,
        first_line: usize,
    ) -> SourceId {
        let id = SourceId(u32::try_from(self.sources.len()).unwrap_or(u32::MAX));
        self.sources.push(Source {
            name: name.into(),
            text: text.into(),
            kind,
            first_line,
        });
        id
    }

    pub fn get(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(id.0 as usize)
    }

    pub fn text(&self, id: SourceId) -> &str {
        self.get(id).map(|s| s.text.as_str()).unwrap_or("")
    }

    pub fn snippet(&self, span: Span) -> &str {
        let text = self.text(span.source);
        text.get(span.range()).unwrap_or("")
    }

    /// Maps a span in an expanded text back to the text the user wrote. Returns the span in the
    /// original source and, when the span falls inside macro-produced text, the call site.
    pub fn resolve(&self, span: Span) -> (Span, Option<Span>) {
        let Some(source) = self.get(span.source) else {
            return (span, None);
        };
        let SourceKind::Expansion { segments, .. } = &source.kind else {
            return (span, None);
        };
        let start = span.start as usize;
        let end = span.end as usize;
        let segment = segments
            .iter()
            .find(|s| s.expanded.start <= start && start < s.expanded.end)
            .or_else(|| segments.iter().find(|s| s.expanded.end == start))
            .or_else(|| segments.last());
        let Some(segment) = segment else {
            return (span, None);
        };
        let offset = start.saturating_sub(segment.expanded.start);
        let origin_start = segment.origin.start as usize + offset;
        let inner_end = end.min(segment.expanded.end);
        let origin_end = (origin_start + inner_end.saturating_sub(start)).min(segment.origin.end as usize);
        let mapped = Span::new(segment.origin.source, origin_start..origin_end.max(origin_start));
        // A span that runs past its segment covers text of several origins: widen it to the end
        // of the last segment it touches when that segment shares the source.
        if end > segment.expanded.end {
            if let Some(last) = segments
                .iter()
                .rev()
                .find(|s| s.expanded.start < end && s.origin.source == segment.origin.source)
            {
                let last_end = last.origin.start as usize + (end - last.expanded.start).min(last.expanded.len());
                let widened = Span::new(mapped.source, mapped.start as usize..last_end.max(mapped.end as usize));
                return (widened, segment.call_site);
            }
        }
        (mapped, segment.call_site)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, id: SourceId, offset: usize) -> (usize, usize) {
        let text = self.text(id);
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count();
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = before.get(line_start..).map(|s| s.chars().count()).unwrap_or(0) + 1;
        let first = self.get(id).map(|s| s.first_line).unwrap_or(1);
        (line + first, col)
    }
}
