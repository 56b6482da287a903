//! `quarry check`: do queries and rule files parse, and (without `--parse-only`) can every
//! command and function they use run?

use super::{names_rules, rule_queries, Env, EqlFlags, Failure, InputFlags};
use crate::lang::{detect, Lang};
use crate::library;
use crate::parts::describe;
use crate::Exit;
use clap::Args;
use indexmap::IndexMap;
use quarry_engine::lookup::LookupRegistry;
use quarry_engine::plan::EventOrder;
use quarry_syntax::spl::macros::MacroLibrary;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Only parse (macros are still expanded); do not check that everything is supported.
    #[arg(long)]
    pub parse_only: bool,
    /// Language of queries given as text (detected when not given).
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
    #[command(flatten)]
    pub input: InputFlags,
    #[command(flatten)]
    pub eql: EqlFlags,
    /// Queries, rule files, or directories of rule files.
    #[arg(required = true)]
    pub items: Vec<String>,
}

struct Item {
    name: String,
    text: String,
    first_line: usize,
    lang: Option<Lang>,
    /// The rule file's directory, for macros kept next to it.
    dir: Option<PathBuf>,
}

pub fn run(args: CheckArgs) -> Result<Exit, Failure> {
    let mut items = Vec::new();
    // Rules that cannot be checked at all (a publisher's rule in another language).
    let mut skipped = 0;
    for arg in &args.items {
        let path = PathBuf::from(arg);
        if names_rules(&path) {
            let (found, unsupported) = rule_queries(path)?;
            for message in unsupported {
                eprintln!("quarry: error: {message}");
                skipped += 1;
            }
            for found in found {
                items.push(Item {
                    name: found.path.display().to_string(),
                    text: found.text,
                    first_line: found.rule.query_line,
                    lang: Some(found.rule.file.language),
                    dir: found.path.parent().map(PathBuf::from),
                });
            }
        } else {
            items.push(Item {
                name: "query".into(),
                text: arg.clone(),
                first_line: 1,
                lang: args.lang,
                dir: None,
            });
        }
    }
    let mut env = Env::load(&args.input)?;
    let base = (env.macros.clone(), env.lookups.clone());
    let mut near: IndexMap<PathBuf, (MacroLibrary, Arc<LookupRegistry>)> = IndexMap::new();
    let mut failed = skipped;
    for item in &items {
        (env.macros, env.lookups) = match &item.dir {
            Some(dir) => match near.get(dir) {
                Some(defs) => defs.clone(),
                None => {
                    let defs = (
                        macros_next_to(dir, &base.0, &args.input.macros)?,
                        super::lookups_for(Some(dir), &args.input)?,
                    );
                    near.insert(dir.clone(), defs.clone());
                    defs
                }
            },
            None => base.clone(),
        };
        let lang = item.lang.unwrap_or_else(|| detect(&item.text));
        let result = if args.parse_only {
            let id = env.add_query(&item.name, &item.text, item.first_line);
            match lang {
                Lang::Spl => quarry_engine::spl::parse(&mut env.sources, id, &env.macros).map(|_| ()),
                Lang::Eql => quarry_syntax::eql::parse_query(&item.text, id).map(|_| ()),
            }
        } else {
            env.compile(
                &item.name,
                &item.text,
                item.first_line,
                Some(lang),
                EventOrder::Input,
                &args.eql.options_for(&args.input),
            )
            .map(|_| ())
        };
        match result {
            Ok(()) => {
                let parts = describe(&item.text, lang, &env.macros);
                println!("ok: {} ({})", item.name, parts.label);
                for line in &parts.lines {
                    println!("{line}");
                }
            }
            Err(diagnostics) => {
                failed += 1;
                env.report(&diagnostics);
            }
        }
    }
    if failed > 0 {
        eprintln!("quarry: {failed} of {} failed", items.len() + skipped);
        Ok(Exit::QueryError)
    } else {
        Ok(Exit::Ok)
    }
}

/// The macros for rules in `dir`: the shipped ones, those kept next to the rules, then the
/// `--macros` files (which win).
fn macros_next_to(dir: &Path, base: &MacroLibrary, flags: &[PathBuf]) -> Result<MacroLibrary, Failure> {
    let mut lib = base.clone();
    for path in library::macros_near(dir).iter().chain(flags) {
        library::load_macros(&mut lib, path).map_err(|d| Failure::new(Exit::QueryError, d.message))?;
    }
    Ok(lib)
}
