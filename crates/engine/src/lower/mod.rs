//! Lowering: syntax trees into the plan. This is where each language's meaning is decided.

pub mod datamodel;
pub mod fieldcmds;
pub mod multi;
pub mod sequence;
pub mod spl;
