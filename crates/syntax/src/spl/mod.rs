//! Splunk's Search Processing Language: syntax tree, parser, printer and macros.

pub mod ast;
pub mod commands;
pub mod fieldcmds;
pub mod macros;
pub mod multi;
pub mod parse;
pub mod print;

pub use parse::parse_pipeline;
