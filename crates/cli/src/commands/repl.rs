//! `quarry repl`: the interactive shell (see `crate::repl`).

use super::{EqlFlags, Failure, InputFlags};
use crate::lang::Lang;
use crate::output::Format;
use crate::repl::{self, Options};
use crate::Exit;
use clap::Args;

#[derive(Args, Debug)]
pub struct ReplArgs {
    /// Query language (detected per query when not given).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    /// How results are shown.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    #[command(flatten)]
    pub input: InputFlags,
    #[command(flatten)]
    pub eql: EqlFlags,
    /// Log files to load: newline-delimited JSON, a JSON array, gzip.
    pub files: Vec<String>,
}

pub fn run(args: ReplArgs) -> Result<Exit, Failure> {
    repl::run(Options {
        files: args.files,
        lang: args.lang,
        format: args.format,
        input: args.input,
        eql: args.eql,
    })
}

/// Should plain `quarry`, with no arguments, start the shell? Only when a person is at a
/// terminal on both ends.
pub fn wanted_without_arguments() -> bool {
    use std::io::IsTerminal;
    std::env::args_os().len() == 1 && std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}
