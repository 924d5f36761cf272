//! A ChemProt folder (`chemprot-tsv`), as distributed by BioCreative VI: `*_abstracts*.tsv`
//! (PMID, title, abstract), `*_entities*.tsv` (PMID, T-id, type, start, end, text) and
//! `*_gold_standard.tsv` (PMID, CPR group, `Arg1:T…`, `Arg2:T…`), tab-separated, no header.
//!
//! The document text is title + " " + abstract, which the entity offsets index. Each T-id is one
//! entity with one mention, in file order; each gold line is one ordered relation [Arg1, Arg2]
//! labelled with its group (`CPR:4`), duplicates kept as in the file.

use super::lines::{Lines, columns};
use super::offsets::{CharText, check_mention};
use super::{CorpusError, Document, Entity, Mention, Relation};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::BufRead;
use std::path::{Path, PathBuf};

/// Loads a ChemProt folder.
pub(crate) fn load(folder: &Path) -> Result<Vec<Document>, CorpusError> {
    let abstracts = find_file(folder, "*_abstracts*.tsv", |name| {
        name.contains("_abstracts") && name.ends_with(".tsv")
    })?;
    let entities = find_file(folder, "*_entities*.tsv", |name| {
        name.contains("_entities") && name.ends_with(".tsv")
    })?;
    let gold = find_file(folder, "*_gold_standard.tsv", |name| {
        name.ends_with("_gold_standard.tsv")
    })?;
    read(
        Lines::open(&abstracts)?,
        Lines::open(&entities)?,
        Lines::open(&gold)?,
    )
}

/// The one file directly in `folder` whose name satisfies `matches` (described by `pattern`).
fn find_file(
    folder: &Path,
    pattern: &str,
    matches: impl Fn(&str) -> bool,
) -> Result<PathBuf, CorpusError> {
    let listing_error = |error| CorpusError::file(folder, format!("cannot list folder: {error}"));
    let mut found = Vec::new();
    for entry in fs::read_dir(folder).map_err(listing_error)? {
        let path = entry.map_err(listing_error)?.path();
        if path.is_file()
            && path
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(&matches)
        {
            found.push(path);
        }
    }
    found.sort();
    match <[PathBuf; 1]>::try_from(found) {
        Ok([path]) => Ok(path),
        Err(found) if found.is_empty() => Err(CorpusError::file(
            folder,
            format!("no file matches `{pattern}`"),
        )),
        Err(found) => {
            let names: Vec<String> = found
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            let message = format!("several files match `{pattern}`: {}", names.join(", "));
            Err(CorpusError::file(folder, message))
        }
    }
}

/// The annotations of one document while they are read.
#[derive(Default)]
struct Annotations {
    entities: Vec<Entity>,
    /// T-id → index in `entities`.
    by_id: HashMap<String, usize>,
    relations: Vec<Relation>,
}

/// Reads the three files of a ChemProt split.
pub(crate) fn read<A: BufRead, E: BufRead, G: BufRead>(
    abstracts: Lines<'_, A>,
    entities: Lines<'_, E>,
    gold: Lines<'_, G>,
) -> Result<Vec<Document>, CorpusError> {
    let (mut documents, by_pmid) = read_abstracts(abstracts)?;
    let mut annotations: Vec<Annotations> =
        documents.iter().map(|_| Annotations::default()).collect();
    let texts: Vec<CharText<'_>> = documents
        .iter()
        .map(|document| CharText::new(&document.text))
        .collect();
    read_entities(entities, &by_pmid, &texts, &mut annotations)?;
    drop(texts);
    read_gold(gold, &by_pmid, &mut annotations)?;
    for (document, annotations) in documents.iter_mut().zip(annotations) {
        document.entities = annotations.entities;
        document.relations = annotations.relations;
    }
    Ok(documents)
}

