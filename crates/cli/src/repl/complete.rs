//! Tab completion: what may come at the cursor, from the word before it and the command it
//! is in. SPL gets command names after `|`, stats and eval functions, keywords, macro names
//! after a backtick and field names; EQL gets keywords, event categories, functions, pipe
//! names and field names; dot commands get their names and arguments. Field names are
//! completed one path step at a time (`client.` → `client.geographicalContext.`), as a shell
//! completes directories.

use super::dot::DOT_COMMANDS;
use super::lex::{tokens, Kind, Token};
use crate::lang::{detect, Lang};
use quarry_syntax::spl::commands::IMPLEMENTED;

/// What completion knows besides the languages' own words.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    /// Field names as Splunk names them (`a.b`, `t{}.c`), sorted.
    pub fields: Vec<String>,
    /// The same fields as EQL names them (`t.c`), sorted.
    pub eql_fields: Vec<String>,
    /// Macro names and how many arguments each takes.
    pub macros: Vec<(String, usize)>,
    /// Source types that have a profile.
    pub sourcetypes: Vec<String>,
}

impl Vocabulary {
    pub fn new(
        fields: impl IntoIterator<Item = String>,
        macros: Vec<(String, usize)>,
        sourcetypes: Vec<String>,
    ) -> Self {
        let mut fields: Vec<String> = fields.into_iter().collect();
        fields.sort();
        fields.dedup();
        let mut eql_fields: Vec<String> = fields.iter().map(|f| f.replace("{}", "")).collect();
        eql_fields.sort();
        eql_fields.dedup();
        Vocabulary {
            fields,
            eql_fields,
            macros,
            sourcetypes,
        }
    }
}

/// What to put at the cursor.
#[derive(Debug, PartialEq, Eq)]
pub enum Completion {
    /// Replace the text from `start` to the cursor with one of `candidates`.
    Words { start: usize, candidates: Vec<String> },
    /// A file name (the argument of `.load`, `.run`, `.output`).
    Path,
}

/// The aggregation functions of `stats` offered by completion (each is one that
/// `AggFunc::parse` reads).
pub const STATS_FUNCTIONS: &[&str] = &[
    "count",
    "dc",
    "distinct_count",
    "values",
    "list",
    "min",
    "max",
    "sum",
    "sumsq",
    "avg",
    "mean",
    "earliest",
    "latest",
    "earliest_time",
    "latest_time",
    "first",
    "last",
    "stdev",
    "stdevp",
    "var",
    "varp",
    "range",
    "median",
    "mode",
    "perc95",
];

/// Values of ECS `event.category`, the words that start an EQL event query, and `any`.
pub const EQL_CATEGORIES: &[&str] = &[
    "any",
    "api",
    "authentication",
    "configuration",
    "database",
    "driver",
    "email",
    "file",
    "host",
    "iam",
    "intrusion_detection",
    "library",
    "malware",
    "network",
    "package",
    "process",
    "registry",
    "session",
    "threat",
    "vulnerability",
    "web",
];

const EQL_MORE_KEYWORDS: &[&str] = &["maxspan", "runs", "descendant", "child", "event"];

const SPL_BOOLEANS: &[&str] = &["AND", "OR", "NOT", "IN"];

/// Completes the text before `pos` in `line`.
pub fn complete(line: &str, pos: usize, lang: Option<Lang>, vocab: &Vocabulary) -> Completion {
    let pos = floor_char_boundary(line, pos);
    let before = &line[..pos];
    let lead = before.len() - before.trim_start().len();
    if before[lead..].starts_with('.') {
        return complete_dot(line, pos, lead, lang, vocab);
    }
    complete_query(line, pos, lead, lang, vocab)
}

fn floor_char_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

