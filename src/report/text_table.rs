//! A table of text cells, written aligned for a terminal or as Markdown.

/// One line of a table.
#[derive(Debug, Clone)]
pub enum Line {
    /// A heading spanning the table (a model group).
    Heading(String),
    /// One text per column.
    Cells(Vec<String>),
}

/// Columns with a header and lines.
#[derive(Debug, Clone)]
pub struct TextTable {
    /// Column titles.
    pub header: Vec<String>,
    /// Which columns are right-aligned (numbers).
    pub numeric: Vec<bool>,
    /// The lines.
    pub lines: Vec<Line>,
}

impl TextTable {
    /// A table with these column titles; columns whose title is in `numeric` are
    /// right-aligned.
    pub fn new(header: &[&str], numeric: &[&str]) -> Self {
        TextTable {
            header: header.iter().map(|&h| h.to_owned()).collect(),
            numeric: header.iter().map(|h| numeric.contains(h)).collect(),
            lines: Vec::new(),
        }
    }

    /// Columns padded to their widest text, two spaces apart.
    pub fn aligned(&self) -> String {
        let width = |index: usize| {
            self.lines
                .iter()
                .filter_map(|line| match line {
                    Line::Cells(cells) => cells.get(index),
                    Line::Heading(_) => None,
                })
                .chain(self.header.get(index))
                .map(|text| text.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..self.header.len()).map(width).collect();
        let row = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(index, text)| {
                    let width = widths.get(index).copied().unwrap_or(0);
                    if self.numeric.get(index).copied().unwrap_or(false) {
                        format!("{text:>width$}")
                    } else {
                        format!("{text:<width$}")
                    }
                })
                .collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        let mut out = row(&self.header);
        for line in &self.lines {
            match line {
                Line::Heading(text) => out.push_str(&format!("{text}\n")),
                Line::Cells(cells) => out.push_str(&row(cells)),
            }
        }
        out
    }

    /// A Markdown table; a heading is a row with its text in bold in the first column.
    pub fn markdown(&self) -> String {
        let row = |cells: &[String]| {
            let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", escaped.join(" | "))
        };
        let mut out = row(&self.header);
        let rule: Vec<&str> = self
            .numeric
            .iter()
            .map(|&numeric| if numeric { "---:" } else { "---" })
            .collect();
        out.push_str(&format!("|{}|\n", rule.join("|")));
        for line in &self.lines {
            match line {
                Line::Heading(text) => {
                    let mut cells = vec![format!("**{text}**")];
                    cells.resize(self.header.len(), String::new());
                    out.push_str(&row(&cells));
                }
                Line::Cells(cells) => out.push_str(&row(cells)),
            }
        }
        out
    }
}
