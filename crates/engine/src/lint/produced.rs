//! Which fields can exist at a point of the pipeline: those the source profile's schema lists
//! (with its aliases, calculated fields and event types), plus those earlier commands created,
//! minus those they removed. Unknown (open) before the first command that Quarry cannot follow
//! (any command that may create fields it does not model), and when there is no schema.

use crate::plan::FieldPattern;
use crate::profile::Profile;
use indexmap::IndexSet;

/// Fields every Splunk event has besides the extracted ones.
const SPLUNK_DEFAULTS: &[&str] = &["splunk_server", "linecount", "punct", "timestartpos", "timeendpos"];

#[derive(Clone)]
pub struct Produced<'a> {
    /// `None` once the set is no longer known.
    known: Option<Known<'a>>,
}

#[derive(Clone)]
struct Known<'a> {
    /// The source's own fields (until a command replaces the events with rows).
    base: Option<&'a Profile>,
    /// Fields of `base` removed since (patterns: `fields - lat*`).
    removed: Vec<FieldPattern>,
    /// Fields created since.
    added: IndexSet<String>,
}

impl<'a> Produced<'a> {
    /// The fields of the source, when its profile has a schema.
    pub fn from_profile(profile: Option<&'a Profile>) -> Produced<'a> {
        Produced {
            known: profile.filter(|p| p.schema.is_some()).map(|p| Known {
                base: Some(p),
                removed: Vec::new(),
                added: SPLUNK_DEFAULTS.iter().map(|s| s.to_string()).collect(),
            }),
        }
    }

    /// Anything may exist from here on.
    pub fn open(&mut self) {
        self.known = None;
    }

    /// Can `name` exist here? `None` when unknown.
    pub fn has(&self, name: &str) -> Option<bool> {
        let k = self.known.as_ref()?;
        Some(
            k.added.contains(name)
                || (k.base.and_then(|p| p.produces(name)) == Some(true) && !k.removed.iter().any(|r| r.matches(name))),
        )
    }

    pub fn add(&mut self, name: &str) {
        if let Some(k) = &mut self.known {
            k.added.insert(name.to_string());
        }
    }

    /// `fields - <pattern>`.
    pub fn remove(&mut self, pattern: &str) {
        if let Some(k) = &mut self.known {
            let p = FieldPattern::new(pattern);
            k.added.retain(|n| !p.matches(n));
            k.removed.push(p);
        }
    }

    /// `rename from as to` (without wildcards).
    pub fn rename(&mut self, from: &str, to: &str) {
        if self.has(from) == Some(true) {
            self.remove(from);
            self.add(to);
        }
    }

    /// `fields + ...` or `table ...`: only the listed fields (and `_time`, `_raw`) stay.
    pub fn keep(&mut self, patterns: &[&str]) {
        let Some(k) = &self.known else { return };
        let exact: Vec<&str> = patterns.iter().copied().filter(|p| !p.contains('*')).collect();
        if exact.len() < patterns.len() && k.base.is_some() {
            // A wildcard over the schema's own wildcards: not worth modelling.
            self.open();
            return;
        }
        let wild: Vec<FieldPattern> = patterns
            .iter()
            .filter(|p| p.contains('*'))
            .map(|p| FieldPattern::new(p))
            .collect();
        let mut kept: IndexSet<String> = exact
            .iter()
            .filter(|n| self.has(n) == Some(true))
            .map(|n| n.to_string())
            .collect();
        kept.extend(k.added.iter().filter(|n| wild.iter().any(|w| w.matches(n))).cloned());
        for internal in ["_time", "_raw"] {
            if self.has(internal) == Some(true) {
                kept.insert(internal.into());
            }
        }
        self.known = Some(Known {
            base: None,
            removed: Vec::new(),
            added: kept,
        });
    }

    /// `stats`: the rows have the by-fields and the aggregates only. `carry_all` when a
    /// wildcard aggregate (`values(*) as *`) copies every field through.
    pub fn replace_with(&mut self, fields: &[String], carry_all: bool) {
        if self.known.is_none() {
            return;
        }
        if carry_all {
            for f in fields {
                self.add(f);
            }
            return;
        }
        self.known = Some(Known {
            base: None,
            removed: Vec::new(),
            added: fields.iter().cloned().collect(),
        });
    }

    /// Names to offer in "did you mean".
    pub fn candidates(&self) -> Vec<&str> {
        let Some(k) = &self.known else {
            return Vec::new();
        };
        let mut out: Vec<&str> = k.added.iter().map(String::as_str).collect();
        if let Some(p) = k.base {
            out.extend(p.schema_names());
            out.extend(p.derived_names().iter().map(|n| n.as_ref()));
        }
        out
    }
}
