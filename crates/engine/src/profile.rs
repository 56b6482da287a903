//! Source profiles: how to read one source type, like a Splunk add-on's props.conf and
//! eventtypes.conf. A profile names the time field, field aliases (`FIELDALIAS`), calculated
//! fields (`EVAL-`, written in SPL eval syntax) and event types (a search and its tags).
//!
//! ```toml
//! sourcetype = "OktaIM2:log"
//! [time]
//! field = "published"
//! [aliases]
//! user = "actor.alternateId"
//! [calculated]
//! "event.module" = '"okta"'
//! [[eventtypes]]
//! name = "okta_log"
//! search = 'sourcetype="OktaIM2:log"'
//! tags = ["authentication"]
//! [schema]
//! fields = ["actor.alternateId", "target{}.id", "debugContext.debugData.*"]
//! ```
//!
//! The schema lists the fields the source's events can carry (including those that are often
//! null), named as Splunk's JSON extraction names them; `*` stands for the keys of a free-form
//! object. `quarry lint` uses it to tell a field the source never produces from one that is
//! merely missing on some events.
//!
//! Derived fields are computed when read, in Splunk's order: aliases see extracted fields,
//! calculated fields see aliases and extracted fields, event types see everything else.

use crate::event::{Event, Layer, Name};
use crate::expr::{CExpr, EvalContext};
use crate::pattern::Wildcard;
use crate::search::CSearch;
use crate::time::TimeUnit;
use crate::value::Value;
use indexmap::IndexMap;
use quarry_syntax::{Code, Diagnostic};
use serde::Deserialize;

#[derive(Debug)]
pub struct Profile {
    pub sourcetype: String,
    pub description: String,
    pub time_field: Option<String>,
    pub time_unit: Option<TimeUnit>,
    /// Alias → the fields it copies (the first that has a value).
    pub aliases: IndexMap<Name, Vec<Name>>,
    pub calculated: IndexMap<Name, CExpr>,
    pub eventtypes: Vec<EventType>,
    /// The fields the source produces (`None` when the profile does not say).
    pub schema: Option<Vec<Wildcard>>,
    /// Where the profile was read from.
    pub origin: String,
    names: Vec<Name>,
    /// The aliases whose sources are all fields of the event itself ([`Profile::plain_alias_sources`]).
    plain_aliases: ahash::AHashSet<Name>,
    now: f64,
}

