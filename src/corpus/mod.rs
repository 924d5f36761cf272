//! Corpora: the four biomedical relation-extraction corpora loaded into one [`Document`] model.
//!
//! [`load`] reads one split of a corpus in a given [`Format`]; [`load_dataset`] reads the three
//! splits a [`DatasetSpec`] names; [`sample_ids`] draws seeded few-shot samples. Every malformed
//! input is a [`CorpusError`] naming file and line, never a panic or a dropped document.

mod chemprot;
mod dataset;
mod dce;
mod ddi_brat;
mod ddi_xml;
pub mod document;
mod error;
mod folder;
mod format;
mod lines;
mod offsets;
mod pubtator;
mod sample;

pub use dataset::{DatasetSpec, Splits, ValidationSpec, load_dataset};
pub use document::{Document, Entity, Mention, Relation};
pub use error::CorpusError;
pub use format::{Format, UnknownFormat};
pub use sample::{SplitMix64, holdout, sample_ids};

use std::path::Path;

/// Loads one split of a corpus: a file (`dce-jsonl`, `pubtator`) or a folder (`chemprot-tsv`,
/// `ddi-xml`, `ddi-brat`), in the file's own document order (folders: sorted paths).
pub fn load(format: Format, path: &Path) -> Result<Vec<Document>, CorpusError> {
    match format {
        Format::DceJsonl => dce::load(path),
        Format::Pubtator => pubtator::load(path),
        Format::ChemprotTsv => chemprot::load(path),
        Format::DdiXml => ddi_xml::load(path),
        Format::DdiBrat => ddi_brat::load(path),
    }
}