fn complete_dot(line: &str, pos: usize, lead: usize, lang: Option<Lang>, vocab: &Vocabulary) -> Completion {
    let before = &line[lead..pos];
    let Some(space) = before.find(char::is_whitespace) else {
        let candidates = DOT_COMMANDS
            .iter()
            .map(|d| d.name)
            .filter(|n| n.starts_with(before))
            .map(str::to_string)
            .collect();
        return Completion::Words {
            start: lead,
            candidates,
        };
    };
    let command = &before[..space];
    let args_at = lead + space;
    let words = |options: &[&str]| {
        let start = word_start(line, pos);
        let prefix = &line[start..pos];
        let candidates = options
            .iter()
            .filter(|o| o.starts_with(prefix))
            .map(|o| o.to_string())
            .collect();
        Completion::Words { start, candidates }
    };
    match command {
        ".lang" => words(&["spl", "eql", "auto"]),
        ".format" => words(&["table", "json", "csv"]),
        ".timing" => words(&["on", "off"]),
        ".fields" => {
            let start = word_start(line, pos);
            Completion::Words {
                start,
                candidates: field_steps(&vocab.fields, &line[start..pos]),
            }
        }
        ".explain" => complete_query(line, pos, args_at, lang, vocab),
        ".load" => {
            let start = word_start(line, pos);
            if line[args_at..start].split_whitespace().last() == Some("--sourcetype") {
                let prefix = &line[start..pos];
                let candidates = vocab
                    .sourcetypes
                    .iter()
                    .filter(|s| s.starts_with(prefix))
                    .cloned()
                    .collect();
                Completion::Words { start, candidates }
            } else {
                Completion::Path
            }
        }
        ".run" | ".output" => Completion::Path,
        _ => Completion::Words {
            start: pos,
            candidates: Vec::new(),
        },
    }
}

/// Where the word ending at `pos` starts.
fn word_start(line: &str, pos: usize) -> usize {
    line[..pos]
        .char_indices()
        .rev()
        .take_while(|(_, c)| !c.is_whitespace())
        .last()
        .map(|(i, _)| i)
        .unwrap_or(pos)
}

fn complete_query(line: &str, pos: usize, from: usize, lang: Option<Lang>, vocab: &Vocabulary) -> Completion {
    let text = &line[from..pos];
    let auto = lang.is_none();
    let lang = lang.unwrap_or_else(|| detect(text));
    let toks = tokens(text, lang);
    // The token being typed: a word or an unclosed macro call ending at the cursor.
    let current = toks.last().filter(|t| t.end == text.len());
    let (start, prefix, done) = match current {
        Some(t) if t.kind == Kind::Macro { closed: false } => {
            let name = &t.text(text)[1..];
            let candidates = vocab
                .macros
                .iter()
                .filter(|(m, _)| m.starts_with(name))
                .map(|(m, arity)| {
                    if *arity == 0 {
                        format!("`{m}`")
                    } else {
                        format!("`{m}(")
                    }
                })
                .collect();
            return Completion::Words {
                start: from + t.start,
                candidates,
            };
        }
        Some(t) if matches!(t.kind, Kind::Word | Kind::Number) => {
            let word = t.text(text);
            let skip = usize::from(lang == Lang::Eql && word.starts_with('?'));
            (t.start + skip, &word[skip..], toks.len() - 1)
        }
        Some(t)
            if matches!(
                t.kind,
                Kind::Str { .. } | Kind::QuotedField { .. } | Kind::Comment { .. } | Kind::Macro { .. }
            ) =>
        {
            return Completion::Words {
                start: pos,
                candidates: Vec::new(),
            }
        }
        _ => (text.len(), "", toks.len()),
    };
    let context: Vec<&Token> = toks[..done].iter().filter(|t| t.significant()).collect();
    let candidates = match lang {
        Lang::Spl => spl_candidates(text, &context, prefix, vocab, auto),
        Lang::Eql => eql_candidates(text, &context, prefix, vocab),
    };
    Completion::Words {
        start: from + start,
        candidates,
    }
}

/// Words after the last boundary (`|`, or `[` for EQL) and what that boundary was.
fn segment<'a>(context: &[&'a Token], boundaries: &[Kind]) -> (Option<Kind>, Vec<&'a Token>) {
    match context.iter().rposition(|t| boundaries.contains(&t.kind)) {
        Some(at) => (Some(context[at].kind), context[at + 1..].to_vec()),
        None => (None, context.to_vec()),
    }
}

