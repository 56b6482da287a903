//! Compiled search expressions (the `search` command and the start of a query).
//!
//! Semantics (Splunk search): values match case-insensitively with `*` wildcards;
//! `field=value` needs the field to have a matching value (any value of a multivalue);
//! `field!=value` needs the field to exist with no matching value, while `NOT field=value`
//! also matches events without the field; `<`, `>`, ... compare numerically when both sides
//! are numbers, otherwise as text; a bare term matches a token of the raw event.

use crate::event::{Event, Layer, Name};
use crate::pattern::{Term, Wildcard};
use crate::value::{parse_number, Value};
use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub enum CSearch {
    /// Everything matches (`search` with no terms, `*`).
    All,
    And(Vec<CSearch>),
    Or(Vec<CSearch>),
    Not(Box<CSearch>),
    Term(Term),
    Compare {
        field: Name,
        op: SearchCmp,
        value: SearchValue,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SearchCmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Debug)]
pub struct SearchValue {
    pub text: String,
    pattern: Wildcard,
    number: Option<f64>,
}

impl SearchValue {
    pub fn new(text: &str) -> SearchValue {
        let pattern = Wildcard::new(text, false);
        SearchValue {
            text: text.to_string(),
            number: if pattern.has_wildcard() {
                None
            } else {
                parse_number(text)
            },
            pattern,
        }
    }

    fn is_star(&self) -> bool {
        self.text == "*"
    }

    /// Does one field value equal this search value?
    fn equals(&self, v: &Value) -> bool {
        if self.is_star() {
            return true;
        }
        if let (Some(n), Some(m)) = (self.number, v.as_number()) {
            if n == m {
                return true;
            }
        }
        match v.as_text() {
            Some(text) => self.pattern.matches(&text),
            None => false,
        }
    }

    fn order(&self, v: &Value) -> Option<Ordering> {
        match (v.as_number(), self.number) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => {
                let text = v.as_text()?;
                Some(text.to_lowercase().cmp(&self.text.to_lowercase()))
            }
        }
    }
}

impl CSearch {
    pub fn matches(&self, event: &Event) -> bool {
        self.matches_in(event, Layer::All)
    }

    /// Matches seeing only the fields of `layer` (event types are searches themselves).
    pub fn matches_in(&self, event: &Event, layer: Layer) -> bool {
        match self {
            CSearch::All => true,
            CSearch::And(items) => items.iter().all(|i| i.matches_in(event, layer)),
            CSearch::Or(items) => items.iter().any(|i| i.matches_in(event, layer)),
            CSearch::Not(inner) => !inner.matches_in(event, layer),
            CSearch::Term(term) => match event.get("_raw") {
                Value::Null => event
                    .written()
                    .any(|(_, v)| v.iter().any(|x| x.as_text().is_some_and(|t| term.matches(&t)))),
                raw => raw.as_text().is_some_and(|t| term.matches(&t)),
            },
            CSearch::Compare { field, op, value } => {
                let v = event.get_in(field, layer);
                if v.is_null() {
                    return false;
                }
                match op {
                    SearchCmp::Eq => v.iter().any(|x| value.equals(x)),
                    SearchCmp::Ne => !v.iter().any(|x| value.equals(x)),
                    SearchCmp::Lt => v.iter().any(|x| value.order(x) == Some(Ordering::Less)),
                    SearchCmp::Le => v
                        .iter()
                        .any(|x| matches!(value.order(x), Some(Ordering::Less | Ordering::Equal))),
                    SearchCmp::Gt => v.iter().any(|x| value.order(x) == Some(Ordering::Greater)),
                    SearchCmp::Ge => v
                        .iter()
                        .any(|x| matches!(value.order(x), Some(Ordering::Greater | Ordering::Equal))),
                }
            }
        }
    }

    /// The same search with the operands of each AND and OR in order of cost, cheapest first:
    /// matching has no side effects, so the order changes only how soon an answer is known.
    /// Event types and tags (each a search of its own) come last.
    pub fn cheapest_first(self) -> CSearch {
        match self {
            CSearch::And(items) => CSearch::And(CSearch::sorted_by_cost(items)),
            CSearch::Or(items) => CSearch::Or(CSearch::sorted_by_cost(items)),
            CSearch::Not(inner) => CSearch::Not(Box::new(inner.cheapest_first())),
            other => other,
        }
    }

