//! Scoring: generated texts read back into relations and counted against gold documents, with
//! micro and per-label precision, recall and F1, in a strict or the paper's counting mode.

pub mod error;
pub mod gold_index;
pub mod gold_table;
pub mod known_table;
pub mod matching;
pub mod predictions;
pub mod scorer;
pub mod scores;

pub use error::ScoreError;
pub use gold_index::GoldIndex;
pub use predictions::{parse_predictions, read_predictions};
pub use scorer::{DocumentScore, aggregate, score};
pub use scores::{CountingMode, Counts, LabelScores, Scores};
