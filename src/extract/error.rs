//! Errors of deriving an extractor.

use crate::template::TemplateError;

/// Why no extractor can be derived from a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// The template itself is invalid (every problem `template::validate` found).
    #[error("invalid template: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidTemplate(Vec<TemplateError>),
    /// The pattern (generated or explicit) is not a valid regular expression.
    #[error("extractor pattern `{pattern}` does not compile: {message}")]
    Pattern {
        /// The pattern as given to the regex engine.
        pattern: String,
        /// The regex engine's explanation.
        message: String,
    },
    /// An explicit pattern without a group the template needs.
    #[error("extractor pattern has no group named `{group}`; it needs one per role{}", if *.label_needed { " and one named `label`" } else { "" })]
    MissingGroup {
        /// The missing group's name.
        group: String,
        /// Whether the template needs a `label` group too.
        label_needed: bool,
    },
    /// An explicit pattern with a named group that is neither a role nor `label`.
    #[error("extractor pattern has a group named `{group}`, which is neither a role nor `label`")]
    UnknownGroup {
        /// The unexpected group's name.
        group: String,
    },
}
