//! How fast the literal prefilter turns lines away, next to JSON parsing, for the rules shipped
//! in `queries/`:
//!
//! ```text
//! quarry gen okta -n 45000 -o okta.ndjson          # about 100 MB
//! cargo run --release -p quarry-engine --example prefilter_throughput -- okta.ndjson
//! ```
//!
//! For each rule it prints the prefilter derived (with the source profile its tests use, and
//! without one), how many lines it lets through, and the prefilter's throughput.

use quarry_engine::eql::EqlOptions;
use quarry_engine::plan::{EventOrder, Plan};
use quarry_engine::prefilter::Prefilter;
use quarry_engine::profile::Profile;
use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::{SourceKind, SourceMap};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let Some(input) = std::env::args().nth(1) else {
        eprintln!("usage: prefilter_throughput FILE.ndjson");
        std::process::exit(2);
    };
    let data = std::fs::read(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
    let lines: Vec<&[u8]> = data.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    let mb = data.len() as f64 / 1e6;
    println!("{input}: {} lines, {mb:.1} MB", lines.len());

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let queries = root.join("queries");
    let mut macros = MacroLibrary::new();
    let conf = std::fs::read_to_string(queries.join("macros.conf")).expect("queries/macros.conf");
    macros.load_conf(&conf, "queries/macros.conf").expect("macros load");
    let okta_text = std::fs::read_to_string(queries.join("profiles/okta_im2.toml")).expect("okta profile");
    let okta = Profile::parse(&okta_text, "okta_im2.toml").expect("okta profile parses");

    // JSON parsing, for comparison.
    let start = Instant::now();
    let mut parsed = 0usize;
    for line in &lines {
        if serde_json::from_slice::<serde_json::Value>(line).is_ok() {
            parsed += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("serde_json parse: {parsed} lines, {:.0} MB/s", mb / secs);

    for file in rule_files(&queries) {
        let text = std::fs::read_to_string(&file).expect("rule file");
        let rule: toml::Table = toml::from_str(&text).expect("rule parses");
        let Some(query) = rule.get("query").and_then(|q| q.as_str()) else {
            continue;
        };
        let query = with_defaults(query, &rule);
        let eql = rule.get("language").and_then(|l| l.as_str()) == Some("eql");
        let plan = match compile(&query, eql, &macros) {
            Ok(plan) => plan,
            Err(e) => {
                println!("\n{}: does not compile: {e}", file.display());
                continue;
            }
        };
        let name = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
        println!("\n{name}");
        for (label, profile) in [("with OktaIM2:log", Some(&okta)), ("without a profile", None)] {
            let Some(filter) = Prefilter::for_plan(&plan, profile) else {
                println!("  {label}: none");
                continue;
            };
            let start = Instant::now();
            let kept = lines.iter().filter(|l| filter.may_match(l)).count();
            let secs = start.elapsed().as_secs_f64();
            println!(
                "  {label}: {filter}\n    {kept} of {} lines pass, {:.0} MB/s",
                lines.len(),
                mb / secs
            );
        }
    }
}

fn rule_files(queries: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["splunk", "elastic", "okta-workflows"] {
        if let Ok(entries) = std::fs::read_dir(queries.join(dir)) {
            out.extend(
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "toml")),
            );
        }
    }
    out.sort();
    out
}

/// The query with each `$name$` parameter set to its default.
fn with_defaults(query: &str, rule: &toml::Table) -> String {
    let mut out = query.to_string();
    if let Some(params) = rule.get("parameters").and_then(|p| p.as_table()) {
        for (name, spec) in params {
            let value = match spec.get("default") {
                Some(toml::Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => continue,
            };
            out = out.replace(&format!("${name}$"), &value);
        }
    }
    out
}

fn compile(query: &str, eql: bool, macros: &MacroLibrary) -> Result<Plan, String> {
    let mut sources = SourceMap::new();
    let id = sources.add("query", query, SourceKind::Query);
    if eql {
        quarry_engine::eql::compile(&sources, id, &EqlOptions::default()).map_err(|d| format!("{d:?}"))
    } else {
        quarry_engine::spl::compile(&mut sources, id, macros, EventOrder::NewestFirst)
            .map(|c| c.plan)
            .map_err(|d| format!("{d:?}"))
    }
}
