//! Colours for what is being typed, and a hint with a command's syntax after its name.
//!
//! Commands (and EQL's query heads and pipes) are bold blue, keywords magenta, strings green,
//! numbers yellow, fields (before a comparison, or quoted) cyan, macro calls bold cyan and
//! comments dim. In red: a command name that is not one, a closing bracket that closes
//! nothing, and the place where the parser gives up (unless that is the end of the text, which
//! only means the query is not finished yet).

use super::dot::DOT_COMMANDS;
use super::lex::{openness, tokens, Kind, Token};
use crate::lang::{detect, Lang};
use quarry_syntax::spl::commands::is_splunk_command;
use quarry_syntax::{SourceKind, SourceMap};

const RESET: &str = "\x1b[0m";
const COMMAND: &str = "\x1b[1;34m";
const KEYWORD: &str = "\x1b[35m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const FIELD: &str = "\x1b[36m";
const MACRO: &str = "\x1b[1;36m";
const COMMENT: &str = "\x1b[2m";
const ERROR: &str = "\x1b[31m";
/// Hints are dim.
pub const HINT: &str = "\x1b[2m";

const SPL_KEYWORDS: &[&str] = &["and", "or", "not", "in", "like", "by", "as", "sortby", "over"];
const EQL_MORE_KEYWORDS: &[&str] = &["with", "maxspan", "runs", "until", "descendant", "child", "event"];

/// The syntax shown after an SPL command's name.
pub fn spl_syntax(command: &str) -> Option<&'static str> {
    Some(match command {
        "search" => "<field>=<value>... [AND|OR|NOT ...]",
        "where" => "<eval-expression>",
        "eval" => "<field>=<expression>[, <field>=<expression>]...",
        "stats" | "eventstats" => "<agg>(<field>) [as <name>]... [by <field>...]",
        "bin" | "bucket" => "[span=<n><unit>] [bins=<n>] <field> [as <field>]",
        "fillnull" => "[value=<string>] [<field>...]",
        "fields" => "[+|-] <field>...",
        "table" => "<field>...",
        "rename" => "<field> as <field>[, <field> as <field>]...",
        "sort" => "[<count>] [+|-]<field>...",
        "head" => "[<count>]  or  head (<eval-expression>)",
        "tail" => "[<count>]",
        "dedup" => "[<count>] <field>... [keepempty=<bool>] [consecutive=<bool>] [sortby <key>...]",
        "iplocation" => "[prefix=<string>] [allfields=<bool>] <field>",
        _ => return None,
    })
}

/// The syntax shown after an EQL query head or pipe name.
fn eql_syntax(word: &str, after_pipe: bool) -> Option<&'static str> {
    Some(match (word, after_pipe) {
        ("sequence", false) => "[by <field>...] [with maxspan=<span>] [<category> where <condition>] [...]...",
        ("sample", false) => "by <field>... [<category> where <condition>] [...]...",
        ("join", false) => "[by <field>...] [<category> where <condition>] [...]... [until [...]]",
        ("head" | "tail", true) => "[<count>]",
        ("filter", true) => "<condition>",
        ("unique" | "unique_count" | "count" | "sort", true) => "<field>...",
        _ => return None,
    })
}

/// A hint for the text before the cursor, shown when the cursor is at the end of the line.
pub fn hint(line: &str, pos: usize, lang: Option<Lang>) -> Option<String> {
    if pos != line.len() || !line.ends_with(' ') {
        return None;
    }
    let trimmed = line.trim();
    if trimmed.starts_with('.') {
        if trimmed.contains(char::is_whitespace) {
            return None;
        }
        let dot = DOT_COMMANDS.iter().find(|d| d.name == trimmed)?;
        return (!dot.args.is_empty()).then(|| dot.args.to_string());
    }
    let lang = lang.unwrap_or_else(|| detect(line));
    let toks: Vec<Token> = tokens(line, lang).into_iter().filter(Token::significant).collect();
    let last = toks.last()?;
    if last.kind != Kind::Word {
        return None;
    }
    let word = last.text(line).to_ascii_lowercase();
    let before = toks.len().checked_sub(2).map(|k| toks[k].kind);
    match lang {
        Lang::Spl if before == Some(Kind::Pipe) || (toks.len() == 1 && word == "search") => {
            spl_syntax(&word).map(str::to_string)
        }
        Lang::Eql if before == Some(Kind::Pipe) => eql_syntax(&word, true).map(str::to_string),
        Lang::Eql if toks.len() == 1 => eql_syntax(&word, false).map(str::to_string),
        _ => None,
    }
}

