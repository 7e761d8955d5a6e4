//! The lenient tokenizer under the recovering parser.
//!
//! It reads JSON plus the things people paste into JSON by mistake — `//` and `/* */`
//! comments, strings in typographic quotes (`“Sid”`), single-quoted strings, bare words —
//! and turns each into an ordinary token, writing down what it had to forgive so the parser
//! (and the splice analysis) can name the mistake. Every call makes progress by at least
//! one character, and no character is looked at more than a small constant number of times
//! (a string is rescanned at most once), so lexing is linear in the input.

use std::collections::VecDeque;

use super::parse::SyntaxIssue;
use super::strmap::{hex4, simple_escape};
use super::Value;
use crate::source::Span;
use crate::swar::{bytes_below, splat, word_at, zero_bytes, HIGHS};

/// `“` LEFT DOUBLE QUOTATION MARK
pub(super) const LDQ: char = '\u{201C}';
/// `”` RIGHT DOUBLE QUOTATION MARK
pub(super) const RDQ: char = '\u{201D}';
/// `‘` LEFT SINGLE QUOTATION MARK
pub(super) const LSQ: char = '\u{2018}';
/// `’` RIGHT SINGLE QUOTATION MARK
pub(super) const RSQ: char = '\u{2019}';

fn is_smart_quote(c: char) -> bool {
    matches!(c, LDQ | RDQ | LSQ | RSQ)
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Colon,
    Comma,
    /// A string (in any quotes the lexer could make sense of), decoded.
    Str(String),
    /// `true`, `false`, `null` or a number (possibly recovered from a bad spelling).
    Lit(Value),
    /// A run of characters that is no JSON token (`Allow`, `True`, `#`, ...).
    Word,
    Eof,
}

impl Tok {
    /// Whether this token can start a value.
    pub(super) fn starts_value(&self) -> bool {
        matches!(
            self,
            Tok::LBrace | Tok::LBracket | Tok::Str(_) | Tok::Lit(_) | Tok::Word
        )
    }
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub kind: Tok,
    pub span: Span,
    /// The lexer reported a structural problem with this token (an unterminated string);
    /// the parser treats what follows as a possible cascade.
    pub bad: bool,
    /// An unterminated string whose text ended in `,`: the comma was meant to follow it.
    pub comma_inside: bool,
    /// What is wrong with the token itself (a bad escape, no closing quote, ...); the
    /// parser reports it unless it is the cascade of an earlier error.
    pub issue: Option<Box<SyntaxIssue>>,
}

/// A comment the lexer skipped.
#[derive(Debug, Clone)]
pub(super) struct Comment {
    pub span: Span,
    pub block: bool,
    /// False for a `/*` that is never closed (it runs to the end of the file).
    pub closed: bool,
}

/// A string written with typographic quotes (fully or partly).
#[derive(Debug, Clone)]
pub(super) struct SmartUse {
    /// The whole string token, quotes included.
    pub string: Span,
    /// The typographic quote characters that stand for `"`.
    pub quotes: Vec<Span>,
    /// Replacing `quotes` by `"` yields a valid string literal.
    pub certain: bool,
}

/// How a string body scan ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    /// At the closing quote, which spans `.0..1`.
    Closed(usize, usize),
    /// At a line break (strings cannot contain one) or the end of the text.
    Unterminated(usize),
}

struct Body {
    value: String,
    stop: Stop,
    /// The body contains `“` or `”` (before the stop).
    has_smart_double: bool,
    /// The body contains an ASCII `"` (only possible when `"` is not a closer).
    has_ascii_double: bool,
    /// First escape or control-character problem, if any.
    error: Option<SyntaxIssue>,
}

