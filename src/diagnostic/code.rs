//! Diagnostic codes and the What / Why / Example text `expc explain CODE` prints.

use std::fmt;

/// Whether a diagnostic stops compilation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The study does not compile.
    Error,
    /// The study compiles; affected runs are blocked.
    Warning,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $title:literal, $text:literal;)*) => {
        /// Every diagnostic code expc emits.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $title] $variant,)*
        }

        impl Code {
            /// All codes, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed (`E0009`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// Error or warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// A short title.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// What it means, why it is reported, and an example.
            pub fn explanation(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    Syntax = "E0001", Error, "syntax error",
"What: the file does not follow the `.exp` grammar at this point.
Why: expc cannot know what you meant, so it names the tokens it expected there.
Example:
    model t5_small {
      family = \"t5\"
      checkpoint \"t5-small\"     // error: expected `=` or `{`
    }";
    UnknownBlock = "E0002", Error, "unknown block kind",
"What: a top-level block starts with a word that is not a block kind.
Why: the kinds are `study`, `model`, `dataset`, `template`, `training`, `task` and `experiment`;
anything else is most likely a typo, and ignoring it would silently drop declarations.
Example:
    modle t5_small { … }         // did you mean `model`?";
    BlockName = "E0003", Error, "block name missing or not allowed",
"What: a named block (`model`, `dataset`, …) has no name, or the `study` block has one.
Why: models, datasets, templates, trainings, tasks and experiments are referred to by name;
the study block is unique and takes its name from the `name` field.
Example:
    model { family = \"t5\" }      // error: a model needs a name: `model t5_small { … }`";
    Duplicate = "E0004", Error, "duplicate declaration",
"What: two declarations of the same kind share a name (possibly across imported files).
Why: references would be ambiguous, and the plan pairs runs by these names.
Example:
    model t5_small { … }
    model t5_small { … }         // error: `t5_small` is declared twice";
    UnknownField = "E0005", Error, "unknown field",
"What: a block or object has a field this kind of block does not take.
Why: an ignored field is a silent bug (a mistyped `learning_rate` would train with the default).
Example:
    training paper { learnig_rate = 5e-5 }   // did you mean `learning_rate`?";
    MissingField = "E0006", Error, "missing required field",
"What: a block lacks a field that has no default.
Why: expc never guesses what a run reads or how it is written.
Example:
    model t5_small { family = \"t5\" }   // error: missing `checkpoint`";
    WrongType = "E0007", Error, "wrong value type",
"What: a field's value has the wrong type (a string where a number is needed, …).
Why: every field has one type; expc does not convert silently.
Example:
    training paper { epochs = \"30\" }   // error: expected an integer, found a string";
    OutOfRange = "E0008", Error, "value out of range",
"What: a value has the right type but an impossible value.
Why: a negative learning rate, zero shots or a held-out fraction of 1.5 cannot be run.
Example:
    training paper { learning_rate = -5e-5 }   // error: must be > 0";
    UnknownReference = "E0009", Error, "unknown reference",
"What: a name refers to nothing declared (in this file or its imports).
Why: the grid would have a hole; the closest declared name is suggested.
Example:
    experiment main { models = [t5_smal] }   // did you mean `t5_small`?";
    WrongKind = "E0010", Error, "reference to the wrong kind of declaration",
"What: a name is declared, but as another kind than the field needs.
Why: `models = [cdr]` where `cdr` is a dataset cannot be a model.
Example:
    experiment main { models = [cdr] }   // error: `cdr` is a dataset, not a model";
    ImportNotFound = "E0011", Error, "file not found",
"What: a file the study needs in order to compile (the study itself or an `import`) cannot be read.
Why: declarations in it are needed to check and plan the study. The resolved path is shown:
imports are relative to the importing file.
Example:
    import \"zoo/models.exp\"      // error: cannot read /work/study/zoo/models.exp";
    TemplateFileNotFound = "E0012", Error, "template file not found",
"What: a template field names a file (`{ file = \"…\" }`) that cannot be read.
Why: template texts are part of every run's identity; they must exist to plan.
Example:
    template cdr { source = { file = \"templates/cdr_source.j2\" } }   // no such file";
    ImportCycle = "E0013", Error, "import cycle",
"What: a file imports itself, directly or through other files.
Why: the set of declarations would be defined in terms of itself.
Example:
    // a.exp
    import \"b.exp\"
    // b.exp
    import \"a.exp\"                // error: import cycle a.exp → b.exp → a.exp";
    DuplicateField = "E0014", Error, "duplicate field",
"What: a field is given twice in one block or object.
Why: which value wins would be a matter of convention; expc asks you to choose.
Example:
    training paper { epochs = 30  epochs = 20 }   // error";
    UnsupportedFamily = "E0015", Error, "unsupported model family",
"What: a model declares an architecture family expc does not implement.
Why: the run stage could not build the network.
Example:
    model m { family = \"bert\" … }   // supported: t5, bart, gpt2, gpt-neo, biogpt, llama";
    UnknownOption = "E0016", Error, "unknown option",
"What: a field that takes one of a fixed set of words has another one.
Why: formats, selection rules, mention choices and matching rules are closed sets.
Example:
    dataset cdr { format = \"pubtatr\" }   // did you mean `pubtator`?";
    TemplateSyntax = "E0017", Error, "template syntax error",
"What: a minijinja template does not parse.
Why: it could not be rendered for any document.
Example:
    source = \"Passage: {{ text \"   // error: unexpected end of input";
    UndeclaredVariable = "E0018", Error, "template variable not provided",
"What: a template uses a variable the dataset's documents do not provide.
Why: templates render with strict undefined: a typo must fail at check time, not render empty.
Example:
    source = \"{{ txt }}\"   // error: `txt` is not provided; did you mean `text`?";
    RelationTemplate = "E0019", Error, "relation template cannot be inverted",
"What: the relation sentence template is not a sequence of literal text and `{{ role }}` /
`{{ label }}` slots with text between them, its roles do not match `arguments`, or several
labels are declared but it has no `{{ label }}` slot to tell them apart.
Why: expc derives the extractor (a regular expression) from this template; the template must
be invertible so that generated text can be read back into relations.
Example:
    relation = \"{{ chemical }}{{ disease }}\"   // error: two slots with no text between them";
    ExtractorPattern = "E0020", Error, "invalid extractor pattern",
"What: an explicit `extractor` pattern is not a valid regular expression or lacks the named
groups (one per role, and `label` when there are several labels).
Why: the override replaces the derived extractor; it must capture the same things.
Example:
    extractor = \"(?P<chemical>.+) causes (.+)\"   // error: no group named `disease`";
    WhenCondition = "E0021", Error, "invalid `when` condition",
"What: a `when` clause tests something other than `shots`, `models`, `tasks` or `seeds`.
Why: overrides apply per run, and runs are identified by these coordinates only.
Example:
    when epochs = 3 { … }          // error: `epochs` is not a run coordinate";
    DuplicateRun = "E0022", Error, "run declared twice",
"What: two experiments (or one experiment with repeated values) produce the same
(model, task, shots, seed) run.
Why: runs are paired by these coordinates in plans, diffs and reports.
Example:
    experiment a { models = [t5_small] tasks = [cdr] shots = [16] seeds = [0] … }
    experiment b { models = [t5_small] tasks = [cdr] shots = [16] seeds = [0] … }";
    EmptyList = "E0023", Error, "empty list",
"What: a list that defines part of the grid (models, tasks, shots, seeds) is empty.
Why: the experiment would silently produce no runs.
Example:
    experiment main { seeds = [] }   // error";
    LabelMap = "E0024", Error, "inconsistent label words",
"What: label words or label merges of a template are inconsistent: two labels share a word,
or a merge targets a label without a word.
Why: the extractor maps label words back to labels; that mapping must be one-to-one.
Example:
    labels = { POS = \"positive\", COMB = \"positive\" }   // error";
    NotAStudy = "E0025", Error, "not a study",
"What: the file declares no experiment, has two `study` blocks, or imports a file that has one.
Why: a study is the grid of its experiments; with none there is nothing to plan. Its settings
(name, roots, results) are given once, by the file that is checked or planned.
Example:
    // a file with only models is a zoo to `import`, not a study to plan";
    TemplateExample = "E0026", Error, "template example does not hold",
"What: an entry of a template's `examples` is not read by the template's extractor as declared:
the extracted relations or the count of unparseable pieces differ from the example's
`relations` and `unparseable`.
Why: examples are tests of the extractor (\"doctests\"): they pin down how malformed model
outputs (a missing period, an unknown label word, a truncated generation) are scored, so a
template edit that changes it is caught at check time instead of in the scores.
Example:
    template cdr {
      relation = \"The relation between {{ chemical }} and {{ disease }} exists\"
      …
      examples = [
        { output = \"The relation between naloxone and hypotension\", relations = [{ arguments = [\"naloxone\", \"hypotension\"] }] },
      ]   // error: extracts 0 relations and 1 unparseable piece
    }";
    ModelSource = "E0027", Error, "checkpoint and init together",
"What: a model declares both `checkpoint = \"…\"` and an `init { … }` block.
Why: a model is either pretrained weights loaded from a checkpoint folder, or a configuration
built from scratch with seeded random weights and a tokenizer learned from the training split;
it cannot be both.
Example:
    model tiny {
      family = \"t5\"
      checkpoint = \"t5-small\"
      init { seed = 1, config { d_model = 64, d_ff = 256, num_layers = 2, num_heads = 4 }, tokenizer { vocab_size = 2000 } }
    }   // error: keep one of the two";
    ModelConfig = "E0028", Error, "invalid model configuration",
"What: the `config` of a model's `init` block does not make a valid `config.json` for its family:
a required field is missing, a value has the wrong type, the family cannot be built from scratch,
or a field expc sets itself (`model_type`, `vocab_size`) is given.
Why: the configuration is written as the new model's `config.json` and loaded like a checkpoint's;
checking it up front reports the mistake before any run starts.
Example:
    init { seed = 1, config { d_model = 64, num_layers = 2 }, tokenizer { vocab_size = 2000 } }
    // error: invalid configuration for a t5 model: missing field `d_ff`";
    LoraSettings = "E0029", Error, "invalid LoRA settings",
"What: a `lora` block lists no target module, an empty or dotted-at-the-end name, or a target
twice; or a training clause asks for half precision (`precision = \"bf16\"` or `\"f16\"`) where
no LoRA adapters are trained.
Why: targets name the dense layers that get adapters, by the last part(s) of their Hugging Face
module name (PEFT's rule); a list that names nothing adapts nothing. Half precision stores the
frozen base weights while the adapters train in f32: a full finetune in bf16 loses its small
updates to rounding and one in f16 overflows, so expc refuses it.
Example:
    training lora {
      precision = \"bf16\"          // error unless the clause or the profile sets `lora`
      lora { rank = 8, alpha = 16, targets = [] }   // error: no target module
    }";
    MissingCheckpoint = "W0001", Warning, "checkpoint folder missing",
"What: a model's checkpoint folder does not exist (yet).
Why: you can check and plan before downloading every checkpoint; the runs of this model are
marked blocked in the plan and `expc run` refuses them until the folder exists.
Example:
    model t5_large { checkpoint = \"t5-large\" }   // warning: /models/t5-large not found";
    MissingCorpus = "W0002", Warning, "corpus file missing",
"What: a dataset file or folder (train, validation, test, id list) does not exist.
Why: planning still works; runs reading this dataset are blocked until the data is there.
Example:
    dataset ddi { train = \"ddi/DDICorpus/Train\" }   // warning: not found";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Code {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_uppercase();
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == wanted)
            .ok_or_else(|| format!("no diagnostic code `{s}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn every_explanation_has_what_why_and_example() {
        for code in Code::ALL {
            let text = code.explanation();
            let what = text.find("What:");
            let why = text.find("\nWhy:");
            let example = text.find("\nExample:\n");
            assert_eq!(what, Some(0), "{code}: starts with What:");
            assert!(
                what < why && why < example,
                "{code}: What:, Why: and Example: in order"
            );
            assert!(!code.title().is_empty(), "{code}: has a title");
        }
    }

    #[test]
    fn codes_round_trip_through_from_str() {
        for code in Code::ALL {
            assert_eq!(code.as_str().parse::<Code>(), Ok(*code));
            assert_eq!(code.as_str().to_lowercase().parse::<Code>(), Ok(*code));
        }
        assert!("E9999".parse::<Code>().is_err());
    }

    #[test]
    fn codes_are_unique_and_in_order() {
        let names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
}
