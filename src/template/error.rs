//! Errors of templates: text that does not parse, specs that do not hold together, documents that
//! cannot be rendered.

use std::fmt;

/// Which part of a template an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TemplatePart {
    /// The prompt template (`source`).
    Source,
    /// The relation sentence template (`relation`).
    Relation,
    /// The argument role names (`arguments`).
    Arguments,
    /// The label words (`labels`).
    Labels,
    /// The label merges (`merge_labels`).
    MergeLabels,
    /// The text between relation sentences (`separator`).
    Separator,
    /// The text after the last relation sentence (`terminator`).
    Terminator,
    /// The target of a document without relations (`null`).
    Null,
    /// The list joiners of a set role (`list`).
    List,
}

impl fmt::Display for TemplatePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Source => "source",
            Self::Relation => "relation",
            Self::Arguments => "arguments",
            Self::Labels => "labels",
            Self::MergeLabels => "merge_labels",
            Self::Separator => "separator",
            Self::Terminator => "terminator",
            Self::Null => "null",
            Self::List => "list",
        })
    }
}

/// Anything that can go wrong with a template, from its text to the rendering of one document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// Template text that does not parse, or uses a form this part does not allow.
    #[error("{part} template, line {line}, column {column}: {message}")]
    Syntax {
        /// The template the text belongs to.
        part: TemplatePart,
        /// Byte offset of the problem in the template text.
        offset: usize,
        /// 1-based line of `offset` within the template text.
        line: usize,
        /// 1-based column (in characters) of `offset` within its line.
        column: usize,
        /// What is wrong, and what is allowed instead.
        message: String,
    },
    /// A template whose parts do not hold together (a role never used, two labels with one word…).
    #[error("{part}: {message}")]
    Invalid {
        /// The part the problem is best attributed to.
        part: TemplatePart,
        /// What is wrong.
        message: String,
    },
    /// A template that parses but cannot be rendered for one document.
    #[error("document `{document}`: cannot render the {part} template: {message}")]
    Render {
        /// The document's id.
        document: String,
        /// The template being rendered.
        part: TemplatePart,
        /// minijinja's explanation (an undefined variable, a type error…).
        message: String,
    },
    /// A gold relation whose label the template neither writes nor merges.
    #[error(
        "document `{document}`: relation label `{label}` is in neither `labels` nor `merge_labels`"
    )]
    UnknownLabel {
        /// The document's id.
        document: String,
        /// The corpus label.
        label: String,
    },
    /// A gold relation that does not fit the template's roles or the document's entities.
    #[error("document `{document}`: {message}")]
    BadRelation {
        /// The document's id.
        document: String,
        /// What does not fit.
        message: String,
    },
}

impl TemplateError {
    /// A syntax error at byte `offset` of `text`, with its line and column computed.
    pub fn syntax(part: TemplatePart, text: &str, offset: usize, message: String) -> Self {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before
            .get(line_start..)
            .map_or(0, |tail| tail.chars().count())
            + 1;
        Self::Syntax {
            part,
            offset,
            line,
            column,
            message,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_counts_lines_and_characters() {
        let text = "héllo\nwörld {{";
        let offset = text.find("{{").unwrap_or_default();
        let error = TemplateError::syntax(TemplatePart::Source, text, offset, "unclosed".into());
        assert_eq!(
            error.to_string(),
            "source template, line 2, column 7: unclosed"
        );
    }
}
