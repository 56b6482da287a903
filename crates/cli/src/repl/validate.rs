//! When is an entry finished? A query goes on to the next line while it ends in `|`, has a
//! bracket or parenthesis open, or is inside a string, quoted name, macro call or comment.
//! Dot commands are one line, except that `.explain` takes a query like the prompt does.

use super::lex::openness;
use crate::lang::{detect, Lang};

/// True when `text` is a whole entry; false when it asks for another line.
pub fn is_complete(text: &str, lang: Option<Lang>) -> bool {
    let trimmed = text.trim_start();
    let query = match trimmed.strip_prefix('.') {
        Some(rest) => match rest.strip_prefix("explain") {
            Some(query) if query.is_empty() || query.starts_with(char::is_whitespace) => query,
            _ => return true,
        },
        None => trimmed,
    };
    if query.trim().is_empty() {
        return true;
    }
    let lang = lang.unwrap_or_else(|| detect(query));
    !openness(query, lang).is_open()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_pipe_asks_for_more() {
        assert!(!is_complete("eventType=user.session.start |", None));
        assert!(!is_complete("eventType=x |  \n", None));
        assert!(is_complete("eventType=x | stats count", None));
    }

    #[test]
    fn open_brackets_and_quotes_ask_for_more() {
        assert!(!is_complete("| eval x=if(a=1,", None));
        assert!(!is_complete("displayMessage=\"User login", None));
        assert!(!is_complete("sequence by user [any where true]\n  [", None));
        assert!(!is_complete("`okta", Some(Lang::Spl)));
        assert!(!is_complete("any where a == 'x", Some(Lang::Eql)));
        assert!(is_complete("sequence by user [any where true] [any where true]", None));
    }

    #[test]
    fn a_stray_closer_is_left_to_the_parser() {
        assert!(is_complete("| eval x=1)", None));
    }

    #[test]
    fn dot_commands_are_one_line_except_explain() {
        assert!(is_complete(".load (", None));
        assert!(is_complete(".fields client.*", None));
        assert!(!is_complete(".explain a |", None));
        assert!(is_complete(".explain a | head 1", None));
        assert!(is_complete(".explain", None));
    }

    #[test]
    fn empty_input_is_complete() {
        assert!(is_complete("", None));
        assert!(is_complete("   ", None));
    }
}
