//! The report as Markdown.

use super::build::Report;
use super::format::{INCOMPLETE_NOTE, comparisons_title, title};
use super::sections;

/// Table 1 under its title, then the paired comparisons (when there are any), then, with
/// `runs`, every run; each a Markdown table.
pub fn render_markdown(report: &Report, runs: bool) -> String {
    let mut out = format!("{}\n\n", title(report));
    out.push_str(&sections::table_one(report, false).markdown());
    if report.table.has_incomplete_cells() {
        out.push_str(&format!("\n\\{INCOMPLETE_NOTE}\n"));
    }
    if !report.comparisons.is_empty() {
        out.push_str(&format!("\n{}\n\n", comparisons_title(report)));
        out.push_str(&sections::comparisons(report).markdown());
    }
    if runs {
        out.push_str("\nRuns:\n\n");
        out.push_str(&sections::runs(report).markdown());
    }
    out
}
