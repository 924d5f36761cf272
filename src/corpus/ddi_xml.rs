//! A folder of DDI 2013 XML files (`ddi-xml`), searched recursively in sorted path order.
//!
//! One file is one document, identified by its file stem (`Acamprosate_ddi`, `11120981`, as in
//! the brat release and the paper's splits). Its text is the sentence texts joined by " ";
//! entity offsets, sentence-relative and end-inclusive in the XML (`21-30`, or `59-65;75-78` for
//! a discontinuous entity), become document offsets, end-exclusive. Each `<entity>` is one
//! entity (id = its XML id, kind = its `type`) with one mention whose text is the `text`
//! attribute. Each pair with `ddi="true"` is an ordered relation [e1, e2] labelled with its
//! type upper-cased; the one positive pair without a type becomes `INT`, as in the brat release.

use super::folder::{files_with_extension, stem};
use super::offsets::{CharText, check_mention};
use super::{CorpusError, Document, Entity, Mention, Relation};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::Path;

/// The label of a positive pair that has no `type`.
const UNTYPED_LABEL: &str = "INT";

/// Loads every `*.xml` file under `folder`.
pub(crate) fn load(folder: &Path) -> Result<Vec<Document>, CorpusError> {
    let mut documents = Vec::new();
    let mut ids = HashSet::new();
    for path in files_with_extension(folder, "xml")? {
        let id = stem(&path)?;
        if !ids.insert(id.to_owned()) {
            return Err(CorpusError::file(
                &path,
                format!("duplicated document id `{id}`"),
            ));
        }
        // DDI files are small (a few kB); reading one whole lets errors give line numbers.
        let xml = fs::read_to_string(&path)
            .map_err(|error| CorpusError::file(&path, format!("cannot read: {error}")))?;
        documents.push(parse(&xml, id, &path)?);
    }
    Ok(documents)
}

