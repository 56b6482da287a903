//! One parser per command; this module dispatches on the command name.

mod bin;
mod dedup;
mod eval;
mod fieldcmds;
mod fields;
mod fillnull;
mod format;
mod head;
mod iplocation;
mod join;
mod lookup;
mod makeresults;
mod map;
mod rename;
mod search;
mod sequence;
mod sort;
mod stats;
mod streamstats;
mod table;
mod timechart;
mod top;
mod transaction;
mod tstats;
mod unsupported;
mod where_;

use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::input::*;
use crate::spl::ast::{Command, StatsKind};
use crate::spl::commands::{is_splunk_command, IMPLEMENTED};

/// The first command of a query: a command name, or search terms (an implicit `search`).
pub fn first_command(i: Input) -> PResult<Command> {
    if let Ok((rest, name)) = ident(i) {
        if name.is("search") && at_word_end(&rest) {
            return search::parse(rest, i);
        }
    }
    search::parse_implicit(i)
}

fn at_word_end(i: &Input) -> bool {
    i.fragment().is_empty() || i.fragment().starts_with(|c: char| c.is_whitespace() || c == '|')
}

/// A command after a `|`.
pub fn command(i: Input) -> PResult<Command> {
    let start = i;
    let (rest, name) = match ident(i) {
        Ok(ok) => ok,
        Err(_) => return fatal(i, Expected::CommandName),
    };
    let lower = name.name.to_ascii_lowercase();
    match lower.as_str() {
        "search" => search::parse(rest, start),
        "where" => where_::parse(rest, start),
        "eval" => eval::parse(rest, start),
        "stats" => stats::parse(rest, start, StatsKind::Stats),
        "eventstats" => stats::parse(rest, start, StatsKind::EventStats),
        "streamstats" => streamstats::parse(rest, start),
        "bin" => bin::parse(rest, start, false),
        "bucket" => bin::parse(rest, start, true),
        "fillnull" => fillnull::parse(rest, start),
        "fields" => fields::parse(rest, start),
        "table" => table::parse(rest, start),
        "rename" => rename::parse(rest, start),
        "sort" => sort::parse(rest, start),
        "head" => head::parse_head(rest, start),
        "tail" => head::parse_tail(rest, start),
        "dedup" => dedup::parse(rest, start),
        "iplocation" => iplocation::parse(rest, start),
        "sequence" => sequence::parse(rest, start),
        "lookup" => lookup::parse_lookup(rest, start),
        "inputlookup" => lookup::parse_inputlookup(rest, start),
        "outputlookup" => lookup::parse_outputlookup(rest, start),
        "join" => join::parse_join(rest, start),
        "append" => join::parse_append(rest, start, false),
        "appendpipe" => join::parse_append(rest, start, true),
        "makeresults" => makeresults::parse(rest, start),
        "transaction" => transaction::parse(rest, start),
        "top" => top::parse(rest, start, false),
        "rare" => top::parse(rest, start, true),
        "timechart" => timechart::parse(rest, start),
        "format" => format::parse_format(rest, start),
        "return" => format::parse_return(rest, start),
        "convert" => fieldcmds::convert(rest, start),
        "rex" => fieldcmds::rex(rest, start),
        "regex" => fieldcmds::regex(rest, start),
        "spath" => fieldcmds::spath(rest, start),
        "replace" => fieldcmds::replace(rest, start),
        "foreach" => fieldcmds::foreach(rest, start),
        "fromjson" | "xmlkv" | "makemv" | "mvexpand" | "mvcombine" | "addtotals" => {
            fieldcmds::options_and_fields(rest, start, &lower)
        }
        "tstats" => tstats::parse(rest, start),
        "map" => map::parse(rest, start, name),
        "datamodel" => tstats::parse_datamodel(rest, start),
        "from" => tstats::parse_from(rest, start),
        _ if is_splunk_command(&lower) => unsupported::parse(rest, start, name),
        _ => {
            let mut d = Diagnostic::error(
                Code::Unknown,
                format!("unsupported: {} (not a Splunk command)", name.name),
            )
            .with_label(name.span, "unknown command");
            if let Some(near) = did_you_mean(&name.name, IMPLEMENTED.iter().copied()) {
                d = d.with_help(format!("did you mean `{near}`?"));
            }
            Err(nom::Err::Failure(PError::with_diagnostic(&start, d)))
        }
    }
}
