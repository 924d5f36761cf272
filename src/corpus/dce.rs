//! The DCE drug-combination corpus (`dce-jsonl`): one JSON sentence per line.
//!
//! A document is a sentence. Each drug span becomes one entity (kind `drug`, id = `span_id`)
//! with one mention; each combination in `rels` becomes an unordered relation whose label is the
//! class as written (`POS`, `COMB`, `NEG`).

use super::lines::Lines;
use super::offsets::CharText;
use super::{CorpusError, Document, Entity, Mention, Relation};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;

/// One line of the file, as far as expc reads it.
#[derive(Deserialize)]
struct Line {
    doc_id: String,
    sentence: String,
    spans: Vec<Span>,
    rels: Vec<Combination>,
    paragraph: Option<String>,
    source: Option<String>,
}

/// A drug mention: character offsets into the sentence, end-exclusive.
#[derive(Deserialize)]
struct Span {
    span_id: u64,
    start: usize,
    end: usize,
}

/// An annotated drug combination.
#[derive(Deserialize)]
struct Combination {
    class: String,
    spans: Vec<u64>,
}

/// Loads a DCE `.jsonl` file.
pub(crate) fn load(path: &Path) -> Result<Vec<Document>, CorpusError> {
    read(Lines::open(path)?)
}

/// Reads DCE lines; blank lines are skipped.
pub(crate) fn read<R: BufRead>(mut lines: Lines<'_, R>) -> Result<Vec<Document>, CorpusError> {
    let path = lines.path();
    let mut documents = Vec::new();
    let mut seen = HashSet::new();
    while let Some((number, line)) = lines.next_line()? {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(line)
            .map_err(|error| CorpusError::at(path, number, format!("invalid DCE line: {error}")))?;
        let document = convert(parsed).map_err(|message| CorpusError::at(path, number, message))?;
        if !seen.insert(document.id.clone()) {
            return Err(CorpusError::at(
                path,
                number,
                format!("duplicated document id `{}`", document.id),
            ));
        }
        documents.push(document);
    }
    Ok(documents)
}

/// Builds the document of one parsed line.
fn convert(line: Line) -> Result<Document, String> {
    let sentence = CharText::new(&line.sentence);
    let mut index_of_span = HashMap::new();
    let mut entities = Vec::with_capacity(line.spans.len());
    for span in &line.spans {
        // The mention text is taken from the offsets, not from the span's `text` field: four
        // spans of the training set (doc d404a0a64aefa9b15e1c76f398b14335) carry wrong `text`
        // fields while their offsets are right (see data/dce/SOURCE.md).
        let text = sentence
            .slice(span.start, span.end)
            .map_err(|message| format!("span {}: {message}", span.span_id))?;
        if index_of_span.insert(span.span_id, entities.len()).is_some() {
            return Err(format!("span id {} occurs twice", span.span_id));
        }
        entities.push(Entity {
            id: span.span_id.to_string(),
            kind: "drug".to_owned(),
            mentions: vec![Mention {
                text: text.to_owned(),
                spans: vec![(span.start, span.end)],
            }],
        });
    }
    let relations =
        line.rels
            .into_iter()
            .map(|combination| {
                let arguments = combination
                    .spans
                    .iter()
                    .map(|id| {
                        index_of_span.get(id).copied().ok_or_else(|| {
                            format!("relation names span {id}, which does not exist")
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Ok(Relation {
                    label: combination.class,
                    arguments,
                    unordered: true,
                })
            })
            .collect::<Result<_, String>>()?;
    let fields = BTreeMap::from([
        ("paragraph".to_owned(), line.paragraph.unwrap_or_default()),
        ("source".to_owned(), line.source.unwrap_or_default()),
    ]);
    Ok(Document {
        id: line.doc_id,
        text: line.sentence,
        fields,
        entities,
        relations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<Vec<Document>, CorpusError> {
        read(Lines::new(input.as_bytes(), Path::new("dce.jsonl")))
    }

    const LINE: &str = r#"{"doc_id": "d1", "sentence": "Ibrutinib plus rituximab works .", "spans": [{"span_id": 0, "text": "Ibrutinib", "start": 0, "end": 9, "token_start": 0, "token_end": 1}, {"span_id": 1, "text": "rituxi", "start": 15, "end": 24, "token_start": 2, "token_end": 3}], "rels": [{"class": "POS", "spans": [0, 1], "is_context_needed": false}], "paragraph": "P.", "source": null}"#;

    #[test]
    fn reads_a_sentence() {
        let documents = parse(&format!("{LINE}\n\n")).expect("valid line");
        let [document] = documents.as_slice() else {
            panic!("one document")
        };
        assert_eq!(document.id, "d1");
        assert_eq!(document.entities[1].id, "1");
        // The wrong `text` field is ignored in favour of the offsets.
        assert_eq!(document.entities[1].mentions[0].text, "rituximab");
        assert_eq!(
            document.relations,
            [Relation {
                label: "POS".into(),
                arguments: vec![0, 1],
                unordered: true
            }]
        );
        assert_eq!(document.fields["paragraph"], "P.");
        assert_eq!(document.fields["source"], "");
    }

    #[test]
    fn errors_name_the_line() {
        let bad_offset = LINE.replace("\"end\": 24", "\"end\": 99");
        let error = parse(&format!("{LINE}\n{bad_offset}")).expect_err("bad offset");
        assert_eq!(error.line, Some(2));
        assert!(error.message.contains("does not fit"), "{error}");

        let unknown_span = LINE.replace("[0, 1]", "[0, 7]");
        let error = parse(&unknown_span).expect_err("unknown span");
        assert_eq!(
            error.to_string(),
            "dce.jsonl:1: relation names span 7, which does not exist"
        );

        let error = parse(&format!("{LINE}\n{LINE}")).expect_err("duplicate");
        assert_eq!(
            error.to_string(),
            "dce.jsonl:2: duplicated document id `d1`"
        );

        let error = parse("{\"doc_id\": ").expect_err("bad JSON");
        assert!(
            error
                .to_string()
                .starts_with("dce.jsonl:1: invalid DCE line"),
            "{error}"
        );
    }

    proptest::proptest! {
        /// Any edit of a valid input is loaded or rejected, never a panic.
        #[test]
        fn edited_input_never_panics(
            from in 0..LINE.len(),
            to in 0..LINE.len(),
            insert in "[\t\n|:;,.0-9a-zA-Z\"<>/=#ß -]{0,6}",
        ) {
            let (from, to) = (from.min(to), from.max(to));
            let (from, to) = (LINE.floor_char_boundary(from), LINE.floor_char_boundary(to));
            let edited = format!("{}{insert}{}", &LINE[..from], &LINE[to..]);
            let _ = parse(&edited);
        }
    }
}
