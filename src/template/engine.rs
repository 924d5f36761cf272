//! The one minijinja configuration every template is rendered with: strict undefined variables
//! (a typo is an error, never an empty string) and trailing newlines kept (template text is
//! rendered exactly as written).

use super::error::{TemplateError, TemplatePart};
use minijinja::{Environment, UndefinedBehavior};

/// A fresh environment with the project's rendering policy.
pub(crate) fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_debug(true);
    env
}

/// minijinja's explanation of an error, without its own location suffix.
pub(crate) fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    }
}

/// minijinja's explanation of a rendering error, with the failing expression and its line.
fn describe_in(error: &minijinja::Error, text: &str) -> String {
    let mut message = describe(error);
    if let Some(snippet) = error.range().and_then(|range| text.get(range)) {
        message.push_str(&format!(" at `{snippet}`"));
    }
    if let Some(line) = error.line() {
        message.push_str(&format!(", line {line}"));
    }
    message
}

/// A minijinja error from compiling `text` as a syntax error located within `text`.
pub(crate) fn syntax_error(
    part: TemplatePart,
    text: &str,
    error: &minijinja::Error,
) -> TemplateError {
    let offset = match (error.range(), error.line()) {
        (Some(range), _) => range.start,
        (None, Some(line)) => line_offset(text, line),
        (None, None) => 0,
    };
    TemplateError::syntax(part, text, offset, describe(error))
}

/// Byte offset of the start of 1-based `line` in `text`.
fn line_offset(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}

/// Renders `text` with `context` for document `document`.
pub(crate) fn render<S: serde::Serialize>(
    part: TemplatePart,
    text: &str,
    document: &str,
    context: S,
) -> Result<String, TemplateError> {
    let env = environment();
    let template = env
        .template_from_str(text)
        .map_err(|error| syntax_error(part, text, &error))?;
    template
        .render(context)
        .map_err(|error| TemplateError::Render {
            document: document.to_owned(),
            part,
            message: describe_in(&error, text),
        })
}
