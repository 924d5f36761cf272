//! How numbers, cells and durations are written in the human formats.

use super::build::Report;
use super::table::Cell;
use crate::score::CountingMode;

/// A percentage with one decimal, as the paper writes them (never `-0.0`).
pub fn percent(value: f64) -> String {
    let text = format!("{value:.1}");
    if text == "-0.0" { "0.0".into() } else { text }
}

/// A difference in points with its sign.
pub fn signed(value: f64) -> String {
    let text = percent(value);
    if text.starts_with('-') {
        text
    } else {
        format!("+{text}")
    }
}

/// A cell: blank, `44.1` for one seed, `17.6 ± 1.2` for several; `*` marks a cell with fewer
/// seeds done than planned.
pub fn cell(cell: &Cell) -> String {
    let Some(summary) = cell.summary else {
        return String::new();
    };
    let mut text = match summary.std {
        Some(std) => format!("{} ± {}", percent(summary.mean), percent(std)),
        None => percent(summary.mean),
    };
    if cell.is_incomplete() {
        text.push('*');
    }
    text
}

/// Wall time: `42s`, `3m05s`, `2h07m`.
pub fn duration(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    match total {
        0..60 => format!("{total}s"),
        60..3600 => format!("{}m{:02}s", total / 60, total % 60),
        _ => format!("{}h{:02}m", total / 3600, total % 3600 / 60),
    }
}

/// The counting mode's name.
pub fn mode(mode: CountingMode) -> &'static str {
    match mode {
        CountingMode::Strict => "strict",
        CountingMode::Paper => "paper",
    }
}

/// The line above the table: study, metric, counting.
pub fn title(report: &Report) -> String {
    format!(
        "{}: {} (%), {} counting, mean ± std over seeds",
        report.study,
        report.metric,
        mode(report.mode)
    )
}

/// The line under a table that has incomplete cells.
pub const INCOMPLETE_NOTE: &str = "* fewer seeds done than planned";

/// The line above the comparisons.
pub fn comparisons_title(report: &Report) -> String {
    format!(
        "paired comparisons: F1 difference in points, 95% paired bootstrap interval over test documents ({} resamples), {} counting",
        super::bootstrap::RESAMPLES,
        mode(report.mode)
    )
}
