//! The parser never panics and never overflows the stack: random bytes, random soups of SPL
//! tokens, and deeply nested input all end in a tree or a diagnostic.
#![allow(clippy::unwrap_used)] // tests fail loudly by design

use quarry_syntax::spl::macros::MacroLibrary;
use quarry_syntax::spl::parse_pipeline;
use quarry_syntax::{SourceId, SourceKind, SourceMap};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "|",
    "search",
    "where",
    "eval",
    "stats",
    "eventstats",
    "bin",
    "bucket",
    "fillnull",
    "fields",
    "table",
    "rename",
    "sort",
    "head",
    "tail",
    "dedup",
    "iplocation",
    "tstats",
    "by",
    "as",
    "AND",
    "OR",
    "NOT",
    "XOR",
    "IN",
    "LIKE",
    "(",
    ")",
    "[",
    "]",
    ",",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    ".",
    "\"",
    "'",
    "`",
    "```",
    "\\",
    "x",
    "a.b",
    "target{}.id",
    "count",
    "dc(x)",
    "values(*)",
    "if(",
    "case(",
    "eval(",
    "span=2s",
    "value=NULL",
    "1",
    "0.5",
    "-3",
    "\"str\"",
    "'fld'",
    "`okta`",
    "`m(1,2)`",
    "$x$",
    " ",
    "\n",
    "\t",
    "é",
    "日本",
    "\u{0}",
];

fn parse_everything(text: &str) {
    let _ = parse_pipeline(text, SourceId(0));
    let mut sources = SourceMap::new();
    let id = sources.add("q", text, SourceKind::Query);
    let mut lib = MacroLibrary::new();
    let _ = lib.load_conf(
        "[okta]\ndefinition = eventtype=okta_log\n[m(2)]\nargs = a, b\ndefinition = $a$=$b$\n",
        "m",
    );
    if let Ok(expanded) = lib.expand(&mut sources, id) {
        let expanded_text = sources.text(expanded).to_string();
        let _ = parse_pipeline(&expanded_text, expanded);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = rng.below(120);
        let bytes: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
        parse_everything(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn token_soup_never_panics() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let n = rng.below(40);
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(TOKENS[rng.below(TOKENS.len())]);
            if rng.below(3) > 0 {
                text.push(' ');
            }
        }
        parse_everything(&text);
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for depth in [200, 5_000, 100_000] {
        let parens = format!("x | eval y={}1{}", "(".repeat(depth), ")".repeat(depth));
        let errors = parse_pipeline(&parens, SourceId(0)).unwrap_err();
        assert!(errors[0].message.contains("nested too deeply"), "{:?}", errors[0]);
        let search = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
        assert!(parse_pipeline(&search, SourceId(0)).is_err());
        let nots = format!("x | where {}a=1", "NOT ".repeat(depth));
        assert!(parse_pipeline(&nots, SourceId(0)).is_err());
        let calls = format!("x | eval y={}1{}", "abs(".repeat(depth), ")".repeat(depth));
        assert!(parse_pipeline(&calls, SourceId(0)).is_err());
    }
    let chain = format!("x | eval y=1{}", "+1".repeat(100_000));
    assert!(parse_pipeline(&chain, SourceId(0)).unwrap_err()[0]
        .message
        .contains("too long"));
    // Moderate nesting still parses.
    let ok = format!("x | eval y={}1{}", "(".repeat(40), ")".repeat(40));
    assert!(parse_pipeline(&ok, SourceId(0)).is_ok());
}
