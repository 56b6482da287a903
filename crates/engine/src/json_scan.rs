//! A JSON scanner for projected parsing: walks a line's keys by hand, skips (and checks) the
//! values a [`FieldSet`] does not want, and hands only the wanted values to serde_json.
//!
//! Most of the cost of reading a log line is skipping the parts no query reads; serde_json
//! skips a value through its generic visitor machinery, byte by byte. This scanner finds the
//! end of a string eight bytes at a time and checks skipped values against the JSON grammar
//! itself. It accepts a subset of what serde_json accepts: whatever it is not sure of (a
//! malformed line, a top level that is not an object, deep nesting, a wanted value serde_json
//! rejects) gives `None`, and the caller parses the line with
//! [`crate::projection::parse_projected`], so errors read exactly as serde_json writes them.

use crate::projection::{FieldSet, Keep};
use serde_json::{Map, Value as Json};
use std::borrow::Cow;

/// Nesting past this depth is left to serde_json (whose own limit is 128).
const MAX_DEPTH: usize = 100;

/// Parses `text` as [`crate::projection::parse_projected`] does, or `None` when the scanner
/// does not accept it (the caller then parses it with serde_json).
pub fn parse_projected_fast(text: &str, set: &FieldSet) -> Option<Json> {
    top_object(text, set, |scanner| scanner.object(0, true))
}

/// The Splunk names of the fields of the JSON object `text` that have a value and that `wanted`
/// accepts, in document order, as [`crate::flat_names::scan_for`] gives them; `None` when the
/// scanner is not sure (the caller then asks serde_json), including every case where that
/// function gives `None`: a repeated key, a number out of range, a top level that is not an
/// object.
pub fn scan_names(text: &str, wanted: &dyn Fn(&str) -> bool) -> Option<Vec<String>> {
    let mut found = indexmap::IndexSet::<String, ahash::RandomState>::default();
    top_object(text, &FieldSet::default(), |scanner| {
        scanner.names_of_object(0, true, &mut |path: &str| {
            if wanted(path) && !found.contains(path) {
                found.insert(path.to_string());
            }
        })
    })?;
    Some(found.into_iter().collect())
}

/// Runs `read` at the top-level object of `text`: `None` unless the text is one object, with
/// nothing but whitespace around it.
fn top_object<R>(text: &str, set: &FieldSet, read: impl FnOnce(&mut Scanner) -> Option<R>) -> Option<R> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        text,
        at: 0,
        path: String::new(),
        set,
    };
    scanner.whitespace();
    if scanner.peek()? != b'{' {
        return None;
    }
    let read = read(&mut scanner)?;
    scanner.whitespace();
    (scanner.at == scanner.bytes.len()).then_some(read)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
    /// The Splunk name of the value being read (`a.b{}.c`).
    path: String,
    set: &'a FieldSet,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `v` that is zero (the lowest such byte is always right; bytes
/// above it may be flagged wrongly, which is why only the lowest is used).
fn zero_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES) & !v & HIGHS
}

