//! Character offsets into a document text: bounds checks and slicing in constant time.

/// A text with an index from character (Unicode scalar) offsets to byte offsets.
///
/// Corpora count offsets in characters; Rust slices by bytes. ASCII texts (most of them) need no
/// index at all.
pub(crate) struct CharText<'t> {
    text: &'t str,
    /// Byte offset of every character boundary, including the end; empty for ASCII texts.
    boundaries: Vec<usize>,
}

impl<'t> CharText<'t> {
    /// Indexes `text`.
    pub(crate) fn new(text: &'t str) -> Self {
        let boundaries = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices()
                .map(|(byte, _)| byte)
                .chain([text.len()])
                .collect()
        };
        Self { text, boundaries }
    }

    /// The number of characters in the text.
    pub(crate) fn len(&self) -> usize {
        if self.boundaries.is_empty() {
            self.text.len()
        } else {
            self.boundaries.len() - 1
        }
    }

    /// The characters `start..end`, or why that span does not fit the text.
    pub(crate) fn slice(&self, start: usize, end: usize) -> Result<&'t str, String> {
        let len = self.len();
        if start > end || end > len {
            return Err(format!(
                "span {start}..{end} does not fit a text of {len} characters"
            ));
        }
        let (from, to) = if self.boundaries.is_empty() {
            (start, end)
        } else {
            (self.boundaries[start], self.boundaries[end])
        };
        Ok(&self.text[from..to])
    }
}

/// Checks that the annotated `text` of a continuous mention is what its offsets cover.
pub(crate) fn check_mention(
    text: &CharText<'_>,
    (start, end): (usize, usize),
    annotated: &str,
) -> Result<(), String> {
    let covered = text.slice(start, end)?;
    if covered == annotated {
        Ok(())
    } else {
        Err(format!(
            "mention text `{annotated}` differs from the text at {start}..{end}: `{covered}`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_by_characters() {
        let text = CharText::new("α-β blocker");
        assert_eq!(text.len(), 11);
        assert_eq!(text.slice(0, 3), Ok("α-β"));
        assert_eq!(text.slice(4, 11), Ok("blocker"));
        assert!(text.slice(4, 12).is_err());
        assert!(text.slice(5, 4).is_err());
    }

    #[test]
    fn ascii_and_empty_texts() {
        assert_eq!(CharText::new("abc").slice(1, 3), Ok("bc"));
        assert_eq!(CharText::new("").len(), 0);
        assert_eq!(CharText::new("").slice(0, 0), Ok(""));
    }

    #[test]
    fn mention_text_must_match() {
        let text = CharText::new("aspirin and warfarin");
        assert!(check_mention(&text, (0, 7), "aspirin").is_ok());
        assert!(check_mention(&text, (0, 6), "aspirin").is_err());
    }
}
