//! A folder of brat standoff files (`ddi-brat`), as in the brat release of DDI 2013: every
//! `<stem>.txt` (the document text) with its `<stem>.ann`, searched recursively in sorted path
//! order.
//!
//! The document id is the file stem. `T` lines (`T3\tDRUG 10 20;25 30\ttext`, end-exclusive
//! character offsets, `;` between fragments of a discontinuous mention) are entities with one
//! mention; `R` lines (`R1\tMECHANISM Arg1:T3 Arg2:T4`) are ordered relations [Arg1, Arg2].
//! `#` lines (annotator notes) are skipped; any other annotation kind is an error.

use super::folder::{files_with_extension, stem};
use super::lines::{Lines, columns};
use super::offsets::{CharText, check_mention};
use super::{CorpusError, Document, Entity, Mention, Relation};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::BufRead;
use std::path::Path;

/// Loads every `.txt`/`.ann` pair under `folder`.
pub(crate) fn load(folder: &Path) -> Result<Vec<Document>, CorpusError> {
    let texts = files_with_extension(folder, "txt")?;
    let annotations = files_with_extension(folder, "ann")?;
    let text_set: HashSet<_> = texts.iter().collect();
    let annotation_set: HashSet<_> = annotations.iter().collect();
    if let Some(orphan) = annotations
        .iter()
        .find(|ann| !text_set.contains(&ann.with_extension("txt")))
    {
        return Err(CorpusError::file(
            orphan,
            "annotation file without a matching .txt file",
        ));
    }
    let mut documents = Vec::with_capacity(texts.len());
    let mut ids = HashSet::new();
    for text_path in &texts {
        let id = stem(text_path)?;
        if !ids.insert(id.to_owned()) {
            return Err(CorpusError::file(
                text_path,
                format!("duplicated document id `{id}`"),
            ));
        }
        let ann_path = text_path.with_extension("ann");
        if !annotation_set.contains(&ann_path) {
            return Err(CorpusError::file(
                text_path,
                "text file without a matching .ann file",
            ));
        }
        let text = fs::read_to_string(text_path)
            .map_err(|error| CorpusError::file(text_path, format!("cannot read: {error}")))?;
        documents.push(read(Lines::open(&ann_path)?, id, text)?);
    }
    Ok(documents)
}

/// Reads the annotations of the document `id` whose text is `text`.
pub(crate) fn read<R: BufRead>(
    mut lines: Lines<'_, R>,
    id: &str,
    text: String,
) -> Result<Document, CorpusError> {
    let path = lines.path();
    let chars = CharText::new(&text);
    let mut entities = Vec::new();
    let mut by_id = HashMap::new();
    let mut pending = Vec::new();
    while let Some((number, line)) = lines.next_line()? {
        match line.chars().next() {
            None | Some('#') => {}
            Some('T') => {
                let entity = parse_entity(line, &chars)
                    .map_err(|message| CorpusError::at(path, number, message))?;
                if by_id.insert(entity.id.clone(), entities.len()).is_some() {
                    return Err(CorpusError::at(
                        path,
                        number,
                        format!("duplicated annotation id `{}`", entity.id),
                    ));
                }
                entities.push(entity);
            }
            Some('R') => {
                let relation = parse_relation(line)
                    .map_err(|message| CorpusError::at(path, number, message))?;
                pending.push((number, relation));
            }
            Some(_) => {
                let kind = line.split('\t').next().unwrap_or(line);
                let message =
                    format!("unsupported brat annotation `{kind}` (expected T, R or # lines)");
                return Err(CorpusError::at(path, number, message));
            }
        }
    }
    let relations = pending
        .into_iter()
        .map(|(number, (label, arg1, arg2))| {
            let argument = |role: &str, id: &str| {
                by_id.get(id).copied().ok_or_else(|| {
                    CorpusError::at(
                        path,
                        number,
                        format!("{role} names entity `{id}`, which does not exist"),
                    )
                })
            };
            let arguments = vec![argument("Arg1", &arg1)?, argument("Arg2", &arg2)?];
            Ok(Relation {
                label,
                arguments,
                unordered: false,
            })
        })
        .collect::<Result<_, CorpusError>>()?;
    Ok(Document {
        id: id.to_owned(),
        text,
        fields: BTreeMap::new(),
        entities,
        relations,
    })
}

