//! Search macros: definitions from Splunk's `macros.conf` and security_content's
//! `macros/*.yml`, and their textual expansion into a query.
//!
//! A call is `` `name` `` or `` `name(arg1, arg2)` ``; in the definition, `$arg1$` stands for
//! the first argument. Splunk names a macro with arguments `name(N)`, so `okta` and `okta(1)`
//! are different macros. Expansion is textual and recursive; every piece of the expanded text
//! remembers where it came from, so an error inside a macro body points at the body and at the
//! backtick call that brought it in. Triple-backtick comments (```` ```like this``` ````) are
//! removed.

use crate::diagnostic::{did_you_mean, Code, Diagnostic};
use crate::source::{Segment, SourceKind, SourceMap};
use crate::span::{SourceId, Span};
use std::collections::BTreeMap;

/// How deep macros may call macros before expansion stops (a macro that calls itself).
const MAX_MACRO_DEPTH: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MacroDef {
    pub name: String,
    pub args: Vec<String>,
    pub definition: String,
    /// `iseval = 1`: the definition is an eval expression that computes the text.
    pub is_eval: bool,
    /// Where the definition came from (`queries/macros.conf:12`).
    pub origin: String,
}

impl MacroDef {
    /// Splunk's key for the macro: `name` or `name(N)`.
    pub fn key(&self) -> String {
        macro_key(&self.name, self.args.len())
    }
}

fn macro_key(name: &str, arity: usize) -> String {
    if arity == 0 {
        name.to_string()
    } else {
        format!("{name}({arity})")
    }
}

/// A set of macro definitions; later definitions replace earlier ones of the same key.
#[derive(Clone, Debug, Default)]
pub struct MacroLibrary {
    defs: BTreeMap<String, MacroDef>,
}

#[derive(serde::Deserialize)]
struct YamlMacro {
    name: String,
    definition: String,
    #[serde(default)]
    arguments: Option<Vec<String>>,
}

impl MacroLibrary {
    pub fn new() -> MacroLibrary {
        MacroLibrary::default()
    }

    pub fn insert(&mut self, def: MacroDef) {
        self.defs.insert(def.key(), def);
    }

    pub fn get(&self, name: &str, arity: usize) -> Option<&MacroDef> {
        self.defs.get(&macro_key(name, arity))
    }

    pub fn len(&self) -> usize {
        self.defs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &MacroDef> {
        self.defs.values()
    }

    pub fn extend(&mut self, other: &MacroLibrary) {
        for def in other.defs.values() {
            self.insert(def.clone());
        }
    }

    /// Reads a Splunk `macros.conf`: `[name]` or `[name(N)]` stanzas with `definition = ...`,
    /// `args = a, b` and `iseval = 0|1`; a line ending in `\` continues on the next line.
    pub fn load_conf(&mut self, text: &str, file: &str) -> Result<usize, Diagnostic> {
        let mut count = 0;
        let mut current: Option<(String, usize, MacroDef)> = None;
        let finish = |lib: &mut MacroLibrary, cur: Option<(String, usize, MacroDef)>| -> Result<(), Diagnostic> {
            if let Some((stanza, arity, def)) = cur {
                if def.args.len() != arity {
                    return Err(Diagnostic::error(
                        Code::MacroExpansion,
                        format!(
                            "{}: macro `[{stanza}]` declares {arity} argument(s) but `args` names {}",
                            def.origin,
                            def.args.len()
                        ),
                    ));
                }
                lib.insert(def);
            }
            Ok(())
        };
        for (line_no, line) in logical_lines(text) {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(stanza) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                finish(self, current.take())?;
                let (name, arity) = split_stanza(stanza);
                current = Some((
                    stanza.to_string(),
                    arity,
                    MacroDef {
                        name,
                        args: Vec::new(),
                        definition: String::new(),
                        is_eval: false,
                        origin: format!("{file}:{line_no}"),
                    },
                ));
                count += 1;
                continue;
            }
            let Some((key, value)) = trimmed.split_once('=') else {
                return Err(Diagnostic::error(
                    Code::Syntax,
                    format!("{file}:{line_no}: expected `key = value` or `[stanza]`"),
                ));
            };
            let Some((_, _, def)) = current.as_mut() else {
                // Settings before the first stanza belong to [default]; nothing of ours.
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "definition" => def.definition = value.to_string(),
                "args" => {
                    def.args = value
                        .split(',')
                        .map(|a| a.trim().to_string())
                        .filter(|a| !a.is_empty())
                        .collect()
                }
                "iseval" => def.is_eval = matches!(value, "1" | "true" | "True"),
                _ => {}
            }
        }
        finish(self, current.take())?;
        Ok(count)
    }