#[derive(Debug)]
pub struct EventType {
    pub name: String,
    pub search: CSearch,
    pub tags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    sourcetype: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    time: Option<TimeSection>,
    #[serde(default)]
    aliases: IndexMap<String, AliasSource>,
    #[serde(default)]
    calculated: IndexMap<String, String>,
    #[serde(default)]
    eventtypes: Vec<EventTypeSection>,
    #[serde(default)]
    schema: Option<SchemaSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaSection {
    fields: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TimeSection {
    field: String,
    #[serde(default)]
    unit: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AliasSource {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventTypeSection {
    name: String,
    search: String,
    #[serde(default)]
    tags: Vec<String>,
}

impl Profile {
    /// Reads a profile from TOML text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Profile, Diagnostic> {
        let file: ProfileFile = toml::from_str(text)
            .map_err(|e| Diagnostic::error(Code::Syntax, format!("{origin}: not a source profile: {e}")))?;
        let bad = |what: &str, name: &str, errors: Vec<Diagnostic>| {
            let detail = errors.first().map(|d| d.message.clone()).unwrap_or_default();
            Diagnostic::error(Code::Semantic, format!("{origin}: {what} `{name}`: {detail}"))
        };
        let mut calculated = IndexMap::new();
        for (name, text) in &file.calculated {
            let expr = crate::lower::spl::compile_expr_text(text).map_err(|e| bad("calculated field", name, e))?;
            calculated.insert(Name::from(name.as_str()), expr);
        }
        let mut eventtypes = Vec::new();
        for et in &file.eventtypes {
            let search =
                crate::lower::spl::compile_search_text(&et.search).map_err(|e| bad("event type", &et.name, e))?;
            eventtypes.push(EventType {
                name: et.name.clone(),
                search,
                tags: et.tags.clone(),
            });
        }
        let aliases: IndexMap<Name, Vec<Name>> = file
            .aliases
            .into_iter()
            .map(|(alias, source)| {
                let sources = match source {
                    AliasSource::One(s) => vec![Name::from(s)],
                    AliasSource::Many(v) => v.into_iter().map(Name::from).collect(),
                };
                (Name::from(alias), sources)
            })
            .collect();
        let time_unit = match file.time.as_ref().and_then(|t| t.unit.as_deref()) {
            Some(u) => Some(TimeUnit::parse(u).ok_or_else(|| {
                Diagnostic::error(
                    Code::BadOption,
                    format!("{origin}: unknown time unit `{u}` (s, ms, us, ns, filetime)"),
                )
            })?),
            None => None,
        };
        let mut names: Vec<Name> = aliases.keys().cloned().collect();
        names.extend(calculated.keys().cloned());
        if !eventtypes.is_empty() {
            names.push(Name::from("eventtype"));
            if eventtypes.iter().any(|e| !e.tags.is_empty()) {
                names.push(Name::from("tag"));
            }
        }
        // An alias (not shadowed by a calculated field of its name) none of whose sources is
        // derived or a default field.
        let plain_aliases = aliases
            .iter()
            .filter(|(alias, sources)| {
                !calculated.contains_key(*alias)
                    && !matches!(alias.as_ref(), "eventtype" | "tag")
                    && sources.iter().all(|s| {
                        !aliases.contains_key(s)
                            && !crate::event::DEFAULT_FIELDS.contains(&s.as_ref())
                            && !matches!(s.as_ref(), "eventtype" | "tag")
                    })
            })
            .map(|(alias, _)| alias.clone())
            .collect();
        Ok(Profile {
            sourcetype: file.sourcetype,
            description: file.description,
            time_field: file.time.map(|t| t.field),
            time_unit,
            aliases,
            calculated,
            eventtypes,
            schema: file
                .schema
                .map(|s| s.fields.iter().map(|f| Wildcard::new(f, true)).collect()),
            origin: origin.to_string(),
            names,
            plain_aliases,
            now: crate::func::FuncContext::wall_clock(),
        })
    }

    /// Names of every field this profile derives.
    pub fn derived_names(&self) -> &[Name] {
        &self.names
    }

    /// The sources of `name` when it is an alias of fields of the event itself (no source is
    /// derived or a default field): it has a value exactly when one of them has, which the
    /// names of an event's fields tell without reading a value.
    pub fn plain_alias_sources(&self, name: &str) -> Option<&[Name]> {
        if !self.plain_aliases.contains(name) {
            return None;
        }
        self.aliases.get(name).map(Vec::as_slice)
    }

    /// Does the source produce this field, extracted or derived? `None` when the profile has
    /// no schema.
    pub fn produces(&self, name: &str) -> Option<bool> {
        let schema = self.schema.as_ref()?;
        Some(
            self.names.iter().any(|n| n.as_ref() == name)
                || crate::event::DEFAULT_FIELDS.contains(&name)
                || schema.iter().any(|w| w.matches(name)),
        )
    }

    /// The schema's field names without wildcards (for suggestions).
    pub fn schema_names(&self) -> impl Iterator<Item = &str> {
        self.schema.iter().flatten().filter_map(Wildcard::literal)
    }

    /// The value of a derived field, or `None` when `name` is not derived here.
    pub fn derived(&self, event: &Event, name: &str, layer: Layer) -> Option<Value> {
        if layer == Layer::All {
            if name == "eventtype" && !self.eventtypes.is_empty() {
                return Some(Value::multi(
                    self.matching_eventtypes(event)
                        .map(|et| Value::str(&et.name))
                        .collect::<Vec<_>>(),
                ));
            }
            if name == "tag" && self.eventtypes.iter().any(|e| !e.tags.is_empty()) {
                let mut tags: Vec<Value> = Vec::new();
                for et in self.matching_eventtypes(event) {
                    for tag in &et.tags {
                        let v = Value::str(tag);
                        if !tags.contains(&v) {
                            tags.push(v);
                        }
                    }
                }
                return Some(Value::multi(tags));
            }
        }
        if layer != Layer::Base {
            if let Some(expr) = self.calculated.get(name) {
                let ctx = EvalContext {
                    layer: Layer::Base,
                    ..EvalContext::new(self.now)
                };
                return Some(expr.eval(event, &ctx));
            }
        }
        if let Some(sources) = self.aliases.get(name) {
            return Some(
                sources
                    .iter()
                    .map(|s| event.get_in(s, Layer::Base))
                    .find(|v| !v.is_null())
                    .unwrap_or(Value::Null),
            );
        }
        None
    }

    fn matching_eventtypes<'a>(&'a self, event: &'a Event) -> impl Iterator<Item = &'a EventType> + 'a {
        self.eventtypes
            .iter()
            .filter(move |et| et.search.matches_in(event, Layer::NoEventTypes))
    }
}

/// Profiles by source type.
#[derive(Debug, Default)]
pub struct ProfileSet {
    profiles: IndexMap<String, std::sync::Arc<Profile>>,
}

impl ProfileSet {
    pub fn new() -> ProfileSet {
        ProfileSet::default()
    }

    pub fn insert(&mut self, profile: Profile) {
        self.profiles
            .insert(profile.sourcetype.clone(), std::sync::Arc::new(profile));
    }

    pub fn get(&self, sourcetype: &str) -> Option<std::sync::Arc<Profile>> {
        self.profiles.get(sourcetype).cloned()
    }

    pub fn sourcetypes(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }
}
