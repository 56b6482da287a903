//! Which language a query is in, when the user does not say.

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Spl,
    Eql,
}

impl Lang {
    pub fn name(&self) -> &'static str {
        match self {
            Lang::Spl => "spl",
            Lang::Eql => "eql",
        }
    }
}

/// EQL queries start with `sequence`, `sample`, `join`, or `<category> where`; anything else
/// is SPL.
pub fn detect(query: &str) -> Lang {
    let mut text = query.trim_start();
    // Skip EQL block comments.
    while let Some(rest) = text.strip_prefix("/*") {
        match rest.find("*/") {
            Some(end) => text = rest[end + 2..].trim_start(),
            None => return Lang::Eql,
        }
    }
    let first: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '`' | '.' | '-' | '"'))
        .collect();
    let rest = text[first.len()..].trim_start();
    let lower = first.to_ascii_lowercase();
    if matches!(lower.as_str(), "sequence" | "sample" | "join")
        && (rest.is_empty()
            || rest.starts_with('[')
            || rest.to_ascii_lowercase().starts_with("by")
            || rest.to_ascii_lowercase().starts_with("with"))
    {
        return Lang::Eql;
    }
    let next: String = rest.chars().take_while(|c| c.is_alphabetic()).collect();
    if !first.is_empty() && next.eq_ignore_ascii_case("where") && !first.contains('=') {
        let after = rest[next.len()..].chars().next();
        if after.is_none_or(|c| c.is_whitespace() || c == '(') {
            return Lang::Eql;
        }
    }
    Lang::Spl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eql_shapes_are_recognised() {
        assert_eq!(
            detect("sequence by user.email with maxspan=10m [any where true]"),
            Lang::Eql
        );
        assert_eq!(detect("any where event.module == \"okta\""), Lang::Eql);
        assert_eq!(detect("/* c */ process where true"), Lang::Eql);
        assert_eq!(detect("sample by host [any where true]"), Lang::Eql);
    }

    #[test]
    fn everything_else_is_spl() {
        assert_eq!(detect("eventType=user.session.start | stats count"), Lang::Spl);
        assert_eq!(detect("`okta` eventType IN (x)"), Lang::Spl);
        assert_eq!(detect("| makeresults"), Lang::Spl);
        assert_eq!(detect("where is my error"), Lang::Spl);
    }
}
