//! quarry-syntax: the front ends of Quarry's query languages.
//!
//! Each language has a syntax tree that is plain data with a span on every node, a parser that
//! reports [`Diagnostic`]s with spans, and a printer (`Display`) whose output parses back to an
//! equal tree. Meaning is not decided here: the engine lowers these trees into its plan.

pub mod diagnostic;
pub mod eql;
pub mod input;
pub mod source;
pub mod span;
pub mod spl;

pub use diagnostic::{Code, Diagnostic, Label, Severity};
pub use source::{SourceKind, SourceMap};
pub use span::{SourceId, Span, Spanned};
