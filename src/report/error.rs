//! Errors of building or drawing a report.

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A model and its counterpart scored on different test documents: their results cannot
    /// be paired.
    #[error(
        "runs {run} ({model}) and {counterpart_run} ({counterpart}) were scored on different test documents, so they cannot be compared"
    )]
    DocumentsDiffer {
        /// The model.
        model: String,
        /// Its run id.
        run: String,
        /// The counterpart model.
        counterpart: String,
        /// The counterpart's run id.
        counterpart_run: String,
    },
    /// The chart library failed.
    #[error("cannot draw {file}: {message}")]
    Figure {
        /// The figure's file name.
        file: String,
        /// The library's explanation.
        message: String,
    },
}