pub(super) struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    ahead: VecDeque<Token>,
    /// The problem of the token being lexed, attached to it when it is made.
    pending: Option<SyntaxIssue>,
    pub comments: Vec<Comment>,
    pub smart: Vec<SmartUse>,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            ahead: VecDeque::new(),
            pending: None,
            comments: Vec::new(),
            smart: Vec::new(),
        }
    }

    /// The next token, consumed.
    pub(super) fn next(&mut self) -> Token {
        match self.ahead.pop_front() {
            Some(t) => t,
            None => self.lex_token(),
        }
    }

    fn lex_token(&mut self) -> Token {
        let mut t = self.lex();
        t.issue = self.pending.take().map(Box::new);
        t
    }

    /// The token `k` positions ahead (0 = the next one), not consumed.
    pub(super) fn peek(&mut self, k: usize) -> &Tok {
        while self.ahead.len() <= k {
            let t = self.lex_token();
            self.ahead.push_back(t);
        }
        &self.ahead[k].kind
    }

    /// Records a problem of the token being lexed (the first one counts).
    fn report(&mut self, issue: SyntaxIssue) {
        if self.pending.is_none() {
            self.pending = Some(issue);
        }
    }

    /// Whether a `/*` comment ran to the end of the text.
    pub(super) fn unterminated_comment(&self) -> bool {
        self.comments.iter().any(|c| !c.closed)
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|s| s.chars().next())
    }

    fn skip_trivia(&mut self) {
        loop {
            match self.bytes.get(self.pos) {
                Some(b' ') => self.pos = spaces(self.bytes, self.pos + 1),
                Some(b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') => match self.bytes.get(self.pos + 1) {
                    Some(b'/') => {
                        let start = self.pos;
                        let end = self.text[start..]
                            .find(['\n', '\r'])
                            .map_or(self.text.len(), |i| start + i);
                        self.comments.push(Comment {
                            span: Span::new(start, end),
                            block: false,
                            closed: true,
                        });
                        self.pos = end;
                    }
                    Some(b'*') => {
                        let start = self.pos;
                        let (end, closed) = match self.text[start + 2..].find("*/") {
                            Some(i) => (start + 2 + i + 2, true),
                            None => (self.text.len(), false),
                        };
                        self.comments.push(Comment {
                            span: Span::new(start, end),
                            block: true,
                            closed,
                        });
                        self.pos = end;
                    }
                    _ => return,
                },
                _ => return,
            }
        }
    }

    fn token(&self, kind: Tok, start: usize) -> Token {
        Token {
            kind,
            span: Span::new(start, self.pos),
            bad: false,
            comma_inside: false,
            issue: None,
        }
    }

    fn lex(&mut self) -> Token {
        self.skip_trivia();
        let start = self.pos;
        let Some(&b) = self.bytes.get(start) else {
            return self.token(Tok::Eof, start);
        };
        let single = |l: &mut Lexer, k: Tok| {
            l.pos += 1;
            l.token(k, start)
        };
        // Dispatch on the byte: every token but a typographic quote or a word starts with
        // an ASCII one, so most tokens need no character decoding here.
        match b {
            b'{' => single(self, Tok::LBrace),
            b'}' => single(self, Tok::RBrace),
            b'[' => single(self, Tok::LBracket),
            b']' => single(self, Tok::RBracket),
            b':' => single(self, Tok::Colon),
            b',' => single(self, Tok::Comma),
            b'"' => self.ascii_string(),
            b'\'' => self.single_quoted(),
            b'-' | b'0'..=b'9' => self.number(),
            _ => match self.char_at(start) {
                Some(c) if is_smart_quote(c) => self.smart_string(c),
                _ => self.word(),
            },
        }
    }

    /// Scans a string body from `from` up to one of `closers`, a line break or the end.
    fn scan_body(&self, from: usize, closers: &[char]) -> Body {
        let mut value = String::new();
        let mut has_smart_double = false;
        let mut has_ascii_double = false;
        let mut error: Option<SyntaxIssue> = None;
        let mut i = from;
        let text = self.text;
        let bytes = self.bytes;
        loop {
            // Fast path: a run of plain printable ASCII (no quote, no backslash).
            let run = i;
            i = plain_words(bytes, i);
            while bytes
                .get(i)
                .is_some_and(|&b| (0x20..0x80).contains(&b) && !matches!(b, b'"' | b'\\' | b'\''))
            {
                i += 1;
            }
            if i > run {
                value.push_str(&text[run..i]);
            }
            let Some(c) = text.get(i..).and_then(|s| s.chars().next()) else {
                return Body {
                    value,
                    stop: Stop::Unterminated(i),
                    has_smart_double,
                    has_ascii_double,
                    error,
                };
            };
            if closers.contains(&c) {
                return Body {
                    value,
                    stop: Stop::Closed(i, i + c.len_utf8()),
                    has_smart_double,
                    has_ascii_double,
                    error,
                };
            }
            match c {
                '\n' | '\r' => {
                    return Body {
                        value,
                        stop: Stop::Unterminated(i),
                        has_smart_double,
                        has_ascii_double,
                        error,
                    }
                }
                '\\' => {
                    let (decoded, len) = decode_escape(text, i);
                    match decoded {
                        Some(d) => value.push(d),
                        None => {
                            let esc_end = (i + len).min(text.len());
                            if error.is_none() {
                                error = Some(escape_issue(text, i, esc_end));
                            }
                            value.push_str(text.get(i..esc_end).unwrap_or("\\"));
                        }
                    }
                    i += len;
                }
                c if (c as u32) < 0x20 => {
                    if error.is_none() {
                        let name = match c {
                            '\t' => "a tab character".to_string(),
                            _ => format!("control character U+{:04X}", c as u32),
                        };
                        let esc = match c {
                            '\t' => "`\\t`".to_string(),
                            _ => format!("`\\u{:04X}`", c as u32),
                        };
                        let mut issue = SyntaxIssue::new(
                            "json-syntax",
                            Span::new(i, i + 1),
                            format!("{name} inside a string, which JSON does not allow"),
                        );
                        issue.help = Some(format!("write it as the escape {esc}"));
                        error = Some(issue);
                    }
                    value.push(c);
                    i += 1;
                }
                c => {
                    if c == LDQ || c == RDQ {
                        has_smart_double = true;
                    }
                    if c == '"' {
                        has_ascii_double = true;
                    }
                    value.push(c);
                    i += c.len_utf8();
                }
            }
        }
    }

    /// A string opened with `"`.
    fn ascii_string(&mut self) -> Token {
        let open = self.pos;
        let body = self.scan_body(open + 1, &['"']);
        let body = match body.stop {
            Stop::Closed(_, end) if body.has_smart_double && junk_follows(self.text, end) => {
                // `"Sid”: "Allow"`: the string was closed by a typographic quote; the `"`
                // we stopped at opens the next string.
                let again = self.scan_body(open + 1, &['"', RDQ, LDQ]);
                if matches!(again.stop, Stop::Closed(s, _) if self.text[s..].starts_with(['\u{201C}', '\u{201D}']))
                {
                    again
                } else {
                    body
                }
            }
            Stop::Unterminated(_) if body.has_smart_double => {
                let again = self.scan_body(open + 1, &['"', RDQ, LDQ]);
                if matches!(again.stop, Stop::Closed(..)) {
                    again
                } else {
                    body
                }
            }
            _ => body,
        };
        if let Some(t) = self.stray_quote(open, 1, &body) {
            return t;
        }
        self.finish_string(open, 1, body)
    }

    /// `"   "Null": {`: an empty or blank string glued to a word means its opening quote
    /// is stray, and its closing quote opens the real string. Reports the stray quote and
    /// lexes the string from the second quote.
    fn stray_quote(&mut self, open: usize, open_len: usize, body: &Body) -> Option<Token> {
        let Stop::Closed(s, e) = body.stop else {
            return None;
        };
        let glued = self
            .char_at(e)
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '$' | '_'));
        if !glued || &self.text[s..e] != "\"" || !body.value.trim().is_empty() {
            return None;
        }
        let quote = self.text[open..open + open_len].to_string();
        // The real string, lexed plainly (no second look for stray quotes: no recursion).
        let real = self.scan_body(s + 1, &['"']);
        let t = self.finish_string(s, 1, real);
        // The stray quote is the finding; what the string itself has is its cascade.
        self.pending = Some(
            SyntaxIssue::new(
                "json-syntax",
                Span::new(open, open + open_len),
                format!("stray `{quote}` before a string"),
            )
            .with_help("remove it"),
        );
        Some(t)
    }

    /// Builds the token for a string whose opening quote is `open..open+open_len`.
    fn finish_string(&mut self, open: usize, open_len: usize, body: Body) -> Token {
        let opener_smart = open_len > 1;
        match body.stop {
            Stop::Closed(s, e) => {
                self.pos = e;
                let closer_smart = e - s > 1;
                if opener_smart || closer_smart {
                    let mut quotes = Vec::new();
                    if opener_smart {
                        quotes.push(Span::new(open, open + open_len));
                    }
                    if closer_smart {
                        quotes.push(Span::new(s, e));
                    }
                    self.smart.push(SmartUse {
                        string: Span::new(open, e),
                        quotes,
                        certain: !body.has_ascii_double && body.error.is_none(),
                    });
                }
                if let Some(issue) = body.error {
                    self.report(issue);
                }
                Token {
                    kind: Tok::Str(body.value),
                    span: Span::new(open, e),
                    bad: false,
                    comma_inside: false,
                    issue: None,
                }
            }
            Stop::Unterminated(at) => {
                self.pos = at;
                let raw = &self.text[open + open_len..at];
                let trimmed = raw.trim_end();
                let comma_inside = trimmed.ends_with(',');
                let mut value = body.value;
                if comma_inside {
                    let keep = value.trim_end().len().saturating_sub(1);
                    value.truncate(keep);
                }
                let end_line = at == self.text.len();
                let span = Span::new(open, open + trimmed.len() + open_len);
                let mut issue = SyntaxIssue::new(
                    "json-syntax",
                    span,
                    if opener_smart {
                        "string opened with a typographic quote is never closed".to_string()
                    } else if end_line {
                        "string is never closed before the end of the file".to_string()
                    } else {
                        "string is never closed before the end of the line".to_string()
                    },
                );
                issue.help = Some(if comma_inside {
                    "add the closing `\"` before the `,` at the end of the line".to_string()
                } else {
                    "add the closing `\"`; a JSON string cannot span lines (write a line break inside one as `\\n`)".to_string()
                });
                issue.labels.push((
                    Span::new(open, open + open_len),
                    "the string starts here".to_string(),
                ));
                self.report(issue);
                Token {
                    kind: Tok::Str(value),
                    span,
                    bad: true,
                    comma_inside,
                    issue: None,
                }
            }
        }
    }

    /// A string opened with a typographic quote.
    fn smart_string(&mut self, c: char) -> Token {
        let open = self.pos;
        let len = c.len_utf8();
        let closers: &[char] = if c == LDQ || c == RDQ {
            &[RDQ, LDQ, '"']
        } else {
            &[RSQ, LSQ]
        };
        let body = self.scan_body(open + len, closers);
        if let Some(t) = self.stray_quote(open, len, &body) {
            return t;
        }
        self.finish_string(open, len, body)
    }

    /// `'text'`: not JSON, but clearly meant as a string.
    fn single_quoted(&mut self) -> Token {
        let open = self.pos;
        let body = self.scan_body(open + 1, &['\'']);
        match body.stop {
            Stop::Closed(_, e) => {
                self.pos = e;
                let mut issue = SyntaxIssue::new(
                    "json-syntax",
                    Span::new(open, e),
                    "string in single quotes, which JSON does not allow",
                );
                issue.help = Some("use double quotes `\"` around JSON strings".to_string());
                self.report(issue);
                Token {
                    kind: Tok::Str(body.value),
                    span: Span::new(open, e),
                    bad: false,
                    comma_inside: false,
                    issue: None,
                }
            }
            Stop::Unterminated(_) => {
                self.pos = open + 1;
                self.token(Tok::Word, open)
            }
        }
    }

    fn number(&mut self) -> Token {
        let start = self.pos;
        let end = self.text[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-')))
            .map_or(self.text.len(), |i| start + i);
        self.pos = end.max(start + 1);
        let raw = &self.text[start..self.pos];
        if !valid_number(raw) {
            self.report(SyntaxIssue::new(
                "json-syntax",
                Span::new(start, self.pos),
                format!("`{raw}` is not a valid JSON number"),
            ));
        }
        self.token(Tok::Lit(Value::Number(super::Str::from(raw))), start)
    }

    fn word(&mut self) -> Token {
        let start = self.pos;
        let mut i = start;
        while let Some(c) = self.char_at(i) {
            // `kms:Decrypt`, `arn:aws:…` unquoted: a `:` between two word characters stays
            // in the word (an unquoted key is followed by `:` and a blank or a quote).
            let inner_colon = c == ':'
                && i > start
                && self
                    .char_at(i + 1)
                    .is_some_and(|n| n.is_alphanumeric() || matches!(n, '*' | '/' | '$'));
            let stop = !inner_colon
                && (c.is_ascii_whitespace()
                    || matches!(c, '{' | '}' | '[' | ']' | ':' | ',' | '"' | '\''));
            let stop = stop
                || is_smart_quote(c)
                || (c == '/' && matches!(self.bytes.get(i + 1), Some(b'/' | b'*')));
            if stop {
                break;
            }
            i += c.len_utf8();
        }
        if i == start {
            i += self.char_at(start).map_or(1, char::len_utf8);
        }
        // `ion": [` or `Allow",`: a key or value whose opening quote is missing.
        if self.bytes.get(i) == Some(&b'"') && i > start && closes_a_string(self.text, i + 1) {
            let word = self.text[start..i].to_string();
            self.pos = i + 1;
            let mut issue = SyntaxIssue::new(
                "json-syntax",
                Span::new(start, i + 1),
                format!("`{word}\"` has no opening quote"),
            );
            issue.help = Some(format!("write `\"{word}\"`"));
            self.report(issue);
            return self.token(Tok::Str(word), start);
        }
        self.pos = i;
        let kind = match &self.text[start..i] {
            "true" => Tok::Lit(Value::Bool(true)),
            "false" => Tok::Lit(Value::Bool(false)),
            "null" => Tok::Lit(Value::Null),
            _ => Tok::Word,
        };
        self.token(kind, start)
    }
}