/// Reads the abstracts: documents without annotations, and PMID → document index.
fn read_abstracts<R: BufRead>(
    mut lines: Lines<'_, R>,
) -> Result<(Vec<Document>, HashMap<String, usize>), CorpusError> {
    let path = lines.path();
    let mut documents = Vec::new();
    let mut by_pmid = HashMap::new();
    while let Some((number, line)) = lines.next_line()? {
        let [pmid, title, abstract_text] =
            columns(line).map_err(|message| CorpusError::at(path, number, message))?;
        if by_pmid.insert(pmid.to_owned(), documents.len()).is_some() {
            return Err(CorpusError::at(
                path,
                number,
                format!("duplicated document id `{pmid}`"),
            ));
        }
        let fields = BTreeMap::from([
            ("title".to_owned(), title.to_owned()),
            ("abstract".to_owned(), abstract_text.to_owned()),
        ]);
        documents.push(Document {
            id: pmid.to_owned(),
            text: format!("{title} {abstract_text}"),
            fields,
            entities: Vec::new(),
            relations: Vec::new(),
        });
    }
    Ok((documents, by_pmid))
}

/// Reads the entity mentions into the documents' annotations.
fn read_entities<R: BufRead>(
    mut lines: Lines<'_, R>,
    by_pmid: &HashMap<String, usize>,
    texts: &[CharText<'_>],
    annotations: &mut [Annotations],
) -> Result<(), CorpusError> {
    let path = lines.path();
    while let Some((number, line)) = lines.next_line()? {
        let (index, entity) = parse_entity(line, by_pmid, texts)
            .map_err(|message| CorpusError::at(path, number, message))?;
        let document = &mut annotations[index];
        if document
            .by_id
            .insert(entity.id.clone(), document.entities.len())
            .is_some()
        {
            return Err(CorpusError::at(
                path,
                number,
                format!("duplicated entity id `{}`", entity.id),
            ));
        }
        document.entities.push(entity);
    }
    Ok(())
}

/// Parses an entity line into its document's index and the entity.
fn parse_entity(
    line: &str,
    by_pmid: &HashMap<String, usize>,
    texts: &[CharText<'_>],
) -> Result<(usize, Entity), String> {
    let [pmid, id, kind, start, end, text] = columns(line)?;
    let index = document_index(by_pmid, pmid)?;
    let (Ok(start), Ok(end)) = (start.parse(), end.parse()) else {
        return Err(format!("offsets `{start}`, `{end}` are not numbers"));
    };
    check_mention(&texts[index], (start, end), text)?;
    let mention = Mention {
        text: text.to_owned(),
        spans: vec![(start, end)],
    };
    Ok((
        index,
        Entity {
            id: id.to_owned(),
            kind: kind.to_owned(),
            mentions: vec![mention],
        },
    ))
}

/// Reads the gold relations into the documents' annotations.
fn read_gold<R: BufRead>(
    mut lines: Lines<'_, R>,
    by_pmid: &HashMap<String, usize>,
    annotations: &mut [Annotations],
) -> Result<(), CorpusError> {
    let path = lines.path();
    while let Some((number, line)) = lines.next_line()? {
        let (index, relation) = parse_relation(line, by_pmid, annotations)
            .map_err(|message| CorpusError::at(path, number, message))?;
        annotations[index].relations.push(relation);
    }
    Ok(())
}

/// Parses a gold-standard line into its document's index and the relation.
fn parse_relation(
    line: &str,
    by_pmid: &HashMap<String, usize>,
    annotations: &[Annotations],
) -> Result<(usize, Relation), String> {
    let [pmid, label, arg1, arg2] = columns(line)?;
    let index = document_index(by_pmid, pmid)?;
    let argument = |column: &str, role: &str| {
        let id = column
            .strip_prefix(role)
            .and_then(|rest| rest.strip_prefix(':'))
            .ok_or_else(|| format!("expected `{role}:T<n>`, found `{column}`"))?;
        annotations[index].by_id.get(id).copied().ok_or_else(|| {
            format!("{role} names entity `{id}`, which document {pmid} does not have")
        })
    };
    let arguments = vec![argument(arg1, "Arg1")?, argument(arg2, "Arg2")?];
    Ok((
        index,
        Relation {
            label: label.to_owned(),
            arguments,
            unordered: false,
        },
    ))
}

/// The index of the document with `pmid`, or an error naming it.
fn document_index(by_pmid: &HashMap<String, usize>, pmid: &str) -> Result<usize, String> {
    by_pmid
        .get(pmid)
        .copied()
        .ok_or_else(|| format!("document `{pmid}` is not in the abstracts"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABSTRACTS: &str =
        "10\tTitle with ß-ketone.\tThe ß-ketone binds CYP3A4.\n11\tOther.\tNone.\n";
    const ENTITIES: &str = "10\tT1\tCHEMICAL\t11\t19\tß-ketone\n10\tT2\tGENE-Y\t40\t46\tCYP3A4\n";
    const GOLD: &str = "10\tCPR:4\tArg1:T1\tArg2:T2\n10\tCPR:4\tArg1:T1\tArg2:T2\n";

    fn parse(abstracts: &str, entities: &str, gold: &str) -> Result<Vec<Document>, CorpusError> {
        read(
            Lines::new(abstracts.as_bytes(), Path::new("abstracts.tsv")),
            Lines::new(entities.as_bytes(), Path::new("entities.tsv")),
            Lines::new(gold.as_bytes(), Path::new("gold.tsv")),
        )
    }

    #[test]
    fn reads_the_three_files() {
        let documents = parse(ABSTRACTS, ENTITIES, GOLD).expect("valid files");
        assert_eq!(documents.len(), 2);
        let document = &documents[0];
        assert_eq!(
            document.text,
            "Title with ß-ketone. The ß-ketone binds CYP3A4."
        );
        assert_eq!(document.entities[1].mentions[0].spans, [(40, 46)]);
        // Duplicated gold lines are kept.
        assert_eq!(document.relations.len(), 2);
        assert_eq!(document.relations[0].arguments, [0, 1]);
        assert!(documents[1].entities.is_empty());
    }

    #[test]
    fn errors_name_file_and_line() {
        let error =
            parse(ABSTRACTS, &ENTITIES.replace("\t40\t46", "\t40\t47"), GOLD).expect_err("offsets");
        assert_eq!(
            error.to_string(),
            "entities.tsv:2: mention text `CYP3A4` differs from the text at 40..47: `CYP3A4.`"
        );
        let error = parse(ABSTRACTS, ENTITIES, &GOLD.replace("T2", "T9")).expect_err("entity");
        assert_eq!(
            error.to_string(),
            "gold.tsv:1: Arg2 names entity `T9`, which document 10 does not have"
        );
        let error =
            parse(ABSTRACTS, &ENTITIES.replace("10\tT2", "12\tT2"), GOLD).expect_err("pmid");
        assert_eq!(
            error.to_string(),
            "entities.tsv:2: document `12` is not in the abstracts"
        );
        let error = parse("10\tTitle only\n", "", "").expect_err("columns");
        assert_eq!(
            error.to_string(),
            "abstracts.tsv:1: expected 3 tab-separated columns, found 2"
        );
        let error = parse(&format!("{ABSTRACTS}{ABSTRACTS}"), "", "").expect_err("duplicate");
        assert_eq!(
            error.to_string(),
            "abstracts.tsv:3: duplicated document id `10`"
        );
        let error = parse(ABSTRACTS, &format!("{ENTITIES}{ENTITIES}"), "").expect_err("duplicate");
        assert_eq!(
            error.to_string(),
            "entities.tsv:3: duplicated entity id `T1`"
        );
    }

    proptest::proptest! {
        /// Any edit of one of three valid files is loaded or rejected, never a panic.
        #[test]
        fn edited_input_never_panics(
            file in 0..3_usize,
            from in 0..100_usize,
            to in 0..100_usize,
            insert in "[\t\n:.0-9a-zA-Z ß-]{0,6}",
        ) {
            let mut files = [ABSTRACTS, ENTITIES, GOLD].map(str::to_owned);
            let original = &files[file];
            let (from, to) = (from.min(to).min(original.len()), from.max(to).min(original.len()));
            let (from, to) = (original.floor_char_boundary(from), original.floor_char_boundary(to));
            files[file] = format!("{}{insert}{}", &original[..from], &original[to..]);
            let _ = parse(&files[0], &files[1], &files[2]);
        }
    }
}
