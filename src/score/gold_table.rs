//! The gold relations of many documents as integers: labels as positions in the template's
//! labels, strings as positions in a [`KnownTable`], every relation, argument and accepted string
//! in one of three vectors. Deciding whether a prediction names a gold relation compares
//! integers, and preparing a document allocates nothing per relation.

use super::known_table::KnownTable;
use super::matching::{greedy_pairs, maximum_matching};
use super::scores::CountingMode;
use crate::corpus::document::Document;
use crate::extract::relation::dedup_sorted;
use crate::template::{GoldDedup, MentionMatch, TemplateError, TemplateSpec, walk_relation};
use std::ops::Range;

/// Gold relations, one document's after another's.
#[derive(Debug, Clone, Default)]
pub struct GoldTable {
    relations: Vec<StoredRelation>,
    arguments: Vec<StoredArgument>,
    /// The strings each argument accepts, as table positions: each argument's run sorted.
    accepted: Vec<usize>,
}

/// One gold relation in a [`GoldTable`].
#[derive(Debug, Clone)]
struct StoredRelation {
    /// Its position in the template's labels.
    label: usize,
    /// Its run of the table's arguments: one per role, or per distinct member of a set.
    arguments: Range<usize>,
}

/// One argument of a gold relation in a [`GoldTable`]: its run of the table's accepted strings.
#[derive(Debug, Clone)]
struct StoredArgument {
    accepted: Range<usize>,
}

/// One document's gold relations in a [`GoldTable`], as each counting mode counts them.
#[derive(Debug, Clone, Default)]
pub struct GoldRuns {
    strict: Range<usize>,
    /// The same run as `strict` when the modes cannot differ.
    paper: Range<usize>,
}

impl GoldRuns {
    /// The positions of the relations `mode` counts.
    pub fn relations(&self, mode: CountingMode) -> Range<usize> {
        match mode {
            CountingMode::Strict => self.strict.clone(),
            CountingMode::Paper => self.paper.clone(),
        }
    }
}

/// One gold relation as the corpus gives it, before de-duplication: its arguments are runs of
/// [`Staged::arguments`], each as written, members of a set written alike not yet merged.
#[derive(Debug, Clone)]
struct StagedRelation {
    label: usize,
    arguments: Range<usize>,
}

/// A staged argument: the position of the string the target writes, and the entity it names
/// (whose mentions it accepts when matching accepts any mention).
#[derive(Debug, Clone, Copy)]
struct StagedArgument {
    rendered: usize,
    /// The entity's mention strings as a run of the document's mention positions.
    mentions: (usize, usize),
}

/// Scratch space reused from document to document while building a [`GoldTable`].
#[derive(Debug, Default)]
struct Staged {
    relations: Vec<StagedRelation>,
    arguments: Vec<StagedArgument>,
    /// For each staged relation, the first one written alike (itself when none before it is).
    first_alike: Vec<usize>,
    /// Where each entity's mentions start among the document's mention positions.
    entity_starts: Vec<usize>,
}

/// Builds a [`GoldTable`] one document at a time.
#[derive(Debug)]
pub struct GoldTableBuilder<'s> {
    spec: &'s TemplateSpec,
    /// The template's labels, sorted (they are a map's keys), so found by bisection.
    labels: Vec<&'s str>,
    is_set: bool,
    table: GoldTable,
    staged: Staged,
}

impl<'s> GoldTableBuilder<'s> {
    /// A builder for `spec`'s gold relations.
    pub fn new(spec: &'s TemplateSpec) -> Self {
        Self {
            spec,
            labels: spec.labels.keys().map(String::as_str).collect(),
            is_set: spec.list_role().is_some(),
            table: GoldTable::default(),
            staged: Staged::default(),
        }
    }