/// `line` with colours.
pub fn highlight(line: &str, lang: Option<Lang>) -> String {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix('.') {
        // A dot command: its name bold, and the query after `.explain` coloured as a query.
        let lead = line.len() - trimmed.len();
        let name_end = lead + 1 + rest.find(char::is_whitespace).unwrap_or(rest.len());
        let name = &line[lead..name_end];
        let known = DOT_COMMANDS.iter().any(|d| d.name == name);
        let style = if known { COMMAND } else { ERROR };
        let tail = &line[name_end..];
        let tail = if name == ".explain" {
            highlight_query(tail, lang)
        } else {
            tail.to_string()
        };
        return format!("{}{style}{name}{RESET}{tail}", &line[..lead]);
    }
    highlight_query(line, lang)
}

fn highlight_query(text: &str, lang: Option<Lang>) -> String {
    let lang = lang.unwrap_or_else(|| detect(text));
    let toks = tokens(text, lang);
    let mut styles: Vec<Option<&str>> = vec![None; toks.len()];
    let significant: Vec<usize> = (0..toks.len()).filter(|&k| toks[k].significant()).collect();
    let mut depth: Vec<char> = Vec::new();
    for (n, &k) in significant.iter().enumerate() {
        let token = &toks[k];
        let word = token.text(text);
        let prev = n.checked_sub(1).map(|p| toks[significant[p]].kind);
        let next = significant.get(n + 1).map(|&j| (toks[j].kind, toks[j].text(text)));
        let before_comparison =
            matches!(next, Some((Kind::Op, op)) if matches!(op, "=" | "!=" | "==" | "<" | "<=" | ">" | ">=" | ":"));
        styles[k] = match token.kind {
            Kind::Str { .. } => Some(STRING),
            Kind::Number => Some(NUMBER),
            Kind::QuotedField { .. } => Some(FIELD),
            Kind::Macro { .. } => Some(MACRO),
            Kind::Open(c) => {
                depth.push(c);
                None
            }
            Kind::Close(c) => {
                let want = if c == ')' { '(' } else { '[' };
                if depth.last() == Some(&want) {
                    depth.pop();
                    None
                } else {
                    Some(ERROR)
                }
            }
            Kind::Word => word_style(word, lang, prev, n == 0, before_comparison),
            _ => None,
        };
    }
    for (k, token) in toks.iter().enumerate() {
        if let Kind::Comment { .. } = token.kind {
            styles[k] = Some(COMMENT);
        }
    }
    if let Some(range) = parse_error(text, lang) {
        for (k, token) in toks.iter().enumerate() {
            if token.significant() && token.start < range.end && range.start < token.end.max(token.start + 1) {
                styles[k] = Some(ERROR);
            }
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (token, style) in toks.iter().zip(styles) {
        match style {
            Some(style) => {
                out.push_str(style);
                out.push_str(token.text(text));
                out.push_str(RESET);
            }
            None => out.push_str(token.text(text)),
        }
    }
    out
}

fn word_style(
    word: &str,
    lang: Lang,
    prev: Option<Kind>,
    first: bool,
    before_comparison: bool,
) -> Option<&'static str> {
    let lower = word.to_ascii_lowercase();
    match lang {
        Lang::Spl => {
            if prev == Some(Kind::Pipe) {
                return Some(if is_splunk_command(&lower) { COMMAND } else { ERROR });
            }
            if first && lower == "search" {
                return Some(COMMAND);
            }
            if before_comparison {
                return Some(FIELD);
            }
            SPL_KEYWORDS.contains(&lower.as_str()).then_some(KEYWORD)
        }
        Lang::Eql => {
            if prev == Some(Kind::Pipe) {
                let known = quarry_syntax::eql::parse::PIPES.contains(&lower.as_str());
                return Some(if known { COMMAND } else { ERROR });
            }
            if (first && matches!(lower.as_str(), "sequence" | "sample" | "join"))
                || ((first || prev == Some(Kind::Open('['))) && !before_comparison && lower != "not")
            {
                return Some(COMMAND);
            }
            if before_comparison {
                return Some(FIELD);
            }
            let keyword = quarry_syntax::eql::parse::KEYWORDS.contains(&lower.as_str())
                || EQL_MORE_KEYWORDS.contains(&lower.as_str());
            keyword.then_some(KEYWORD)
        }
    }
}

/// Where the parser gives up on `text`, unless the query is merely unfinished: the error is at
/// its end, or a bracket, string or pipe is still open. Queries that call macros are not checked: their errors point into the
/// expansion.
fn parse_error(text: &str, lang: Lang) -> Option<std::ops::Range<usize>> {
    if text.trim().is_empty() || (lang == Lang::Spl && text.contains('`')) || openness(text, lang).is_open() {
        return None;
    }
    let mut sources = SourceMap::new();
    let id = sources.add("typed", text, SourceKind::Query);
    let diagnostics = match lang {
        Lang::Spl => quarry_syntax::spl::parse_pipeline(text, id).err()?,
        Lang::Eql => quarry_syntax::eql::parse_query(text, id).err()?,
    };
    let span = diagnostics.first()?.primary_span()?;
    let range = span.range();
    let end_of_text = text.trim_end().len();
    (span.source == id && range.start < end_of_text && range.end <= text.len()).then_some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with each coloured run shown as `<style:text>`.
    fn marked(line: &str, lang: Option<Lang>) -> String {
        let names = [
            (COMMAND, "cmd"),
            (KEYWORD, "kw"),
            (STRING, "str"),
            (NUMBER, "num"),
            (FIELD, "field"),
            (MACRO, "macro"),
            (COMMENT, "comment"),
            (ERROR, "error"),
        ];
        let mut text = highlight(line, lang);
        for (code, name) in names {
            text = text.replace(code, &format!("<{name}:"));
        }
        text.replace(RESET, ">")
    }

    #[test]
    fn spl_is_coloured_by_role() {
        assert_eq!(
            marked(r#"`okta` eventType="x" | stats count by user | head 5"#, None),
            r#"<macro:`okta`> <field:eventType>=<str:"x"> | <cmd:stats> count <kw:by> user | <cmd:head> <num:5>"#
        );
    }

    #[test]
    fn eql_is_coloured_by_role() {
        assert_eq!(
            marked(
                r#"sequence by user.email [any where event.action : "x"] [any where true] | head 1"#,
                None
            ),
            r#"<cmd:sequence> <kw:by> user.email [<cmd:any> <kw:where> <field:event.action> : <str:"x">] [<cmd:any> <kw:where> <kw:true>] | <cmd:head> <num:1>"#
        );
    }

    #[test]
    fn mistakes_are_red() {
        assert_eq!(marked("x | notacommand", None), "x | <error:notacommand>");
        assert_eq!(
            marked("x | eval a=1)", None),
            "x | <cmd:eval> <field:a>=<num:1><error:)>"
        );
    }

    #[test]
    fn unfinished_queries_are_not_errors() {
        assert!(!marked("x | stats count by", None).contains("error"));
        assert!(!marked("x | eval y=if(a", None).contains("error"));
    }

    #[test]
    fn without_colour_codes_the_text_is_unchanged() {
        let line = r#".explain x=1 | stats count by "a b""#;
        let stripped = strip(&highlight(line, None));
        assert_eq!(stripped, line);
    }

    fn strip(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for d in chars.by_ref() {
                    if d == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn hints_give_a_commands_syntax() {
        assert_eq!(
            hint("x | stats ", 10, None).as_deref(),
            Some("<agg>(<field>) [as <name>]... [by <field>...]")
        );
        assert_eq!(hint("x | stats", 9, None), None);
        assert_eq!(hint("x | stats count ", 16, None), None);
        assert_eq!(hint(".load ", 6, None).as_deref(), Some("FILE [--sourcetype NAME]"));
        assert!(hint("sequence ", 9, None).unwrap().contains("maxspan"));
        assert_eq!(hint("any where true | head ", 22, None).as_deref(), Some("[<count>]"));
    }
}
