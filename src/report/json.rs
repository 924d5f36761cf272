//! The report as versioned JSON.

use super::FORMAT_VERSION;
use super::build::Report;
use serde::Serialize;

#[derive(Serialize)]
struct Versioned<'a> {
    format_version: u32,
    #[serde(flatten)]
    report: &'a Report,
}

/// The whole report (table, comparisons, runs) as pretty JSON with `format_version`; numbers in
/// percent; each row's `cells` follow `table.columns`.
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(&Versioned {
        format_version: FORMAT_VERSION,
        report,
    })
    .unwrap_or_default()
}
