//! Helpers shared by the integration suites: run a query over events given as NDJSON text,
//! render errors as the command line would, and point insta at the top-level snapshots/.
#![allow(dead_code, clippy::unwrap_used)]

use quarry_cli::diagnostics::render_all;
use quarry_cli::library;
use quarry_cli::output::to_json;
use quarry_engine::event::Event;
use quarry_engine::input::{read_str, Flow, ReadOptions};
use quarry_engine::ops::RunContext;
use quarry_engine::plan::EventOrder;
use quarry_syntax::{SourceKind, SourceMap};
use serde_json::Value as Json;
use std::path::PathBuf;

/// The workspace root (where `queries/`, `tests/` and `snapshots/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// insta settings for a suite: snapshots in `snapshots/<suite>/`, no module prefix.
pub fn settings(suite: &str) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(root().join("snapshots").join(suite));
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// Options for [`spl_with`].
#[derive(Clone)]
pub struct Opts {
    pub order: EventOrder,
    pub sourcetype: Option<&'static str>,
    pub geoip: Option<std::sync::Arc<quarry_engine::geoip::GeoIp>>,
}

impl Default for Opts {
    fn default() -> Opts {
        Opts {
            order: EventOrder::NewestFirst,
            sourcetype: None,
            geoip: None,
        }
    }
}

/// Runs an SPL query over NDJSON text and returns the results as JSON objects.
pub fn spl(query: &str, ndjson: &str) -> Vec<Json> {
    spl_with(query, ndjson, Opts::default())
}

pub fn spl_with(query: &str, ndjson: &str, opts: Opts) -> Vec<Json> {
    let (events, _) = run(query, ndjson, &opts).unwrap_or_else(|e| panic!("{e}"));
    events.iter().map(to_json).collect()
}

/// Runs and returns the raw events plus the accounting.
pub fn run(query: &str, ndjson: &str, opts: &Opts) -> Result<(Vec<Event>, quarry_engine::ops::Accounting), String> {
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    let macros = library::builtin_macros();
    let compiled = quarry_engine::spl::compile(&mut sources, id, &macros, opts.order)
        .map_err(|d| render_all(&d, &sources, false))?;
    let profiles = library::builtin_profiles().map_err(|d| d.message)?;
    let read = ReadOptions {
        sourcetype: opts.sourcetype.map(str::to_string),
        profile: opts.sourcetype.and_then(|s| profiles.get(s)),
        ..ReadOptions::default()
    };
    let mut events = Vec::new();
    let summary = read_str(
        ndjson,
        "events.ndjson",
        &read,
        &mut |b| panic!("bad test line: {b}"),
        &mut |batch| {
            events.extend(batch);
            Flow::Continue
        },
    );
    assert!(summary.errors.is_empty());
    let mut ctx = RunContext::new(0.0);
    ctx.geoip = opts.geoip.clone();
    Ok(quarry_engine::run::run_events(&compiled.plan, events, ctx))
}

/// The rendered diagnostics of a query that must not compile.
pub fn spl_error(query: &str) -> String {
    match run(query, "", &Opts::default()) {
        Ok(_) => panic!("expected `{query}` to fail"),
        Err(e) => e,
    }
}

/// NDJSON text from JSON values.
pub fn ndjson(values: &[Json]) -> String {
    values.iter().map(|v| format!("{v}\n")).collect()
}

/// Runs an EQL query over NDJSON text (time in `@timestamp`, epoch ms or ISO; category in
/// `event_type`) and returns the `id` of each result's events, -1 for a missing event.
pub fn eql(query: &str, ndjson: &str, dialect: quarry_engine::eql::Dialect) -> Result<Vec<i64>, String> {
    eql_with(query, ndjson, dialect, false)
}

pub fn eql_with(
    query: &str,
    ndjson: &str,
    dialect: quarry_engine::eql::Dialect,
    case_sensitive: bool,
) -> Result<Vec<i64>, String> {
    use quarry_engine::eql::{EqlOptions, Semantics};
    let opts = EqlOptions {
        semantics: Semantics {
            dialect,
            case_sensitive,
        },
        category_field: "event_type".into(),
        time_field: Some("@timestamp".into()),
        ..EqlOptions::default()
    };
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    let plan = quarry_engine::eql::compile(&sources, id, &opts).map_err(|d| render_all(&d, &sources, false))?;
    let read = ReadOptions {
        time_field: Some("@timestamp".into()),
        time_unit: Some(quarry_engine::time::TimeUnit::Millis),
        ..ReadOptions::default()
    };
    let events = read_events(ndjson, &read);
    let (results, _) = quarry_engine::run::run_events(&plan, events, RunContext::new(0.0));
    let id_of = |e: &Event| {
        e.doc
            .as_ref()
            .and_then(|d| d.whole().get("id"))
            .and_then(Json::as_i64)
            .unwrap_or(i64::MIN)
    };
    let mut ids = Vec::new();
    for r in &results {
        match &r.group {
            Some(g) => ids.extend(g.events.iter().map(|e| e.as_ref().map(id_of).unwrap_or(-1))),
            None => ids.push(id_of(r)),
        }
    }
    Ok(ids)
}

/// The lint's findings for a query (SPL or EQL, detected), with the source profile of
/// `sourcetype` if given, and the findings rendered as the command line prints them.
pub fn lint(query: &str, sourcetype: Option<&str>) -> (Vec<quarry_syntax::Diagnostic>, String) {
    lint_named("query", query, 1, sourcetype)
}

