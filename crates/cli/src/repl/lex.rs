//! A forgiving tokenizer for text being typed: enough of SPL and EQL to colour it, find the
//! word under the cursor, and tell whether a query is finished. It never fails; an unclosed
//! string or macro call is a token marked open.

use crate::lang::Lang;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A name, keyword, bare value or wildcard: `eventType`, `target{}.id`, `user*`, `10m`.
    Word,
    Number,
    /// `"text"`; in EQL also `'text'`, `"""raw"""` and `?"raw"`.
    Str {
        closed: bool,
    },
    /// SPL `'field name'` or EQL `` `field name` ``.
    QuotedField {
        closed: bool,
    },
    /// SPL `` `macro(args)` ``.
    Macro {
        closed: bool,
    },
    /// SPL ```` ```comment``` ````; EQL `/* comment */` and `// comment`.
    Comment {
        closed: bool,
    },
    Pipe,
    Open(char),
    Close(char),
    /// `=`, `!=`, `==`, `<`, `<=`, `>`, `>=`, `:`, `,`, arithmetic and the like.
    Op,
    Space,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.start..self.end]
    }

    /// True for tokens that are neither spaces nor comments.
    pub fn significant(&self) -> bool {
        !matches!(self.kind, Kind::Space | Kind::Comment { .. })
    }

    /// An unclosed string, quoted name, macro call or comment.
    pub fn is_open(&self) -> bool {
        matches!(
            self.kind,
            Kind::Str { closed: false }
                | Kind::QuotedField { closed: false }
                | Kind::Macro { closed: false }
                | Kind::Comment { closed: false }
        )
    }
}

/// Characters that may continue a word (a field name, a value, a wildcard pattern).
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '@' | '*' | '$' | '{' | '}')
}

pub fn tokens(text: &str, lang: Lang) -> Vec<Token> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let Some(c) = rest.chars().next() else { break };
        let (kind, len) = if c.is_whitespace() {
            let len = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
            (Kind::Space, len)
        } else if lang == Lang::Spl && rest.starts_with("```") {
            closed_by(rest, 3, "```", |closed| Kind::Comment { closed })
        } else if lang == Lang::Eql && rest.starts_with("/*") {
            closed_by(rest, 2, "*/", |closed| Kind::Comment { closed })
        } else if lang == Lang::Eql && rest.starts_with("//") {
            (Kind::Comment { closed: true }, rest.find('\n').unwrap_or(rest.len()))
        } else if lang == Lang::Eql && rest.starts_with("\"\"\"") {
            closed_by(rest, 3, "\"\"\"", |closed| Kind::Str { closed })
        } else if lang == Lang::Eql && rest.starts_with("?\"") {
            let (kind, len) = quoted(&rest[1..], '"', |closed| Kind::Str { closed });
            (kind, len + 1)
        } else if c == '"' {
            quoted(rest, '"', |closed| Kind::Str { closed })
        } else if c == '\'' {
            match lang {
                Lang::Spl => quoted(rest, '\'', |closed| Kind::QuotedField { closed }),
                Lang::Eql => quoted(rest, '\'', |closed| Kind::Str { closed }),
            }
        } else if c == '`' {
            match lang {
                Lang::Spl => closed_by(rest, 1, "`", |closed| Kind::Macro { closed }),
                Lang::Eql => closed_by(rest, 1, "`", |closed| Kind::QuotedField { closed }),
            }
        } else if c == '|' {
            (Kind::Pipe, 1)
        } else if matches!(c, '(' | '[') {
            (Kind::Open(c), 1)
        } else if matches!(c, ')' | ']') {
            (Kind::Close(c), 1)
        } else if is_word_char(c) || (lang == Lang::Eql && c == '?' && rest[1..].starts_with(is_word_char)) {
            let len = 1 + rest[c.len_utf8()..]
                .find(|c: char| !is_word_char(c))
                .unwrap_or(rest.len() - c.len_utf8());
            let word = &rest[..len];
            let number = word.starts_with(|c: char| c.is_ascii_digit()) && word.parse::<f64>().is_ok();
            (if number { Kind::Number } else { Kind::Word }, len)
        } else {
            let two = bytes.get(i + 1).copied();
            let len = match (c, two) {
                ('!' | '=' | '<' | '>', Some(b'=')) => 2,
                _ => c.len_utf8(),
            };
            (Kind::Op, len)
        };
        out.push(Token {
            kind,
            start: i,
            end: i + len,
        });
        i += len;
    }
    out
}