/// Skips whole eight-byte words of plain printable ASCII (no `"`, `\`, `'`, control
/// character or non-ASCII byte) from `i`; the caller scans the rest byte by byte.
fn plain_words(bytes: &[u8], mut i: usize) -> usize {
    while let Some(w) = word_at(bytes, i) {
        // A byte below 0x20, one at 0x80 and above, or a quote or backslash.
        if bytes_below(w, 0x20) != 0
            || w & HIGHS != 0
            || zero_bytes(w ^ splat(b'"')) != 0
            || zero_bytes(w ^ splat(b'\\')) != 0
            || zero_bytes(w ^ splat(b'\'')) != 0
        {
            break;
        }
        i += 8;
    }
    i
}

/// The end of a run of spaces starting at `i` (pretty-printed JSON indents with them).
fn spaces(bytes: &[u8], mut i: usize) -> usize {
    while word_at(bytes, i) == Some(splat(b' ')) {
        i += 8;
    }
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// Whether what follows a `"` at `after` (spaces aside) is what follows a string: `:`,
/// `,`, a closer, a line break or the end.
fn closes_a_string(text: &str, after: usize) -> bool {
    let rest = text[after..].trim_start_matches([' ', '\t']);
    matches!(
        rest.chars().next(),
        None | Some(':' | ',' | '}' | ']' | '\n' | '\r')
    )
}

/// After a closed `"` string at `end`: is the next thing on the line something that can
/// not follow a string (so the string probably ended earlier)?
fn junk_follows(text: &str, end: usize) -> bool {
    let rest = text[end..].trim_start_matches([' ', '\t']);
    !matches!(
        rest.chars().next(),
        None | Some(':' | ',' | '}' | ']' | '\n' | '\r' | '/')
    )
}

/// Decodes the escape at `text[i]` (a backslash). Returns the character (or `None` if the
/// escape is invalid) and the number of bytes the escape occupies.
fn decode_escape(text: &str, i: usize) -> (Option<char>, usize) {
    let b = text.as_bytes();
    match b.get(i + 1) {
        Some(b'u') => {}
        Some(b'\n' | b'\r') | None => return (None, 1),
        Some(&c) => {
            if let Some(c) = simple_escape(c) {
                return (Some(c), 2);
            }
            let len = text[i + 1..].chars().next().map_or(1, char::len_utf8);
            return (None, 1 + len);
        }
    }
    let Some(hi) = hex4(b, i + 2) else {
        return (None, 2);
    };
    if (0xD800..0xDC00).contains(&hi) {
        if b.get(i + 6) == Some(&b'\\') && b.get(i + 7) == Some(&b'u') {
            if let Some(lo) = hex4(b, i + 8).filter(|lo| (0xDC00..0xE000).contains(lo)) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return (char::from_u32(c), 12);
            }
        }
        return (None, 6);
    }
    if (0xDC00..0xE000).contains(&hi) {
        return (None, 6);
    }
    (char::from_u32(hi), 6)
}