/// [`lint`] for a query named `name` that starts on line `first_line` of its file.
pub fn lint_named(
    name: &str,
    query: &str,
    first_line: usize,
    sourcetype: Option<&str>,
) -> (Vec<quarry_syntax::Diagnostic>, String) {
    let mut sources = SourceMap::new();
    let id = sources.add_at_line(name, query, SourceKind::Query, first_line);
    let profiles = library::builtin_profiles().unwrap();
    let profile = sourcetype.and_then(|s| profiles.get(s));
    let findings = match quarry_cli::lang::detect(query) {
        quarry_cli::lang::Lang::Spl => {
            quarry_engine::lint::lint_spl(&mut sources, id, &library::builtin_macros(), profile.as_deref())
        }
        quarry_cli::lang::Lang::Eql => {
            quarry_engine::lint::lint_eql(&sources, id, quarry_engine::eql::Semantics::default())
        }
    }
    .unwrap_or_else(|e| panic!("{}", render_all(&e, &sources, false)));
    let rendered = render_all(&findings, &sources, false);
    (findings, rendered)
}

/// The codes of the findings, in order.
pub fn codes(findings: &[quarry_syntax::Diagnostic]) -> Vec<&'static str> {
    findings.iter().map(|d| d.code.as_str()).collect()
}

/// A query compiled as `quarry query` compiles it: the shipped macros and profiles, the
/// language detected unless given, EQL flags at their defaults.
pub struct Compiled {
    pub plan: quarry_engine::plan::Plan,
    pub read: ReadOptions,
}

/// Compiles `query`; on failure, the diagnostics rendered as the command line shows them.
pub fn compile(
    query: &str,
    lang: Option<quarry_cli::lang::Lang>,
    sourcetype: Option<&str>,
) -> Result<Compiled, String> {
    use quarry_cli::commands::{Env, EqlFlags, InputFlags};
    let flags = InputFlags {
        sourcetype: sourcetype.map(str::to_string),
        max_line_bytes: quarry_engine::input::DEFAULT_MAX_LINE,
        host: "localhost".into(),
        index: "main".into(),
        ..InputFlags::default()
    };
    let mut env = Env::load(&flags).map_err(|f| f.message)?;
    let eql = EqlFlags::default().options_for(&flags);
    let plan = env
        .compile("query", query, 1, lang, flags.order, &eql)
        .map_err(|d| render_all(&d, &env.sources, false))?;
    let mut read = env.read_options(&flags, None).map_err(|f| f.message)?;
    read.inputs_in_time_order = plan.streams_in_time_order();
    Ok(Compiled { plan, read })
}

/// Runs `query` over log files (read and merged by time as `quarry query` reads them).
pub fn query_files(query: &str, files: &[PathBuf], sourcetype: Option<&str>) -> Result<Vec<Event>, String> {
    let compiled = compile(query, None, sourcetype)?;
    let inputs: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut out = Vec::new();
    let report = quarry_engine::run::run(
        &compiled.plan,
        &inputs,
        &compiled.read,
        RunContext::new(0.0),
        &mut |b| panic!("bad test line: {b}"),
        &mut |batch| out.extend(batch),
    );
    assert!(report.read.errors.is_empty(), "{:?}", report.read.errors);
    Ok(out)
}

/// Runs `query` over NDJSON text.
pub fn query_text(query: &str, ndjson: &str, sourcetype: Option<&str>) -> Result<Vec<Event>, String> {
    let compiled = compile(query, None, sourcetype)?;
    let events = read_events(ndjson, &compiled.read);
    Ok(quarry_engine::run::run_events(&compiled.plan, events, RunContext::new(0.0)).0)
}

/// The events of NDJSON text, read as `quarry query` reads a file named `events.ndjson`; a bad
/// line fails the test.
pub fn read_events(ndjson: &str, read: &ReadOptions) -> Vec<Event> {
    let mut events = Vec::new();
    read_str(
        ndjson,
        "events.ndjson",
        read,
        &mut |b| panic!("bad test line: {b}"),
        &mut |batch| {
            events.extend(batch);
            Flow::Continue
        },
    );
    events
}

/// The lookup tables of `tests/fixtures/lookups`.
pub fn fixture_lookups() -> std::sync::Arc<quarry_engine::lookup::LookupRegistry> {
    let mut registry = quarry_engine::lookup::LookupRegistry::new();
    registry.load(&root().join("tests/fixtures/lookups")).unwrap();
    std::sync::Arc::new(registry)
}

/// The files of a fixture directory (`tests/fixtures/<dir>`), in name order.
pub fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "ndjson"))
        .collect();
    files.sort();
    files
}

/// A generated Okta System Log of `events` events (`quarry gen okta`), with attacks of every
/// kind injected: push fatigue (Identity Engine and Classic) and a replayed session cookie.
pub fn generated_okta(events: u64, seed: u64) -> String {
    use quarry_cli::gen::plan::AttackKind;
    use quarry_cli::gen::{generate_okta, OktaConfig};
    let config = OktaConfig {
        events,
        seed,
        start_ms: 1_709_510_400_000, // 2024-03-04T00:00:00Z
        rate: 5.0,
        users: 20,
        attacks: vec![
            (AttackKind::PushFatigue, 2),
            (AttackKind::ClassicPushFatigue, 2),
            (AttackKind::SessionCookie, 1),
        ],
    };
    let mut out = Vec::new();
    generate_okta(&config, &mut out, None).expect("generates");
    String::from_utf8(out).expect("generated logs are UTF-8")
}

/// The input flags `quarry run` starts from on the command line, with `--sourcetype` when
/// given.
pub fn run_flags(sourcetype: Option<&str>) -> quarry_cli::commands::InputFlags {
    quarry_cli::commands::InputFlags {
        sourcetype: sourcetype.map(str::to_string),
        host: "localhost".into(),
        index: "main".into(),
        max_line_bytes: quarry_engine::input::DEFAULT_MAX_LINE,
        ..Default::default()
    }
}
