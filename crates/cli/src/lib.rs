//! quarry-cli: the `quarry` command's building blocks — rendering diagnostics and results,
//! rule files, the shipped library, and the subcommands — shared by the binary and the REPL.

pub mod commands;
pub mod diagnostics;
pub mod fit;
pub mod gen;
pub mod lang;
pub mod library;
pub mod output;
pub mod parts;
pub mod port;
pub mod repl;
pub mod rules;
pub mod upstream;

/// Exit codes of `quarry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Everything ran.
    Ok = 0,
    /// A query or rule could not be parsed or planned (or a check failed).
    QueryError = 1,
    /// An input could not be read (missing file, broken gzip, a line over the limit, or a bad
    /// line under `--strict`).
    InputError = 2,
    /// A resource limit stopped the run.
    Limit = 3,
}