    /// Adds the gold relations of `doc`, whose mention strings (every entity's mentions in order,
    /// as the template writes them) lie at `mention_positions` of `known`.
    ///
    /// Strict counting counts relations the target writes identically once, accepting the
    /// strings of each (CDR: a composite mention names two entities); the paper's counting
    /// de-duplicates as the template's `paper_gold_dedup`, the first kept.
    pub fn add(
        &mut self,
        doc: &Document,
        mention_positions: &[usize],
        known: &KnownTable,
    ) -> Result<GoldRuns, TemplateError> {
        self.stage(doc, mention_positions)?;
        let count = self.staged.relations.len();
        let strict_start = self.table.relations.len();
        for index in 0..count {
            if self.staged.first_alike[index] == index {
                self.emit(index, true, mention_positions);
            }
        }
        let strict = strict_start..self.table.relations.len();
        let distinct = strict.len() == count;
        let paper_start = self.table.relations.len();
        match (self.spec.paper_gold_dedup, self.spec.matching) {
            (GoldDedup::Exact, MentionMatch::Rendered) => return Ok(same(strict)),
            (GoldDedup::Exact | GoldDedup::None, _) if distinct => return Ok(same(strict)),
            (GoldDedup::Exact, MentionMatch::AnyMention) => {
                for index in 0..count {
                    if self.staged.first_alike[index] == index {
                        self.emit(index, false, mention_positions);
                    }
                }
            }
            (GoldDedup::None, _) => {
                for index in 0..count {
                    self.emit(index, false, mention_positions);
                }
            }
            (GoldDedup::Lowercase, _) => {
                let keys: Vec<(String, Vec<String>)> = (0..count)
                    .map(|index| self.lowercase_key(index, known))
                    .collect();
                for (index, key) in keys.iter().enumerate() {
                    if !keys[..index].contains(key) {
                        self.emit(index, false, mention_positions);
                    }
                }
            }
        }
        Ok(GoldRuns {
            strict,
            paper: paper_start..self.table.relations.len(),
        })
    }

    /// The table of every document added.
    pub fn finish(self) -> GoldTable {
        self.table
    }

    /// Reads `doc`'s relations into the scratch space, each with the first relation written
    /// like it.
    fn stage(&mut self, doc: &Document, mention_positions: &[usize]) -> Result<(), TemplateError> {
        let staged = &mut self.staged;
        staged.relations.clear();
        staged.arguments.clear();
        staged.first_alike.clear();
        staged.entity_starts.clear();
        let mut start = 0;
        for entity in &doc.entities {
            staged.entity_starts.push(start);
            start += entity.mentions.len();
        }
        for relation in &doc.relations {
            let arguments_start = staged.arguments.len();
            let label = walk_relation(self.spec, doc, relation, |index, entity, chosen| {
                let first = staged.entity_starts[index];
                let mentions = (first, first + entity.mentions.len());
                staged.arguments.push(StagedArgument {
                    rendered: mention_positions[first + chosen],
                    mentions,
                });
            })?;
            staged.relations.push(StagedRelation {
                label: self.labels.partition_point(|known| *known < label),
                arguments: arguments_start..staged.arguments.len(),
            });
        }
        for index in 0..staged.relations.len() {
            let first = (0..index)
                .find(|&before| {
                    staged.first_alike[before] == before
                        && written_alike(staged, before, index, self.is_set)
                })
                .unwrap_or(index);
            staged.first_alike.push(first);
        }
        Ok(())
    }

    /// Adds to the table the staged relation `index`, accepting for each argument the strings
    /// of that argument in `index` and, when `merge_alike`, in every relation written like it.
    fn emit(&mut self, index: usize, merge_alike: bool, mention_positions: &[usize]) {
        let staged = &self.staged;
        let table = &mut self.table;
        let arguments_start = table.arguments.len();
        let own = &staged.arguments[staged.relations[index].arguments.clone()];
        for (role, argument) in distinct_arguments(own, self.is_set) {
            let accepted_start = table.accepted.len();
            match self.spec.matching {
                MentionMatch::Rendered => table.accepted.push(argument.rendered),
                MentionMatch::AnyMention => {
                    let alike = (index..staged.relations.len()).filter(|&other| {
                        other == index || (merge_alike && staged.first_alike[other] == index)
                    });
                    for other in alike {
                        let arguments =
                            &staged.arguments[staged.relations[other].arguments.clone()];
                        let same_role = |(position, candidate): &(usize, &StagedArgument)| {
                            if self.is_set {
                                candidate.rendered == argument.rendered
                            } else {
                                *position == role
                            }
                        };
                        for (_, candidate) in arguments.iter().enumerate().filter(same_role) {
                            let (first, end) = candidate.mentions;
                            table.accepted.extend(&mention_positions[first..end]);
                        }
                    }
                    let run = &mut table.accepted[accepted_start..];
                    run.sort_unstable();
                    let distinct = dedup_sorted(run);
                    table.accepted.truncate(accepted_start + distinct);
                }
            }
            table.arguments.push(StoredArgument {
                accepted: accepted_start..table.accepted.len(),
            });
        }
        table.relations.push(StoredRelation {
            label: staged.relations[index].label,
            arguments: arguments_start..table.arguments.len(),
        });
    }

