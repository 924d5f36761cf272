//! Bar charts like the paper's Figures 2–5, as SVG: one per task and shot setting, bars grouped
//! by model family, height the mean over seeds, error bar the standard deviation.

use super::build::Report;
use super::error::ReportError;
use super::format::mode;
use super::table::{Column, Group};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// File name: `<task>_<shots>.svg`.
    pub file_name: String,
    /// The SVG document.
    pub svg: String,
}

/// A bar: one model's cell.
struct Bar<'a> {
    group: Group,
    label: &'a str,
    mean: f64,
    std: f64,
}

/// Pixels per bar slot; one empty slot separates groups.
const SLOT_WIDTH: u32 = 90;
/// Chart height.
const HEIGHT: u32 = 420;

/// A chart for every column of the table that has a value.
pub fn figures(report: &Report) -> Result<Vec<Figure>, ReportError> {
    let mut figures = Vec::new();
    for (index, column) in report.table.columns.iter().enumerate() {
        let bars: Vec<Bar<'_>> = report
            .table
            .rows
            .iter()
            .filter_map(|row| {
                let summary = row.cells.get(index)?.summary?;
                Some(Bar {
                    group: row.group,
                    label: &row.name,
                    mean: summary.mean,
                    std: summary.std.unwrap_or(0.0),
                })
            })
            .collect();
        if !bars.is_empty() {
            figures.push(draw(report, column, &bars)?);
        }
    }
    Ok(figures)
}

fn draw(report: &Report, column: &Column, bars: &[Bar<'_>]) -> Result<Figure, ReportError> {
    let file_name = format!("{}_{}.svg", file_safe(&column.task), column.shots);
    let fail = |error: &dyn std::fmt::Display| ReportError::Figure {
        file: file_name.clone(),
        message: error.to_string(),
    };
    let mut positions = Vec::with_capacity(bars.len());
    let mut slot = 0.0;
    for (index, bar) in bars.iter().enumerate() {
        if index > 0 && bars[index - 1].group != bar.group {
            slot += 1.0;
        }
        positions.push(slot);
        slot += 1.0;
    }
    let slots = slot;
    let top = bars.iter().map(|b| b.mean + b.std).fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.15 } else { 10.0 };
    let width = 100 + SLOT_WIDTH * slots as u32;
    let shots = match column.shots {
        crate::check::study::Shots::Few(k) => format!("{k} shots"),
        crate::check::study::Shots::Full => "full data".to_owned(),
    };
    let caption = format!(
        "{}: {} {} · {} (%), {} counting",
        report.study,
        column.task,
        shots,
        report.metric,
        mode(report.mode)
    );
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..slots, 0.0..y_max)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(0)
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 15))
            .y_desc(format!("{} (%)", report.metric))
            .draw()
            .map_err(|e| fail(&e))?;
        let label_style = |size: u32| {
            ("sans-serif", size)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top))
        };
        for (bar, &x) in bars.iter().zip(&positions) {
            let color = group_color(bar.group);
            chart
                .draw_series([Rectangle::new(
                    [(x + 0.15, 0.0), (x + 0.85, bar.mean)],
                    color.filled(),
                )])
                .map_err(|e| fail(&e))?;
            if bar.std > 0.0 {
                let (low, high) = ((bar.mean - bar.std).max(0.0), bar.mean + bar.std);
                let whisker = [(x + 0.5, low), (x + 0.5, high)];
                let caps = [low, high].map(|y| [(x + 0.4, y), (x + 0.6, y)]);
                chart
                    .draw_series(
                        [whisker, caps[0], caps[1]]
                            .into_iter()
                            .map(|points| PathElement::new(points, BLACK.stroke_width(1))),
                    )
                    .map_err(|e| fail(&e))?;
            }
            let (px, py) = chart.backend_coord(&(x + 0.5, 0.0));
            root.draw(&Text::new(
                bar.label.to_owned(),
                (px, py + 6),
                label_style(14),
            ))
            .map_err(|e| fail(&e))?;
        }
        let mut first = 0;
        while first < bars.len() {
            let group = bars[first].group;
            let last = (first..bars.len())
                .take_while(|&i| bars[i].group == group)
                .last()
                .unwrap_or(first);
            let centre = (positions[first] + positions[last] + 1.0) / 2.0;
            let (px, py) = chart.backend_coord(&(centre, 0.0));
            root.draw(&Text::new(group.name(), (px, py + 28), label_style(15)))
                .map_err(|e| fail(&e))?;
            first = last + 1;
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(Figure { file_name, svg })
}

/// The fill colour of a group's bars.
fn group_color(group: Group) -> RGBColor {
    match group {
        Group::DecoderOnly => RGBColor(0x4c, 0x72, 0xb0),
        Group::Bart => RGBColor(0xdd, 0x84, 0x52),
        Group::T5 => RGBColor(0x55, 0xa8, 0x68),
    }
}

/// `name` with every character but letters, digits, `-` and `_` replaced by `_`.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