    fn sorted_by_cost(items: Vec<CSearch>) -> Vec<CSearch> {
        let mut items: Vec<CSearch> = items.into_iter().map(CSearch::cheapest_first).collect();
        items.sort_by_key(CSearch::cost);
        items
    }

    /// A rough cost of matching one event.
    fn cost(&self) -> u32 {
        match self {
            CSearch::All => 0,
            CSearch::And(items) | CSearch::Or(items) => items.iter().map(CSearch::cost).sum(),
            CSearch::Not(inner) => inner.cost(),
            CSearch::Term(_) => 4,
            CSearch::Compare { field, .. }
                if matches!(field.as_ref(), "eventtype" | "tag") || field.starts_with("tag::") =>
            {
                50
            }
            CSearch::Compare { .. } => 1,
        }
    }

    /// Field names the expression reads (`_raw` for terms).
    pub fn fields(&self, out: &mut Vec<Name>) {
        match self {
            CSearch::All => {}
            CSearch::And(items) | CSearch::Or(items) => items.iter().for_each(|i| i.fields(out)),
            CSearch::Not(inner) => inner.fields(out),
            CSearch::Term(_) => out.push(Name::from("_raw")),
            CSearch::Compare { field, .. } => out.push(field.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FieldMap;

    fn row(pairs: &[(&str, Value)]) -> Event {
        let mut fields = FieldMap::default();
        for (k, v) in pairs {
            fields.insert(Name::from(*k), v.clone());
        }
        Event::row(fields)
    }

    fn cmp(field: &str, op: SearchCmp, value: &str) -> CSearch {
        CSearch::Compare {
            field: Name::from(field),
            op,
            value: SearchValue::new(value),
        }
    }

    #[test]
    fn equality_ignores_case_and_honours_wildcards() {
        let e = row(&[("result", Value::from("SUCCESS"))]);
        assert!(cmp("result", SearchCmp::Eq, "success").matches(&e));
        assert!(cmp("result", SearchCmp::Eq, "SUCC*").matches(&e));
        assert!(!cmp("result", SearchCmp::Eq, "FAIL*").matches(&e));
    }

    #[test]
    fn not_equal_needs_the_field_but_not_does_not() {
        let e = row(&[("other", Value::from("x"))]);
        assert!(!cmp("result", SearchCmp::Ne, "SUCCESS").matches(&e));
        assert!(CSearch::Not(Box::new(cmp("result", SearchCmp::Eq, "SUCCESS"))).matches(&e));
    }

    #[test]
    fn numbers_compare_numerically() {
        let e = row(&[("ratio", Value::Float(0.33)), ("n", Value::from("10"))]);
        assert!(cmp("ratio", SearchCmp::Lt, "0.5").matches(&e));
        assert!(cmp("n", SearchCmp::Gt, "9").matches(&e));
        assert!(cmp("n", SearchCmp::Eq, "10.0").matches(&e));
    }

    #[test]
    fn multivalues_match_on_any_value() {
        let e = row(&[("ip", Value::multi([Value::from("1.1.1.1"), Value::from("2.2.2.2")]))]);
        assert!(cmp("ip", SearchCmp::Eq, "2.2.2.2").matches(&e));
        assert!(!cmp("ip", SearchCmp::Ne, "2.2.2.2").matches(&e));
    }

    #[test]
    fn event_types_and_tags_are_matched_last_with_the_same_answer() {
        let search = CSearch::Or(vec![
            cmp("eventtype", SearchCmp::Eq, "okta_log"),
            CSearch::And(vec![cmp("tag", SearchCmp::Eq, "x"), cmp("user", SearchCmp::Eq, "u")]),
            cmp("sourcetype", SearchCmp::Eq, "OktaIM2:log"),
        ]);
        let CSearch::Or(items) = search.clone().cheapest_first() else {
            panic!()
        };
        assert!(matches!(&items[0], CSearch::Compare { field, .. } if field.as_ref() == "sourcetype"));
        let CSearch::And(inner) = &items[2] else { panic!() };
        assert!(matches!(&inner[0], CSearch::Compare { field, .. } if field.as_ref() == "user"));
        for e in [
            row(&[("sourcetype", Value::from("OktaIM2:log"))]),
            row(&[("user", Value::from("u")), ("tag", Value::from("x"))]),
            row(&[("user", Value::from("v"))]),
        ] {
            assert_eq!(search.matches(&e), search.clone().cheapest_first().matches(&e));
        }
    }
}
