//! PubTator blocks (`pubtator`), the format of the BioCreative V CDR corpus.
//!
//! A block is a title line `PMID|t|…`, an abstract line `PMID|a|…`, mention lines
//! `PMID start end text type ids [texts]` and relation lines `PMID CID chemical disease`, all
//! tab-separated; blocks are separated by blank lines. The document text is title + " " +
//! abstract, which the mention offsets index.
//!
//! Entities are concepts: one entity per (type, normalized id), holding all its mentions in
//! document order; entities are ordered by their first mention. Quirks, decided here:
//! - A mention normalized to `-1` (no MeSH id) is its own entity, with id `-1#<n>` (n counts
//!   from 1 within the document); such entities never take part in a relation.
//! - A composite mention (`D014786|D006311`, e.g. "Ocular and auditory toxicity") is added,
//!   with its full span and text, to the entity of each distinct listed id; its optional 7th
//!   column (the individual mention texts) is not used, since those strings do not occur in
//!   the text. A `-1` part becomes its own entity as above.
//! - A `CID` relation naming an id without a mention of the right type (Chemical for the
//!   first argument, Disease for the second) is an error; the CDR files have none.

use super::lines::Lines;
use super::offsets::{CharText, check_mention};
use super::{CorpusError, Document, Entity, Mention, Relation};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;

/// Loads a PubTator file.
pub(crate) fn load(path: &Path) -> Result<Vec<Document>, CorpusError> {
    read(Lines::open(path)?)
}

/// Reads PubTator blocks.
pub(crate) fn read<R: BufRead>(mut lines: Lines<'_, R>) -> Result<Vec<Document>, CorpusError> {
    let path = lines.path();
    let mut documents = Documents::default();
    let mut block: Vec<(usize, String)> = Vec::new();
    while let Some((number, line)) = lines.next_line()? {
        if line.trim().is_empty() {
            documents.push_block(&mut block, path)?;
        } else {
            block.push((number, line.to_owned()));
        }
    }
    documents.push_block(&mut block, path)?;
    Ok(documents.documents)
}

/// The documents read so far, with their ids.
#[derive(Default)]
struct Documents {
    documents: Vec<Document>,
    ids: HashSet<String>,
}

impl Documents {
    /// Parses the lines of `block` (if any) into a document and empties it.
    fn push_block(
        &mut self,
        block: &mut Vec<(usize, String)>,
        path: &Path,
    ) -> Result<(), CorpusError> {
        let Some(&(first_line, _)) = block.first() else {
            return Ok(());
        };
        let document = parse_block(block, path)?;
        if !self.ids.insert(document.id.clone()) {
            let message = format!("duplicated document id `{}`", document.id);
            return Err(CorpusError::at(path, first_line, message));
        }
        self.documents.push(document);
        block.clear();
        Ok(())
    }
}

/// Parses one block of numbered lines into a document.
fn parse_block(block: &[(usize, String)], path: &Path) -> Result<Document, CorpusError> {
    let error = |number: usize, message: String| CorpusError::at(path, number, message);
    let [(title_number, title_line), rest @ ..] = block else {
        return Err(CorpusError::file(path, "empty PubTator block"));
    };
    let (pmid, title) = text_line(title_line, "t")
        .ok_or_else(|| error(*title_number, "expected a title line `PMID|t|title`".into()))?;
    let [(abstract_number, abstract_line), annotations @ ..] = rest else {
        return Err(error(
            *title_number,
            format!("document {pmid} has no abstract line"),
        ));
    };
    let abstract_text = match text_line(abstract_line, "a") {
        Some((abstract_pmid, text)) if abstract_pmid == pmid => text,
        _ => {
            let message = format!("expected the abstract line `{pmid}|a|abstract`");
            return Err(error(*abstract_number, message));
        }
    };
    let text = format!("{title} {abstract_text}");
    let chars = CharText::new(&text);
    let mut concepts = Concepts::default();
    let mut cids = Vec::new();
    for (number, line) in annotations {
        let columns: Vec<&str> = line.split('\t').collect();
        let parsed = match columns[..] {
            [id, ..] if id != pmid => Err(format!(
                "line of document `{id}` inside the block of {pmid}"
            )),
            [_, "CID", chemical, disease] => {
                cids.push((*number, chemical, disease));
                Ok(())
            }
            [_, start, end, mention, kind, ids] | [_, start, end, mention, kind, ids, _] => {
                concepts.add_line(&chars, [start, end, mention, kind, ids])
            }
            _ => Err(format!(
                "expected a mention line (6 or 7 columns) or a CID line (4 columns), found {} \
                 columns",
                columns.len()
            )),
        };
        parsed.map_err(|message| error(*number, message))?;
    }
    let relations = cids
        .into_iter()
        .map(|(number, chemical, disease)| {
            concepts
                .cid(chemical, disease)
                .map_err(|message| error(number, message))
        })
        .collect::<Result<_, _>>()?;
    let fields = BTreeMap::from([
        ("title".to_owned(), title.to_owned()),
        ("abstract".to_owned(), abstract_text.to_owned()),
    ]);
    Ok(Document {
        id: pmid.to_owned(),
        text,
        fields,
        entities: concepts.entities,
        relations,
    })
}