/// Parses one XML document; `path` is named in errors.
pub(crate) fn parse(xml: &str, id: &str, path: &Path) -> Result<Document, CorpusError> {
    let line_at = |position: u64| {
        let end = usize::try_from(position).unwrap_or(usize::MAX);
        xml.bytes().take(end).filter(|&byte| byte == b'\n').count() + 1
    };
    let mut reader = Reader::from_str(xml);
    let mut builder = Builder::default();
    let mut open: Vec<Tag> = Vec::new();
    loop {
        let position = reader.buffer_position();
        let event = reader.read_event().map_err(|error| {
            CorpusError::at(
                path,
                line_at(reader.error_position()),
                format!("invalid XML: {error}"),
            )
        })?;
        let element_error = |message| CorpusError::at(path, line_at(position), message);
        match event {
            Event::Start(element) => {
                let tag = builder.open(&element, open.last().copied(), position);
                open.push(tag.map_err(element_error)?);
            }
            Event::Empty(element) => {
                builder
                    .open(&element, open.last().copied(), position)
                    .map_err(element_error)?;
            }
            Event::End(_) => {
                // quick-xml has checked that the end tag matches the open one.
                open.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(tag) = open.last() {
        let message = format!("truncated XML: <{}> is not closed", tag.name());
        return Err(CorpusError::at(
            path,
            line_at(reader.buffer_position()),
            message,
        ));
    }
    if !builder.has_document {
        return Err(CorpusError::file(path, "no <document> element"));
    }
    builder
        .finish(id)
        .map_err(|(position, message)| CorpusError::at(path, line_at(position), message))
}

/// The elements of the DDI XML format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    Document,
    Sentence,
    Entity,
    Pair,
}

impl Tag {
    /// The element name.
    fn name(self) -> &'static str {
        match self {
            Tag::Document => "document",
            Tag::Sentence => "sentence",
            Tag::Entity => "entity",
            Tag::Pair => "pair",
        }
    }

    /// The element that must directly contain this one (`None`: the root).
    fn parent(self) -> Option<Tag> {
        match self {
            Tag::Document => None,
            Tag::Sentence => Some(Tag::Document),
            Tag::Entity | Tag::Pair => Some(Tag::Sentence),
        }
    }
}

/// The sentence being read: its id, text and offset in the document text (in characters).
struct Sentence {
    id: String,
    text: String,
    start: usize,
}

/// A positive pair, resolved to entity indices once the whole document is read.
struct PositivePair {
    /// Byte position of the element in the file, for errors.
    position: u64,
    id: String,
    e1: String,
    e2: String,
    label: String,
}

/// The document being read.
#[derive(Default)]
struct Builder {
    has_document: bool,
    text: String,
    /// Characters in `text`.
    length: usize,
    /// The latest sentence opened: the one new entities and pairs belong to.
    sentence: Option<Sentence>,
    entities: Vec<Entity>,
    /// XML entity id → index in `entities`.
    by_id: HashMap<String, usize>,
    pairs: Vec<PositivePair>,
}

impl Builder {
    /// Reads an opening (or empty) element inside `parent`, found at byte `position`.
    fn open(
        &mut self,
        element: &BytesStart<'_>,
        parent: Option<Tag>,
        position: u64,
    ) -> Result<Tag, String> {
        let name = element.name();
        let tag = [Tag::Document, Tag::Sentence, Tag::Entity, Tag::Pair]
            .into_iter()
            .find(|tag| tag.name().as_bytes() == name.as_ref())
            .ok_or_else(|| {
                format!(
                    "unexpected element <{}>",
                    String::from_utf8_lossy(name.as_ref())
                )
            })?;
        if tag.parent() != parent {
            let place = parent.map_or("at the top level".to_owned(), |parent| {
                format!("inside <{}>", parent.name())
            });
            return Err(format!("<{}> is not allowed {place}", tag.name()));
        }
        let attributes = Attributes { element, tag };
        match tag {
            Tag::Document if self.has_document => return Err("a second <document>".to_owned()),
            Tag::Document => self.has_document = true,
            Tag::Sentence => self.open_sentence(&attributes)?,
            Tag::Entity => self.add_entity(&attributes)?,
            Tag::Pair => self.add_pair(&attributes, position)?,
        }
        Ok(tag)
    }

    /// Starts a sentence: appends its text to the document text.
    fn open_sentence(&mut self, attributes: &Attributes<'_, '_>) -> Result<(), String> {
        let id = attributes.required("id")?;
        let text = attributes.required("text")?;
        if self.sentence.is_some() {
            self.text.push(' ');
            self.length += 1;
        }
        let start = self.length;
        self.text.push_str(&text);
        self.length += text.chars().count();
        self.sentence = Some(Sentence { id, text, start });
        Ok(())
    }

    /// Adds an entity of the current sentence.
    fn add_entity(&mut self, attributes: &Attributes<'_, '_>) -> Result<(), String> {
        let id = attributes.required("id")?;
        let in_entity = |message: String| format!("entity {id}: {message}");
        let offsets = attributes.required("charOffset").map_err(in_entity)?;
        let kind = attributes.required("type").map_err(in_entity)?;
        let text = attributes.required("text").map_err(in_entity)?;
        let sentence = self
            .sentence
            .as_ref()
            .ok_or_else(|| in_entity("outside a sentence".into()))?;
        let sentence_text = CharText::new(&sentence.text);
        let mut spans = Vec::new();
        for fragment in offsets.split(';') {
            let (start, end) = inclusive_range(fragment).ok_or_else(|| {
                in_entity(format!(
                    "charOffset `{offsets}` is not `start-end[;start-end]`"
                ))
            })?;
            sentence_text
                .slice(start, end)
                .map_err(|message| in_entity(format!("{message} (sentence {})", sentence.id)))?;
            spans.push((start, end));
        }
        // A discontinuous entity's `text` joins its fragments inconsistently ("R- warfarin"), so
        // only a continuous entity's text is checked against its offsets.
        if let [span] = spans[..] {
            check_mention(&sentence_text, span, &text).map_err(in_entity)?;
        }
        let spans = spans
            .into_iter()
            .map(|(start, end)| (sentence.start + start, sentence.start + end))
            .collect();
        if self.by_id.insert(id.clone(), self.entities.len()).is_some() {
            return Err(format!("duplicated entity id `{id}`"));
        }
        self.entities.push(Entity {
            id,
            kind,
            mentions: vec![Mention { text, spans }],
        });
        Ok(())
    }

    /// Records a pair of the current sentence if it is a positive DDI.
    fn add_pair(&mut self, attributes: &Attributes<'_, '_>, position: u64) -> Result<(), String> {
        let id = attributes.required("id")?;
        let in_pair = |message: String| format!("pair {id}: {message}");
        let e1 = attributes.required("e1").map_err(in_pair)?;
        let e2 = attributes.required("e2").map_err(in_pair)?;
        match attributes.required("ddi").map_err(in_pair)?.as_str() {
            "false" => Ok(()),
            "true" => {
                let label = attributes
                    .optional("type")
                    .map_err(in_pair)?
                    .map_or(UNTYPED_LABEL.to_owned(), |kind| kind.to_uppercase());
                self.pairs.push(PositivePair {
                    position,
                    id,
                    e1,
                    e2,
                    label,
                });
                Ok(())
            }
            other => Err(in_pair(format!(
                "ddi must be `true` or `false`, found `{other}`"
            ))),
        }
    }

    /// The finished document, or the byte position and message of a pair naming an unknown
    /// entity.
    fn finish(self, id: &str) -> Result<Document, (u64, String)> {
        let relations = self
            .pairs
            .into_iter()
            .map(|pair| {
                let argument = |entity: &str| {
                    self.by_id.get(entity).copied().ok_or_else(|| {
                        (
                            pair.position,
                            format!("pair {}: entity `{entity}` does not exist", pair.id),
                        )
                    })
                };
                let arguments = vec![argument(&pair.e1)?, argument(&pair.e2)?];
                Ok(Relation {
                    label: pair.label,
                    arguments,
                    unordered: false,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Document {
            id: id.to_owned(),
            text: self.text,
            fields: BTreeMap::new(),
            entities: self.entities,
            relations,
        })
    }
}

/// The attributes of one element, decoded and unescaped.
struct Attributes<'e, 'x> {
    element: &'e BytesStart<'x>,
    tag: Tag,
}

impl Attributes<'_, '_> {
    /// The value of attribute `name`, if present.
    fn optional(&self, name: &str) -> Result<Option<String>, String> {
        let invalid =
            |error: &dyn std::fmt::Display| format!("invalid attribute `{name}`: {error}");
        let Some(attribute) = self
            .element
            .try_get_attribute(name)
            .map_err(|error| invalid(&error))?
        else {
            return Ok(None);
        };
        let value = attribute
            .decode_and_unescape_value(self.element.decoder())
            .map_err(|error| invalid(&error))?;
        Ok(Some(value.into_owned()))
    }

    /// The value of attribute `name`, which must be present.
    fn required(&self, name: &str) -> Result<String, String> {
        self.optional(name)?
            .ok_or_else(|| format!("<{}> lacks the attribute `{name}`", self.tag.name()))
    }
}

/// Parses an end-inclusive `start-end` fragment into an end-exclusive range.
fn inclusive_range(fragment: &str) -> Option<(usize, usize)> {
    let (start, end) = fragment.split_once('-')?;
    let (start, end): (usize, usize) = (start.trim().parse().ok()?, end.trim().parse().ok()?);
    (start <= end).then_some((start, end.checked_add(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    const XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<document id="DDI-DrugBank.d0">
    <sentence id="DDI-DrugBank.d0.s0" text="Loop &amp; thiazide diuretics."/>
    <sentence id="DDI-DrugBank.d0.s1" text="Naltrexone with acamprosate.">
        <entity id="DDI-DrugBank.d0.s1.e0" charOffset="0-9" type="drug" text="Naltrexone"/>
        <entity id="DDI-DrugBank.d0.s1.e1" charOffset="16-26" type="drug" text="acamprosate"/>
        <pair id="DDI-DrugBank.d0.s1.p0" e1="DDI-DrugBank.d0.s1.e0" e2="DDI-DrugBank.d0.s1.e1" ddi="true" type="mechanism"/>
        <pair id="DDI-DrugBank.d0.s1.p1" e1="DDI-DrugBank.d0.s1.e1" e2="DDI-DrugBank.d0.s1.e0" ddi="true"/>
        <pair id="DDI-DrugBank.d0.s1.p2" e1="DDI-DrugBank.d0.s1.e0" e2="DDI-DrugBank.d0.s1.e1" ddi="false"/>
    </sentence>
    <sentence id="DDI-DrugBank.d0.s2" text="Loop and thiazide diuretics.">
        <entity id="DDI-DrugBank.d0.s2.e0" charOffset="0-3;18-26" type="group" text="loop diuretics"/>
    </sentence>
</document>
"#;

    fn parse_str(xml: &str) -> Result<Document, CorpusError> {
        parse(xml, "Doc_ddi", Path::new("Doc_ddi.xml"))
    }

    #[test]
    fn joins_sentences_and_shifts_offsets() {
        let document = parse_str(XML).expect("valid XML");
        assert_eq!(document.id, "Doc_ddi");
        assert_eq!(
            document.text,
            "Loop & thiazide diuretics. Naltrexone with acamprosate. Loop and thiazide diuretics."
        );
        let spans: Vec<_> = document
            .entities
            .iter()
            .map(|entity| entity.mentions[0].spans.clone())
            .collect();
        assert_eq!(
            spans,
            [vec![(27, 37)], vec![(43, 54)], vec![(56, 60), (74, 83)]]
        );
        let labels: Vec<_> = document
            .relations
            .iter()
            .map(|relation| relation.label.as_str())
            .collect();
        assert_eq!(labels, ["MECHANISM", "INT"]);
        assert_eq!(document.relations[1].arguments, [1, 0]);
    }

    #[test]
    fn errors_name_line_and_element() {
        let cases = [
            (
                XML.replace("\"16-26\"", "\"16-99\""),
                6,
                "entity DDI-DrugBank.d0.s1.e1: span 16..100 does not fit",
            ),
            (
                XML.replace("\"16-26\"", "\"16\""),
                6,
                "is not `start-end[;start-end]`",
            ),
            (
                XML.replace(
                    "e2=\"DDI-DrugBank.d0.s1.e1\" ddi=\"true\"",
                    "e2=\"x\" ddi=\"true\"",
                ),
                7,
                "pair DDI-DrugBank.d0.s1.p0: entity `x` does not exist",
            ),
            (
                XML.replace(" type=\"drug\" text=\"Naltrexone\"", ""),
                5,
                "lacks the attribute `type`",
            ),
            (
                XML.replace("ddi=\"false\"", "ddi=\"maybe\""),
                9,
                "ddi must be",
            ),
            (
                XML[..XML
                    .find("    <sentence id=\"DDI-DrugBank.d0.s2\"")
                    .unwrap_or(0)]
                    .to_owned(),
                11,
                "truncated XML: <document> is not closed",
            ),
            (
                XML.replace("</sentence>\n</document>", "</document>"),
                13,
                "invalid XML",
            ),
            (
                XML.replace("<pair id=\"DDI-DrugBank.d0.s1.p2\"", "<link id=\"x\""),
                9,
                "unexpected element <link>",
            ),
        ];
        for (xml, line, message) in cases {
            let error = parse_str(&xml).expect_err(message);
            assert_eq!(error.line, Some(line), "{error}");
            assert!(error.message.contains(message), "{error}");
        }
    }

    proptest::proptest! {
        /// Any edit of a valid input is loaded or rejected, never a panic.
        #[test]
        fn edited_input_never_panics(
            from in 0..XML.len(),
            to in 0..XML.len(),
            insert in "[\t\n|:;,.0-9a-zA-Z\"<>/=#ß -]{0,6}",
        ) {
            let (from, to) = (from.min(to), from.max(to));
            let (from, to) = (XML.floor_char_boundary(from), XML.floor_char_boundary(to));
            let edited = format!("{}{insert}{}", &XML[..from], &XML[to..]);
            let _ = parse_str(&edited);
        }
    }
}