    /// Reads one security_content `macros/<name>.yml` (`name`, `definition`, `arguments`).
    pub fn load_yaml(&mut self, text: &str, file: &str) -> Result<(), Diagnostic> {
        let parsed: YamlMacro = serde_yaml_ng::from_str(text)
            .map_err(|e| Diagnostic::error(Code::Syntax, format!("{file}: not a macro definition: {e}")))?;
        self.insert(MacroDef {
            name: parsed.name,
            args: parsed.arguments.unwrap_or_default(),
            definition: parsed.definition.trim().to_string(),
            is_eval: false,
            origin: file.to_string(),
        });
        Ok(())
    }

    /// Reads macro definitions as JSON lines, one `{"name", "definition", "arguments"}` object
    /// per line (the corpus format of security_content's macros).
    pub fn load_json_lines(&mut self, text: &str, file: &str) -> Result<usize, Diagnostic> {
        let mut count = 0;
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            // YAML is a superset of JSON: one reader for both formats.
            let parsed: YamlMacro = serde_yaml_ng::from_str(line).map_err(|e| {
                Diagnostic::error(Code::Syntax, format!("{file}:{}: not a macro definition: {e}", n + 1))
            })?;
            self.insert(MacroDef {
                name: parsed.name,
                args: parsed.arguments.unwrap_or_default(),
                definition: parsed.definition.trim().to_string(),
                is_eval: false,
                origin: format!("{file}:{}", n + 1),
            });
            count += 1;
        }
        Ok(count)
    }

    /// Expands every macro call and removes comments in source `query`. Returns the id of the
    /// expanded text (a new source whose segments map back), or every problem found.
    pub fn expand(&self, sources: &mut SourceMap, query: SourceId) -> Result<SourceId, Vec<Diagnostic>> {
        let text = sources.text(query).to_string();
        let mut out = Expansion::default();
        self.expand_into(sources, &text, query, None, 0, &mut Vec::new(), &mut out);
        if !out.errors.is_empty() {
            return Err(out.errors);
        }
        let name = sources.get(query).map(|s| s.name.clone()).unwrap_or_default();
        Ok(sources.add(
            name,
            out.text,
            SourceKind::Expansion {
                of: query,
                segments: out.segments,
            },
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_into(
        &self,
        sources: &mut SourceMap,
        text: &str,
        source: SourceId,
        call_site: Option<Span>,
        depth: usize,
        stack: &mut Vec<String>,
        out: &mut Expansion,
    ) {
        let mut pos = 0;
        let mut plain_start = 0;
        let mut in_search_option = false;
        while pos < text.len() {
            let rest = &text[pos..];
            if let Some(comment) = rest.strip_prefix("```") {
                out.push_plain(text, plain_start..pos, source, call_site);
                match comment.find("```") {
                    Some(end) => pos += 3 + end + 3,
                    None => {
                        out.errors.push(
                            Diagnostic::error(Code::Syntax, "unterminated comment: missing closing ```")
                                .with_label(Span::new(source, pos..pos + 3), "comment opened here")
                                .maybe_secondary(call_site),
                        );
                        return;
                    }
                }
                out.text.push(' ');
                plain_start = pos;
                continue;
            }
            if rest.starts_with('"') {
                if in_search_option || text[..pos].trim_end().ends_with("search=") {
                    // The search of `map search="..."` is a search: its macros are expanded.
                    in_search_option = !in_search_option;
                    pos += 1;
                    continue;
                }
                // Backticks inside a double-quoted string are text, not macro calls.
                pos += quoted_len(rest);
                continue;
            }
            if let Some(escaped) = rest.strip_prefix('\\') {
                // An escaped character (`\"` in a bare term) is text.
                pos += 1 + escaped.chars().next().map(char::len_utf8).unwrap_or(0);
                continue;
            }
            if let Some(call) = rest.strip_prefix('`') {
                out.push_plain(text, plain_start..pos, source, call_site);
                let Some(close) = call.find('`') else {
                    out.errors.push(
                        Diagnostic::error(Code::Syntax, "unterminated macro call: missing closing `")
                            .with_label(Span::new(source, pos..pos + 1), "macro call opened here")
                            .maybe_secondary(call_site),
                    );
                    return;
                };
                let call_end = pos + 1 + close + 1;
                let call_span = Span::new(source, pos..call_end);
                let outer_site = call_site.unwrap_or(call_span);
                self.expand_call(
                    sources,
                    &text[pos + 1..call_end - 1],
                    call_span,
                    outer_site,
                    depth,
                    stack,
                    out,
                );
                pos = call_end;
                plain_start = pos;
                continue;
            }
            pos += rest.chars().next().map(char::len_utf8).unwrap_or(1);
        }
        out.push_plain(text, plain_start..text.len(), source, call_site);
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_call(
        &self,
        sources: &mut SourceMap,
        call: &str,
        call_span: Span,
        outer_site: Span,
        depth: usize,
        stack: &mut Vec<String>,
        out: &mut Expansion,
    ) {
        let (name, args) = match split_call(call) {
            Ok(parsed) => parsed,
            Err(message) => {
                out.errors
                    .push(Diagnostic::error(Code::MacroExpansion, message).with_label(call_span, ""));
                return;
            }
        };
        let Some(def) = self.get(&name, args.len()) else {
            if name.ends_with("_filter") {
                // security_content ships every `<detection>_filter` macro empty.
                return;
            }
            let mut d = Diagnostic::error(
                Code::UndefinedMacro,
                format!("undefined macro `{}`", macro_key(&name, args.len())),
            )
            .with_label(call_span, "no definition for this macro");
            let arities: Vec<usize> = self
                .defs
                .values()
                .filter(|d| d.name == name)
                .map(|d| d.args.len())
                .collect();
            if !arities.is_empty() {
                d = d.with_help(format!(
                    "`{name}` is defined with {} argument(s)",
                    arities.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(" or ")
                ));
            } else if let Some(near) = did_you_mean(&name, self.defs.values().map(|d| d.name.as_str())) {
                d = d.with_help(format!("did you mean `{near}`?"));
            } else {
                d = d.with_help("load its definition with `--macros FILE` (macros.conf or a macros/*.yml directory)");
            }
            out.errors
                .push(d.maybe_secondary((outer_site != call_span).then_some(outer_site)));
            return;
        };
        if def.is_eval {
            out.errors.push(
                Diagnostic::unsupported("iseval macro", call_span)
                    .with_note(format!("macro `{}` computes its text with eval", def.key())),
            );
            return;
        }
        let key = def.key();
        if depth >= MAX_MACRO_DEPTH || stack.contains(&key) {
            out.errors.push(
                Diagnostic::error(Code::MacroExpansion, format!("macro `{key}` expands into itself"))
                    .with_label(call_span, "recursive macro call"),
            );
            return;
        }
        let mut body = def.definition.clone();
        for (param, value) in def.args.iter().zip(&args) {
            body = body.replace(&format!("${param}$"), value);
        }
        let body_source = sources.add(
            format!("macro `{key}` ({})", def.origin),
            body.clone(),
            SourceKind::MacroBody {
                macro_name: key.clone(),
            },
        );
        stack.push(key);
        self.expand_into(sources, &body, body_source, Some(outer_site), depth + 1, stack, out);
        stack.pop();
    }
}

trait MaybeSecondary {
    fn maybe_secondary(self, span: Option<Span>) -> Self;
}

impl MaybeSecondary for Diagnostic {
    fn maybe_secondary(self, span: Option<Span>) -> Diagnostic {
        match span {
            Some(span) => self.with_secondary(span, "in the expansion of this macro"),
            None => self,
        }
    }
}

#[derive(Default)]
struct Expansion {
    text: String,
    segments: Vec<Segment>,
    errors: Vec<Diagnostic>,
}

impl Expansion {
    fn push_plain(&mut self, text: &str, range: std::ops::Range<usize>, source: SourceId, call_site: Option<Span>) {
        if range.is_empty() {
            return;
        }
        let start = self.text.len();
        self.text.push_str(&text[range.clone()]);
        self.segments.push(Segment {
            expanded: start..self.text.len(),
            origin: Span::new(source, range),
            call_site,
        });
    }
}

/// Length of the double-quoted string at the start of `text` (to its end if unterminated).
fn quoted_len(text: &str) -> usize {
    let mut escaped = false;
    for (pos, c) in text.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return pos + 1;
        }
    }
    text.len()
}

/// `name` or `name(a, "b, c", d)` → name and arguments (split at top-level commas).
fn split_call(call: &str) -> Result<(String, Vec<String>), String> {
    let call = call.trim();
    let Some(open) = call.find('(') else {
        if call.is_empty() {
            return Err("empty macro call ``".into());
        }
        return Ok((call.to_string(), Vec::new()));
    };
    if !call.ends_with(')') {
        return Err(format!("macro call `{call}` has no closing `)`"));
    }
    let name = call[..open].trim().to_string();
    let inner = &call[open + 1..call.len() - 1];
    let mut args = Vec::new();
    let mut depth = 0i32;
    let mut quote = false;
    let mut escaped = false;
    let mut start = 0;
    for (pos, c) in inner.char_indices() {
        if quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quote = false;
            }
            continue;
        }
        match c {
            '"' => quote = true,
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                args.push(inner[start..pos].trim().to_string());
                start = pos + 1;
            }
            _ => {}
        }
    }
    if !inner.trim().is_empty() || start > 0 {
        args.push(inner[start..].trim().to_string());
    }
    Ok((name, args))
}

