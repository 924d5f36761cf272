//! The corpus file formats expc reads.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A corpus file format; [`FromStr`] and [`Display`](fmt::Display) use [`Format::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// DCE (drug combinations): one JSON sentence per line.
    DceJsonl,
    /// PubTator blocks (BioCreative V CDR).
    Pubtator,
    /// A BioCreative VI ChemProt folder of abstracts, entities and gold-standard TSV files.
    ChemprotTsv,
    /// A folder of DDI 2013 XML files.
    DdiXml,
    /// A folder of DDI 2013 brat standoff files (`.txt` + `.ann`).
    DdiBrat,
}

impl Format {
    /// Every format, in declaration order.
    pub const ALL: [Format; 5] = [
        Format::DceJsonl,
        Format::Pubtator,
        Format::ChemprotTsv,
        Format::DdiXml,
        Format::DdiBrat,
    ];

    /// The name used in study files, plans and messages (`dce-jsonl`, `pubtator`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::DceJsonl => "dce-jsonl",
            Format::Pubtator => "pubtator",
            Format::ChemprotTsv => "chemprot-tsv",
            Format::DdiXml => "ddi-xml",
            Format::DdiBrat => "ddi-brat",
        }
    }

    /// Variables a source template may use for documents of this format: always `id`, `text`,
    /// `entities` and `relations`, plus the keys of [`Document::fields`](super::Document::fields)
    /// that the format's loader fills.
    pub fn template_fields(self) -> &'static [&'static str] {
        match self {
            Format::DceJsonl => &["id", "text", "entities", "relations", "paragraph", "source"],
            Format::Pubtator | Format::ChemprotTsv => {
                &["id", "text", "entities", "relations", "title", "abstract"]
            }
            Format::DdiXml | Format::DdiBrat => &["id", "text", "entities", "relations"],
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown corpus format `{name}` (expected one of: {})", known_names())]
pub struct UnknownFormat {
    /// The name as written.
    pub name: String,
}

/// The known format names, comma-separated.
fn known_names() -> String {
    Format::ALL.map(Format::name).join(", ")
}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == name)
            .ok_or_else(|| UnknownFormat {
                name: name.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_str_and_serde() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
            assert_eq!(format.to_string(), format.name());
            let json = serde_json::to_string(&format).expect("serializable");
            assert_eq!(json, format!("\"{}\"", format.name()));
        }
    }

    #[test]
    fn unknown_name_lists_the_known_ones() {
        let error = "brat".parse::<Format>().expect_err("not a format");
        assert_eq!(
            error.to_string(),
            "unknown corpus format `brat` (expected one of: dce-jsonl, pubtator, chemprot-tsv, \
             ddi-xml, ddi-brat)"
        );
    }

    #[test]
    fn template_fields() {
        assert_eq!(
            Format::DceJsonl.template_fields(),
            ["id", "text", "entities", "relations", "paragraph", "source"]
        );
        assert_eq!(
            Format::Pubtator.template_fields()[4..],
            ["title", "abstract"]
        );
        assert_eq!(
            Format::ChemprotTsv.template_fields()[4..],
            ["title", "abstract"]
        );
        assert_eq!(
            Format::DdiXml.template_fields(),
            ["id", "text", "entities", "relations"]
        );
    }
}
