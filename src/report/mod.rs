//! Reports of a study's finished runs: the paper's Table 1 (models grouped by family × task and
//! shots, mean ± standard deviation over seeds), paired bootstrap comparisons of each model with
//! its `counterpart`, per-run detail, a status table, and SVG bar charts.
//!
//! A [`Report`] is computed once ([`build`]) from the runs of a plan and their [`Outcome`]s,
//! then rendered as an aligned table, Markdown, CSV or versioned JSON.

mod bootstrap;
mod build;
mod comparison;
mod csv;
mod error;
mod figure;
mod format;
mod json;
mod markdown;
mod metric;
mod outcome;
mod run_line;
mod sections;
mod statistics;
mod status;
mod table;
mod terminal;
mod text_table;

pub use bootstrap::{Interval, RESAMPLES, paired_bootstrap};
pub use build::{Report, build};
pub use comparison::Comparison;
pub use csv::render_csv;
pub use error::ReportError;
pub use figure::{Figure, figures};
pub use json::render_json;
pub use markdown::render_markdown;
pub use metric::{Metric, ReportOptions};
pub use outcome::{Outcome, collect};
pub use run_line::RunLine;
pub use statistics::Summary;
pub use status::render_status;
pub use table::{Cell, Column, Group, Row, Table};
pub use terminal::render_terminal;

/// The version of the report JSON; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;
