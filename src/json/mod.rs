//! Stage "parse": a JSON tree in which every value and every key carries its byte span.
//!
//! The parser (`parse.rs`) never panics and never recurses deeper than [`MAX_DEPTH`]; on
//! bad input it records syntax issues and, where it can, still returns a best-effort tree so
//! that the other rules can judge the parts it understood. `lex.rs` tokenizes leniently
//! (comments, typographic quotes), `parse.rs` recovers, `splice.rs` names the real mistake
//! behind a broken `Statement` array, `edit.rs` applies fixes as text edits. Nothing here
//! knows about rules' configuration, the CLI or output formats.

mod edit;
mod fast;
mod lex;
#[cfg(test)]
mod mutation_tests;
mod parse;
mod splice;
mod strmap;

pub use edit::{apply_edits, escape_json_string, EditError};
pub use parse::{parse, parse_slow, Parsed, SyntaxIssue, MAX_DEPTH, STATEMENT_ELEMENTS};
pub use splice::statement_elements;
pub use strmap::{decode_string_literal, DecodedString};

use crate::source::Span;

/// The text of a key, a string value or a number. Keys and most values are short
/// (`Effect`, `kms:Decrypt`, `roles/viewer`), so they are kept inline, without a heap
/// allocation, up to 24 bytes: a file's tree holds one per key and string value.
pub type Str = compact_str::CompactString;

/// A JSON value with the span of its text (for strings: including the quotes).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text as written (keeps precision of account ids and the like).
    Number(Str),
    String(Str),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` pair. Duplicate keys are kept in order; lookups take the last one,
/// as most JSON consumers (and the cloud APIs) do.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: Str,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn new(value: Value, span: Span) -> Node {
        Node { value, span }
    }

    /// The last member named `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value)
    }

    /// The last member named `key` of an object, with its key span.
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// Like [`Node::get`] but ASCII-case-insensitive on the key (ARM property names).
    pub fn get_ci(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members
                .iter()
                .rev()
                .find(|m| m.key.eq_ignore_ascii_case(key))
                .map(|m| &m.value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The number as f64, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A string, or each string of an array (AWS's "string or list of strings").
    pub fn strings(&self) -> Vec<(&str, Span)> {
        match &self.value {
            Value::String(s) => vec![(s.as_str(), self.span)],
            Value::Array(items) => items
                .iter()
                .filter_map(|n| n.as_str().map(|s| (s, n.span)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A short name of the value's type for messages: "string", "object", ...
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Follows an RFC 6901 JSON pointer (`/Statement/0/Sid`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Object(_) => node.get(&token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// The JSON pointer of the innermost node (or key) whose span contains `span`.
    /// Used for stable fingerprints; `None` when the span lies outside this tree.
    pub fn pointer_to(&self, span: Span) -> Option<String> {
        if span.start < self.span.start || span.end > self.span.end {
            return None;
        }
        let mut path = String::new();
        let mut node = self;
        'descend: loop {
            match &node.value {
                Value::Object(members) => {
                    for m in members {
                        let covers_key =
                            span.start >= m.key_span.start && span.end <= m.key_span.end;
                        let covers_value =
                            span.start >= m.value.span.start && span.end <= m.value.span.end;
                        if covers_key || covers_value {
                            path.push('/');
                            path.push_str(&escape_pointer_token(&m.key));
                            if covers_key {
                                return Some(path);
                            }
                            node = &m.value;
                            continue 'descend;
                        }
                    }
                    return Some(path);
                }
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if span.start >= item.span.start && span.end <= item.span.end {
                            path.push('/');
                            path.push_str(&i.to_string());
                            node = item;
                            continue 'descend;
                        }
                    }
                    return Some(path);
                }
                _ => return Some(path),
            }
        }
    }

    /// Applies `f` to every span in this tree (node and key spans). Used to map the spans
    /// of a document embedded in a string literal back to the outer file.
    pub fn map_spans(&mut self, f: &impl Fn(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.value {
            Value::Array(items) => items.iter_mut().for_each(|n| n.map_spans(f)),
            Value::Object(members) => {
                for m in members {
                    m.key_span = f(m.key_span);
                    m.value.map_spans(f);
                }
            }
            _ => {}
        }
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901).
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_round_trip() {
        let text = r#"{"Statement":[{"Sid":"a"},{"Sid":"b/c"}]}"#;
        let parsed = parse(text);
        let root = parsed.root.clone();
        let Some(root) = root else { panic!("no tree") };
        let sid = root.pointer("/Statement/1/Sid").map(|n| n.span);
        assert_eq!(sid.map(|s| &text[s.start..s.end]), Some("\"b/c\""));
        assert_eq!(
            sid.and_then(|s| root.pointer_to(s)).as_deref(),
            Some("/Statement/1/Sid")
        );
    }
}
