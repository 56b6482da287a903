//! Which lookup tables a query names. Finding their definitions is `definitions_near`'s
//! business and loading them the engine's (`quarry_engine::lookup::LookupRegistry`).

use regex::Regex;
use std::sync::OnceLock;

/// The lookup tables a query reads: the table argument of every `lookup` and `inputlookup`
/// command, subsearches included, in order of appearance (each once). `outputlookup` writes
/// its table, which need not exist yet.
pub fn used_by(query: &str) -> Vec<String> {
    static COMMAND: OnceLock<Option<Regex>> = OnceLock::new();
    let Some(re) = COMMAND
        .get_or_init(|| Regex::new(r"(?i)(?:^|[|\[])\s*(?:input)?lookup\s+").ok())
        .as_ref()
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for m in re.find_iter(query) {
        let rest = &query[m.end()..];
        // Options (`local=true`, `append=t`) come before the table name.
        let name = rest
            .split_whitespace()
            .find(|token| !token.contains('='))
            .map(|t| t.trim_matches(|c| c == '"' || c == '\'' || c == ']' || c == '|'))
            .filter(|t| !t.is_empty());
        if let Some(name) = name {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_names_are_read_after_options_and_in_subsearches() {
        let query =
            "`sysmon` | lookup local=true update=true attacker_tools attacker_tool_names AS Image OUTPUT description \
                     | search [| inputlookup append=t \"known_hosts.csv\" | fields dest] | lookup attacker_tools x";
        assert_eq!(used_by(query), vec!["attacker_tools", "known_hosts.csv"]);
        assert!(used_by("index=main lookup_table=x | stats count").is_empty());
        assert!(used_by("index=main | stats count by user | outputlookup append=t new_table").is_empty());
    }
}