fn spl_candidates(text: &str, context: &[&Token], prefix: &str, vocab: &Vocabulary, auto: bool) -> Vec<String> {
    let (boundary, words) = segment(context, &[Kind::Pipe]);
    if boundary == Some(Kind::Pipe) && words.is_empty() {
        return words_with_prefix(IMPLEMENTED, prefix);
    }
    let command = match boundary {
        Some(_) => words
            .first()
            .map(|t| t.text(text).to_ascii_lowercase())
            .unwrap_or_default(),
        None => "search".to_string(),
    };
    let mut out = field_steps(&vocab.fields, prefix);
    if auto && context.is_empty() {
        // The first word of a query whose language is not yet known may start EQL.
        out.extend(words_with_prefix(&["sequence", "sample", "join", "any"], prefix));
    }
    let extra: &[&[&str]] = match command.as_str() {
        "stats" | "eventstats" => &[STATS_FUNCTIONS, &["by", "as"]],
        "eval" | "where" => &[quarry_engine::lower::spl::FUNCTION_NAMES, SPL_BOOLEANS, &["LIKE"]],
        "search" => &[SPL_BOOLEANS],
        "rename" | "bin" | "bucket" => &[&["as", "span="]],
        "dedup" => &[&["sortby", "keepempty=", "consecutive="]],
        "fillnull" => &[&["value="]],
        _ => &[],
    };
    for list in extra {
        out.extend(words_with_prefix(list, prefix));
    }
    out
}

fn eql_candidates(text: &str, context: &[&Token], prefix: &str, vocab: &Vocabulary) -> Vec<String> {
    let (boundary, words) = segment(context, &[Kind::Pipe, Kind::Open('[')]);
    match boundary {
        Some(Kind::Pipe) if words.is_empty() => return words_with_prefix(quarry_syntax::eql::parse::PIPES, prefix),
        Some(Kind::Open('[')) if words.is_empty() => return words_with_prefix(EQL_CATEGORIES, prefix),
        None if words.is_empty() => {
            let mut out = words_with_prefix(&["sequence", "sample", "join"], prefix);
            out.extend(words_with_prefix(EQL_CATEGORIES, prefix));
            return out;
        }
        _ => {}
    }
    // After `with`, the sequence options.
    if words.last().is_some_and(|t| t.text(text).eq_ignore_ascii_case("with")) {
        return words_with_prefix(&["maxspan=", "runs="], prefix);
    }
    let mut out = field_steps(&vocab.eql_fields, prefix);
    out.extend(words_with_prefix(quarry_engine::eql::lower::FUNCTIONS, prefix));
    out.extend(words_with_prefix(quarry_syntax::eql::parse::KEYWORDS, prefix));
    out.extend(words_with_prefix(EQL_MORE_KEYWORDS, prefix));
    out
}

/// Words starting with `prefix`, ignoring case.
fn words_with_prefix(words: &[&str], prefix: &str) -> Vec<String> {
    words
        .iter()
        .filter(|w| starts_with_ignore_case(w, prefix))
        .map(|w| w.to_string())
        .collect()
}