/// Splits a `PMID|<marker>|text` line into PMID and text.
fn text_line<'l>(line: &'l str, marker: &str) -> Option<(&'l str, &'l str)> {
    let (pmid, rest) = line.split_once('|')?;
    let text = rest.strip_prefix(marker)?.strip_prefix('|')?;
    (!pmid.is_empty()).then_some((pmid, text))
}

/// A character offset column.
fn offset(column: &str) -> Option<usize> {
    column.parse().ok()
}

/// The id PubTator gives a mention it could not normalize.
const UNNORMALIZED: &str = "-1";

/// The entities of one document, found by (type, normalized id).
#[derive(Default)]
struct Concepts {
    entities: Vec<Entity>,
    index: HashMap<(String, String), usize>,
    /// How many `-1` (unnormalized) entities were made so far.
    unnormalized: usize,
}

impl Concepts {
    /// Adds the mention of a mention line (start, end, text, type, ids) to the entity of each
    /// of its distinct ids.
    fn add_line(&mut self, text: &CharText<'_>, columns: [&str; 5]) -> Result<(), String> {
        let [start, end, mention, kind, ids] = columns;
        let (Some(start), Some(end)) = (offset(start), offset(end)) else {
            return Err(format!("offsets `{start}`, `{end}` are not numbers"));
        };
        check_mention(text, (start, end), mention)?;
        let mut listed: Vec<&str> = Vec::new();
        for id in ids.split('|') {
            if id.is_empty() {
                return Err(format!("empty concept id in `{ids}`"));
            }
            if !listed.contains(&id) {
                listed.push(id);
            }
        }
        for id in listed {
            let mention = Mention {
                text: mention.to_owned(),
                spans: vec![(start, end)],
            };
            self.add(kind, id, mention);
        }
        Ok(())
    }

    /// The relation of a `CID` line: [Chemical entity, Disease entity].
    fn cid(&self, chemical: &str, disease: &str) -> Result<Relation, String> {
        let argument = |kind: &str, id: &str| {
            self.find(kind, id)
                .ok_or_else(|| format!("CID relation names {kind} `{id}`, which has no mention"))
        };
        let arguments = vec![
            argument("Chemical", chemical)?,
            argument("Disease", disease)?,
        ];
        Ok(Relation {
            label: "CID".to_owned(),
            arguments,
            unordered: false,
        })
    }

    /// Adds a mention to the entity of (`kind`, `id`), making the entity on its first mention;
    /// every `-1` mention makes a new entity.
    fn add(&mut self, kind: &str, id: &str, mention: Mention) {
        if id == UNNORMALIZED {
            self.unnormalized += 1;
            self.push(
                format!("{UNNORMALIZED}#{}", self.unnormalized),
                kind,
                mention,
            );
            return;
        }
        let key = (kind.to_owned(), id.to_owned());
        if let Some(entity) = self
            .index
            .get(&key)
            .and_then(|&index| self.entities.get_mut(index))
        {
            entity.mentions.push(mention);
        } else {
            self.index.insert(key, self.entities.len());
            self.push(id.to_owned(), kind, mention);
        }
    }

