//! Template for a new command parser: copy this file to `<name>.rs`, rename, add the module
//! and the dispatch arm in `mod.rs`, the AST struct in `spl/ast.rs`, the printer arm in
//! `spl/print.rs`, and the operator in the engine. Not compiled.
//!
//! ```ignore
//! use crate::input::*;
//! use crate::spl::ast::{Command, MyCommand};
//!
//! /// After the command name: `mycommand [opt=value]... <field>`.
//! pub fn parse<'a>(i: Input<'a>, start: Input<'a>) -> PResult<'a, Command> {
//!     let mut i = sp(i);
//!     let mut options = Vec::new();
//!     while looks_like_option(&i) {
//!         let (rest, opt) = option(i)?;
//!         options.push(opt);
//!         i = sp(rest);
//!     }
//!     let (rest, field) = commit(field(i))?;
//!     Ok((rest, Command::MyCommand(MyCommand { options, field, span: span_between(&start, &rest) })))
//! }
//! ```
