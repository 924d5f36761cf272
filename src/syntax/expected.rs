//! Names of grammar rules in words, for "expected …" messages.

use super::parser::Rule;

/// How a rule is named in a syntax error; `None` for rules never worth naming.
///
/// The match is exhaustive on purpose: a new grammar rule forces a decision here.
pub fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::import | Rule::kw_import => "`import`",
        Rule::block => "a block (`model NAME { … }`)",
        Rule::body | Rule::object | Rule::open_brace => "`{`",
        Rule::close_brace => "`}`",
        Rule::when | Rule::kw_when => "`when`",
        Rule::condition => "a condition (`shots = 16`)",
        Rule::field => "a field (`name = value`)",
        Rule::key => "a field name",
        Rule::value => "a value",
        Rule::list | Rule::open_bracket => "`[`",
        Rule::close_bracket => "`]`",
        Rule::boolean => "`true` or `false`",
        Rule::reference => "a name",
        Rule::number => "a number",
        Rule::ident => "a name",
        Rule::string => "a string",
        Rule::quote => "`\"`",
        Rule::multiline_string => "a multi-line string",
        Rule::triple_quote => "`\"\"\"`",
        Rule::equals => "`=`",
        Rule::comma => "`,`",
        Rule::escape => "an escape (`\\n`, `\\t`, `\\\"`, `\\\\`, `\\u{…}`)",
        Rule::file
        | Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::line_comment
        | Rule::block_comment
        | Rule::digits
        | Rule::ident_char
        | Rule::string_body
        | Rule::multiline_body => return None,
    })
}
