//! The report as aligned text for a terminal.

use super::build::Report;
use super::format::{INCOMPLETE_NOTE, comparisons_title, title};
use super::sections;

/// Table 1 with its title, then the paired comparisons (when there are any), then, with
/// `runs`, every run.
pub fn render_terminal(report: &Report, runs: bool) -> String {
    let mut out = format!("{}\n\n", title(report));
    out.push_str(&sections::table_one(report, true).aligned());
    if report.table.has_incomplete_cells() {
        out.push_str(INCOMPLETE_NOTE);
        out.push('\n');
    }
    if !report.comparisons.is_empty() {
        out.push_str(&format!("\n{}\n\n", comparisons_title(report)));
        out.push_str(&sections::comparisons(report).aligned());
    }
    if runs {
        out.push_str("\nruns\n\n");
        out.push_str(&sections::runs(report).aligned());
    }
    out
}