/// Parses a `T` line: `id \t KIND start end[;start end]* \t text`.
fn parse_entity(line: &str, text: &CharText<'_>) -> Result<Entity, String> {
    let [id, annotation, mention] = columns(line)?;
    let invalid = || format!("expected `TYPE start end[;start end]`, found `{annotation}`");
    let (kind, fragments) = annotation.split_once(' ').ok_or_else(invalid)?;
    let mut spans = Vec::new();
    for fragment in fragments.split(';') {
        let offsets: Vec<&str> = fragment.split_whitespace().collect();
        let [start, end] = offsets[..] else {
            return Err(invalid());
        };
        let (Ok(start), Ok(end)) = (start.parse(), end.parse()) else {
            return Err(invalid());
        };
        text.slice(start, end)?;
        spans.push((start, end));
    }
    // Discontinuous mentions are checked fragment by fragment only: their annotated text joins
    // the fragments inconsistently (`alpha-adrenergic` for `alpha-` + `adrenergic`).
    if let [span] = spans[..] {
        check_mention(text, span, mention)?;
    }
    let mention = Mention {
        text: mention.to_owned(),
        spans,
    };
    Ok(Entity {
        id: id.to_owned(),
        kind: kind.to_owned(),
        mentions: vec![mention],
    })
}

/// Parses an `R` line: `id \t LABEL Arg1:T<i> Arg2:T<j>` into label and argument ids.
fn parse_relation(line: &str) -> Result<(String, String, String), String> {
    let [_, annotation] = columns(line)?;
    let invalid = || format!("expected `LABEL Arg1:T<i> Arg2:T<j>`, found `{annotation}`");
    let parts: Vec<&str> = annotation.split_whitespace().collect();
    let [label, arg1, arg2] = parts[..] else {
        return Err(invalid());
    };
    let arg1 = arg1.strip_prefix("Arg1:").ok_or_else(invalid)?;
    let arg2 = arg2.strip_prefix("Arg2:").ok_or_else(invalid)?;
    Ok((label.to_owned(), arg1.to_owned(), arg2.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Naltrexone with acamprosate and loop and thiazide diuretics.";
    const ANN: &str = "T1\tDRUG 0 10\tNaltrexone\nT2\tDRUG 16 27\tacamprosate\n\
                       T3\tGROUP 32 36;50 59\tloop diuretics\nR1\tMECHANISM Arg1:T1 Arg2:T2\n#1\tAnnotatorNotes T1\tnote\n";

    fn parse(ann: &str) -> Result<Document, CorpusError> {
        read(
            Lines::new(ann.as_bytes(), Path::new("d.ann")),
            "d",
            TEXT.to_owned(),
        )
    }

    #[test]
    fn reads_entities_and_relations() {
        let document = parse(ANN).expect("valid annotations");
        assert_eq!(document.entities.len(), 3);
        assert_eq!(document.entities[2].mentions[0].spans, [(32, 36), (50, 59)]);
        assert_eq!(document.entities[2].kind, "GROUP");
        assert_eq!(
            document.relations,
            [Relation {
                label: "MECHANISM".into(),
                arguments: vec![0, 1],
                unordered: false
            }]
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (ANN.replace("DRUG 16 27", "DRUG 16 99"), 2, "does not fit"),
            (
                ANN.replace("DRUG 16 27", "DRUG 16"),
                2,
                "expected `TYPE start end",
            ),
            (
                ANN.replace("Arg2:T2", "Arg2:T9"),
                4,
                "Arg2 names entity `T9`",
            ),
            (ANN.replace("\tacamprosate", ""), 2, "found 2"),
            (
                format!("{ANN}E1\tEvent:T1\n"),
                6,
                "unsupported brat annotation `E1`",
            ),
            (
                format!("{ANN}T1\tDRUG 0 10\tNaltrexone\n"),
                6,
                "duplicated annotation id `T1`",
            ),
        ];
        for (ann, line, message) in cases {
            let error = parse(&ann).expect_err(message);
            assert_eq!(error.line, Some(line), "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    proptest::proptest! {
        /// Any edit of a valid input is loaded or rejected, never a panic.
        #[test]
        fn edited_input_never_panics(
            from in 0..ANN.len(),
            to in 0..ANN.len(),
            insert in "[\t\n|:;,.0-9a-zA-Z\"<>/=#ß -]{0,6}",
        ) {
            let (from, to) = (from.min(to), from.max(to));
            let (from, to) = (ANN.floor_char_boundary(from), ANN.floor_char_boundary(to));
            let edited = format!("{}{insert}{}", &ANN[..from], &ANN[to..]);
            let _ = parse(&edited);
        }
    }
}
