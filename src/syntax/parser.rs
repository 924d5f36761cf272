//! pest pairs → AST. The grammar is `grammar/exp.pest`.

use super::ast::{Block, Field, File, Import, Spanned, Value, ValueKind, When};
use super::error::syntax_error;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use pest::Parser as _;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/exp.pest"]
pub(crate) struct ExpParser;

/// Parses one file's text into an AST, or the first syntax error.
pub fn parse(file: FileId, text: &str) -> Result<File, Box<Diagnostic>> {
    let mut pairs = ExpParser::parse(Rule::file, text).map_err(|e| syntax_error(file, text, &e))?;
    let root = pairs.next().ok_or_else(|| internal("empty parse"))?;
    let mut ast = File {
        imports: Vec::new(),
        blocks: Vec::new(),
    };
    let convert = Converter { file };
    for pair in root.into_inner() {
        match pair.as_rule() {
            Rule::import => ast.imports.push(convert.import(pair)?),
            Rule::block => ast.blocks.push(convert.block(pair)?),
            _ => {}
        }
    }
    Ok(ast)
}

struct Converter {
    file: FileId,
}

impl Converter {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, s.start(), s.end())
    }

    fn spanned_text(&self, pair: &Pair<'_, Rule>) -> Spanned<String> {
        Spanned {
            node: pair.as_str().to_string(),
            span: self.span(pair),
        }
    }

    fn import(&self, pair: Pair<'_, Rule>) -> Result<Import, Box<Diagnostic>> {
        let string = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::string)
            .ok_or_else(|| internal("import without a path"))?;
        let span = self.span(&string);
        Ok(Import {
            path: Spanned {
                node: self.string_value(string)?,
                span,
            },
        })
    }

    fn block(&self, pair: Pair<'_, Rule>) -> Result<Block, Box<Diagnostic>> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let kind = inner
            .next()
            .map(|p| self.spanned_text(&p))
            .ok_or_else(|| internal("block without a kind"))?;
        let mut name = None;
        let mut fields = Vec::new();
        let mut whens = Vec::new();
        for part in inner {
            match part.as_rule() {
                Rule::ident => name = Some(self.spanned_text(&part)),
                Rule::body => {
                    for entry in part.into_inner() {
                        match entry.as_rule() {
                            Rule::field => fields.push(self.field(entry)?),
                            Rule::when => whens.push(self.when(entry)?),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(Block {
            kind,
            name,
            fields,
            whens,
            span,
        })
    }

    fn when(&self, pair: Pair<'_, Rule>) -> Result<When, Box<Diagnostic>> {
        let span = self.span(&pair);
        let mut conditions = Vec::new();
        let mut fields = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::condition => {
                    let mut inner = part.into_inner();
                    let key = inner
                        .next()
                        .map(|p| self.spanned_text(&p))
                        .ok_or_else(|| internal("condition without a key"))?;
                    let value = inner
                        .find(|p| p.as_rule() == Rule::value)
                        .ok_or_else(|| internal("condition without a value"))?;
                    conditions.push(Field {
                        key,
                        value: self.value(value)?,
                    });
                }
                Rule::object => fields = self.object_fields(part)?,
                _ => {}
            }
        }
        Ok(When {
            conditions,
            fields,
            span,
        })
    }

    fn field(&self, pair: Pair<'_, Rule>) -> Result<Field, Box<Diagnostic>> {
        let mut key = None;
        let mut value = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::key => {
                    let inner = part
                        .into_inner()
                        .next()
                        .ok_or_else(|| internal("empty key"))?;
                    let span = self.span(&inner);
                    let node = if inner.as_rule() == Rule::string {
                        self.string_value(inner)?
                    } else {
                        inner.as_str().to_string()
                    };
                    key = Some(Spanned { node, span });
                }
                Rule::value => value = Some(self.value(part)?),
                Rule::object => {
                    let span = self.span(&part);
                    value = Some(Value {
                        kind: ValueKind::Object(self.object_fields(part)?),
                        span,
                    });
                }
                _ => {}
            }
        }
        match (key, value) {
            (Some(key), Some(value)) => Ok(Field { key, value }),
            _ => Err(internal("field without key or value")),
        }
    }

    fn object_fields(&self, pair: Pair<'_, Rule>) -> Result<Vec<Field>, Box<Diagnostic>> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::field)
            .map(|p| self.field(p))
            .collect()
    }

    fn value(&self, pair: Pair<'_, Rule>) -> Result<Value, Box<Diagnostic>> {
        let inner = pair
            .into_inner()
            .next()
            .ok_or_else(|| internal("empty value"))?;
        let span = self.span(&inner);
        let kind = match inner.as_rule() {
            Rule::string => ValueKind::String(self.string_value(inner)?),
            Rule::multiline_string => {
                let body = inner
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::multiline_body)
                    .map_or("", |p| p.as_str());
                ValueKind::String(body.to_string())
            }
            Rule::number => number(inner.as_str(), span)?,
            Rule::boolean => ValueKind::Bool(inner.as_str() == "true"),
            Rule::list => ValueKind::List(
                inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::value)
                    .map(|p| self.value(p))
                    .collect::<Result<_, _>>()?,
            ),
            Rule::object => ValueKind::Object(self.object_fields(inner)?),
            Rule::reference => ValueKind::Reference(inner.as_str().to_string()),
            other => return Err(internal(&format!("unexpected value rule {other:?}"))),
        };
        Ok(Value { kind, span })
    }

    fn string_value(&self, pair: Pair<'_, Rule>) -> Result<String, Box<Diagnostic>> {
        let span = self.span(&pair);
        let body = pair
            .into_inner()
            .find(|p| p.as_rule() == Rule::string_body)
            .map_or("", |p| p.as_str());
        unescape(body).map_err(|(offset, message)| {
            // The grammar admits only well-formed escapes, so the bad one is a whole `\u{…}`;
            // +1 skips the opening quote.
            let len = body[offset..].find('}').map_or(2, |close| close + 1);
            Box::new(
                Diagnostic::new(Code::Syntax, message)
                    .at(span.slice(offset + 1, offset + 1 + len), "not a character")
                    .help("`\\u{…}` takes the hexadecimal code of a Unicode character, e.g. `\\u{e9}` for é"),
            )
        })
    }
}

fn number(text: &str, span: Span) -> Result<ValueKind, Box<Diagnostic>> {
    let clean = text.replace('_', "");
    if clean.contains(['.', 'e', 'E']) {
        clean
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .map(ValueKind::Float)
    } else {
        clean.parse::<i64>().ok().map(ValueKind::Int)
    }
    .ok_or_else(|| {
        Box::new(
            Diagnostic::new(Code::Syntax, format!("number `{text}` is out of range"))
                .at(span, "too large"),
        )
    })
}

/// Resolves escapes; on error returns the byte offset of the bad escape and a message.
fn unescape(body: &str) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            Some((_, 'r')) => out.push('\r'),
            Some((_, '"')) => out.push('"'),
            Some((_, '\\')) => out.push('\\'),
            Some((_, 'u')) => {
                let hex: String = chars
                    .by_ref()
                    .skip(1)
                    .take_while(|(_, c)| *c != '}')
                    .map(|(_, c)| c)
                    .collect();
                let decoded = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(
                    decoded.ok_or((i, format!("`\\u{{{hex}}}` is not a Unicode scalar value")))?,
                );
            }
            _ => return Err((i, "unknown escape".to_string())),
        }
    }
    Ok(out)
}

fn internal(what: &str) -> Box<Diagnostic> {
    Box::new(Diagnostic::new(
        Code::Syntax,
        format!("internal parser error: {what}"),
    ))
}
