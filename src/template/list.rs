//! Lists of set members, written "A", "A and B", "A, B, and C".

use super::spec::ListStyle;

impl ListStyle {
    /// Joins `members` in order: one member as is, two with `pair`, more with `separator` and,
    /// before the last, `last`.
    pub fn join<S: AsRef<str>>(&self, members: &[S]) -> String {
        match members {
            [] => String::new(),
            [only] => only.as_ref().to_owned(),
            [first, second] => format!("{}{}{}", first.as_ref(), self.pair, second.as_ref()),
            [init @ .., last] => {
                let head: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
                format!(
                    "{}{}{}",
                    head.join(&self.separator),
                    self.last,
                    last.as_ref()
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_one_two_three_and_four_members() {
        let style = ListStyle::default();
        assert_eq!(style.join(&["A"]), "A");
        assert_eq!(style.join(&["A", "B"]), "A and B");
        assert_eq!(style.join(&["A", "B", "C"]), "A, B, and C");
        assert_eq!(style.join(&["A", "B", "C", "D"]), "A, B, C, and D");
    }
}
