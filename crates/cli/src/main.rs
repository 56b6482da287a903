//! The `quarry` command.

use clap::{Parser, Subcommand};

// Events are many small allocations (parsed JSON, field values); mimalloc serves them faster
// than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use quarry_cli::commands::{check, gen, lint, port, query, repl, run, test};

#[derive(Parser)]
#[command(
    name = "quarry",
    version,
    about = "Run Splunk SPL and Elastic EQL detections, verbatim, over JSON logs",
    long_about = "Quarry runs Splunk SPL and Elastic EQL queries and detection rules over \
newline-delimited JSON logs (plain, gzip or stdin), with the semantics of Splunk and \
Elasticsearch.\n\nExit codes: 0 ok, 1 query or rule error, 2 input error, 3 resource limit."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an ad-hoc query over log files.
    Query(query::QueryArgs),
    /// Run rule files over log files and print one alert per result.
    Run(run::RunArgs),
    /// Check that queries or rule files parse and that everything they use is supported.
    Check(check::CheckArgs),
    /// Run the test cases that rule files declare and report what differs.
    Test(test::TestArgs),
    /// Explain why rules cannot do what they say: findings with the cause underlined.
    Lint(lint::LintArgs),
    /// A porting report over rule repositories: per rule whether it parses and runs, what is
    /// missing, lint findings and (with --input) its alerts; then a summary.
    Port(port::PortArgs),
    /// Generate sample logs (deterministic), optionally with injected attacks.
    Gen(gen::GenArgs),
    /// An interactive shell: load logs once, then query them (also plain `quarry` at a terminal).
    Repl(repl::ReplArgs),
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(_) if repl::wanted_without_arguments() => Cli::parse_from(["quarry", "repl"]),
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Query(args) => query::run(args),
        Command::Run(args) => run::run(args),
        Command::Check(args) => check::run(args),
        Command::Test(args) => test::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Port(args) => port::run(args),
        Command::Gen(args) => gen::run(args),
        Command::Repl(args) => repl::run(args),
    };
    let code = match result {
        Ok(exit) => exit,
        Err(failure) => {
            eprintln!("quarry: error: {}", failure.message);
            failure.exit
        }
    };
    std::process::exit(code as i32);
}

#[cfg(test)]
mod tests {
    #[test]
    fn exit_codes_are_stable() {
        assert_eq!(quarry_cli::Exit::QueryError as i32, 1);
        assert_eq!(quarry_cli::Exit::InputError as i32, 2);
        assert_eq!(quarry_cli::Exit::Limit as i32, 3);
    }
}
