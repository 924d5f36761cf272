//! The extractor of a template: derived from its relation segments (or an explicit pattern), it
//! reads generated text back into relations.

use super::error::ExtractError;
use super::known::KnownStrings;
use super::list_split::ListReader;
use super::pattern::{anchored, relation_pattern, words_longest_first};
use super::relation::{Extraction, RelationsRead};
use super::split::{FirstSplit, Split, Splitter};
use crate::template::segments::LABEL_VARIABLE;
use crate::template::{TemplateSpec, parse_relation, validate};
use regex::{CaptureLocations, Regex};
use std::collections::BTreeMap;

/// Steps the segment walk may take to find a sentence's split before the regex is asked instead:
/// ordinary sentences take a few; text full of near-misses could take many more.
const FIRST_SPLIT_STEPS: usize = 256;

/// Reads generated text back into relations; see the module documentation for the rules.
#[derive(Debug, Clone)]
pub struct Extractor {
    regex: Regex,
    /// The capture group of each role, in role order (`None`: the pattern has no such group).
    role_groups: Vec<Option<usize>>,
    /// The capture group of the label word, when the pattern has one.
    label_group: Option<usize>,
    /// The relation segments, prepared for splitting, when the pattern is generated (`None` for
    /// an explicit pattern).
    splitter: Option<Splitter>,
    /// The list style of a template with a single list role, prepared for reading lists.
    list: Option<ListReader>,
    label_of_word: BTreeMap<String, String>,
    single_label: Option<String>,
    /// What pieces are split on: the separator trimmed (the separator itself when that leaves
    /// nothing).
    mark: String,
    /// The mark when it is one character.
    mark_char: Option<char>,
    terminator: String,
    /// The null sentence, trimmed.
    null: String,
    /// The null sentence, trimmed, without its terminator.
    null_without_terminator: String,
}

impl Extractor {
    /// Derives the extractor of `spec`: its relation regex is generated from the relation
    /// template's segments, unless `spec.extractor` gives one (named groups: the roles and, when
    /// there is more than one label, `label`).
    pub fn derive(spec: &TemplateSpec) -> Result<Self, ExtractError> {
        let errors = validate(spec);
        if !errors.is_empty() {
            return Err(ExtractError::InvalidTemplate(errors));
        }
        let segments = parse_relation(&spec.relation, &spec.arguments)
            .map_err(|error| ExtractError::InvalidTemplate(vec![error]))?;
        let words = words_longest_first(spec.labels.values());
        let pattern = match &spec.extractor {
            Some(explicit) => anchored(explicit),
            None => relation_pattern(&segments, &words),
        };
        let regex = Regex::new(&pattern).map_err(|error| ExtractError::Pattern {
            pattern: pattern.clone(),
            message: error.to_string(),
        })?;
        if spec.extractor.is_some() {
            check_groups(&regex, spec)?;
        }
        let single_label = match spec.labels.keys().collect::<Vec<_>>().as_slice() {
            [only] => Some((*only).clone()),
            _ => None,
        };
        let group_index = |name: &str| regex.capture_names().position(|n| n == Some(name));
        let mark = match spec.separator.trim() {
            "" => spec.separator.clone(),
            trimmed => trimmed.to_owned(),
        };
        Ok(Self {
            role_groups: spec
                .arguments
                .iter()
                .map(|role| group_index(role))
                .collect(),
            label_group: group_index(LABEL_VARIABLE),
            regex,
            splitter: spec
                .extractor
                .is_none()
                .then(|| Splitter::new(&segments, &spec.arguments, &words)),
            list: spec.list_role().map(|_| ListReader::new(&spec.list)),
            label_of_word: spec
                .labels
                .iter()
                .map(|(label, word)| (word.clone(), label.clone()))
                .collect(),
            single_label,
            mark_char: match mark.chars().collect::<Vec<_>>().as_slice() {
                [only] => Some(*only),
                _ => None,
            },
            mark,
            terminator: spec.terminator.clone(),
            null: spec.null.trim().to_owned(),
            null_without_terminator: without_terminator(spec.null.trim(), &spec.terminator)
                .to_owned(),
        })
    }

