//! Names in Cypher text: labels, relationship types, property keys,
//! variables, index and constraint names.
//!
//! They come from code (the derive macros, this crate), never from user
//! values, yet they are still escaped: a name that is not a plain identifier
//! is written between backticks, with any backtick inside doubled (the Cypher
//! manual's rule for quoted names), so no name can end the quoting early and
//! smuggle in text.

use std::fmt::Write;

/// Whether `name` can be written bare: an ASCII letter or `_`, then ASCII
/// letters, digits and `_`, and not a word Cypher reserves.
pub fn is_plain(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !is_keyword(name)
}

/// Keywords that would change the meaning of a bare name (compared without
/// case, as Cypher does). Anything here is simply quoted.
fn is_keyword(name: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "all",
        "and",
        "as",
        "asc",
        "ascending",
        "by",
        "call",
        "case",
        "contains",
        "create",
        "delete",
        "desc",
        "descending",
        "detach",
        "distinct",
        "else",
        "end",
        "ends",
        "exists",
        "false",
        "in",
        "is",
        "limit",
        "match",
        "merge",
        "not",
        "null",
        "on",
        "optional",
        "or",
        "order",
        "remove",
        "return",
        "set",
        "skip",
        "starts",
        "then",
        "true",
        "union",
        "unwind",
        "when",
        "where",
        "with",
        "xor",
        "yield",
    ];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(name))
}

/// Writes `name` to `out`, quoted with backticks when it is not plain.
pub fn write_name(out: &mut String, name: &str) {
    if is_plain(name) {
        out.push_str(name);
    } else {
        out.push('`');
        for c in name.chars() {
            if c == '`' {
                out.push_str("``");
            } else {
                out.push(c);
            }
        }
        out.push('`');
    }
}

/// `name` as it is written in Cypher: bare when plain, else quoted with
/// backticks, any backtick inside doubled.
pub fn escape_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    write_name(&mut out, name);
    out
}

/// Writes `:A:B` for the labels (or `:T1|T2` for relationship types with
/// `sep = '|'`).
pub(crate) fn write_labels(out: &mut String, labels: &[String], sep: char) {
    for (i, label) in labels.iter().enumerate() {
        if i == 0 {
            out.push(':');
        } else {
            out.push(sep);
        }
        write_name(out, label);
    }
}

/// Writes a parameter reference: `$name`, quoted when needed.
pub(crate) fn write_param(out: &mut String, name: &str) {
    out.push('$');
    write_name(out, name);
}

/// Writes `n` in decimal (for generated parameter names).
pub(crate) fn write_index(out: &mut String, prefix: &str, n: usize) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{prefix}{n}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_stay_bare() {
        assert_eq!(escape_name("Person"), "Person");
        assert_eq!(escape_name("_x1"), "_x1");
    }

    #[test]
    fn other_names_are_quoted_and_backticks_doubled() {
        assert_eq!(escape_name("first name"), "`first name`");
        assert_eq!(escape_name("1a"), "`1a`");
        assert_eq!(escape_name(""), "``");
        assert_eq!(escape_name("Ünïcode"), "`Ünïcode`");
        assert_eq!(
            escape_name("a`) DETACH DELETE n //"),
            "`a``) DETACH DELETE n //`"
        );
        assert_eq!(escape_name("match"), "`match`");
        assert_eq!(escape_name("WHERE"), "`WHERE`");
    }
}
