//! Splunk's regular expressions are PCRE; Quarry runs them with the `regex` crate, which
//! matches in linear time. This module translates the PCRE spellings the crate lacks and
//! rejects, with the construct named, what it cannot run: backreferences, lookaround,
//! atomic groups, possessive quantifiers, recursion, `\Q...\E`.

use regex::Regex;

/// Why a PCRE pattern cannot run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// The construct, as Splunk users know it: `lookbehind (?<!...)`, `backreference \1`.
    pub construct: String,
}

/// Compiles a PCRE pattern; `Err` holds a message naming the problem.
pub fn compile(pattern: &str) -> Result<Regex, String> {
    let translated = translate(pattern).map_err(|u| {
        format!(
            "the regex uses {}, which Quarry's linear-time regex engine does not support",
            u.construct
        )
    })?;
    Regex::new(&translated).map_err(|e| format!("invalid regular expression {pattern:?}: {e}"))
}

/// Rewrites PCRE syntax into the `regex` crate's: `{` that is not a repetition becomes a
/// literal, `\Z` becomes `\n?\z`, `(?<name>` stays (the crate reads it), `\h` becomes
/// `[ \t]`. Constructs that need backtracking are an error.
pub fn translate(pattern: &str) -> Result<String, Unsupported> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut k = 0;
    let mut in_class = false;
    let unsupported = |c: &str| {
        Err(Unsupported {
            construct: c.to_string(),
        })
    };
    while k < chars.len() {
        let c = chars[k];
        match c {
            '\\' => {
                let Some(&n) = chars.get(k + 1) else {
                    out.push_str("\\\\");
                    k += 1;
                    continue;
                };
                match n {
                    '1'..='9' if !in_class => return unsupported(&format!("the backreference \\{n}")),
                    'k' | 'g' if !in_class => return unsupported(&format!("the backreference \\{n}")),
                    'Q' => return unsupported("\\Q...\\E quoting"),
                    'Z' if !in_class => out.push_str("(?:\\n?\\z)"),
                    'h' => out.push_str(if in_class { " \\t" } else { "[ \\t]" }),
                    'G' => return unsupported("\\G"),
                    'R' => out.push_str("(?:\\r\\n|\\n|\\r)"),
                    // The crate rejects escapes of letters it does not know; PCRE reads
                    // `\/`, `\:`, `\-` and so on as the character.
                    n if !n.is_ascii_alphanumeric() => {
                        if n.is_ascii() {
                            out.push('\\');
                        }
                        out.push(n);
                    }
                    // `\x{202E}`, `\p{L}`: the braces belong to the escape.
                    'x' | 'p' | 'P' if chars.get(k + 2) == Some(&'{') => {
                        let close = chars[k + 2..].iter().position(|&c| c == '}').map(|p| k + 2 + p);
                        let end = close.unwrap_or(chars.len() - 1);
                        out.extend(&chars[k..=end]);
                        k = end + 1;
                        continue;
                    }
                    n => {
                        out.push('\\');
                        out.push(n);
                    }
                }
                k += 2;
                continue;
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                k += 1;
                // `[]...]` and `[^]...]`: a leading `]` is literal.
                if chars.get(k) == Some(&'^') {
                    out.push('^');
                    k += 1;
                }
                if chars.get(k) == Some(&']') {
                    out.push_str("\\]");
                    k += 1;
                }
                continue;
            }
            '[' if in_class => {
                // `[[:alpha:]]` classes pass; a lone `[` inside a class is literal.
                if chars.get(k + 1) == Some(&':') {
                    out.push('[');
                } else {
                    out.push_str("\\[");
                }
                k += 1;
                continue;
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '(' if !in_class && chars.get(k + 1) == Some(&'?') => {
                let rest: String = chars[k + 2..].iter().take(3).collect();
                if rest.starts_with('=') {
                    return unsupported("a lookahead (?=...)");
                }
                if rest.starts_with('!') {
                    return unsupported("a negative lookahead (?!...)");
                }
                if rest.starts_with("<=") {
                    return unsupported("a lookbehind (?<=...)");
                }
                if rest.starts_with("<!") {
                    return unsupported("a negative lookbehind (?<!...)");
                }
                if rest.starts_with('>') {
                    return unsupported("an atomic group (?>...)");
                }
                if rest.starts_with('|') {
                    return unsupported("a branch-reset group (?|...)");
                }
                if rest.starts_with("P=") || rest.starts_with("P>") {
                    return unsupported("a named backreference (?P=...)");
                }
                if rest.starts_with('R') || rest.starts_with(|c: char| c.is_ascii_digit()) {
                    return unsupported("a recursive pattern (?R)");
                }
                if rest.starts_with('#') {
                    // A comment group: dropped.
                    while k < chars.len() && chars[k] != ')' {
                        k += 1;
                    }
                    k += 1;
                    continue;
                }
                out.push('(');
            }
            '{' if !in_class => {
                // A repetition `{n}`, `{n,}`, `{n,m}`; anything else is a literal brace.
                let close = chars[k + 1..].iter().position(|&c| c == '}').map(|p| k + 1 + p);
                let is_rep = close.is_some_and(|e| {
                    let inner: String = chars[k + 1..e].iter().collect();
                    let mut parts = inner.splitn(2, ',');
                    let a = parts.next().unwrap_or("");
                    let b = parts.next();
                    !a.is_empty()
                        && a.chars().all(|c| c.is_ascii_digit())
                        && b.is_none_or(|b| b.chars().all(|c| c.is_ascii_digit()))
                });
                if is_rep && k > 0 {
                    let e = close.unwrap_or(k);
                    out.extend(&chars[k..=e]);
                    k = e + 1;
                    if chars.get(k) == Some(&'+') {
                        return unsupported("a possessive quantifier {n}+");
                    }
                    continue;
                }
                out.push_str("\\{");
            }
            '}' if !in_class => out.push_str("\\}"),
            '*' | '+' | '?' if !in_class => {
                out.push(c);
                if chars.get(k + 1) == Some(&'+') && (c != '?' || k > 0) {
                    // `a++`, `a*+`, `a?+` are possessive; `(?+` never reaches here.
                    return unsupported(&format!("a possessive quantifier {c}+"));
                }
            }
            _ => out.push(c),
        }
        k += 1;
    }
    Ok(out)
}

/// Names of the regex's named groups, in order.
pub fn group_names(re: &Regex) -> Vec<String> {
    re.capture_names().flatten().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcre_spellings_translate() {
        assert!(compile(r"(?<repository>[^\/]*\/[^\/]*)$").is_ok());
        assert!(compile(r"(?P<a>.*?);(?P<b>.*?)$").is_ok());
        assert!(compile(r"[jJnNdDiI]{4}(\:").is_err()); // unbalanced paren
        assert!(compile(r"a{b}").is_ok_and(|r| r.is_match("a{b}")));
        assert!(compile(r"\x{202E}").is_ok());
    }

    #[test]
    fn backtracking_constructs_are_named() {
        let err = compile(r"(?<!\/)\b\w+").err().unwrap_or_default();
        assert!(err.contains("negative lookbehind"), "{err}");
        let err = compile(r"(a)\1").err().unwrap_or_default();
        assert!(err.contains("backreference"), "{err}");
        assert!(compile(r"a++").is_err());
    }
}
