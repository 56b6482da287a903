//! Elastic's Event Query Language: syntax tree, parser and printer. One grammar covers both
//! dialects — Elasticsearch's (`:`, `like~`, `?field`, `"""raw"""`, `![missing]`, `sample`,
//! `with runs=N`) and endgame's (`=`, `'single quotes'`, `?"raw"`, pipes such as `unique` and
//! `count`, `join`, `descendant of`, `fork`) — and the engine decides what each means.

pub mod ast;
pub mod parse;
pub mod print;

pub use parse::parse_query;