    /// The regular expressions the extractor matches relation sentences with (one per relation
    /// template), as given to the regex engine.
    pub fn patterns(&self) -> Vec<String> {
        vec![self.regex.as_str().to_owned()]
    }

    /// Reads `text`, resolving ambiguous splits to the leftmost one.
    pub fn extract(&self, text: &str) -> Extraction {
        self.extract_with(text, None)
    }

    /// Reads `text`, resolving ambiguous splits to the first one whose argument strings (list
    /// members included) are all in `known` (e.g. `template::known_strings` of the source
    /// document); the leftmost split when none is.
    pub fn extract_in(&self, text: &str, known: &impl KnownStrings) -> Extraction {
        self.extract_with(text, Some(known))
    }

    /// Reads `text` as [`Self::extract_in`] does into `relations` (cleared first), borrowing
    /// every string: the labels from the extractor, the arguments from `text`. Each piece that is
    /// no relation sentence is handed to `unparseable`. What scoring calls, text after text, with
    /// the same `relations`.
    pub fn read_in<'e, 't>(
        &'e self,
        text: &'t str,
        known: &impl KnownStrings,
        relations: &mut RelationsRead<'e, 't>,
        unparseable: impl FnMut(&'t str),
    ) {
        self.read(text, Some(known), relations, unparseable);
    }

    fn extract_with(&self, text: &str, known: Option<&dyn KnownStrings>) -> Extraction {
        let mut relations = RelationsRead::default();
        let mut unparseable = Vec::new();
        self.read(text, known, &mut relations, |piece| {
            unparseable.push(piece.to_owned());
        });
        Extraction {
            relations: relations.to_predicted(),
            unparseable,
        }
    }

    fn read<'e, 't>(
        &'e self,
        text: &'t str,
        known: Option<&dyn KnownStrings>,
        relations: &mut RelationsRead<'e, 't>,
        mut unparseable: impl FnMut(&'t str),
    ) {
        relations.clear();
        let body = text.trim();
        if body.is_empty() || self.is_null(body) {
            return;
        }
        let body = match body.strip_suffix(self.terminator.as_str()) {
            Some(stripped) if !self.terminator.is_empty() => stripped,
            _ => body,
        };
        // The regex's capture buffer, made when a piece first needs the regex.
        let mut locations = None;
        let mut read_one = |piece: &'t str| {
            let piece = piece.trim();
            if piece.is_empty() || self.is_null(piece) {
                return;
            }
            if !self.read_piece(piece, &mut locations, known, relations) {
                unparseable(piece);
            }
        };
        // The same pieces either way; a one-character mark is searched for as a character.
        match self.mark_char {
            Some(mark) => body.split(mark).for_each(&mut read_one),
            None => body.split(self.mark.as_str()).for_each(&mut read_one),
        }
    }

    /// Whether `text` is the null sentence, with or without its terminator.
    fn is_null(&self, text: &str) -> bool {
        text == self.null
            || without_terminator(text, &self.terminator) == self.null_without_terminator
    }

    /// Reads one relation sentence into `relations` (kept once); `false` when it is not one.
    /// `locations` is the regex's capture buffer, reused from piece to piece.
    fn read_piece<'e, 't>(
        &'e self,
        piece: &'t str,
        locations: &mut Option<CaptureLocations>,
        known: Option<&dyn KnownStrings>,
        relations: &mut RelationsRead<'e, 't>,
    ) -> bool {
        let Some(leftmost) = self.leftmost_split(piece, locations) else {
            return false;
        };
        let Some(known) = known else {
            return self.relation(leftmost.label, &self.first_reading(&leftmost), relations);
        };
        // The other splits are enumerated only when no reading of the regex's own split is
        // known: the usual sentence is settled without them (same choice, in the same order).
        if let Some(chosen) = self.known_reading(&leftmost, known) {
            return self.relation(leftmost.label, &chosen, relations);
        }
        if let Some(splitter) = &self.splitter {
            for split in splitter.splits(piece) {
                if let Some(chosen) = self.known_reading(&split, known) {
                    return self.relation(split.label, &chosen, relations);
                }
            }
        }
        self.relation(leftmost.label, &self.first_reading(&leftmost), relations)
    }

    /// The regex's own split of `piece`, or `None` when it does not match. A generated pattern's
    /// match is found by walking the segments (the same split, without the regex's capture
    /// engine); the regex runs when the walk cannot decide within its budget, and always for an
    /// explicit pattern.
    fn leftmost_split<'t>(
        &self,
        piece: &'t str,
        locations: &mut Option<CaptureLocations>,
    ) -> Option<Split<'t>> {
        if let Some(splitter) = &self.splitter {
            match splitter.first_split(piece, FIRST_SPLIT_STEPS) {
                FirstSplit::Found(split) => return Some(split),
                FirstSplit::NoSplit => return None,
                FirstSplit::OutOfBudget => {}
            }
        }
        let locations = locations.get_or_insert_with(|| self.regex.capture_locations());
        self.regex.captures_read(locations, piece)?;
        let group = |index: Option<usize>| {
            let (start, end) = locations.get(index?)?;
            Some(&piece[start..end])
        };
        Some(Split {
            label: group(self.label_group),
            roles: self
                .role_groups
                .iter()
                .map(|&index| group(index).unwrap_or(""))
                .collect(),
        })
    }

    /// The preferred reading of a split's argument strings: its roles, or a list role's members
    /// in their canonical form.
    fn first_reading<'t>(&self, split: &Split<'t>) -> Vec<&'t str> {
        match (&self.list, split.roles.as_slice()) {
            (Some(reader), [list]) => reader.readings(list).next().unwrap_or_else(|| vec![list]),
            _ => split.roles.clone(),
        }
    }

    /// The first reading of a split's argument strings (a list role's members in every way the
    /// list can be read, most preferred first) whose strings are all `known`.
    fn known_reading<'t>(
        &self,
        split: &Split<'t>,
        known: &dyn KnownStrings,
    ) -> Option<Vec<&'t str>> {
        let all_known = |arguments: &Vec<&str>| arguments.iter().all(|a| known.is_known(a));
        match (&self.list, split.roles.as_slice()) {
            (Some(reader), [list]) => reader.readings(list).find(all_known),
            _ => all_known(&split.roles).then(|| split.roles.clone()),
        }
    }

    /// Adds the relation of label word `word` and `arguments` to `relations` (kept once);
    /// `false` when it is none: an empty argument, or a word of no label.
    fn relation<'e, 't>(
        &'e self,
        word: Option<&str>,
        arguments: &[&'t str],
        relations: &mut RelationsRead<'e, 't>,
    ) -> bool {
        if arguments.iter().any(|argument| argument.is_empty()) {
            return false;
        }
        let label = match word {
            Some(word) => self.label_of_word.get(word).map(String::as_str),
            None => self.single_label.as_deref(),
        };
        let Some(label) = label else {
            return false;
        };
        relations.push_unique(label, arguments, self.list.is_some());
        true
    }
}

/// `text` without a trailing `terminator` (and the spaces before it), when it has one.
fn without_terminator<'t>(text: &'t str, terminator: &str) -> &'t str {
    match text.strip_suffix(terminator) {
        Some(stripped) if !terminator.is_empty() => stripped.trim_end(),
        _ => text,
    }
}

/// An explicit pattern must name a group after each role, `label` when there is more than one
/// label, and nothing else.
fn check_groups(regex: &Regex, spec: &TemplateSpec) -> Result<(), ExtractError> {
    let names: Vec<&str> = regex.capture_names().flatten().collect();
    let label_needed = spec.labels.len() > 1;
    let mut needed: Vec<&str> = spec.arguments.iter().map(String::as_str).collect();
    if label_needed {
        needed.push(LABEL_VARIABLE);
    }
    if let Some(group) = needed.iter().find(|group| !names.contains(group)) {
        return Err(ExtractError::MissingGroup {
            group: (*group).to_owned(),
            label_needed,
        });
    }
    match names
        .iter()
        .find(|name| **name != LABEL_VARIABLE && !spec.arguments.iter().any(|a| a == *name))
    {
        Some(group) => Err(ExtractError::UnknownGroup {
            group: (*group).to_owned(),
        }),
        None => Ok(()),
    }
}
