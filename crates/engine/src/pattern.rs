//! Text patterns of the languages: Splunk search wildcards (`*`, case-insensitive), SQL-style
//! `LIKE` patterns (`%`, `_`, case-sensitive), and search terms matched against the raw event.

use regex::Regex;

/// A `*` wildcard pattern matched against a whole value. Splunk's search compares values
/// case-insensitively; `case_sensitive` is for callers that need exact matching.
#[derive(Clone, Debug)]
pub struct Wildcard {
    /// The pattern split at `*` (lower-cased when case-insensitive).
    pieces: Vec<String>,
    case_sensitive: bool,
}

impl Wildcard {
    pub fn new(pattern: &str, case_sensitive: bool) -> Wildcard {
        let folded = if case_sensitive {
            pattern.to_string()
        } else {
            pattern.to_lowercase()
        };
        Wildcard {
            pieces: folded.split('*').map(str::to_string).collect(),
            case_sensitive,
        }
    }

    pub fn has_wildcard(&self) -> bool {
        self.pieces.len() > 1
    }

    /// The literal text when the pattern has no `*`.
    pub fn literal(&self) -> Option<&str> {
        (self.pieces.len() == 1).then(|| self.pieces[0].as_str())
    }

    pub fn matches(&self, text: &str) -> bool {
        if self.pieces.len() > 1 && self.pieces.iter().all(String::is_empty) {
            // Only `*`s: anything matches, with no folding to do.
            return true;
        }
        if self.case_sensitive {
            self.matches_folded(text)
        } else if text.is_ascii() {
            self.matches_folded(&text.to_ascii_lowercase())
        } else {
            self.matches_folded(&text.to_lowercase())
        }
    }

    fn matches_folded(&self, text: &str) -> bool {
        if self.pieces.len() == 1 {
            return text == self.pieces[0];
        }
        let first = &self.pieces[0];
        let last = &self.pieces[self.pieces.len() - 1];
        if !text.starts_with(first.as_str()) {
            return false;
        }
        let mut rest = &text[first.len()..];
        if rest.len() < last.len() || !rest.ends_with(last.as_str()) {
            return false;
        }
        rest = &rest[..rest.len() - last.len()];
        for piece in &self.pieces[1..self.pieces.len() - 1] {
            if piece.is_empty() {
                continue;
            }
            match rest.find(piece.as_str()) {
                Some(pos) => rest = &rest[pos + piece.len()..],
                None => return false,
            }
        }
        true
    }
}

/// A `LIKE` pattern: `%` matches any run of characters, `_` exactly one; case-sensitive.
#[derive(Clone, Debug)]
pub struct LikePattern {
    regex: Regex,
}

impl LikePattern {
    pub fn new(pattern: &str) -> LikePattern {
        let mut re = String::from("(?s)^");
        let mut escaped = false;
        for c in pattern.chars() {
            if escaped {
                re.push_str(&regex::escape(&c.to_string()));
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '%' => re.push_str(".*"),
                '_' => re.push('.'),
                other => re.push_str(&regex::escape(&other.to_string())),
            }
        }
        re.push('$');
        LikePattern {
            // Escaped literal text never fails to compile.
            regex: Regex::new(&re).unwrap_or_else(|_| Regex::new("^$").expect("empty regex compiles")),
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }
}

/// A bare search term or quoted phrase, matched against `_raw` the way Splunk's index lookup
/// behaves: case-insensitive, `*` wildcards, and the match must start and end at a token
/// boundary (`error` matches `error:` and `[error]` but not `errors`).
#[derive(Clone, Debug)]
pub struct Term {
    text: String,
    regex: Option<Regex>,
}

impl Term {
    pub fn new(term: &str) -> Term {
        if term.chars().all(|c| c == '*') {
            return Term {
                text: term.to_string(),
                regex: None,
            };
        }
        // The boundary classes are not case-folded (`(?-i:...)`): folding a class of all
        // letters costs most of the compile time and changes nothing that matters.
        let mut re = String::from("(?i)");
        if !term.starts_with('*') {
            re.push_str(r"(?:^|(?-i:[^\p{L}\p{N}_]))");
        }
        let pieces: Vec<&str> = term.split('*').collect();
        for (n, piece) in pieces.iter().enumerate() {
            if n > 0 {
                // A wildcard stays inside one segment: it does not cross whitespace or the
                // major breakers of Splunk's segmenter.
                re.push_str(r#"[^\s\[\](){}<>|!;,'"]*?"#);
            }
            re.push_str(&regex::escape(piece));
        }
        if !term.ends_with('*') {
            re.push_str(r"(?:$|(?-i:[^\p{L}\p{N}_]))");
        }
        Term {
            text: term.to_string(),
            regex: Regex::new(&re).ok(),
        }
    }

    /// The term as written (after unquoting).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the term matches every event (`*`, or a term too large to compile).
    pub fn matches_everything(&self) -> bool {
        self.regex.is_none()
    }

    pub fn matches(&self, raw: &str) -> bool {
        match &self.regex {
            None => true,
            Some(re) => re.is_match(raw),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_wildcards_ignore_case() {
        let w = Wildcard::new("OKTA_*", false);
        assert!(w.matches("okta_verify_push"));
        assert!(!w.matches("xokta_verify"));
        assert!(Wildcard::new("*push*", false).matches("system.PUSH.send"));
        assert!(Wildcard::new("a*b*c", false).matches("abc"));
        assert!(!Wildcard::new("a*b*c", false).matches("acb"));
        assert!(Wildcard::new("success", false).matches("SUCCESS"));
        assert!(!Wildcard::new("success", true).matches("SUCCESS"));
    }

    #[test]
    fn like_patterns() {
        let p = LikePattern::new("%New IP=POSITIVE%");
        assert!(p.matches("{New Geo-Location=NEGATIVE, New IP=POSITIVE}"));
        assert!(!p.matches("new ip=positive"));
        assert!(LikePattern::new("a_c").matches("abc"));
        assert!(!LikePattern::new("a_c").matches("abbc"));
        assert!(LikePattern::new("100\\%").matches("100%"));
    }

    #[test]
    fn terms_match_whole_tokens() {
        assert!(Term::new("error").matches("an ERROR: disk"));
        assert!(!Term::new("error").matches("errors happen"));
        assert!(Term::new("err*").matches("errors happen"));
        assert!(Term::new("user.session.start").matches(r#"{"eventType":"user.session.start"}"#));
        assert!(Term::new("access denied").matches("x access denied y"));
        assert!(Term::new("*").matches(""));
    }
}
