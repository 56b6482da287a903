//! Macro expansion for the lint: an undefined macro (L0007) is a finding rather than the end
//! of the analysis. It expands to nothing, as the `*_filter` macros Splunk ships empty do, so
//! the rest of the query can still be examined.

use super::{finding, UNDEFINED_MACRO};
use quarry_syntax::spl::macros::{MacroDef, MacroLibrary};
use quarry_syntax::{Code, Diagnostic, SourceId, SourceMap};

/// Expands the macros of source `query`. Returns the expanded source and the undefined-macro
/// findings, or the errors that stop expansion altogether.
pub fn expand(
    sources: &mut SourceMap,
    query: SourceId,
    macros: &MacroLibrary,
) -> Result<(SourceId, Vec<Diagnostic>), Vec<Diagnostic>> {
    let errors = match macros.expand(sources, query) {
        Ok(id) => return Ok((id, Vec::new())),
        Err(errors) => errors,
    };
    if errors.iter().any(|d| d.code != Code::UndefinedMacro) {
        return Err(errors);
    }
    let mut library = macros.clone();
    let mut findings = Vec::new();
    for error in errors {
        let call = error
            .primary_span()
            .map(|s| sources.snippet(s).to_string())
            .unwrap_or_default();
        if let Some((name, arity)) = parse_call(&call) {
            library.insert(MacroDef {
                name,
                args: (1..=arity).map(|n| format!("arg{n}")).collect(),
                definition: String::new(),
                is_eval: false,
                origin: "undefined".into(),
            });
        }
        let mut d = finding(
            UNDEFINED_MACRO,
            format!("{}: Splunk refuses to run a search that calls it", error.message),
        );
        d.labels = error.labels;
        d.help = error.help;
        d.notes = error.notes;
        findings.push(d);
    }
    let id = library.expand(sources, query).map_err(|mut e| {
        e.extend(findings.iter().cloned());
        e
    })?;
    Ok((id, findings))
}

/// `` `name(a, "b, c")` `` → ("name", 2): the name and number of arguments of a call.
fn parse_call(call: &str) -> Option<(String, usize)> {
    let inner = call.trim().strip_prefix('`')?.strip_suffix('`')?.trim();
    let Some(open) = inner.find('(') else {
        return (!inner.is_empty()).then(|| (inner.to_string(), 0));
    };
    let name = inner[..open].trim().to_string();
    let args = inner[open + 1..].strip_suffix(')')?;
    if args.trim().is_empty() {
        return Some((name, 0));
    }
    let (mut depth, mut quoted, mut escaped, mut count) = (0i32, false, false, 1);
    for c in args.chars() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => count += 1,
            _ => {}
        }
    }
    Some((name, count))
}

#[cfg(test)]
mod tests {
    use super::parse_call;

    #[test]
    fn calls_give_name_and_arity() {
        assert_eq!(parse_call("`okta`"), Some(("okta".into(), 0)));
        assert_eq!(parse_call("`m(a, \"b, c\", f(x, y))`"), Some(("m".into(), 3)));
        assert_eq!(parse_call("`m()`"), Some(("m".into(), 0)));
        assert_eq!(parse_call("okta"), None);
    }
}
