//! A small XML reader for `spath` on XML text: elements, attributes and text (comments,
//! processing instructions, doctypes are skipped; CDATA is text). Field names follow
//! Splunk: `a.b.c` for an element's text, `a.b{@attr}` for an attribute; in a path, `{N}`
//! picks the Nth element of that name, counting from 1.

use crate::value::Value;

#[derive(Debug, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// The element's own text (entities decoded), trimmed.
    pub text: String,
    /// The markup between the start and end tags, as written.
    pub inner: String,
}

/// Parses an XML document; `None` when it is not well formed enough to read.
pub fn parse(text: &str) -> Option<Element> {
    let mut p = Parser { s: text, pos: 0 };
    p.skip_misc();
    let root = p.element(0)?;
    Some(root)
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    /// Skips whitespace, `<?...?>`, `<!--...-->` and `<!DOCTYPE ...>`.
    fn skip_misc(&mut self) {
        loop {
            let trimmed = self.rest().trim_start();
            self.pos = self.s.len() - trimmed.len();
            if trimmed.starts_with("<?") {
                match trimmed.find("?>") {
                    Some(n) => self.pos += n + 2,
                    None => self.pos = self.s.len(),
                }
            } else if trimmed.starts_with("<!--") {
                match trimmed.find("-->") {
                    Some(n) => self.pos += n + 3,
                    None => self.pos = self.s.len(),
                }
            } else if trimmed.starts_with("<!") && !trimmed.starts_with("<![CDATA[") {
                match trimmed.find('>') {
                    Some(n) => self.pos += n + 1,
                    None => self.pos = self.s.len(),
                }
            } else {
                return;
            }
        }
    }

    fn name(&mut self) -> Option<String> {
        let r = self.rest();
        let end = r
            .find(|c: char| c.is_whitespace() || matches!(c, '>' | '/' | '='))
            .unwrap_or(r.len());
        if end == 0 {
            return None;
        }
        let name = r[..end].to_string();
        self.pos += end;
        Some(name)
    }

    fn element(&mut self, depth: usize) -> Option<Element> {
        if depth > 200 || !self.rest().starts_with('<') {
            return None;
        }
        self.pos += 1;
        let mut el = Element {
            name: self.name()?,
            ..Element::default()
        };
        loop {
            let trimmed = self.rest().trim_start();
            self.pos = self.s.len() - trimmed.len();
            if let Some(after) = trimmed.strip_prefix("/>") {
                self.pos = self.s.len() - after.len();
                return Some(el);
            }
            if let Some(after) = trimmed.strip_prefix('>') {
                self.pos = self.s.len() - after.len();
                break;
            }
            let key = self.name()?;
            let r = self.rest().trim_start();
            let r = r.strip_prefix('=')?.trim_start();
            let quote = r.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let body = &r[1..];
            let close = body.find(quote)?;
            el.attrs.push((key, unescape(&body[..close])));
            self.pos = self.s.len() - body[close + 1..].len();
        }
        let inner_start = self.pos;
        let mut text = String::new();
        loop {
            let r = self.rest();
            if r.is_empty() {
                return None;
            }
            if r.starts_with("</") {
                let inner_end = self.pos;
                let close = r.find('>')?;
                self.pos += close + 1;
                el.inner = self.s[inner_start..inner_end].to_string();
                el.text = text.trim().to_string();
                return Some(el);
            }
            if let Some(body) = r.strip_prefix("<![CDATA[") {
                let end = body.find("]]>")?;
                text.push_str(&body[..end]);
                self.pos = self.s.len() - body[end + 3..].len();
                continue;
            }
            if r.starts_with("<!--") || r.starts_with("<?") {
                self.skip_misc();
                continue;
            }
            if r.starts_with('<') {
                let child = self.element(depth + 1)?;
                el.children.push(child);
                continue;
            }
            let end = r.find('<').unwrap_or(r.len());
            text.push_str(&unescape(&r[..end]));
            self.pos += end;
        }
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let Some(semi) = tail.find(';').filter(|n| *n <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") || e.starts_with("#X") => {
                u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32)
            }
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every field of the document: `root.child` for element text, `root.child{@attr}` for
/// attributes; names seen several times become multivalues, in document order.
pub fn flatten(root: &Element) -> Vec<(String, Value)> {
    let mut acc: indexmap::IndexMap<String, Vec<Value>, ahash::RandomState> = indexmap::IndexMap::default();
    walk(root, &root.name, &mut acc);
    acc.into_iter().map(|(k, v)| (k, Value::multi(v))).collect()
}

fn walk(el: &Element, path: &str, acc: &mut indexmap::IndexMap<String, Vec<Value>, ahash::RandomState>) {
    for (k, v) in &el.attrs {
        acc.entry(format!("{path}{{@{k}}}"))
            .or_default()
            .push(Value::from(v.as_str()));
    }
    if !el.text.is_empty() {
        acc.entry(path.to_string())
            .or_default()
            .push(Value::from(el.text.as_str()));
    }
    for child in &el.children {
        walk(child, &format!("{path}.{}", child.name), acc);
    }
}

/// The value at a path: element text (the inner markup for an element with children), or an
/// attribute with `{@name}`; `{N}` picks the Nth match, from 1.
pub fn path_value(root: &Element, path: &str) -> Value {
    let mut current: Vec<&Element> = Vec::new();
    let mut first = true;
    for step in path.split('.').filter(|s| !s.is_empty()) {
        let (name, braces): (&str, Vec<&str>) = match step.find('{') {
            Some(open) => (
                &step[..open],
                step[open..]
                    .split('{')
                    .skip(1)
                    .map(|b| b.trim_end_matches('}'))
                    .collect(),
            ),
            None => (step, Vec::new()),
        };
        let mut next: Vec<&Element> = if first {
            if root.name == name {
                vec![root]
            } else {
                Vec::new()
            }
        } else {
            current
                .iter()
                .flat_map(|e| e.children.iter().filter(|c| c.name == name))
                .collect()
        };
        first = false;
        for brace in braces {
            if let Some(attr) = brace.strip_prefix('@') {
                return Value::multi(next.iter().filter_map(|e| {
                    e.attrs
                        .iter()
                        .find(|(k, _)| k == attr)
                        .map(|(_, v)| Value::from(v.as_str()))
                }));
            }
            if let Ok(k) = brace.trim().parse::<usize>() {
                next = if k >= 1 {
                    next.get(k - 1).copied().into_iter().collect()
                } else {
                    Vec::new()
                };
            }
        }
        current = next;
    }
    Value::multi(current.iter().map(|e| {
        if e.children.is_empty() {
            Value::from(e.text.as_str())
        } else {
            Value::from(e.inner.trim())
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_and_text() {
        let doc = parse(r#"<?xml version="1.0"?><Event><System><Provider Name="A &amp; B"/><EventID>4624</EventID></System><Data>x</Data><Data>y</Data></Event>"#)
            .unwrap_or_default();
        let fields = flatten(&doc);
        assert_eq!(
            fields,
            vec![
                ("Event.System.Provider{@Name}".to_string(), Value::from("A & B")),
                ("Event.System.EventID".to_string(), Value::from("4624")),
                (
                    "Event.Data".to_string(),
                    Value::multi([Value::from("x"), Value::from("y")])
                ),
            ]
        );
        assert_eq!(path_value(&doc, "Event.Data{2}"), Value::from("y"));
        assert_eq!(path_value(&doc, "Event.System.Provider{@Name}"), Value::from("A & B"));
    }
}
