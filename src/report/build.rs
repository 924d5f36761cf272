//! A report computed once from a plan's outcomes, rendered in several formats.

use super::comparison::{Comparison, compare};
use super::error::ReportError;
use super::metric::{Metric, ReportOptions};
use super::outcome::Outcome;
use super::run_line::RunLine;
use super::table::Table;
use crate::score::CountingMode;
use serde::Serialize;

/// Everything a report shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The study's name (or the results folder's).
    pub study: String,
    /// The metric of the table's cells.
    pub metric: Metric,
    /// The counting mode of every score.
    pub mode: CountingMode,
    /// Table 1.
    pub table: Table,
    /// Paired comparisons of models with their counterparts.
    pub comparisons: Vec<Comparison>,
    /// Every run, in plan order.
    pub runs: Vec<RunLine>,
}

/// The report of `outcomes` (a plan's runs, in plan order).
pub fn build(
    study: &str,
    outcomes: &[Outcome],
    options: ReportOptions,
) -> Result<Report, ReportError> {
    Ok(Report {
        study: study.to_owned(),
        metric: options.metric,
        mode: options.mode,
        table: Table::build(outcomes, options),
        comparisons: compare(outcomes, options.mode)?,
        runs: outcomes.iter().map(|o| RunLine::of(o, options)).collect(),
    })
}
