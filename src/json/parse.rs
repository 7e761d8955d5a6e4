//! The span-keeping JSON parser.
//!
//! Iterative where depth matters: nesting beyond [`MAX_DEPTH`] stops the parse with a
//! syntax issue instead of growing the stack. Strict RFC 8259 JSON; every deviation becomes
//! a [`SyntaxIssue`] whose `rule` names the mistake as precisely as the parser can tell.

use super::{Member, Node, Value};
use crate::source::Span;

/// Deepest nesting accepted. Real key policies and templates nest < 20 deep.
pub const MAX_DEPTH: usize = 256;

/// One syntax problem found while parsing.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxIssue {
    /// The rule id that reports it (`json-syntax`, `json-trailing-comma`, ...).
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
    /// Secondary spans with their labels.
    pub labels: Vec<(Span, String)>,
    /// Text edits that repair the mistake, if the repair is certain.
    pub fix: Option<Vec<(Span, String)>>,
}

impl SyntaxIssue {
    pub fn new(rule: &'static str, span: Span, message: impl Into<String>) -> SyntaxIssue {
        SyntaxIssue {
            rule,
            span,
            message: message.into(),
            help: None,
            labels: Vec::new(),
            fix: None,
        }
    }
}

/// What the parser made of a text.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The tree; with syntax issues, the best-effort tree (or `None` if nothing usable).
    pub root: Option<Node>,
    pub issues: Vec<SyntaxIssue>,
}

impl Parsed {
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty() && self.root.is_some()
    }
}

