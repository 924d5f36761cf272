//! Literal text searched for in many generated texts (a template's literals, list joiners): its
//! searcher is built once, not per search.

use memchr::memmem::Finder;

/// A string to search for, with its prebuilt searcher.
#[derive(Debug, Clone)]
pub struct Needle {
    finder: Finder<'static>,
}

impl Needle {
    /// Prepares `text` for searching.
    pub fn new(text: &str) -> Self {
        Self {
            finder: Finder::new(text.as_bytes()).into_owned(),
        }
    }

    /// Byte offsets of every (possibly overlapping) occurrence in `text` at or after `from`, in
    /// order, found one at a time.
    pub fn occurrences<'s, 't>(&'s self, text: &'t str, from: usize) -> Occurrences<'s, 't> {
        Occurrences {
            needle: self,
            text,
            search: Some(from),
        }
    }
}

/// The occurrences of a [`Needle`] in one text.
#[derive(Debug, Clone)]
pub struct Occurrences<'s, 't> {
    needle: &'s Needle,
    text: &'t str,
    /// Where the search for the next one starts (`None`: done).
    search: Option<usize>,
}

impl Iterator for Occurrences<'_, '_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        let search = self.search?;
        let at = self
            .text
            .as_bytes()
            .get(search..)
            .and_then(|rest| self.needle.finder.find(rest))
            .map(|offset| search + offset);
        // The next search starts one character further, so overlapping occurrences are found.
        self.search = at.map(|at| at + self.text[at..].chars().next().map_or(1, char::len_utf8));
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_overlapping_occurrences_at_character_boundaries() {
        let occurrences = |text, from, needle| {
            Needle::new(needle)
                .occurrences(text, from)
                .collect::<Vec<_>>()
        };
        assert_eq!(occurrences("aaaa", 0, "aa"), vec![0, 1, 2]);
        assert_eq!(occurrences("é and é", 2, " and "), vec![2]);
        assert_eq!(occurrences("éé", 0, ""), vec![0, 2, 4]);
        assert_eq!(occurrences("ab", 3, "a"), Vec::<usize>::new());
    }
}