    /// The label and argument strings of staged relation `index`, lower-cased (a set's distinct
    /// members sorted).
    fn lowercase_key(&self, index: usize, known: &KnownTable) -> (String, Vec<String>) {
        let relation = &self.staged.relations[index];
        let own = &self.staged.arguments[relation.arguments.clone()];
        let mut arguments: Vec<String> = distinct_arguments(own, self.is_set)
            .map(|(_, argument)| known.string(argument.rendered).to_lowercase())
            .collect();
        if self.is_set {
            arguments.sort();
        }
        (self.labels[relation.label].to_lowercase(), arguments)
    }
}

/// Runs that say both modes count the same relations.
fn same(strict: Range<usize>) -> GoldRuns {
    GoldRuns {
        paper: strict.clone(),
        strict,
    }
}

/// Whether staged relations `a` and `b` are written alike: the same label and arguments (a set's
/// members in any order, each member once).
fn written_alike(staged: &Staged, a: usize, b: usize, is_set: bool) -> bool {
    let (a, b) = (&staged.relations[a], &staged.relations[b]);
    let a_arguments = &staged.arguments[a.arguments.clone()];
    let b_arguments = &staged.arguments[b.arguments.clone()];
    let within = |x: &[StagedArgument], y: &[StagedArgument]| {
        x.iter()
            .all(|member| y.iter().any(|other| other.rendered == member.rendered))
    };
    a.label == b.label
        && if is_set {
            within(a_arguments, b_arguments) && within(b_arguments, a_arguments)
        } else {
            a_arguments.len() == b_arguments.len()
                && a_arguments
                    .iter()
                    .zip(b_arguments)
                    .all(|(x, y)| x.rendered == y.rendered)
        }
}

/// The arguments of a staged relation with their roles, a set's members written alike once
/// (the first stands for them).
fn distinct_arguments(
    arguments: &[StagedArgument],
    is_set: bool,
) -> impl Iterator<Item = (usize, &StagedArgument)> {
    arguments
        .iter()
        .enumerate()
        .filter(move |&(role, argument)| {
            !is_set
                || !arguments[..role]
                    .iter()
                    .any(|earlier| earlier.rendered == argument.rendered)
        })
}

impl GoldTable {
    /// The label position of relation `relation`.
    pub fn label(&self, relation: usize) -> usize {
        self.relations[relation].label
    }

    /// Whether the predicted relation of label position `label` and arguments `arguments` (table
    /// positions; `None`: a string the document does not mention) names gold relation
    /// `relation`: equal labels and equal arguments — each predicted string among the strings
    /// the gold argument accepts, in role order, or, for a set relation, a one-to-one
    /// correspondence between predicted and gold members.
    pub fn matches(
        &self,
        relation: usize,
        is_set: bool,
        label: Option<usize>,
        arguments: &[Option<usize>],
    ) -> bool {
        let gold = &self.relations[relation];
        let gold_arguments = &self.arguments[gold.arguments.clone()];
        if label != Some(gold.label) || arguments.len() != gold_arguments.len() {
            return false;
        }
        let accepts = |p: usize, g: usize| {
            arguments[p].is_some_and(|string| {
                self.accepted[gold_arguments[g].accepted.clone()]
                    .binary_search(&string)
                    .is_ok()
            })
        };
        if is_set {
            let members = gold_arguments.len();
            greedy_pairs(members, members, accepts).is_some()
                || maximum_matching(members, members, accepts)
                    .iter()
                    .all(Option::is_some)
        } else {
            (0..gold_arguments.len()).all(|i| accepts(i, i))
        }
    }
}
