//! Numbered lines of a text file, read one at a time, with errors that name file and line.

use super::CorpusError;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Streams the lines of one file without their line terminator (`\n` or `\r\n`).
pub(crate) struct Lines<'p, R> {
    reader: R,
    path: &'p Path,
    number: usize,
    buffer: String,
}

impl<'p> Lines<'p, BufReader<File>> {
    /// Opens `path` for reading.
    pub(crate) fn open(path: &'p Path) -> Result<Self, CorpusError> {
        let file = File::open(path)
            .map_err(|error| CorpusError::file(path, format!("cannot open: {error}")))?;
        Ok(Self::new(BufReader::new(file), path))
    }
}

impl<'p, R: BufRead> Lines<'p, R> {
    /// Reads from `reader`, naming `path` in errors.
    pub(crate) fn new(reader: R, path: &'p Path) -> Self {
        Self {
            reader,
            path,
            number: 0,
            buffer: String::new(),
        }
    }

    /// The file these lines come from.
    pub(crate) fn path(&self) -> &'p Path {
        self.path
    }

    /// The next line and its 1-based number, or `None` at the end of the file.
    pub(crate) fn next_line(&mut self) -> Result<Option<(usize, &str)>, CorpusError> {
        self.buffer.clear();
        self.number += 1;
        let read = self.reader.read_line(&mut self.buffer).map_err(|error| {
            CorpusError::at(self.path, self.number, format!("cannot read: {error}"))
        })?;
        if read == 0 {
            return Ok(None);
        }
        let line = self.buffer.strip_suffix('\n').unwrap_or(&self.buffer);
        let line = line.strip_suffix('\r').unwrap_or(line);
        Ok(Some((self.number, line)))
    }
}

/// Splits a tab-separated line into exactly `N` columns, or says how many it has.
pub(crate) fn columns<const N: usize>(line: &str) -> Result<[&str; N], String> {
    let mut columns = [""; N];
    let mut count = 0;
    for column in line.split('\t') {
        if let Some(slot) = columns.get_mut(count) {
            *slot = column;
        }
        count += 1;
    }
    if count == N {
        Ok(columns)
    } else {
        Err(format!("expected {N} tab-separated columns, found {count}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_terminators_and_counts_lines() {
        let mut lines = Lines::new("a\r\nb\n\nc".as_bytes(), Path::new("f"));
        let mut seen = Vec::new();
        while let Some((number, line)) = lines.next_line().expect("in-memory input") {
            seen.push((number, line.to_owned()));
        }
        let expected = [(1, "a"), (2, "b"), (3, ""), (4, "c")].map(|(n, s)| (n, s.to_owned()));
        assert_eq!(seen, expected);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut lines = Lines::new(&b"ok\n\xff\n"[..], Path::new("f"));
        assert!(lines.next_line().is_ok());
        let error = lines.next_line().expect_err("invalid UTF-8");
        assert_eq!(error.line, Some(2));
    }

    #[test]
    fn columns_are_counted() {
        assert_eq!(columns::<3>("a\tb\tc"), Ok(["a", "b", "c"]));
        assert_eq!(
            columns::<3>("a\tb"),
            Err("expected 3 tab-separated columns, found 2".into())
        );
        assert!(columns::<2>("a\tb\tc").is_err());
    }
}
