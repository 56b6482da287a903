//! Which texts are field names: the fields a query reads or writes anywhere, and those its
//! source profile produces. A double-quoted string equal to one of them, in a place where eval
//! wants a value, is most likely a field its author meant to read.

use crate::profile::Profile;
use indexmap::IndexSet;
use quarry_syntax::spl::ast::*;

pub struct Names<'a> {
    /// Every field named as a field somewhere in the query.
    query: IndexSet<String>,
    profile: Option<&'a Profile>,
}

impl<'a> Names<'a> {
    pub fn new(pipeline: &Pipeline, profile: Option<&'a Profile>) -> Names<'a> {
        let mut query = IndexSet::new();
        for command in &pipeline.commands {
            command_fields(command, &mut query);
        }
        Names { query, profile }
    }

    /// Is `text` the name of a field this query uses or its source produces?
    pub fn is_field(&self, text: &str) -> bool {
        self.query.contains(text) || self.profile.and_then(|p| p.produces(text)) == Some(true)
    }

    /// Is the double-quoted `text` most likely a field name written with the wrong quotes?
    /// It must name a known field and look like one (a path or a compound name), so that
    /// ordinary values such as `"user"` or `"success"` are never taken for fields.
    pub fn is_misquoted_field(&self, text: &str) -> bool {
        looks_like_field(text) && is_compound(text) && self.is_field(text)
    }

    /// Could `text` be a field name, known or not (for "did you mean" suggestions)?
    pub fn could_be_field(&self, text: &str) -> bool {
        looks_like_field(text) && (self.is_field(text) || text.contains('.'))
    }
}

/// `outcome.result`, `target{}.id`, `src_ip`: letters, digits, `_`, `.`, `{}`, `@`, `-`, not
/// starting with a digit or a dot, and no dot at the end or doubled.
pub fn looks_like_field(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_' || first == '@')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '{' | '}' | '@' | '-'))
        && !text.ends_with('.')
        && !text.contains("..")
}

/// A name with structure: a path (`a.b`), an array (`a{}`), or words joined by `_`.
fn is_compound(text: &str) -> bool {
    text.contains('.') || text.contains("{}") || text.trim_matches('_').contains('_')
}

fn add(out: &mut IndexSet<String>, f: &Field) {
    if !f.has_wildcard() {
        out.insert(f.name.clone());
    }
}

fn command_fields(command: &Command, out: &mut IndexSet<String>) {
    match command {
        Command::Search(s) => {
            if let Some(e) = &s.expr {
                search_fields(e, out);
            }
        }
        Command::Where(w) => expr_fields(&w.expr, out),
        Command::Eval(e) => {
            for a in &e.assignments {
                add(out, &a.field);
                expr_fields(&a.expr, out);
            }
        }
        Command::Stats(s) => {
            for agg in &s.aggregations {
                match &agg.arg {
                    Some(AggArg::Field(f)) => add(out, f),
                    Some(AggArg::Eval(e)) => expr_fields(e, out),
                    None => {}
                }
                if let Some(alias) = &agg.alias {
                    add(out, alias);
                }
            }
            s.by.iter().for_each(|f| add(out, f));
        }
        Command::Bin(b) => {
            add(out, &b.field);
            if let Some(alias) = &b.alias {
                add(out, alias);
            }
        }
        Command::FillNull(f) => f.fields.iter().for_each(|x| add(out, x)),
        Command::Fields(f) => f.fields.iter().for_each(|x| add(out, x)),
        Command::Table(t) => t.fields.iter().for_each(|x| add(out, x)),
        Command::Rename(r) => {
            for (from, to) in &r.renames {
                add(out, from);
                add(out, to);
            }
        }
        Command::Sort(s) => s.keys.iter().for_each(|k| add(out, &k.field)),
        Command::Dedup(d) => {
            d.fields.iter().for_each(|f| add(out, f));
            d.sort_by.iter().for_each(|k| add(out, &k.field));
        }
        Command::Head(h) => {
            if let Some(c) = &h.condition {
                expr_fields(c, out);
            }
        }
        Command::IpLocation(i) => add(out, &i.field),
        _ => {}
    }
}

fn search_fields(e: &SearchExpr, out: &mut IndexSet<String>) {
    match &e.kind {
        SearchKind::And(items) | SearchKind::Or(items) => items.iter().for_each(|i| search_fields(i, out)),
        SearchKind::Not(inner) | SearchKind::Group(inner) => search_fields(inner, out),
        SearchKind::Compare { field, .. } | SearchKind::In { field, .. } => add(out, field),
        SearchKind::Term(_) | SearchKind::Subsearch(_) => {}
    }
}

fn expr_fields(e: &Expr, out: &mut IndexSet<String>) {
    let mut read = Vec::new();
    super::eval::fields_read(e, &mut read);
    out.extend(read.into_iter().map(str::to_string));
}
