//! Labels as the template writes them: corpus labels merged, then turned into label words.

use super::spec::TemplateSpec;

impl TemplateSpec {
    /// The label a corpus label is written and scored as: its merge target, or itself; `None` when
    /// the result is not one of `labels`.
    pub fn merged_label(&self, corpus_label: &str) -> Option<&str> {
        let merged = self
            .merge_labels
            .get(corpus_label)
            .map_or(corpus_label, String::as_str);
        self.labels
            .get_key_value(merged)
            .map(|(label, _)| label.as_str())
    }

    /// The word a (merged) label is written as.
    pub fn label_word(&self, label: &str) -> Option<&str> {
        self.labels.get(label).map(String::as_str)
    }

    /// The role of a set relation, whose members are rendered as one list: the only role when
    /// `arguments` names exactly one.
    pub fn list_role(&self) -> Option<&str> {
        match self.arguments.as_slice() {
            [role] => Some(role),
            _ => None,
        }
    }
}
