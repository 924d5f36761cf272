//! One snapshot and its file, in the format insta writes (so `cargo insta review` can review
//! pending `.snap.new` files): a metadata header between `---` lines, then the content.

/// One snapshot: a file name and the text it pins down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The file name without extension: `<study>__<task>__<kind>`.
    pub name: String,
    /// What the snapshot shows (insta's `expression` field), e.g. `prompts of task cdr`.
    pub expression: String,
    /// The text, without trailing whitespace.
    pub content: String,
}

impl Snapshot {
    /// A snapshot named after the study, task and kind (each reduced to file-name characters).
    pub fn new(study: &str, task: &str, kind: &str, content: String) -> Self {
        Self {
            name: format!(
                "{}{}__{}",
                study_prefix(study),
                file_name_part(task),
                file_name_part(kind)
            ),
            expression: format!("{kind} of task {task}"),
            content: normalize(&content),
        }
    }

    /// The file text: header (`source` is the study file, relative to the snapshot folder),
    /// then the content and one newline.
    pub fn file_text(&self, source: &str) -> String {
        format!(
            "---\nsource: {}\nexpression: {}\n---\n{}\n",
            yaml_scalar(source),
            yaml_scalar(&self.expression),
            self.content
        )
    }
}

/// The start of the file names of a study's snapshots: `<study>__`.
pub fn study_prefix(study: &str) -> String {
    format!("{}__", file_name_part(study))
}

/// The content of a snapshot file (what follows the header), normalized as insta compares it;
/// `None` when the file has no header.
pub fn content_of(file_text: &str) -> Option<String> {
    let text = file_text.replace("\r\n", "\n");
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(normalize(&rest[end + "\n---\n".len()..]))
}

/// Insta's normalization of text contents: CRLF as LF, trailing whitespace dropped.
fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_owned()
}

/// `name` with every character outside letters, digits, `_` and `-` replaced by `_`.
fn file_name_part(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A YAML scalar as insta's emitter writes it: plain when that reads back unchanged, else
/// double-quoted (a JSON string is a valid double-quoted YAML scalar).
fn yaml_scalar(text: &str) -> String {
    const RESERVED: &[&str] = &[
        "yes", "Yes", "YES", "no", "No", "NO", "True", "TRUE", "true", "False", "FALSE", "false",
        "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~",
    ];
    let plain = !text.is_empty()
        && !text.starts_with(' ')
        && !text.ends_with(' ')
        && !text.starts_with(['&', '*', '?', '|', '-', '<', '>', '=', '!', '%', '@'])
        && !text.contains(|c: char| {
            matches!(
                c,
                ':' | '{' | '}' | '[' | ']' | ',' | '#' | '`' | '"' | '\'' | '\\'
            ) || c.is_control()
        })
        && !RESERVED.contains(&text)
        && text.parse::<f64>().is_err();
    if plain {
        text.to_owned()
    } else {
        serde_json::Value::String(text.to_owned()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_what_it_writes() {
        let snapshot = Snapshot::new("my study", "cdr", "prompts", "a\n  b  \n\n".into());
        assert_eq!(snapshot.name, "my_study__cdr__prompts");
        let text = snapshot.file_text("../study.exp");
        assert!(text.starts_with(
            "---\nsource: ../study.exp\nexpression: prompts of task cdr\n---\na\n  b\n"
        ));
        assert_eq!(content_of(&text).as_deref(), Some("a\n  b"));
        assert_eq!(content_of("no header"), None);
    }

    #[test]
    fn quotes_what_yaml_would_misread() {
        assert_eq!(yaml_scalar("../a b.exp"), "../a b.exp");
        assert_eq!(yaml_scalar("a: b"), "\"a: b\"");
        assert_eq!(yaml_scalar("true"), "\"true\"");
        assert_eq!(yaml_scalar("-x"), "\"-x\"");
    }
}