/// A token from `open` (of `skip` bytes) to the next `close`, or to the end when unclosed.
fn closed_by(rest: &str, skip: usize, close: &str, kind: impl Fn(bool) -> Kind) -> (Kind, usize) {
    match rest[skip..].find(close) {
        Some(at) => (kind(true), skip + at + close.len()),
        None => (kind(false), rest.len()),
    }
}

/// A quoted token with backslash escapes.
fn quoted(rest: &str, quote: char, kind: impl Fn(bool) -> Kind) -> (Kind, usize) {
    let mut escaped = false;
    for (at, c) in rest.char_indices().skip(1) {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == quote {
            return (kind(true), at + 1);
        }
    }
    (kind(false), rest.len())
}

/// How a piece of text ends, for deciding whether a query goes on.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Openness {
    /// Brackets opened and not yet closed, innermost last.
    pub brackets: Vec<char>,
    /// The text ends inside a string, quoted name, macro call or comment.
    pub open_token: bool,
    /// The last significant token is a `|`.
    pub trailing_pipe: bool,
}

impl Openness {
    pub fn is_open(&self) -> bool {
        !self.brackets.is_empty() || self.open_token || self.trailing_pipe
    }
}

pub fn openness(text: &str, lang: Lang) -> Openness {
    let mut state = Openness::default();
    let tokens = tokens(text, lang);
    for token in &tokens {
        match token.kind {
            Kind::Open(c) => state.brackets.push(c),
            Kind::Close(c) => {
                let want = if c == ')' { '(' } else { '[' };
                // A stray closer is the parser's to report, not a reason to wait for more.
                if state.brackets.last() == Some(&want) {
                    state.brackets.pop();
                }
            }
            _ => {}
        }
    }
    state.open_token = tokens.last().is_some_and(Token::is_open);
    state.trailing_pipe = tokens
        .iter()
        .rev()
        .find(|t| t.significant())
        .is_some_and(|t| t.kind == Kind::Pipe);
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str, lang: Lang) -> Vec<(Kind, &str)> {
        tokens(text, lang)
            .into_iter()
            .filter(|t| t.kind != Kind::Space)
            .map(|t| (t.kind, &text[t.start..t.end]))
            .collect()
    }

    #[test]
    fn spl_tokens() {
        assert_eq!(
            kinds(
                r#"`okta` target{}.id="a \"b\"" | stats count by 'x y', n>=2"#,
                Lang::Spl
            ),
            vec![
                (Kind::Macro { closed: true }, "`okta`"),
                (Kind::Word, "target{}.id"),
                (Kind::Op, "="),
                (Kind::Str { closed: true }, r#""a \"b\"""#),
                (Kind::Pipe, "|"),
                (Kind::Word, "stats"),
                (Kind::Word, "count"),
                (Kind::Word, "by"),
                (Kind::QuotedField { closed: true }, "'x y'"),
                (Kind::Op, ","),
                (Kind::Word, "n"),
                (Kind::Op, ">="),
                (Kind::Number, "2"),
            ]
        );
    }

    #[test]
    fn eql_tokens() {
        assert_eq!(
            kinds(r#"any where ?a.b : """x""" and `f g` == 'y' /* c */"#, Lang::Eql),
            vec![
                (Kind::Word, "any"),
                (Kind::Word, "where"),
                (Kind::Word, "?a.b"),
                (Kind::Op, ":"),
                (Kind::Str { closed: true }, r#""""x""""#),
                (Kind::Word, "and"),
                (Kind::QuotedField { closed: true }, "`f g`"),
                (Kind::Op, "=="),
                (Kind::Str { closed: true }, "'y'"),
                (Kind::Comment { closed: true }, "/* c */"),
            ]
        );
    }

    #[test]
    fn open_constructs() {
        assert!(openness("a | stats count |", Lang::Spl).trailing_pipe);
        assert!(openness("a | stats count | ", Lang::Spl).is_open());
        assert!(openness("eval x=if(a", Lang::Spl).is_open());
        assert!(openness("x=\"abc", Lang::Spl).open_token);
        assert!(openness("`okta", Lang::Spl).open_token);
        assert!(openness("sequence [any where true]\n [any where", Lang::Eql).is_open());
        assert!(!openness("a | stats count", Lang::Spl).is_open());
        assert!(!openness("eval x=if(a,1,0))", Lang::Spl).is_open());
        assert!(!openness("x=\"a|\"", Lang::Spl).is_open());
    }
}
