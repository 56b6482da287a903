//! What each fuzz target does with its input, shared by the cargo-fuzz targets in `fuzz/` and
//! by the crash regressions in `tests/fuzz_regressions.rs` (which run on stable, in CI).
//!
//! Every function takes arbitrary bytes and must return without panicking, overflowing the
//! stack or hanging; the assertions inside are the properties the fuzzer checks.
#![allow(dead_code)]

use quarry_engine::eql::EqlOptions;
use quarry_engine::event::Event;
use quarry_engine::input::{read_bytes, Flow, ReadOptions, ReadSummary};
use quarry_engine::limits::Limits;
use quarry_engine::ops::RunContext;
use quarry_engine::plan::{EventOrder, Plan};
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{SourceKind, SourceMap};
use std::sync::OnceLock;

/// SPL: parse; a parsed pipeline prints, and its printed form parses again; lowering never
/// panics.
pub fn spl_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceMap::new();
    let id = sources.add("query", text, SourceKind::Query);
    let Ok(pipeline) = quarry_syntax::spl::parse_pipeline(text, id) else {
        return;
    };
    let printed = pipeline.to_string();
    let again = sources.add("printed", printed.as_str(), SourceKind::Query);
    let _ = quarry_syntax::spl::parse_pipeline(&printed, again);
    let _ = quarry_engine::lower::spl::lower(&pipeline);
}

/// EQL: parse, print, reparse and compile (lowering) never panic.
pub fn eql_parse(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceMap::new();
    let id = sources.add("query", text, SourceKind::Query);
    if let Ok(query) = quarry_syntax::eql::parse_query(text, id) {
        let printed = query.to_string();
        let again = sources.add("printed", printed.as_str(), SourceKind::Query);
        let _ = quarry_syntax::eql::parse_query(&printed, again);
    }
    let _ = quarry_engine::eql::compile(&sources, id, &EqlOptions::default());
}

/// Separates the macro definitions from the query in a macro-expansion input.
pub const MACRO_SEPARATOR: &str = "\n---\n";

/// Macro expansion: `macros.conf` text, [`MACRO_SEPARATOR`], then a query. Loading the
/// definitions, expanding the query and parsing the expansion never panic, and expansion
/// terminates (recursive macros are an error).
pub fn macro_expand(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (conf, query) = text.split_once(MACRO_SEPARATOR).unwrap_or(("", text));
    let mut macros = MacroLibrary::new();
    let _ = macros.load_conf(conf, "macros.conf");
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    if let Ok(expanded) = macros.expand(&mut sources, id) {
        let text = sources.text(expanded).to_string();
        let _ = quarry_syntax::spl::parse_pipeline(&text, expanded);
    }
}

/// Small limits so fuzzed inputs reach them.
fn fuzz_read_options() -> ReadOptions {
    ReadOptions {
        max_line: 512,
        batch_size: 3,
        ..ReadOptions::default()
    }
}

/// Reads `data` as an NDJSON file and checks the accounting: every line is an event, a bad
/// line, or blank; the first bad lines are kept in order.
pub fn json_read(data: &[u8]) -> (Vec<Event>, ReadSummary) {
    let opts = fuzz_read_options();
    let mut events = Vec::new();
    let mut bad = 0u64;
    let summary = read_bytes(
        data,
        "fuzz.ndjson",
        &opts,
        &mut |_| {
            bad += 1;
            Flow::Continue
        },
        &mut |batch| {
            events.extend(batch);
            Flow::Continue
        },
    );
    assert_eq!(summary.events, events.len() as u64, "events counted as read");
    assert_eq!(summary.bad_lines, bad, "every bad line reported");
    assert!(
        summary.events + summary.bad_lines <= summary.lines.max(1),
        "{summary:?}"
    );
    assert!(summary.first_bad.windows(2).all(|w| w[0].line < w[1].line));
    for e in &events {
        let _ = e.field_names();
        let _ = e.get("_raw");
    }
    (events, summary)
}

