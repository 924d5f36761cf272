//! The strings a source document mentions, as [`Extractor::extract_in`](super::Extractor::extract_in)
//! consults them: any set of strings that answers membership for a borrowed `&str`.

use std::collections::{BTreeSet, HashSet};
use std::hash::BuildHasher;

/// A set of known strings: the strings an ambiguous sentence's arguments should be made of.
pub trait KnownStrings {
    /// Whether `text` is one of the known strings.
    fn is_known(&self, text: &str) -> bool;
}

impl KnownStrings for BTreeSet<String> {
    fn is_known(&self, text: &str) -> bool {
        self.contains(text)
    }
}

impl<S: BuildHasher> KnownStrings for HashSet<String, S> {
    fn is_known(&self, text: &str) -> bool {
        self.contains(text)
    }
}