    /// Appends a new entity with one mention.
    fn push(&mut self, id: String, kind: &str, mention: Mention) {
        self.entities.push(Entity {
            id,
            kind: kind.to_owned(),
            mentions: vec![mention],
        });
    }

    /// The index of the entity of (`kind`, `id`).
    fn find(&self, kind: &str, id: &str) -> Option<usize> {
        self.index.get(&(kind.to_owned(), id.to_owned())).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<Vec<Document>, CorpusError> {
        read(Lines::new(input.as_bytes(), Path::new("cdr.txt")))
    }

    const BLOCK: &str = "\
1|t|Ocular and auditory toxicity of aspirin.
1|a|Aspirin caused toxicity; nalozone did not.
1\t0\t28\tOcular and auditory toxicity\tDisease\tD014786|D006311\tOcular toxicity|auditory toxicity
1\t32\t39\taspirin\tChemical\tD001241
1\t41\t48\tAspirin\tChemical\tD001241\t
1\t56\t64\ttoxicity\tDisease\tD014786
1\t66\t74\tnalozone\tChemical\t-1
1\tCID\tD001241\tD006311
";

    #[test]
    fn groups_mentions_by_concept() {
        let documents = parse(&format!(
            "{BLOCK}\n{}\n\n",
            BLOCK.replace("1|", "2|").replace("\n1\t", "\n2\t")
        ))
        .expect("valid blocks");
        assert_eq!(documents.len(), 2);
        let document = &documents[0];
        assert_eq!(
            document.text,
            "Ocular and auditory toxicity of aspirin. Aspirin caused toxicity; nalozone did not."
        );
        let ids: Vec<&str> = document
            .entities
            .iter()
            .map(|entity| entity.id.as_str())
            .collect();
        assert_eq!(ids, ["D014786", "D006311", "D001241", "-1#1"]);
        // The composite mention belongs to both of its concepts, with its full span.
        assert_eq!(document.entities[0].mentions.len(), 2);
        assert_eq!(
            document.entities[1].mentions[0].text,
            "Ocular and auditory toxicity"
        );
        assert_eq!(document.entities[2].mentions[1].spans, [(41, 48)]);
        assert_eq!(
            document.relations,
            [Relation {
                label: "CID".into(),
                arguments: vec![2, 1],
                unordered: false
            }]
        );
        assert_eq!(
            document.fields["title"],
            "Ocular and auditory toxicity of aspirin."
        );
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            (
                BLOCK.replace("\t32\t39\t", "\t32\t38\t"),
                4,
                "differs from the text",
            ),
            (
                BLOCK.replace("\t32\t39\t", "\t32\t999\t"),
                4,
                "does not fit",
            ),
            (
                BLOCK.replace("\tChemical\tD001241\n", "\tChemical\n"),
                4,
                "found 5 columns",
            ),
            (
                BLOCK.replace("CID\tD001241\tD006311", "CID\tD001241\tD000001"),
                8,
                "has no mention",
            ),
            (
                BLOCK.replace("CID\tD001241", "CID\tD006311"),
                8,
                "Chemical `D006311`",
            ),
            (
                BLOCK.replace("1|a|", "1|x|"),
                2,
                "expected the abstract line",
            ),
            (BLOCK.replace("1\t66", "7\t66"), 7, "document `7`"),
            (
                format!("{BLOCK}\n{BLOCK}"),
                10,
                "duplicated document id `1`",
            ),
            ("1|t|title only\n".to_owned(), 1, "no abstract line"),
        ];
        for (input, line, message) in cases {
            let error = parse(&input).expect_err(message);
            assert_eq!(error.line, Some(line), "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    proptest::proptest! {
        /// Any edit of a valid input is loaded or rejected, never a panic.
        #[test]
        fn edited_input_never_panics(
            from in 0..BLOCK.len(),
            to in 0..BLOCK.len(),
            insert in "[\t\n|:;,.0-9a-zA-Z\"<>/=#ß -]{0,6}",
        ) {
            let (from, to) = (from.min(to), from.max(to));
            let (from, to) = (BLOCK.floor_char_boundary(from), BLOCK.floor_char_boundary(to));
            let edited = format!("{}{insert}{}", &BLOCK[..from], &BLOCK[to..]);
            let _ = parse(&edited);
        }
    }
}