/// The fixed queries run over fuzzed events: search, eval functions, regexes (`rex`, `regex`,
/// sed), stats, sorting, dedup, streamstats, field commands (`spath`, `convert`, `mvexpand`,
/// `foreach`), joins and appends over `makeresults`, `tstats` over a data model,
/// `transaction`, `top`, `timechart`, and EQL events, sequences and pipes.
pub const SPL_QUERIES: &[&str] = &[
    "a=* OR b>1 NOT c=\"x*\" | eval n=len(tostring(a)) + tonumber(b), m=mvcount(split(c, \",\")) | where n > 0 OR isnull(m) | stats count, dc(a) as da, values(b) as vb, avg(n) as an by c",
    "| eval s=lower(a).upper(b), r=replace(tostring(c), \"(a+)+$\", \"x\"), t=strftime(_time, \"%Y-%m-%d\"), u=if(match(s, \"^[a-z]+$\"), 1, 0) | sort - s | head 5",
    "| bin _time span=1h | stats count by _time, a | sort count",
    "| streamstats count as k by a | dedup a b | table a b k | fillnull value=0",
    "| eventstats max(b) as mb by a | where b=mb | rename a as A | fields - c",
    "a{}.b=* OR \"x.y\"=1 | eval z=mvindex(a, 0), q=coalesce(b, c, \"none\") | stats earliest(b) latest(c) list(z) by q",
    "| tail 3 | eval h=trim(tostring(a)), w=urldecode(tostring(b)), x=substr(tostring(c), 2, 3)",
    "| rex field=a \"(?<w>[a-z]+)=(?<v>\\d+)\" max_match=3 | rex field=b mode=sed \"s/(x+x+)+y/z/g\" | regex c!=\"^(a+)+$\" | eval f=mvfind(split(tostring(c), \",\"), \"(a|aa)+$\") | table w v b c f",
    "| spath input=a path=b{}.c output=bc | spath input=b | eval k=mvindex(bc, 0) | fromjson c prefix=j_ | xmlkv a",
    "| eval m=split(tostring(a), \",\") | mvexpand m limit=50 | mvcombine m | makemv delim=\" \" b | foreach a* [eval <<FIELD>>_n=len(tostring('<<FIELD>>'))]",
    "| join type=left max=0 a [search b=* | fields a b c] | append [| makeresults count=3 | eval k=1 | join max=0 k [| makeresults count=2 | eval k=1, j=2]] | appendpipe [stats count by a]",
    "| tstats count values(Processes.process) as p from datamodel=Endpoint.Processes by Processes.user, _time span=1h",
    "| convert ctime(_time) as t dur2sec(a) num(b) rmunit(c) mktime(d) timeformat=\"%Y-%m-%d\" | table t a b c d",
    "| transaction a maxspan=1h maxpause=10m startswith=eval(b>1) keepevicted=true | table a eventcount duration closed_txn",
    "| top limit=2 a by b | append [search c=* | timechart span=1h count by c] | rare b",
];

pub const EQL_QUERIES: &[&str] = &[
    "any where a == \"x\" or b > 1 or startsWith~(c, \"A\") or wildcard(d, \"*z*\")",
    "sequence by a with maxspan=10m [any where b != null] [any where c : \"x*\"] until [any where d == 1]",
    "sequence [any where true] with runs=2 [any where a in (\"x\", \"y\")]",
    "any where length(a) > 2 and cidrMatch(b, \"10.0.0.0/8\") | head 3",
    "sample by a [any where b > 0] [any where c != null]",
];

struct Compiled {
    spl: Vec<Plan>,
    eql: Vec<Plan>,
}

fn compiled() -> &'static Compiled {
    static PLANS: OnceLock<Compiled> = OnceLock::new();
    PLANS.get_or_init(|| {
        let macros = MacroLibrary::new();
        let spl = SPL_QUERIES
            .iter()
            .filter_map(|q| {
                let mut sources = SourceMap::new();
                let id = sources.add("query", *q, SourceKind::Query);
                quarry_engine::spl::compile(&mut sources, id, &macros, EventOrder::NewestFirst)
                    .ok()
                    .map(|c| c.plan)
            })
            .collect();
        let eql = EQL_QUERIES
            .iter()
            .filter_map(|q| {
                let mut sources = SourceMap::new();
                let id = sources.add("query", *q, SourceKind::Query);
                let opts = EqlOptions {
                    category_field: "event_type".into(),
                    max_partials: 8,
                    ..EqlOptions::default()
                };
                quarry_engine::eql::compile(&sources, id, &opts).ok()
            })
            .collect();
        Compiled { spl, eql }
    })
}

/// How many of the fixed queries compile (all of them should; checked by a regression test).
pub fn compiled_query_count() -> (usize, usize) {
    let c = compiled();
    (c.spl.len(), c.eql.len())
}

/// The memory budget of each query run over fuzzed events.
const FUZZ_MAX_MEMORY: usize = 64 << 20;

/// Runs every fixed query over the events read from `data`.
pub fn query_eval(data: &[u8]) {
    let (events, _) = json_read(data);
    let c = compiled();
    for plan in c.spl.iter().chain(c.eql.iter()) {
        // A small memory budget, so that fan-out (`mvexpand`, `join max=0`) reaches it.
        let mut ctx = RunContext::new(0.0);
        ctx.limits = Limits::new(FUZZ_MAX_MEMORY, None);
        let (out, _acc) = quarry_engine::run::run_events(plan, events.clone(), ctx);
        for e in &out {
            let _ = e.field_names();
        }
    }
}
