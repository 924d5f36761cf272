//! The report's three tables as text tables, shared by the terminal and Markdown renderings.

use super::build::Report;
use super::format::{cell, duration, percent, signed};
use super::text_table::{Line, TextTable};

/// Table 1: a heading per model group, a line per model; `indent` indents model names under
/// their headings.
pub fn table_one(report: &Report, indent: bool) -> TextTable {
    let labels: Vec<String> = report.table.columns.iter().map(|c| c.label()).collect();
    let mut header = vec!["model", "params"];
    header.extend(labels.iter().map(String::as_str));
    let mut table = TextTable::new(&header, &header[2..]);
    let mut group = None;
    for row in &report.table.rows {
        if group != Some(row.group) {
            group = Some(row.group);
            table.lines.push(Line::Heading(row.group.name().into()));
        }
        let name = if indent {
            format!("  {}", row.name)
        } else {
            row.name.clone()
        };
        let mut cells = vec![name, row.params.clone()];
        cells.extend(row.cells.iter().map(cell));
        table.lines.push(Line::Cells(cells));
    }
    table
}

/// The paired comparisons, models by display name.
pub fn comparisons(report: &Report) -> TextTable {
    let name = |model: &str| {
        report
            .table
            .rows
            .iter()
            .find(|row| row.model == model)
            .map_or_else(|| model.to_owned(), |row| row.name.clone())
    };
    let header = [
        "model",
        "counterpart",
        "task",
        "shots",
        "seed",
        "docs",
        "F1",
        "counterpart F1",
        "difference",
        "95% interval",
    ];
    let mut table = TextTable::new(
        &header,
        &[
            "shots",
            "seed",
            "docs",
            "F1",
            "counterpart F1",
            "difference",
        ],
    );
    for comparison in &report.comparisons {
        table.lines.push(Line::Cells(vec![
            name(&comparison.model),
            name(&comparison.counterpart),
            comparison.task.clone(),
            comparison.shots.to_string(),
            comparison.seed.to_string(),
            comparison.documents.to_string(),
            percent(comparison.model_f1),
            percent(comparison.counterpart_f1),
            signed(comparison.difference),
            format!(
                "[{}, {}]",
                signed(comparison.interval.low),
                signed(comparison.interval.high)
            ),
        ]));
    }
    table
}

/// Every run: id prefix, coordinates, status, P/R/F1, unparseable pieces, wall time.
pub fn runs(report: &Report) -> TextTable {
    let header = [
        "id",
        "model",
        "task",
        "shots",
        "seed",
        "status",
        "P",
        "R",
        "F1",
        "unparseable",
        "wall",
    ];
    let mut table = TextTable::new(
        &header,
        &["shots", "seed", "P", "R", "F1", "unparseable", "wall"],
    );
    for line in &report.runs {
        let mut cells = vec![
            line.short_id().to_owned(),
            line.model.clone(),
            line.task.clone(),
            line.shots.to_string(),
            line.seed.to_string(),
            line.status.to_string(),
        ];
        match &line.scores {
            Some(scores) => cells.extend([
                percent(scores.precision),
                percent(scores.recall),
                percent(scores.f1),
                scores.unparseable.to_string(),
                duration(scores.wall_seconds),
            ]),
            None => cells.resize(header.len(), String::new()),
        }
        table.lines.push(Line::Cells(cells));
    }
    table
}
