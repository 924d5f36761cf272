//! The report as CSV, for spreadsheets and plotting scripts.

use super::build::Report;

/// One line per model and column (`group, model, name, params, task, shots, mean, std, n,
/// planned`; mean and std in percent, empty when missing), or with `runs` one line per run
/// (`id, model, task, shots, seed, status, precision, recall, f1, unparseable, wall_seconds`).
pub fn render_csv(report: &Report, runs: bool) -> String {
    let mut out = String::new();
    let mut line = |fields: &[String]| {
        let quoted: Vec<String> = fields.iter().map(|f| quote(f)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    };
    let number = |value: Option<f64>| value.map(|v| format!("{v:.4}")).unwrap_or_default();
    if runs {
        line(&words(
            "id,model,task,shots,seed,status,precision,recall,f1,unparseable,wall_seconds",
        ));
        for run in &report.runs {
            let scores = run.scores.as_ref();
            line(&[
                run.id.clone(),
                run.model.clone(),
                run.task.clone(),
                run.shots.to_string(),
                run.seed.to_string(),
                run.status.name().to_owned(),
                number(scores.map(|s| s.precision)),
                number(scores.map(|s| s.recall)),
                number(scores.map(|s| s.f1)),
                scores
                    .map(|s| s.unparseable.to_string())
                    .unwrap_or_default(),
                number(scores.map(|s| s.wall_seconds)),
            ]);
        }
        return out;
    }
    line(&words(
        "group,model,name,params,task,shots,mean,std,n,planned",
    ));
    for row in &report.table.rows {
        for (column, cell) in report.table.columns.iter().zip(&row.cells) {
            line(&[
                row.group.name().to_owned(),
                row.model.clone(),
                row.name.clone(),
                row.params.clone(),
                column.task.clone(),
                column.shots.to_string(),
                number(cell.summary.map(|s| s.mean)),
                number(cell.summary.and_then(|s| s.std)),
                cell.summary.map_or(0, |s| s.n).to_string(),
                cell.planned.to_string(),
            ]);
        }
    }
    out
}

fn words(header: &str) -> Vec<String> {
    header.split(',').map(str::to_owned).collect()
}

/// A field quoted when it holds a comma, a quote or a line break (RFC 4180).
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}