/// The high bit of each byte of `v` below 0x20 (the lowest such byte is always right).
fn control_bytes(v: u64) -> u64 {
    v.wrapping_sub(ONES * 0x20) & !v & HIGHS
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn whitespace(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// At `{` or `[` (whose end is `close`): moves in, past an empty container's end; false
    /// when it is empty.
    fn open(&mut self, depth: usize, close: u8) -> Option<bool> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.at += 1;
        self.whitespace();
        if self.peek()? == close {
            self.at += 1;
            return Some(false);
        }
        Some(true)
    }

    /// After a member of a container ending in `close`: past the `,` (true: another member
    /// follows) or past the end (false).
    fn next_member(&mut self, close: u8) -> Option<bool> {
        self.whitespace();
        match self.peek()? {
            b',' => {
                self.at += 1;
                self.whitespace();
                Some(true)
            }
            b if b == close => {
                self.at += 1;
                Some(false)
            }
            _ => None,
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// At an object key: skips it and the `:` after it; where the quoted key ends, and
    /// whether it holds escapes.
    fn skip_key(&mut self) -> Option<(usize, bool)> {
        if self.peek()? != b'"' {
            return None;
        }
        let escaped = self.string()?;
        let end = self.at;
        self.whitespace();
        self.expect(b':')?;
        self.whitespace();
        Some((end, escaped))
    }

    /// At an object key: the key, borrowed from the text unless it holds escapes (then
    /// decoded), and past the `:` after it.
    fn key(&mut self) -> Option<Cow<'a, str>> {
        let start = self.at;
        let (end, escaped) = self.skip_key()?;
        let text = self.text;
        if escaped {
            serde_json::from_str::<String>(&text[start..end]).ok().map(Cow::Owned)
        } else {
            Some(Cow::Borrowed(&text[start + 1..end - 1]))
        }
    }

    /// Adds an object's key to the path (`a` at the top, `.a` below).
    fn enter(&mut self, key: &str, top: bool) {
        if !top {
            self.path.push('.');
        }
        self.path.push_str(key);
    }

    /// At `{`: the object, keeping what the set wants of each key.
    fn object(&mut self, depth: usize, top: bool) -> Option<Json> {
        // Room for every key the set could keep here, so that the map is built without growing.
        let mut object = Map::with_capacity(self.set.width(&self.path, top));
        let base = self.path.len();
        let mut more = self.open(depth, b'}')?;
        while more {
            // Copied only when kept: most keys of a line are not.
            let key = self.key()?;
            self.enter(&key, top);
            match self.set.keep(&self.path) {
                Keep::No => self.skip(depth + 1)?,
                Keep::Whole => {
                    let value = self.whole(depth + 1)?;
                    object.insert(key.into_owned(), value);
                }
                Keep::Partial => {
                    let value = self.partial(depth + 1)?;
                    object.insert(key.into_owned(), value);
                }
                Keep::PartialObject => {
                    let value = match self.peek()? {
                        b'{' => self.object(depth + 1, false)?,
                        _ => self.whole(depth + 1)?,
                    };
                    object.insert(key.into_owned(), value);
                }
            }
            self.path.truncate(base);
            more = self.next_member(b'}')?;
        }
        Some(Json::Object(object))
    }

    /// At `{`: calls `name` with the path of every scalar that has a value below it.
    fn names_of_object(&mut self, depth: usize, top: bool, name: &mut dyn FnMut(&str)) -> Option<()> {
        let base = self.path.len();
        // Keys seen, as written (a key escaped is decoded): a repeated key is left to serde_json.
        let mut keys: Vec<Cow<str>> = Vec::new();
        let mut more = self.open(depth, b'}')?;
        while more {
            let key = self.key()?;
            if keys.contains(&key) {
                return None;
            }
            self.enter(&key, top);
            keys.push(key);
            self.names_of_value(depth + 1, name)?;
            self.path.truncate(base);
            more = self.next_member(b'}')?;
        }
        Some(())
    }

    fn names_of_value(&mut self, depth: usize, name: &mut dyn FnMut(&str)) -> Option<()> {
        match self.peek()? {
            b'{' => self.names_of_object(depth, false, name),
            b'[' => {
                let base = self.path.len();
                self.path.push_str("{}");
                let mut more = self.open(depth, b']')?;
                while more {
                    self.names_of_value(depth + 1, name)?;
                    more = self.next_member(b']')?;
                }
                self.path.truncate(base);
                Some(())
            }
            b'n' => self.literal(b"null"),
            b'"' => {
                let start = self.at;
                // A string read as a value has its escapes checked (surrogates pair).
                if self.string()? {
                    serde_json::from_str::<String>(&self.text[start..self.at]).ok()?;
                }
                name(&self.path);
                Some(())
            }
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                self.number()?;
                let number = &self.text[start..self.at];
                // Read as a value, a number beyond a 64-bit float is an error.
                if number.len() > 300 || number.contains(['e', 'E']) {
                    serde_json::from_str::<Json>(number).ok()?;
                }
                name(&self.path);
                Some(())
            }
            _ => {
                self.skip(depth)?;
                name(&self.path);
                Some(())
            }
        }
    }

    /// A value part of which is wanted: objects and arrays are walked, a scalar is kept.
    fn partial(&mut self, depth: usize) -> Option<Json> {
        match self.peek()? {
            b'{' => self.object(depth, false),
            b'[' => self.array(depth),
            _ => self.whole(depth),
        }
    }

    /// At `[`: every element, read for what the set wants below `path{}`.
    fn array(&mut self, depth: usize) -> Option<Json> {
        let base = self.path.len();
        self.path.push_str("{}");
        let mut items = Vec::new();
        let mut more = self.open(depth, b']')?;
        while more {
            items.push(self.partial(depth + 1)?);
            more = self.next_member(b']')?;
        }
        self.path.truncate(base);
        Some(Json::Array(items))
    }

    /// A value kept whole: its extent found by skipping it, then parsed by serde_json.
    fn whole(&mut self, depth: usize) -> Option<Json> {
        let start = self.at;
        match self.peek()? {
            // Most values kept whole are plain strings: no escape, nothing to decode.
            b'"' => {
                if !self.string()? {
                    return Some(Json::String(self.text[start + 1..self.at - 1].to_owned()));
                }
            }
            b't' => return self.literal(b"true").map(|()| Json::Bool(true)),
            b'f' => return self.literal(b"false").map(|()| Json::Bool(false)),
            b'n' => return self.literal(b"null").map(|()| Json::Null),
            _ => self.skip(depth)?,
        }
        serde_json::from_str(&self.text[start..self.at]).ok()
    }

    /// Skips one value, checking it.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => self.skip_object(depth),
            b'[' => self.skip_array(depth),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn skip_object(&mut self, depth: usize) -> Option<()> {
        let mut more = self.open(depth, b'}')?;
        while more {
            self.skip_key()?;
            self.skip(depth + 1)?;
            more = self.next_member(b'}')?;
        }
        Some(())
    }

    fn skip_array(&mut self, depth: usize) -> Option<()> {
        let mut more = self.open(depth, b']')?;
        while more {
            self.skip(depth + 1)?;
            more = self.next_member(b']')?;
        }
        Some(())
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes.get(self.at..end)? == word).then(|| self.at = end)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; its magnitude is not checked (nor is
    /// it by serde_json when skipping).
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.at;
        self.digits();
        (self.at > start).then_some(())
    }

    /// At `"`: moves past the closing quote; whether the string holds escapes. Control
    /// characters are errors, escapes are checked (`\u` takes four hex digits; whether they
    /// pair as surrogates is not looked at, as serde_json does not when skipping).
    #[inline(always)]
    fn string(&mut self) -> Option<bool> {
        self.at += 1;
        let mut escaped = false;
        loop {
            // Eight bytes at a time up to the next quote, backslash or control character.
            while let Some(chunk) = self.bytes.get(self.at..self.at + 8) {
                let mut word = [0u8; 8];
                word.copy_from_slice(chunk);
                let v = u64::from_le_bytes(word);
                let hits = zero_bytes(v ^ (ONES * u64::from(b'"')))
                    | zero_bytes(v ^ (ONES * u64::from(b'\\')))
                    | control_bytes(v);
                if hits != 0 {
                    self.at += (hits.trailing_zeros() / 8) as usize;
                    break;
                }
                self.at += 8;
            }
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                b if b < 0x20 => return None,
                _ => self.at += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projection::parse_projected;

    /// The fast path agrees with serde_json's: the same tree, or no answer where serde_json
    /// has an error.
    fn agrees(text: &str, set: &FieldSet) -> bool {
        match (parse_projected_fast(text, set), parse_projected(text, set)) {
            (Some(fast), Ok(slow)) => fast == slow,
            (Some(_), Err(_)) => false,
            (None, _) => true,
        }
    }

    fn accepts(text: &str, names: &[&str]) -> Json {
        let set = FieldSet::new(names);
        let fast = parse_projected_fast(text, &set).unwrap_or_else(|| panic!("not accepted: {text}"));
        assert_eq!(
            fast,
            parse_projected(text, &set).expect("valid"),
            "{text} for {names:?}"
        );
        fast
    }

    const LINE: &str = r#"{"eventType":"user.session.start","actor":{"id":"00u1","alternateId":"a@x.io","detail":{"k":1}},
        "client":{"ipAddress":"10.0.0.1","geo":{"city":"Paris"}},"target":[{"id":"t1","type":"User"},{"id":"t2"}],
        "event.action":"flat","event":{"action":"nested"},"tags":["x","y"],"n":1.5,"big":18446744073709551615,
        "esc\"aped":"v\u0041","nested":[[1,2],[3]], "neg" : -9223372036854775809 , "e":[-0,1e5,1.5E-3,2e+2],
        "u":"caf\u00e9 \ud83d\ude00 \u00e9t\u00e9","dup":1,"dup":{"x":2},"sl":"a\/b\\c\n\t"}"#;

    #[test]
    fn wanted_fields_read_as_serde_json_reads_them() {
        let tree = accepts(LINE, &["actor.alternateId", "client.geo.city"]);
        assert_eq!(
            tree,
            serde_json::json!({"actor": {"alternateId": "a@x.io"}, "client": {"geo": {"city": "Paris"}}})
        );
        for names in [
            &["eventType"][..],
            &["target{}.id", "target{}.type"],
            &["nested{}{}", "tags{}"],
            &["esc\"aped", "n", "big", "neg", "e"],
            &["e{}"],
            &["u", "sl", "event.action", "event"],
            &["dup", "dup.x"],
            &["actor", "missing.field", "target"],
            &[],
        ] {
            accepts(LINE, names);
        }
    }

    #[test]
    fn whitespace_anywhere_json_allows_it() {
        accepts(
            " \t{ \"a\" :\r\n [ 1 , { \"b\" : \"c\" } ] , \"d\" : { } , \"e\":[ ] }\n ",
            &["a{}.b", "d", "e"],
        );
        accepts("{}", &["a"]);
    }

    #[test]
    fn what_the_scanner_is_not_sure_of_is_left_to_serde_json() {
        let set = FieldSet::new(["a"]);
        for text in [
            "",
            "[1]",
            "\"a\"",
            r#"{"a":1e400}"#,     // serde_json: number out of range, read as text by the caller
            r#"{"a":1,"b":[1,}"#, // broken where skipped
            r#"{"a":1} x"#,
            r#"{"a":1,"b":"\x"}"#,
            "{\"a\":1,\"b\":\"tab\there\"}",
            r#"{"a":01}"#,
            r#"{"b":-}"#,
            r#"{"b":1.}"#,
            r#"{"b":1e}"#,
            r#"{"b":"\u12G4"}"#,
            r#"{"b":tru}"#,
            r#"{"b":1,}"#,
            r#"{"a":"unterminated}"#,
        ] {
            assert_eq!(parse_projected_fast(text, &set), None, "{text}");
        }
        let deep = format!("{{\"b\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert_eq!(parse_projected_fast(&deep, &set), None);
    }

    #[test]
    fn huge_skipped_numbers_are_fine_as_serde_json_skips_them() {
        accepts(r#"{"a":1,"b":1e400}"#, &["a"]);
    }

    #[test]
    fn names_are_the_ones_serde_json_gives() {
        for text in [
            r#"{"a":1,"b":{"c":"x","d":null,"e":true},"f":[{"g":1},{"g":2,"h":[1,[2]]}],"i":[],"j":{}}"#,
            r#"{"esc\"aped":"v","n\u0041me":{"x":1.5e3},"big":18446744073709551615,"s":""}"#,
            r#"{"a.b":1,"a":{"b":2},"arr":[null,1,"s",{"k":false}]}"#,
            r#"{}"#,
            LINE,
        ] {
            assert_eq!(
                scan_names(text, &|_| true),
                crate::flat_names::scan_with_serde(text, &|_| true),
                "{text}"
            );
        }
        for text in [
            r#"{"a":1,"a":null}"#,
            r#"{"a":1e999}"#,
            r#"{"a":"\ud800"}"#,
            "[1]",
            r#"{"a":1} x"#,
        ] {
            assert_eq!(scan_names(text, &|_| true), None, "{text}");
        }
    }

    // ------------------------------------------------------------ generated objects

    /// A small deterministic generator (xorshift).
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    const KEYS: &[&str] = &["a", "b", "a.b", "c", "id", "x.y", "", "k\\u0041", "long_key_name_here"];
    const STRINGS: &[&str] = &[
        "",
        "plain",
        "a somewhat longer string value with spaces",
        "esc\\\"aped\\\\",
        "\\/slash",
        "\\b\\f\\n\\r\\t",
        "\\u0041\\u00e9",
        "\\ud83d\\ude00",
        "\\ud83d",
        "\\ude00 lone low",
        "caf\u{e9} \u{1F600}",
        "eight by",
        "sixteen bytes xx",
    ];
    const NUMBERS: &[&str] = &[
        "0",
        "-0",
        "12",
        "-7",
        "1.5",
        "1e5",
        "1.5E-3",
        "2e+2",
        "18446744073709551615",
        "-9223372036854775809",
        "123456789012345678901234567890",
        "0.000001",
    ];
    const SPACE: &[&str] = &["", "", "", " ", "\n", " \t", "\r\n"];

    fn value(r: &mut Random, depth: usize, out: &mut String) {
        let kind = if depth > 4 { r.below(4) } else { r.below(6) };
        match kind {
            0 => {
                out.push('"');
                out.push_str(r.pick(STRINGS));
                out.push('"');
            }
            1 => out.push_str(r.pick(NUMBERS)),
            2 => out.push_str(r.pick(&["true", "false", "null"])),
            3 => out.push_str(r.pick(NUMBERS)),
            4 => object(r, depth + 1, out),
            _ => {
                out.push('[');
                let n = r.below(4);
                for i in 0..n {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(r.pick(SPACE));
                    value(r, depth + 1, out);
                }
                out.push(']');
            }
        }
    }

    fn object(r: &mut Random, depth: usize, out: &mut String) {
        out.push('{');
        let n = r.below(5);
        for i in 0..n {
            if i > 0 {
                out.push(',');
            }
            out.push_str(r.pick(SPACE));
            out.push('"');
            out.push_str(r.pick(KEYS));
            out.push('"');
            out.push_str(r.pick(SPACE));
            out.push(':');
            out.push_str(r.pick(SPACE));
            value(r, depth, out);
        }
        out.push_str(r.pick(SPACE));
        out.push('}');
    }

    /// Names to ask for: paths of the generated keys, some present, some not.
    fn names(r: &mut Random) -> Vec<String> {
        let plain = ["a", "b", "a.b", "c", "id", "x.y", "kA", "long_key_name_here"];
        (0..1 + r.below(4))
            .map(|_| {
                let mut name = plain[r.below(plain.len())].to_string();
                for _ in 0..r.below(3) {
                    name.push_str(["{}", "."][r.below(2)]);
                    if name.ends_with('.') {
                        name.push_str(plain[r.below(plain.len())]);
                    }
                }
                name
            })
            .collect()
    }

    #[test]
    fn generated_objects_read_as_serde_json_reads_them() {
        let mut r = Random(0x9E37_79B9_7F4A_7C15);
        let (mut accepted, mut total, mut named) = (0, 0, 0);
        for _ in 0..4000 {
            let mut text = String::new();
            object(&mut r, 0, &mut text);
            let set = FieldSet::new(names(&mut r));
            assert!(agrees(&text, &set), "{text}");
            if let Some(names) = scan_names(&text, &|_| true) {
                assert_eq!(
                    Some(names),
                    crate::flat_names::scan_with_serde(&text, &|_| true),
                    "{text}"
                );
                named += 1;
            }
            if parse_projected(&text, &set).is_ok() {
                total += 1;
                accepted += usize::from(parse_projected_fast(&text, &set).is_some());
            }
        }
        assert!(total > 3000, "most generated objects are valid JSON ({total})");
        assert!(
            accepted * 100 >= total * 95,
            "the scanner accepts {accepted} of {total}"
        );
        assert!(named > 2000, "names told for {named} of {total}");
    }

    #[test]
    fn long_strings_are_read_and_checked_to_their_end() {
        let long = "x".repeat(40);
        for (text, valid) in [
            (format!(r#"{{"a":"{long}","b":"{long}\"{long}"}}"#), true),
            (format!(r#"{{"a":"{long}\u0041{long}","b":1}}"#), true),
            (format!("{{\"a\":\"{long}{}{long}\",\"b\":1}}", '\u{1}'), false),
            (format!("{{\"a\":\"{long}\t\",\"b\":1}}"), false),
            (format!(r#"{{"a":1,"b":"{long}"#), false),
        ] {
            let set = FieldSet::new(["b"]);
            let fast = parse_projected_fast(&text, &set);
            assert_eq!(fast.is_some(), valid, "{text:?}");
            if let Some(fast) = fast {
                assert_eq!(fast, parse_projected(&text, &set).expect("valid"), "{text:?}");
            }
            assert_eq!(serde_json::from_str::<Json>(&text).is_ok(), valid, "{text:?}");
        }
    }

    #[test]
    fn generated_objects_answer_eql_paths_projected_as_whole() {
        use crate::eql::value::{lookup, Step};
        let mut r = Random(0x0DDB_1A5E_5BAD_5EED);
        let mut checked = 0;
        for _ in 0..4000 {
            let mut text = String::new();
            object(&mut r, 0, &mut text);
            let Ok(whole) = serde_json::from_str::<Json>(&text) else {
                continue;
            };
            let paths: Vec<String> = names(&mut r)
                .into_iter()
                .map(|n| n.replace("{}", ".").trim_matches('.').replace("..", "."))
                .filter(|n| !n.is_empty())
                .collect();
            let set = FieldSet::for_eql(&paths);
            assert!(agrees(&text, &set), "{text}");
            let projected = crate::projection::parse_for(&text, &set).expect("valid");
            for path in &paths {
                let steps: Vec<Step> = path.split('.').map(|a| Step::Attr(a.into())).collect();
                assert_eq!(lookup(&projected, &steps), lookup(&whole, &steps), "{path} in {text}");
                checked += 1;
            }
        }
        assert!(checked > 4000, "{checked} paths checked");
    }

    #[test]
    fn broken_objects_are_never_accepted_where_serde_json_rejects_them() {
        let mut r = Random(0x2545_F491_4F6C_DD1D);
        let inserts = [
            "\"", "\\", "{", "}", "[", "]", ",", ":", "0", "-", "e", "E", ".", " ", "a", "\u{1}",
        ];
        let mut rejected = 0;
        for _ in 0..6000 {
            let mut text = String::new();
            object(&mut r, 0, &mut text);
            let cuts: Vec<usize> = (0..=text.len()).filter(|i| text.is_char_boundary(*i)).collect();
            let at = cuts[r.below(cuts.len())];
            let broken = match r.below(3) {
                0 => text[..at].to_string(),
                1 => format!("{}{}{}", &text[..at], r.pick(&inserts), &text[at..]),
                _ => {
                    let end = cuts.iter().copied().find(|c| *c > at).unwrap_or(at);
                    format!("{}{}", &text[..at], &text[end..])
                }
            };
            let set = FieldSet::new(names(&mut r));
            assert!(agrees(&broken, &set), "{broken}");
            if crate::flat_names::scan_with_serde(&broken, &|_| true).is_none() {
                assert_eq!(scan_names(&broken, &|_| true), None, "{broken}");
            }
            rejected += usize::from(parse_projected(&broken, &set).is_err());
        }
        assert!(rejected > 2000, "most corruptions break the JSON ({rejected})");
    }
}
