//! Templates: how a document becomes a prompt (`source`) and its relations a target text.
//!
//! Rendering uses minijinja with strict undefined variables and trailing newlines kept: template
//! text is rendered exactly as written. A relation template is restricted to literal text,
//! `{{ role }}` and `{{ label }}` ([`segments`]), which is what lets [`crate::extract`] derive its
//! extractor from it.

mod engine;
pub mod error;
pub mod gold;
pub mod labels;
pub mod list;
pub mod segments;
pub mod source;
pub mod spec;
pub mod target;
pub mod validate;

pub use error::{TemplateError, TemplatePart};
pub use gold::{
    GoldArgument, GoldRelation, known_strings, mention_strings, target_relations, walk_relation,
};
pub use segments::{Segment, SegmentKind, parse_relation};
pub use source::{render_source, source_variables};
pub use spec::{GoldDedup, ListStyle, MentionChoice, MentionMatch, TemplateSpec};
pub use target::{decoder_text, fixed_phrases, render_relation, render_target};
pub use validate::validate;
