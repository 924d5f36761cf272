//! Prediction files: JSON lines `{"id": …, "generated": …}`, one per document.

use super::error::ScoreError;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// Reads a predictions file into document id → generated text.
///
/// Blank lines are skipped and other keys ignored; `id` may be a string or an integer. A line
/// that is not a JSON object, lacks `id` or `generated`, or repeats an id is an error naming the
/// file and line.
pub fn read_predictions(path: &Path) -> Result<BTreeMap<String, String>, ScoreError> {
    let text = std::fs::read_to_string(path).map_err(|error| ScoreError::Read {
        path: path.to_owned(),
        message: error.to_string(),
    })?;
    parse_predictions(path, &text)
}

/// Parses the text of a predictions file; `path` only names it in errors.
pub fn parse_predictions(path: &Path, text: &str) -> Result<BTreeMap<String, String>, ScoreError> {
    let mut predictions = BTreeMap::new();
    let mut first_lines: BTreeMap<String, usize> = BTreeMap::new();
    for (index, content) in text.lines().enumerate() {
        let line = index + 1;
        if content.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(content).map_err(|error| ScoreError::Json {
            path: path.to_owned(),
            line,
            message: error.to_string(),
        })?;
        let Value::Object(object) = value else {
            return Err(ScoreError::Json {
                path: path.to_owned(),
                line,
                message: "expected an object".into(),
            });
        };
        let field = |key: &str| {
            object.get(key).ok_or_else(|| ScoreError::MissingKey {
                path: path.to_owned(),
                line,
                key: key.into(),
            })
        };
        let wrong = |key: &str, expected: &str| ScoreError::WrongType {
            path: path.to_owned(),
            line,
            key: key.into(),
            expected: expected.into(),
        };
        let id = match field("id")? {
            Value::String(id) => id.clone(),
            Value::Number(number) if number.is_u64() || number.is_i64() => number.to_string(),
            _ => return Err(wrong("id", "a string or an integer")),
        };
        let generated = field("generated")?
            .as_str()
            .ok_or_else(|| wrong("generated", "a string"))?;
        if let Some(&first_line) = first_lines.get(&id) {
            return Err(ScoreError::DuplicateId {
                path: path.to_owned(),
                line,
                id,
                first_line,
            });
        }
        first_lines.insert(id.clone(), line);
        predictions.insert(id, generated.to_owned());
    }
    Ok(predictions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> String {
        parse_predictions(Path::new("p.jsonl"), text)
            .map_or_else(|e| e.to_string(), |p| format!("{p:?}"))
    }

    #[test]
    fn reads_lines_and_names_problems() {
        assert_eq!(
            parse(
                "{\"id\": 7, \"generated\": \"x\"}\n\n{\"id\": \"a\", \"generated\": \"\", \"n\": 1}\n"
            ),
            "{\"7\": \"x\", \"a\": \"\"}"
        );
        assert!(parse("{\"id\": \"a\"\n").starts_with("p.jsonl:1: not a JSON object: "));
        assert_eq!(
            parse("[1]"),
            "p.jsonl:1: not a JSON object: expected an object"
        );
        assert_eq!(
            parse("{\"generated\": \"x\"}"),
            "p.jsonl:1: missing key `id` (each line needs `id` and `generated`)"
        );
        assert_eq!(
            parse("{\"id\": \"a\", \"generated\": 3}"),
            "p.jsonl:1: `generated` must be a string"
        );
        assert_eq!(
            parse("{\"id\": 1.5, \"generated\": \"\"}"),
            "p.jsonl:1: `id` must be a string or an integer"
        );
        assert_eq!(
            parse("{\"id\": \"a\", \"generated\": \"\"}\n{\"id\": \"a\", \"generated\": \"\"}"),
            "p.jsonl:2: document `a` was already predicted on line 1"
        );
    }
}