/// `name(2)` → ("name", 2); `name` → ("name", 0).
fn split_stanza(stanza: &str) -> (String, usize) {
    if let Some(open) = stanza.rfind('(') {
        if let Some(n) = stanza[open + 1..].strip_suffix(')').and_then(|n| n.trim().parse().ok()) {
            return (stanza[..open].trim().to_string(), n);
        }
    }
    (stanza.trim().to_string(), 0)
}

/// Lines of a .conf file with `\` continuations joined; each with its first line number.
pub fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut lines = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let (start, mut acc) = pending.take().unwrap_or((line_no, String::new()));
        if let Some(stripped) = raw.strip_suffix('\\') {
            acc.push_str(stripped);
            acc.push('\n');
            pending = Some((start, acc));
        } else {
            acc.push_str(raw);
            lines.push((start, acc));
        }
    }
    if let Some(p) = pending {
        lines.push(p);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library(conf: &str) -> MacroLibrary {
        let mut lib = MacroLibrary::new();
        lib.load_conf(conf, "macros.conf").unwrap();
        lib
    }

    fn expand(lib: &MacroLibrary, query: &str) -> Result<String, Vec<Diagnostic>> {
        let mut sources = SourceMap::new();
        let id = sources.add("query", query, SourceKind::Query);
        let out = lib.expand(&mut sources, id)?;
        Ok(sources.text(out).to_string())
    }

    #[test]
    fn a_macro_expands_to_its_definition() {
        let lib = library("[okta]\ndefinition = eventtype=okta_log OR sourcetype = \"OktaIM2:log\"\n");
        assert_eq!(
            expand(&lib, "`okta` eventType=x").unwrap(),
            "eventtype=okta_log OR sourcetype = \"OktaIM2:log\" eventType=x"
        );
    }

    #[test]
    fn arguments_replace_dollar_names() {
        let lib = library("[ctime(1)]\nargs = field\ndefinition = convert timeformat=\"%c\" ctime($field$)\n");
        assert_eq!(
            expand(&lib, "x | `ctime(firstTime)`").unwrap(),
            "x | convert timeformat=\"%c\" ctime(firstTime)"
        );
    }

    #[test]
    fn filter_macros_are_empty_when_undefined() {
        assert_eq!(expand(&MacroLibrary::new(), "x | `my_rule_filter`").unwrap(), "x | ");
    }

    #[test]
    fn other_undefined_macros_are_errors_naming_them() {
        let errors = expand(&MacroLibrary::new(), "`nope` x").unwrap_err();
        assert_eq!(errors[0].code, Code::UndefinedMacro);
        assert!(errors[0].message.contains("nope"));
        assert_eq!(errors[0].primary_span().unwrap().range(), 0..6);
    }

    #[test]
    fn comments_are_removed() {
        assert_eq!(expand(&MacroLibrary::new(), "a ```note``` b").unwrap(), "a   b");
    }

    #[test]
    fn macros_may_call_macros_but_not_themselves() {
        let lib = library("[a]\ndefinition = `b` x\n[b]\ndefinition = y\n[loop]\ndefinition = `loop`\n");
        assert_eq!(expand(&lib, "`a`").unwrap(), "y x");
        let errors = expand(&lib, "`loop`").unwrap_err();
        assert_eq!(errors[0].code, Code::MacroExpansion);
    }

    #[test]
    fn continuation_lines_join() {
        let lib = library("[m]\ndefinition = a \\\nb\n");
        assert_eq!(expand(&lib, "`m`").unwrap(), "a \nb");
    }

    #[test]
    fn yaml_definitions_load() {
        let mut lib = MacroLibrary::new();
        lib.load_yaml(
            "name: security_content_ctime\narguments:\n- field\ndefinition: convert timeformat=\"%Y\" ctime($field$)\n",
            "x.yml",
        )
        .unwrap();
        assert!(lib.get("security_content_ctime", 1).is_some());
    }

    #[test]
    fn wrong_arity_is_reported() {
        let lib = library("[m(1)]\nargs = x\ndefinition = $x$\n");
        let errors = expand(&lib, "`m`").unwrap_err();
        assert!(errors[0].help[0].contains("1 argument"));
    }
}