/// Parses `text` as one JSON document.
pub fn parse(text: &str) -> Parsed {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return Parsed {
            root: None,
            issues: vec![SyntaxIssue::new(
                "json-syntax",
                Span::point(p.pos),
                "the file is empty; expected a JSON value",
            )],
        };
    }
    match p.value(0) {
        Ok(root) => {
            p.skip_ws();
            if p.pos < p.bytes.len() {
                let issue = SyntaxIssue::new(
                    "json-syntax",
                    p.token_span(),
                    format!(
                        "unexpected {} after the end of the JSON value",
                        p.describe_here()
                    ),
                );
                Parsed {
                    root: Some(root),
                    issues: vec![issue],
                }
            } else {
                Parsed {
                    root: Some(root),
                    issues: Vec::new(),
                }
            }
        }
        Err(issue) => Parsed {
            root: None,
            issues: vec![*issue],
        },
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

type PResult<T> = Result<T, Box<SyntaxIssue>>;

impl<'a> Parser<'a> {
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// The span of the token (or character) at the current position.
    fn token_span(&self) -> Span {
        let c = self.text[self.pos.min(self.text.len())..]
            .chars()
            .next()
            .map(char::len_utf8)
            .unwrap_or(0);
        Span::new(self.pos, self.pos + c)
    }

    fn describe_here(&self) -> String {
        match self.text.get(self.pos..).and_then(|s| s.chars().next()) {
            None => "end of file".to_string(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    fn err(&self, message: String) -> Box<SyntaxIssue> {
        Box::new(SyntaxIssue::new("json-syntax", self.token_span(), message))
    }

    fn value(&mut self, depth: usize) -> PResult<Node> {
        if depth >= MAX_DEPTH {
            return Err(Box::new(SyntaxIssue::new(
                "json-syntax",
                self.token_span(),
                format!("nesting deeper than {MAX_DEPTH} levels; cmklint stops reading here"),
            )));
        }
        self.skip_ws();
        let start = self.pos;
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                let s = self.string()?;
                Ok(Node::new(Value::String(s), Span::new(start, self.pos)))
            }
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err(format!(
                "expected a JSON value, found {}",
                self.describe_here()
            ))),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> PResult<Node> {
        let start = self.pos;
        if self.text[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(Node::new(value, Span::new(start, self.pos)))
        } else {
            Err(self.err(format!(
                "expected a JSON value, found {}",
                self.describe_here()
            )))
        }
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.pos += 1;
                }
            }
            _ => return Err(self.err("expected a digit".to_string())),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("expected a digit after the decimal point".to_string()));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.err("expected a digit in the exponent".to_string()));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
        let raw = self.text[start..self.pos].to_string();
        Ok(Node::new(Value::Number(raw), Span::new(start, self.pos)))
    }

    /// Parses a string literal at `pos` (which is `"`), returning its decoded value.
    fn string(&mut self) -> PResult<String> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                None => {
                    return Err(Box::new(SyntaxIssue::new(
                        "json-syntax",
                        Span::new(open, open + 1),
                        "unterminated string: this quote is never closed",
                    )))
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let esc_start = self.pos;
                    self.pos += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4(esc_start)?;
                            if (0xD800..0xDC00).contains(&hi)
                                && self.bytes.get(self.pos) == Some(&b'\\')
                                && self.bytes.get(self.pos + 1) == Some(&b'u')
                            {
                                self.pos += 2;
                                let lo = self.hex4(esc_start)?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                } else {
                                    // A lone high surrogate; decode the next escape alone.
                                    out.push('\u{fffd}');
                                    self.pos -= 6;
                                }
                            } else {
                                out.push(char::from_u32(hi).unwrap_or('\u{fffd}'));
                            }
                            continue;
                        }
                        _ => {
                            let end = (self.pos + 1).min(self.text.len());
                            let mut end = end;
                            while !self.text.is_char_boundary(end) {
                                end += 1;
                            }
                            return Err(Box::new(SyntaxIssue::new(
                                "json-syntax",
                                Span::new(esc_start, end),
                                "invalid escape sequence in a string",
                            )));
                        }
                    };
                    self.pos += 1;
                    out.push(c);
                }
                Some(_) => {
                    return Err(Box::new(SyntaxIssue::new(
                        "json-syntax",
                        self.token_span(),
                        format!(
                            "{} inside a string; write it as an escape (`\\n`, `\\t`, `\\u00XX`)",
                            self.describe_here()
                        ),
                    )))
                }
            }
        }
    }

    fn hex4(&mut self, esc_start: usize) -> PResult<u32> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(Box::new(SyntaxIssue::new(
                "json-syntax",
                Span::new(esc_start, self.pos),
                "`\\u` must be followed by four hexadecimal digits",
            ))),
        }
    }

    fn array(&mut self, depth: usize) -> PResult<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Node::new(Value::Array(items), Span::new(start, self.pos)));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node::new(Value::Array(items), Span::new(start, self.pos)));
                }
                _ => {
                    return Err(self.err(format!(
                        "expected `,` or `]` in an array, found {}",
                        self.describe_here()
                    )))
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> PResult<Node> {
        let start = self.pos;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Node::new(
                Value::Object(members),
                Span::new(start, self.pos),
            ));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err(format!(
                    "expected a quoted key, found {}",
                    self.describe_here()
                )));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.err(format!(
                    "expected `:` after the key, found {}",
                    self.describe_here()
                )));
            }
            self.pos += 1;
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_ws();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                }
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node::new(
                        Value::Object(members),
                        Span::new(start, self.pos),
                    ));
                }
                _ => {
                    return Err(self.err(format!(
                        "expected `,` or `}}` in an object, found {}",
                        self.describe_here()
                    )))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_of_keys_and_values() {
        let t = r#" {"a": [1, "x\"y", true, null]} "#;
        let p = parse(t);
        assert!(p.issues.is_empty());
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        let m = root.member("a").map(|m| m.key_span);
        assert_eq!(m, Some(Span::new(2, 5)));
        let arr = root.get("a").and_then(|a| a.as_array()).unwrap_or(&[]);
        assert_eq!(arr.len(), 4);
        assert_eq!(&t[arr[1].span.start..arr[1].span.end], r#""x\"y""#);
        assert_eq!(arr[1].as_str(), Some("x\"y"));
    }

    #[test]
    fn deep_nesting_is_an_issue_not_a_crash() {
        let t = "[".repeat(1_000_000);
        let p = parse(&t);
        assert_eq!(p.issues.len(), 1);
        assert!(p.issues[0].message.contains("nesting"));
    }

    #[test]
    fn empty_is_an_issue() {
        assert_eq!(parse("  \n").issues.len(), 1);
    }
}