fn escape_issue(text: &str, start: usize, end: usize) -> SyntaxIssue {
    let raw = text.get(start..end).unwrap_or("\\");
    let mut issue = SyntaxIssue::new(
        "json-syntax",
        Span::new(start, end),
        if raw.starts_with("\\u") {
            format!("`{raw}` is not a valid unicode escape")
        } else {
            format!("`{raw}` is not a valid escape in a JSON string")
        },
    );
    issue.help = Some(if raw.starts_with("\\u") {
        "write `\\u` followed by four hexadecimal digits (a surrogate pair for characters beyond U+FFFF)".to_string()
    } else {
        "write a literal backslash as `\\\\`; the valid escapes are `\\\"` `\\\\` `\\/` `\\b` `\\f` `\\n` `\\r` `\\t` `\\uXXXX`".to_string()
    });
    issue
}

/// RFC 8259 number grammar.
pub(super) fn valid_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return false;
        }
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !matches!(b.get(i), Some(b'0'..=b'9')) {
            return false;
        }
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        let mut l = Lexer::new(text);
        let mut out = Vec::new();
        loop {
            let t = l.next();
            if t.kind == Tok::Eof {
                return out;
            }
            out.push(t.kind);
        }
    }

    #[test]
    fn word_scans_agree_with_byte_scans() {
        let plain = |b: u8| (0x20..0x80).contains(&b) && !matches!(b, b'"' | b'\\' | b'\'');
        let mut cases: Vec<Vec<u8>> = vec![b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec()];
        for bad in [
            b'"', b'\\', b'\'', b'\n', b'\t', 0x1f, 0x00, 0x80, 0xe2, 0x7f, b' ',
        ] {
            for at in 0..20 {
                let mut v = b"kms:Encrypt-and-more-text".to_vec();
                v[at] = bad;
                cases.push(v);
            }
        }
        for case in &cases {
            for from in 0..case.len() {
                let fast = plain_words(case, from);
                let mut slow = from;
                while case.get(slow).is_some_and(|&b| plain(b)) {
                    slow += 1;
                }
                assert!(
                    fast <= slow && (slow - fast < 8 || fast + 8 > case.len()),
                    "{case:?} {from}"
                );
                assert!(case[from..fast].iter().all(|&b| plain(b)));
            }
        }
        let text = b"{\n                \"a\"        x";
        for from in 0..text.len() {
            let mut slow = from;
            while text.get(slow) == Some(&b' ') {
                slow += 1;
            }
            assert_eq!(spaces(text, from), slow);
        }
    }

    #[test]
    fn numbers() {
        for ok in ["0", "-0", "12", "1.5", "1e9", "-1.25E-3", "111122223333"] {
            assert!(valid_number(ok), "{ok}");
        }
        for bad in ["01", "1.", ".5", "-", "1e", "0x1F", "+1", "1.2.3"] {
            assert!(!valid_number(bad), "{bad}");
        }
    }

    #[test]
    fn smart_quotes_become_strings() {
        let mut l = Lexer::new("{“Sid”: “Allow”}");
        let mut toks = Vec::new();
        loop {
            let t = l.next();
            if t.kind == Tok::Eof {
                break;
            }
            toks.push(t.kind);
        }
        assert_eq!(
            toks,
            vec![
                Tok::LBrace,
                Tok::Str("Sid".into()),
                Tok::Colon,
                Tok::Str("Allow".into()),
                Tok::RBrace
            ]
        );
        assert_eq!(l.smart.len(), 2);
        assert!(l.smart.iter().all(|s| s.certain && s.quotes.len() == 2));
    }

    #[test]
    fn mixed_quotes_close_on_the_typographic_one() {
        // Opened with `"`, closed with `”`, on one line.
        assert_eq!(
            kinds("\"Sid”: \"Allow\""),
            vec![Tok::Str("Sid".into()), Tok::Colon, Tok::Str("Allow".into())]
        );
        // At the end of a line.
        assert_eq!(
            kinds("\"Effect\": \"Allow”,\n"),
            vec![
                Tok::Str("Effect".into()),
                Tok::Colon,
                Tok::Str("Allow".into()),
                Tok::Comma
            ]
        );
        // A typographic quote inside a proper string is just a character.
        assert_eq!(
            kinds("\"the “main” key\","),
            vec![Tok::Str("the “main” key".into()), Tok::Comma]
        );
    }

    #[test]
    fn comments_are_skipped_and_recorded() {
        let mut l = Lexer::new("[1, // one\n/* two */ 2]");
        let mut n = 0;
        while l.next().kind != Tok::Eof {
            n += 1;
        }
        assert_eq!(n, 5);
        assert_eq!(l.comments.len(), 2);
        assert!(l.comments.iter().all(|c| c.closed));
    }

    #[test]
    fn unterminated_string_keeps_the_comma() {
        let mut l = Lexer::new("\"Allow,\n\"x\"");
        let t = l.next();
        assert_eq!(t.kind, Tok::Str("Allow".into()));
        assert!(t.bad && t.comma_inside);
        assert_eq!(l.next().kind, Tok::Str("x".into()));
        assert!(t.issue.is_some());
    }

    #[test]
    fn escapes() {
        assert_eq!(
            kinds(r#""a\"b\u00e9\ud83d\ude00""#),
            vec![Tok::Str("a\"bé😀".into())]
        );
        let mut l = Lexer::new(r#""C:\Users""#);
        let t = l.next();
        assert_eq!(t.kind, Tok::Str("C:\\Users".into()));
        assert!(t.issue.is_some());
    }
}
