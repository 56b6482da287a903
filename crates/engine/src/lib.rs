//! quarry-engine: evaluates queries over JSON events.
//!
//! The front ends' trees are lowered into a [`plan::Plan`] (`lower`), whose operators
//! (`ops`) run over events read from newline-delimited JSON (`input`). Values ([`value`]),
//! events ([`event`]) and source profiles ([`profile`]) are shared by both languages.

pub mod datamodel;
pub mod eql;
pub mod event;
pub mod expr;
pub mod flat_names;
pub mod func;
pub mod geoip;
pub mod input;
pub mod json_scan;
pub mod limits;
pub mod lint;
pub mod lookup;
pub mod lower;
pub mod merge;
pub mod ops;
pub mod pattern;
pub mod pcre;
pub mod plan;
pub mod plan_multi;
pub mod prefilter;
pub mod profile;
pub mod projection;
pub mod run;
pub mod search;
pub mod spl;
pub mod subsearch;
pub mod time;
pub mod value;

pub use event::Event;
pub use value::Value;
