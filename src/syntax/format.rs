//! The canonical text of an AST: one field per line, two-space indentation, strings escaped,
//! comments dropped. `format(parse(format(x))) == format(x)`; used by `expc fmt` and as the
//! readable AST snapshot of the tests.

use super::ast::{Block, Field, File, Value, ValueKind, When};
use std::fmt::Write;

/// The canonical text of a parsed file.
pub fn format(file: &File) -> String {
    let mut out = String::new();
    for import in &file.imports {
        let _ = writeln!(out, "import {}", quote(&import.path.node));
    }
    for (i, block) in file.blocks.iter().enumerate() {
        if i > 0 || !file.imports.is_empty() {
            out.push('\n');
        }
        block_text(block, &mut out);
    }
    out
}

fn block_text(block: &Block, out: &mut String) {
    out.push_str(&block.kind.node);
    if let Some(name) = &block.name {
        out.push(' ');
        out.push_str(&name.node);
    }
    out.push_str(" {\n");
    for field in &block.fields {
        field_text(field, 1, out);
    }
    for when in &block.whens {
        when_text(when, out);
    }
    out.push_str("}\n");
}

fn when_text(when: &When, out: &mut String) {
    let conditions: Vec<String> = when
        .conditions
        .iter()
        .map(|c| format!("{} = {}", key(&c.key.node), inline(&c.value)))
        .collect();
    let _ = writeln!(out, "  when {} {{", conditions.join(", "));
    for field in &when.fields {
        field_text(field, 2, out);
    }
    out.push_str("  }\n");
}

fn field_text(field: &Field, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    match &field.value.kind {
        ValueKind::Object(fields) if !fields.is_empty() && inline(&field.value).len() > 80 => {
            let _ = writeln!(out, "{indent}{} {{", key(&field.key.node));
            for inner in fields {
                field_text(inner, depth + 1, out);
            }
            let _ = writeln!(out, "{indent}}}");
        }
        _ => {
            let _ = writeln!(
                out,
                "{indent}{} = {}",
                key(&field.key.node),
                inline(&field.value)
            );
        }
    }
}

fn key(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !matches!(name, "import" | "when" | "true" | "false");
    if plain { name.to_string() } else { quote(name) }
}

fn inline(value: &Value) -> String {
    match &value.kind {
        ValueKind::String(s) => quote(s),
        ValueKind::Int(i) => i.to_string(),
        ValueKind::Float(f) => float(*f),
        ValueKind::Bool(b) => b.to_string(),
        ValueKind::Reference(name) => name.clone(),
        ValueKind::List(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        ValueKind::Object(fields) if fields.is_empty() => "{}".to_string(),
        ValueKind::Object(fields) => {
            format!(
                "{{ {} }}",
                fields
                    .iter()
                    .map(|f| format!("{} = {}", key(&f.key.node), inline(&f.value)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

fn float(f: f64) -> String {
    let text = format!("{f:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