fn starts_with_ignore_case(word: &str, prefix: &str) -> bool {
    word.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Field names starting with `prefix`, each cut after the path step that follows it:
/// `client.ge` → `client.geographicalContext.`. Names of the exact case come first; other
/// cases only when none match exactly.
pub fn field_steps(fields: &[String], prefix: &str) -> Vec<String> {
    let step = |name: &String| -> String {
        let rest = &name[prefix.len()..];
        // The first `.` after the first character of the rest ends the step.
        match rest.char_indices().skip(1).find(|(_, c)| *c == '.') {
            Some((at, _)) => name[..prefix.len() + at + 1].to_string(),
            None => name.clone(),
        }
    };
    let mut out: Vec<String> = fields.iter().filter(|f| f.starts_with(prefix)).map(step).collect();
    if out.is_empty() {
        out = fields
            .iter()
            .filter(|f| starts_with_ignore_case(f, prefix))
            .map(step)
            .collect();
    }
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::new(
            [
                "client.geographicalContext.city",
                "client.geographicalContext.country",
                "client.ipAddress",
                "eventType",
                "target{}.alternateId",
                "target{}.type",
                "user",
            ]
            .map(String::from),
            vec![("okta".into(), 0), ("okta_filter".into(), 1), ("other".into(), 0)],
            vec!["OktaIM2:log".into()],
        )
    }

    fn words(line: &str) -> (usize, Vec<String>) {
        words_in(line, None)
    }

    fn words_in(line: &str, lang: Option<Lang>) -> (usize, Vec<String>) {
        match complete(line, line.len(), lang, &vocab()) {
            Completion::Words { start, candidates } => (start, candidates),
            Completion::Path => panic!("a path for {line}"),
        }
    }

    #[test]
    fn field_names_complete_one_step_at_a_time() {
        assert_eq!(
            words("client.geographicalContext.ci"),
            (0, vec!["client.geographicalContext.city".to_string()])
        );
        assert_eq!(words("eventType=x client.g").1, vec!["client.geographicalContext."]);
        assert_eq!(
            words("client.").1,
            vec!["client.geographicalContext.", "client.ipAddress"]
        );
        assert_eq!(words("targ").1, vec!["target{}."]);
        assert_eq!(words("target{}.a").1, vec!["target{}.alternateId"]);
        // Case is ignored only when nothing matches exactly.
        assert_eq!(words("EVENTT").1, vec!["eventType"]);
    }

    #[test]
    fn commands_after_a_pipe() {
        assert_eq!(
            words("eventType=x | st"),
            (14, vec!["stats".to_string(), "streamstats".to_string()])
        );
        assert_eq!(words("x |sta").1, vec!["stats"]);
        assert!(words("x | ").1.contains(&"dedup".to_string()));
    }

    #[test]
    fn functions_and_keywords_by_command() {
        let (start, found) = words("x | stats dc");
        assert_eq!(start, 10);
        assert_eq!(found, vec!["dc".to_string()]);
        assert!(words("x | stats count b").1.contains(&"by".to_string()));
        assert!(words("x | eval y=mvc").1.contains(&"mvcount".to_string()));
        assert!(words("x | where isn").1.contains(&"isnull".to_string()));
        assert!(words("x | stats count by us").1.contains(&"user".to_string()));
        assert!(words("x | stats count by client.geographicalContext.ci")
            .1
            .contains(&"client.geographicalContext.city".to_string()));
    }

    #[test]
    fn macros_after_a_backtick() {
        assert_eq!(
            words("`ok"),
            (0, vec!["`okta`".to_string(), "`okta_filter(".to_string()])
        );
        assert_eq!(words("eventType=x `oth").1, vec!["`other`"]);
    }

    #[test]
    fn eql_words() {
        assert_eq!(words("seq").1, vec!["sequence"]);
        assert!(words_in("auth", Some(Lang::Eql))
            .1
            .contains(&"authentication".to_string()));
        let found = words("sequence by user [authentication where startsW").1;
        assert_eq!(found, vec!["startsWith"]);
        // EQL names fields without the `{}` of arrays.
        assert_eq!(words("any where target.alt").1, vec!["target.alternateId"]);
        assert_eq!(words("sequence by user with max").1, vec!["maxspan="]);
        assert_eq!(words("any where true | he").1, vec!["head"]);
        assert!(words("sequence [").1.contains(&"any".to_string()));
        // `?` marks an optional field and is kept.
        assert_eq!(
            words("any where ?client.ip"),
            (11, vec!["client.ipAddress".to_string()])
        );
    }

    #[test]
    fn dot_commands() {
        assert_eq!(words(".fi"), (0, vec![".fields".to_string()]));
        assert_eq!(words(".lang e").1, vec!["eql"]);
        assert_eq!(words(".format c"), (8, vec!["csv".to_string()]));
        assert_eq!(words(".fields client.i").1, vec!["client.ipAddress"]);
        assert_eq!(words(".explain x | sta").1, vec!["stats"]);
        assert_eq!(complete(".load tests/fix", 15, None, &vocab()), Completion::Path);
        assert_eq!(
            words(".load x.ndjson --sourcetype Ok"),
            (28, vec!["OktaIM2:log".to_string()])
        );
    }

    #[test]
    fn every_offered_stats_function_is_one() {
        for name in STATS_FUNCTIONS {
            assert!(quarry_engine::plan::AggFunc::parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn every_offered_eval_function_is_implemented() {
        for name in quarry_engine::lower::spl::FUNCTION_NAMES {
            assert!(quarry_engine::func::lookup(name).is_some(), "{name}");
        }
    }
}
