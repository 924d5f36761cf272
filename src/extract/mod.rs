//! Extraction: generated text read back into relations, by an extractor derived from the target
//! template (never written by hand per template).
//!
//! # Deriving
//! The relation template's segments become one anchored regular expression: literal text
//! escaped, each role a lazy capture group named after it, `{{ label }}` an alternation of the
//! label words (longest first, the empty word included). A list role (a template with a single
//! role) is captured whole and then split into members by the list joiners. An explicit
//! `extractor` pattern in the template replaces the generated one (groups: the roles and `label`).
//!
//! # Reading a text
//! Trim it; the null sentence (with or without terminator) means no relation; strip one trailing
//! terminator; split on the separator's trimmed form (so "; ", ";" and " ;  " all separate), trim
//! each piece, skip empty pieces and null sentences; full-match each piece; map the label word back
//! to its label; split list roles into members (a set: sorted, each once); keep each relation once.
//! A piece that is not a relation sentence (truncated, unknown label word, stray text) is kept in
//! [`Extraction::unparseable`], never silently dropped.
//!
//! # Ambiguity
//! An argument string may contain the template's own text: "The relation between A and B and C
//! exists" reads as (A, B and C) or (A and B, C); "X and Y and Z" as a list is [X, Y and Z],
//! [X and Y, Z] or one member. [`Extractor::extract`] takes the leftmost reading, the regex's own
//! (roles as short as possible from the left; lists in their canonical form, most members first).
//! [`Extractor::extract_in`] is given the strings the source document mentions
//! ([`crate::template::known_strings`]) and takes the first reading, in that same order, whose
//! argument strings and list members are all known; when none is, the leftmost. Scoring and the
//! round trip use `extract_in` (scoring through [`Extractor::read_in`], the same reading into a
//! reused [`RelationsRead`] that borrows its strings instead of owning them). An explicit pattern
//! is not enumerated: its own match is the only relation reading (list members are still chosen
//! by known strings).

pub mod error;
pub mod extractor;
pub mod known;
pub mod list_split;
pub mod needle;
pub mod pattern;
pub mod relation;
pub mod roundtrip;
pub mod split;

pub use error::ExtractError;
pub use extractor::Extractor;
pub use known::KnownStrings;
pub use relation::{Extraction, PredictedRelation, RelationsRead};
pub use roundtrip::{RoundTrip, RoundTripFailure, roundtrip};
