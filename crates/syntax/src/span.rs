//! Byte spans into a source held by a [`crate::SourceMap`].

use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Range;

/// Identifies one text in a [`crate::SourceMap`]: a query, a rule file, a macro body or a macro
/// expansion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceId(pub u32);

/// A byte range `start..end` in the source `source`.
///
/// Spans never take part in equality or hashing: two syntax trees that differ only in where
/// their nodes came from compare equal, so a parsed tree can be compared with one built by hand
/// and a printed-then-reparsed tree with the original.
#[derive(Clone, Copy, Default)]
pub struct Span {
    pub source: SourceId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(source: SourceId, range: Range<usize>) -> Span {
        Span {
            source,
            start: to_u32(range.start),
            end: to_u32(range.end.max(range.start)),
        }
    }

    /// A zero-length span at `offset`.
    pub fn point(source: SourceId, offset: usize) -> Span {
        Span::new(source, offset..offset)
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(&self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both (both must be in the same source; otherwise `self`).
    pub fn to(self, other: Span) -> Span {
        if self.source != other.source {
            return self;
        }
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}

impl Eq for Span {}

impl Hash for Span {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// Anything that knows where it came from.
pub trait Spanned {
    fn span(&self) -> Span;
}
