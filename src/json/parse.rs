//! The recovering, span-keeping JSON parser.
//!
//! A broken file is not the end: the parser reports each mistake once, at the character
//! where it is, repairs it in its head (skips a trailing comma or a comment, reads
//! typographic quotes as quotes, assumes the missing comma, closes what was left open,
//! takes statements pasted after the `Statement` array's `]` into the array) and goes on, so
//! that it returns a best-effort tree the other rules can still judge.
//!
//! It never recurses: containers live on an explicit stack bounded by [`MAX_DEPTH`], so
//! `[[[[…` a million deep is one diagnostic, not a stack overflow. Every token is consumed
//! exactly once and lookahead is at most two tokens, so the work is linear in the input.
//! After an error, errors at the very next token are taken as its cascade and not reported.
//! Naming the mistakes made while splicing statements is `splice.rs`'s job; this file
//! records what it saw for it.

use std::collections::HashMap;

use super::edit::apply_edits;
use super::fast;
use super::lex::{Comment, Lexer, SmartUse, Tok, Token};
use super::splice::{self, MissingComma, Outside};
use super::{Member, Node, Str, Value};
use crate::source::Span;

/// Deepest nesting accepted. Real key policies and templates nest < 20 deep.
pub const MAX_DEPTH: usize = 256;

/// At most this many `json-syntax` findings per document; past that, the rest is noise.
const MAX_SYNTAX_ERRORS: usize = 25;

/// At most this many findings of one rule per document.
const MAX_PER_RULE: usize = 25;

/// Bytes of re-parsing spent, per document, on checking that fixes are certain.
const VERIFY_BYTES: usize = 2 << 20;
/// At most this many fixes are checked by re-parsing per document.
const VERIFY_MAX: usize = 16;

/// The elements of a key policy statement that IAM knows. Inside a statement's
/// `Principal`, `NotPrincipal` or `Condition` object they mean its `}` is missing (the
/// recovering parser splits the object there, so the fast path refuses such an object);
/// with `Version`, `Id` and `Statement` they start a pasted statement or policy.
pub const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Whether `key` starts a pasted statement or a pasted policy document.
fn is_statement_key(key: &str) -> bool {
    STATEMENT_ELEMENTS.contains(&key) || matches!(key, "Version" | "Id" | "Statement")
}

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
    /// Text edits that repair the mistake, if the repair is certain: applied together
    /// (with [`crate::json::apply_edits`]) they remove this issue and add none.
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

    pub(super) fn with_help(mut self, help: impl Into<String>) -> SyntaxIssue {
        self.help = Some(help.into());
        self
    }

    pub(super) fn with_label(mut self, span: Span, label: impl Into<String>) -> SyntaxIssue {
        self.labels.push((span, label.into()));
        self
    }

    pub(super) fn with_fix(mut self, fix: Option<Vec<(Span, String)>>) -> SyntaxIssue {
        self.fix = fix;
        self
    }
}

/// What the parser made of a text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// The tree; with syntax issues, the best-effort tree (or `None` if nothing usable).
    pub root: Option<Node>,
    /// Every issue, sorted by position.
    pub issues: Vec<SyntaxIssue>,
}

impl Parsed {
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty() && self.root.is_some()
    }
}

/// Parses `text` as one JSON document, recovering from mistakes.
///
/// A valid file (the common case) is read by the strict fast path (`fast.rs`); whenever
/// that is not sure the file is valid and clean — a syntax error, a duplicate key, a splice
/// finding, anything special — the recovering parser reads it again and has the last word.
pub fn parse(text: &str) -> Parsed {
    if let Some(fast) = fast::parse(text) {
        let mut issues = Vec::new();
        if fast.has_statement {
            // The only finding the recovering parser can make on valid JSON without
            // duplicate keys: the shape of a `Statement` value.
            splice::analyse(text, Some(&fast.root), Vec::new(), &[], &mut issues);
        }
        if issues.is_empty() {
            return Parsed {
                root: Some(fast.root),
                issues,
            };
        }
    }
    parse_slow(text)
}

/// [`parse`] without the fast path: the recovering parser alone. For tests and fuzz
/// targets that compare the two.
#[doc(hidden)]
pub fn parse_slow(text: &str) -> Parsed {
    parse_inner(text, true)
}

pub(super) fn parse_inner(text: &str, verify: bool) -> Parsed {
    let mut parsed = parse_uncapped(text);
    if verify {
        verify_fixes(text, &mut parsed);
    }
    parsed.issues.sort_by(|a, b| {
        (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule))
    });
    // A file with thousands of comments or duplicate keys is not a file anyone wrote by
    // hand; the first ones say what is wrong. (Fixes are verified before this cut: with
    // more than the cap, removing one mistake would not lower the capped count.)
    let mut per_rule: HashMap<&'static str, usize> = HashMap::new();
    parsed.issues.retain(|i| {
        let n = per_rule.entry(i.rule).or_insert(0);
        *n += 1;
        *n <= MAX_PER_RULE
    });
    parsed
}

/// The tree and every issue, fixes unverified and findings per rule not capped.
fn parse_uncapped(text: &str) -> Parsed {
    let mut p = Parser::new(text);
    p.run();
    p.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Array,
    Object,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Array => "array",
            Kind::Object => "object",
        }
    }
    fn closer(self) -> &'static str {
        match self {
            Kind::Array => "]",
            Kind::Object => "}",
        }
    }
}

/// Where a container is in its grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    /// Just after `[` or `{`.
    Start,
    AfterComma,
    AfterValue,
    /// Objects: after a key, expecting `:`.
    AfterKey,
    /// Objects: after `:`, expecting a value.
    AfterColon,
    /// Objects: after `]` of `Statement` + pasted statements + `,`, expecting the next `{`.
    OutsideNext,
    /// Objects: after a statement pasted after the `Statement` array.
    OutsideAfter,
}

struct Frame {
    kind: Kind,
    open: Span,
    items: Vec<Node>,
    members: Vec<Member>,
    state: St,
    /// Objects: the key waiting for its value.
    key: Option<(Str, Span)>,
    /// Objects: the next value is parsed but dropped (it had no key).
    discard: bool,
    /// The member key this container is the value of.
    name: Option<String>,
    /// Arrays: a `Statement` array (or an array nested in one).
    statements: bool,
    last_comma: Option<Span>,
    /// Objects: the splice-outside record of statements pasted after `Statement`'s `]`.
    outside: Option<usize>,
    /// Objects: the object being parsed now is such a pasted statement.
    pending_outside: bool,
    /// A `json-syntax` error was reported in this container: later ones are its cascade.
    erred: bool,
    /// Objects: the pending key came right after a comma.
    key_after_comma: bool,
    /// Commas after `last_comma` with nothing between (`,,`), reported as such.
    extra_commas: Vec<Span>,
    /// Objects: an element of a `Statement` array (or a statement pasted after it).
    is_statement: bool,
}

impl Frame {
    fn new(kind: Kind, open: Span, name: Option<String>, statements: bool) -> Frame {
        Frame {
            kind,
            open,
            items: Vec::new(),
            members: Vec::new(),
            state: St::Start,
            key: None,
            discard: false,
            name,
            statements,
            last_comma: None,
            outside: None,
            pending_outside: false,
            erred: false,
            key_after_comma: false,
            extra_commas: Vec::new(),
            is_statement: false,
        }
    }

    /// "the `Statement` array", "the array", "the statement", "the object".
    fn describe(&self) -> String {
        if self.is_statement {
            return "the statement".to_string();
        }
        match &self.name {
            Some(n) => format!("the `{n}` {}", self.kind.name()),
            None => format!("the {}", self.kind.name()),
        }
    }
}

/// Parser state outside any container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Top {
    BeforeRoot,
    AfterRoot,
    /// After the root, statements pasted outside the document: expecting `{`.
    OutsideNext(usize),
    /// A pasted statement after the root is being parsed.
    OutsidePending(usize),
    OutsideAfter(usize),
    /// Closers after the statements pasted after the root.
    Stray(usize),
}

struct Parser<'a> {
    text: &'a str,
    lex: Lexer<'a>,
    stack: Vec<Frame>,
    root: Option<Node>,
    top: Top,
    issues: Vec<SyntaxIssue>,
    missing: Vec<MissingComma>,
    outside: Vec<Outside>,
    /// An error was reported (or suppressed) at the previous token: the next one's errors
    /// are its cascade.
    recent_error: bool,
    step_erred: bool,
    reported: usize,
    duplicates: usize,
    stopped: bool,
    /// End of the last token consumed.
    last_end: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        Parser {
            text,
            lex: Lexer::new(text),
            stack: Vec::new(),
            root: None,
            top: Top::BeforeRoot,
            issues: Vec::new(),
            missing: Vec::new(),
            outside: Vec::new(),
            recent_error: false,
            step_erred: false,
            reported: 0,
            duplicates: 0,
            stopped: false,
            last_end: 0,
        }
    }

    fn run(&mut self) {
        while !self.stopped {
            let tok = self.lex.next();
            if matches!(tok.kind, Tok::Eof) {
                self.eof(tok.span.start);
                return;
            }
            let mut tok = tok;
            let (bad, comma_inside, end) = (tok.bad, tok.comma_inside, tok.span.end);
            self.step_erred = false;
            if let Some(issue) = tok.issue.take() {
                self.error(*issue);
            }
            if self.stack.is_empty() {
                self.top_level(tok);
            } else if self.frame_kind() == Some(Kind::Array) {
                self.array(tok);
            } else {
                self.object(tok);
            }
            if comma_inside {
                // `"Allow,` + line break: the comma was meant to follow the string.
                if let Some(f) = self.stack.last_mut() {
                    if f.state == St::AfterValue {
                        f.state = St::AfterComma;
                        f.last_comma = None;
                    }
                }
            }
            self.recent_error = bad || self.step_erred;
            self.last_end = end;
        }
        // Stopped (too deep, or unreadable content after the document): close what is open
        // without further complaint.
        while !self.stack.is_empty() {
            self.close_virtual();
        }
    }

    fn frame_kind(&self) -> Option<Kind> {
        self.stack.last().map(|f| f.kind)
    }

    /// Whether an error at this token may be reported (it is not a cascade); marks the
    /// step as erred either way.
    /// Counts toward [`MAX_SYNTAX_ERRORS`] when it says yes.
    fn may_report(&mut self) -> bool {
        let ok = !self.recent_error && !self.step_erred && self.reported < MAX_SYNTAX_ERRORS;
        self.step_erred = true;
        if ok {
            self.reported += 1;
        }
        ok
    }

    /// Like [`Parser::may_report`] for a missing comma, which is not capped here: each is
    /// a certain, fixable mistake that `--fix` must see to repair them all in one run
    /// (findings are capped per rule after the fixes are verified).
    fn may_report_missing_comma(&mut self) -> bool {
        let ok = !self.recent_error && !self.step_erred;
        self.step_erred = true;
        ok
    }

    /// Reports a `json-syntax` issue unless it is a cascade: right after another error, or
    /// in a container that already had one (its structure is a guess from then on).
    fn error(&mut self, issue: SyntaxIssue) {
        if self.stack.last().is_some_and(|f| f.erred) {
            self.step_erred = true;
            return;
        }
        if self.may_report() {
            self.issues.push(issue);
            if let Some(f) = self.stack.last_mut() {
                f.erred = true;
            }
        }
    }

    /// After a recovery that closed containers by guess, the container that goes on is
    /// suspect too.
    fn mark_erred(&mut self) {
        if let Some(f) = self.stack.last_mut() {
            f.erred = true;
        }
    }

    fn describe(&self, tok: &Token) -> String {
        match &tok.kind {
            Tok::Eof => "the end of the file".to_string(),
            _ => {
                let raw = &self.text[tok.span.start..tok.span.end];
                let short: String = raw.chars().take(40).collect();
                let ellipsis = if short.len() < raw.len() { "…" } else { "" };
                format!("`{short}{ellipsis}`")
            }
        }
    }

    fn peek_is_statement_start(&mut self, k: usize) -> bool {
        matches!(self.lex.peek(k), Tok::Str(s) if is_statement_key(s))
    }

    // ----- values and containers -----------------------------------------------------

    fn start_value(&mut self, tok: Token) {
        match tok.kind {
            Tok::LBrace => self.push(Kind::Object, tok.span),
            Tok::LBracket => self.push(Kind::Array, tok.span),
            Tok::Str(s) => self.complete(Node::new(Value::String(Str::from(s)), tok.span)),
            Tok::Lit(v) => self.complete(Node::new(v, tok.span)),
            Tok::Word => {
                let node = self.word_value(tok.span);
                self.complete(node);
            }
            _ => {}
        }
    }

    fn word_value(&mut self, span: Span) -> Node {
        let w = &self.text[span.start..span.end];
        let (value, message, help) = match w {
            "True" | "TRUE" => (
                Value::Bool(true),
                format!("`{w}` is not a JSON value"),
                "write `true` in lower case".to_string(),
            ),
            "False" | "FALSE" => (
                Value::Bool(false),
                format!("`{w}` is not a JSON value"),
                "write `false` in lower case".to_string(),
            ),
            "None" | "NULL" | "Null" | "nil" | "undefined" => (
                Value::Null,
                format!("`{w}` is not a JSON value"),
                "write `null` in lower case".to_string(),
            ),
            "NaN" | "Infinity" => (
                Value::Null,
                format!("`{w}` is not a JSON number"),
                "write a number, or the value as a string in double quotes".to_string(),
            ),
            _ if w.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') => (
                Value::String(Str::from(w)),
                format!("`{w}` is not in quotes; JSON strings must be in double quotes"),
                format!("write `\"{w}\"`"),
            ),
            _ => (
                Value::Null,
                format!("unexpected `{w}` where a value should be"),
                "remove it, or write the value in double quotes".to_string(),
            ),
        };
        self.error(SyntaxIssue::new("json-syntax", span, message).with_help(help));
        Node::new(value, span)
    }

    fn push(&mut self, kind: Kind, open: Span) {
        if self.stack.len() >= MAX_DEPTH {
            // Always reported: it is the only finding the rest of the file gets.
            self.issues.push(
                SyntaxIssue::new(
                    "json-syntax",
                    open,
                    format!("nesting deeper than {MAX_DEPTH} levels; cmklint stops reading here"),
                )
                .with_help("no key policy, template or CLI output nests this deep; check that the file is what you meant to lint"),
            );
            self.stopped = true;
            return;
        }
        let is_statement = kind == Kind::Object
            && match self.stack.last() {
                Some(f) if f.kind == Kind::Array => f.statements,
                Some(f) => f.pending_outside,
                None => matches!(self.top, Top::OutsidePending(_)),
            };
        let (name, statements) = match self.stack.last() {
            Some(f) if f.kind == Kind::Object => {
                let name = if f.pending_outside {
                    None
                } else {
                    f.key.as_ref().map(|k| k.0.clone())
                };
                let st = kind == Kind::Array && name.as_deref() == Some("Statement");
                (name, st)
            }
            Some(f) => (None, kind == Kind::Array && f.statements),
            None => (None, false),
        };
        let mut frame = Frame::new(kind, open, name.map(String::from), statements);
        frame.is_statement = is_statement;
        self.stack.push(frame);
    }

    /// A finished value goes to its container (or becomes the root).
    fn complete(&mut self, node: Node) {
        let Some(f) = self.stack.last_mut() else {
            self.complete_top(node);
            return;
        };
        match f.kind {
            Kind::Array => {
                f.items.push(node);
                f.state = St::AfterValue;
                f.extra_commas.clear();
            }
            Kind::Object if f.pending_outside => {
                f.pending_outside = false;
                f.state = St::OutsideAfter;
                let span = node.span;
                if let Some(m) = f.members.last_mut() {
                    if let Value::Array(items) = &mut m.value.value {
                        items.push(node);
                        m.value.span.end = span.end;
                    }
                }
                if let Some(o) = f.outside.and_then(|i| self.outside.get_mut(i)) {
                    o.pasted.push(span);
                }
            }
            Kind::Object => {
                if let Some((key, key_span)) = f.key.take() {
                    if !f.discard {
                        f.members.push(Member {
                            key,
                            key_span,
                            value: node,
                        });
                    }
                }
                f.discard = false;
                f.state = St::AfterValue;
            }
        }
    }

    fn complete_top(&mut self, node: Node) {
        match self.top {
            Top::BeforeRoot => {
                self.root = Some(node);
                self.top = Top::AfterRoot;
            }
            Top::OutsidePending(i) => {
                let span = node.span;
                if let Some(root) = &mut self.root {
                    root.span.end = span.end;
                    if let Value::Object(members) = &mut root.value {
                        if let Some(m) = members.last_mut() {
                            if let Value::Array(items) = &mut m.value.value {
                                items.push(node);
                                m.value.span.end = span.end;
                            }
                        }
                    }
                }
                if let Some(o) = self.outside.get_mut(i) {
                    o.pasted.push(span);
                }
                self.top = Top::OutsideAfter(i);
            }
            _ => {}
        }
    }

    /// Pops the top container, closed by the token at `close`.
    fn close(&mut self, close: Span) {
        let Some(f) = self.stack.pop() else {
            return;
        };
        let span = Span::new(f.open.start, close.end);
        let node = match f.kind {
            Kind::Array => Node::new(Value::Array(f.items), span),
            Kind::Object => {
                self.check_duplicates(&f.members);
                Node::new(Value::Object(f.members), span)
            }
        };
        self.complete(node);
    }

    /// Closes the top object with the `}` at `close`. If it is a statement's `Principal`
    /// or `Condition` that holds statement elements (`"Principal": {"AWS": "…", "Action":
    /// …}`), and this `}` is followed by what follows a statement (`, {`, `]`, the end),
    /// its own `}` is the one missing: it ends before the first of them, they go back to
    /// the statement, and this `}` closes the statement. Followed by `,` and a key, or by
    /// `}`, this `}` does close it, as in valid JSON, and the tree stays as written.
    fn close_object(&mut self, close: Span) {
        let ends_statement = match self.lex.peek(0) {
            Tok::RBracket | Tok::Eof => true,
            Tok::Comma => *self.lex.peek(1) == Tok::LBrace,
            _ => false,
        };
        let split = self.stack.last().filter(|_| ends_statement).and_then(|f| {
            let own = f.name.as_deref()?;
            if !matches!(own, "Principal" | "NotPrincipal" | "Condition")
                || !self.parent_is_object()
            {
                return None;
            }
            f.members
                .iter()
                .position(|m| m.key != own && STATEMENT_ELEMENTS.contains(&m.key.as_str()))
        });
        let Some(at) = split else {
            self.close(close);
            return;
        };
        let Some(mut f) = self.stack.pop() else {
            return;
        };
        let moved: Vec<Member> = f.members.split_off(at);
        let own = f.name.clone().unwrap_or_default();
        if let Some(first) = moved.first() {
            self.error(
                SyntaxIssue::new(
                    "json-syntax",
                    first.key_span,
                    format!(
                        "the `{own}` object is not closed before `\"{}\"`",
                        first.key
                    ),
                )
                .with_help(format!(
                    "add `}}` at the end of the `{own}` value, before `\"{}\"`",
                    first.key
                ))
                .with_label(f.open, format!("`{own}` starts here")),
            );
        }
        let end = f.members.last().map_or(f.open.end, |m| m.value.span.end);
        self.check_duplicates(&f.members);
        let node = Node::new(Value::Object(f.members), Span::new(f.open.start, end));
        self.complete(node);
        if let Some(parent) = self.stack.last_mut() {
            parent.members.extend(moved);
            parent.erred = true;
        }
        self.close(close);
    }

    /// The kind of the container around the top one (`None` at the root).
    fn parent_kind(&self) -> Option<Kind> {
        let i = self.stack.len().checked_sub(2)?;
        self.stack.get(i).map(|p| p.kind)
    }

    fn parent_is_object(&self) -> bool {
        self.parent_kind() == Some(Kind::Object)
    }

    /// Closes the top container after its last content (its closer is missing).
    fn close_virtual(&mut self) {
        let Some(f) = self.stack.last() else {
            return;
        };
        let content_end = match f.kind {
            Kind::Array => f.items.last().map(|n| n.span.end),
            Kind::Object => f.members.last().map(|m| m.value.span.end),
        };
        let end = content_end.unwrap_or(f.open.end).max(f.open.end);
        self.close(Span::point(end));
    }

    fn check_duplicates(&mut self, members: &[Member]) {
        if members.len() < 2 {
            return;
        }
        // Objects are small: a linear look-back beats hashing up to a few dozen members.
        let mut first: HashMap<&str, Span> = HashMap::new();
        let small = members.len() <= 24;
        for (i, m) in members.iter().enumerate() {
            let earlier = if small {
                members[..i]
                    .iter()
                    .find(|e| e.key == m.key)
                    .map(|e| e.key_span)
            } else {
                first.get(m.key.as_str()).copied()
            };
            match earlier {
                None => {
                    if !small {
                        first.insert(&m.key, m.key_span);
                    }
                }
                Some(at) => {
                    if self.duplicates >= MAX_PER_RULE {
                        return;
                    }
                    self.duplicates += 1;
                    let help = if m.key == "Statement" {
                        "move the statements of both `Statement` arrays into one array; AWS keeps only the last `Statement` and silently drops the statements of the first".to_string()
                    } else {
                        format!("remove one of the two `{}` members or merge their values; AWS, Azure and most JSON readers silently keep only the last one", m.key)
                    };
                    self.issues.push(
                        SyntaxIssue::new(
                            "json-duplicate-key",
                            m.key_span,
                            format!("key `{}` appears a second time in this object", m.key),
                        )
                        .with_help(help)
                        .with_label(at, format!("first `{}` here", m.key)),
                    );
                }
            }
        }
    }

    // ----- arrays --------------------------------------------------------------------

    fn array(&mut self, tok: Token) {
        let Some(f) = self.stack.last() else {
            return;
        };
        let st = f.state;
        match tok.kind {
            Tok::RBracket
                if st == St::AfterComma
                    && matches!(self.lex.peek(0), Tok::Str(_) | Tok::Lit(_))
                    && matches!(self.lex.peek(1), Tok::Comma | Tok::RBracket) =>
            {
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        "`]` closes the array too early: more elements follow it",
                    )
                    .with_help("remove this `]`"),
                );
            }
            Tok::RBracket => {
                if st == St::AfterComma {
                    self.trailing_comma();
                }
                self.close(tok.span);
            }
            ref k if k.starts_value() => {
                if st == St::AfterValue {
                    self.missing_comma_in_array(&tok);
                }
                self.start_value(tok);
            }
            Tok::Comma => match st {
                St::AfterValue => {
                    if let Some(f) = self.stack.last_mut() {
                        f.state = St::AfterComma;
                        f.last_comma = Some(tok.span);
                    }
                }
                St::Start => self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        "comma before the first element of the array",
                    )
                    .with_help("remove this comma; a comma goes only between two elements"),
                ),
                _ => self.double_comma(
                    SyntaxIssue::new("json-syntax", tok.span, "two commas in a row in the array")
                        .with_help(
                            "remove one of them; exactly one comma goes between two elements",
                        ),
                ),
            },
            Tok::RBrace => self.mismatched(tok),
            Tok::Colon
                if st == St::AfterValue && self.last_is_string_item() && self.value_follows() =>
            {
                self.missing_open_brace_in_array();
            }
            _ => {
                let what = self.describe(&tok);
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("unexpected {what} inside an array"),
                    )
                    .with_help("array elements are separated by `,`; a `\"key\": value` pair belongs in an object `{ }`"),
                );
            }
        }
    }

    fn missing_comma_in_array(&mut self, tok: &Token) {
        if !self.may_report_missing_comma() {
            return;
        }
        let Some(f) = self.stack.last() else {
            return;
        };
        let Some(prev) = f.items.last() else {
            return;
        };
        self.missing.push(MissingComma {
            prev: prev.span,
            prev_is_container: matches!(prev.value, Value::Object(_) | Value::Array(_)),
            prev_is_object: matches!(prev.value, Value::Object(_)),
            next: tok.span,
            next_is_object: tok.kind == Tok::LBrace,
            in_array: true,
            statements: f.statements,
            container: f.name.clone(),
        });
        self.mark_erred();
    }

    /// `,,`: reported, and remembered so that a trailing-comma fix removes them all.
    fn double_comma(&mut self, issue: SyntaxIssue) {
        let span = issue.span;
        self.error(issue);
        if let Some(f) = self.stack.last_mut() {
            f.extra_commas.push(span);
        }
    }

    fn trailing_comma(&mut self) {
        let Some(f) = self.stack.last() else {
            return;
        };
        let Some(first) = f.last_comma else {
            return; // the comma was inside an unterminated string, already reported
        };
        // `,,]`: one mistake; this finding replaces the "two commas" one.
        let extra = f.extra_commas.clone();
        self.issues
            .retain(|i| !(i.rule == "json-syntax" && extra.contains(&i.span)));
        let comma = extra.last().map_or(first, |l| first.cover(*l));
        let mut edits = vec![(first, String::new())];
        edits.extend(extra.iter().map(|c| (*c, String::new())));
        // The closer really ends the container only if what follows it fits the parent
        // (`,` or the parent's own closer). Before a stray `]` (`},\n]  {`) the comma
        // separates elements and the `]` is the mistake: the finding stands, without a
        // fix, since removing the comma would make the parser read the rest differently.
        let fits = match self.parent_kind() {
            None => true,
            Some(kind) => {
                let closer = match kind {
                    Kind::Object => Tok::RBrace,
                    Kind::Array => Tok::RBracket,
                };
                let next = self.lex.peek(0);
                matches!(next, Tok::Comma | Tok::Eof) || *next == closer
            }
        };
        let Some(f) = self.stack.last() else {
            return;
        };
        let (message, help) = match f.kind {
            Kind::Array if f.statements => (
                "comma after the last statement of the `Statement` array".to_string(),
                "remove this comma; commas go only between statements, not after the last one (AWS KMS rejects the policy otherwise)".to_string(),
            ),
            Kind::Array => (
                format!("comma after the last element of {}", f.describe()),
                "remove this comma; JSON allows a comma only between two elements".to_string(),
            ),
            Kind::Object => (
                "comma after the last member of the object".to_string(),
                "remove this comma; JSON allows a comma only between two members".to_string(),
            ),
        };
        self.issues.push(
            SyntaxIssue::new("json-trailing-comma", comma, message)
                .with_help(help)
                .with_fix(fits.then_some(edits)),
        );
    }

    // ----- objects -------------------------------------------------------------------

    fn object(&mut self, mut tok: Token) {
        let Some(f) = self.stack.last() else {
            return;
        };
        let mut st = f.state;
        // Statements pasted after the `Statement` array's `]`.
        match (st, &tok.kind) {
            (St::OutsideNext, Tok::LBrace) => {
                self.pasted_statement(tok);
                return;
            }
            (St::OutsideAfter, Tok::Comma) => {
                let next_statement =
                    *self.lex.peek(0) == Tok::LBrace && self.peek_is_statement_start(1);
                if let Some(f) = self.stack.last_mut() {
                    if next_statement {
                        f.state = St::OutsideNext;
                    } else {
                        f.state = St::AfterComma;
                        f.last_comma = Some(tok.span);
                    }
                }
                return;
            }
            (St::OutsideAfter, Tok::LBrace) => {
                if self.may_report() {
                    if let Some(prev) = self
                        .stack
                        .last()
                        .and_then(|f| f.outside)
                        .and_then(|i| self.outside.get(i))
                        .and_then(|o| o.pasted.last().copied())
                    {
                        self.missing.push(MissingComma {
                            prev,
                            prev_is_container: true,
                            prev_is_object: true,
                            next: tok.span,
                            next_is_object: true,
                            in_array: true,
                            statements: true,
                            container: Some("Statement".to_string()),
                        });
                    }
                }
                self.pasted_statement(tok);
                return;
            }
            (St::OutsideAfter, Tok::RBracket) => {
                let idx = self.stack.last().and_then(|f| f.outside);
                if let Some(o) = idx.and_then(|i| self.outside.get_mut(i)) {
                    o.strays.push(tok.span);
                }
                if let Some(f) = self.stack.last_mut() {
                    f.state = St::AfterValue;
                }
                return;
            }
            (St::OutsideNext | St::OutsideAfter, _) => {
                st = St::AfterValue;
                if let Some(f) = self.stack.last_mut() {
                    f.state = st;
                }
            }
            _ => {}
        }
        match (st, &tok.kind) {
            (St::Start | St::AfterComma | St::AfterValue, Tok::LBrace) if self.outside_starts() => {
                self.pasted_statement(tok);
            }
            (St::Start | St::AfterComma, Tok::Str(_)) => {
                let s = take_string(&mut tok.kind);
                self.set_key(s, tok.span);
            }
            (St::AfterValue, Tok::Str(_)) => {
                let s = take_string(&mut tok.kind);
                self.missing_comma_in_object(tok.span);
                self.set_key(s, tok.span);
            }
            (St::Start | St::AfterComma | St::AfterValue, Tok::Word)
                if *self.lex.peek(0) == Tok::Colon =>
            {
                let w = self.text[tok.span.start..tok.span.end].to_string();
                if st == St::AfterValue {
                    self.missing_comma_in_object(tok.span);
                }
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("key `{w}` is not in quotes"),
                    )
                    .with_help(format!("write the key in double quotes: `\"{w}\"`")),
                );
                self.set_key(Str::from(w), tok.span);
            }
            (St::AfterComma | St::AfterValue, Tok::LBrace) if self.parent_is_array() => {
                self.unclosed_before_next_object(st, tok);
            }
            (St::Start | St::AfterComma | St::AfterValue, k) if k.starts_value() => {
                let what = self.describe(&tok);
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("expected a key in double quotes, found {what}"),
                    )
                    .with_help("each member of an object is `\"key\": value`, separated by commas"),
                );
                // Parse the value and drop it, so its insides do not cascade.
                if let Some(f) = self.stack.last_mut() {
                    f.key = None;
                    f.discard = true;
                    f.state = St::AfterColon;
                }
                let depth = self.stack.len();
                self.start_value(tok);
                if self.stack.len() > depth {
                    self.mark_erred();
                }
            }
            (St::AfterValue, Tok::Colon)
                if self.last_member_is_fresh_string() && self.value_follows() =>
            {
                self.missing_open_brace_in_value();
            }
            (St::AfterKey, Tok::Comma | Tok::RBracket)
                if self.looks_like_list_without_bracket(&tok) =>
            {
                self.missing_open_bracket(tok);
            }
            (St::AfterComma, Tok::RBrace)
                if matches!(self.lex.peek(0), Tok::Str(_)) && *self.lex.peek(1) == Tok::Colon =>
            {
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        "`}` closes the object too early: more members follow it",
                    )
                    .with_help("remove this `}`"),
                );
            }
            (St::Start | St::AfterValue, Tok::RBrace) => self.close_object(tok.span),
            (St::AfterComma, Tok::RBrace) => {
                self.trailing_comma();
                self.close_object(tok.span);
            }
            (St::Start, Tok::Comma) => self.error(
                SyntaxIssue::new(
                    "json-syntax",
                    tok.span,
                    "comma before the first member of the object",
                )
                .with_help("remove this comma; exactly one comma goes between two members"),
            ),
            (St::AfterComma, Tok::Comma) => self.double_comma(
                SyntaxIssue::new("json-syntax", tok.span, "two commas in a row in the object")
                    .with_help("remove this comma; exactly one comma goes between two members"),
            ),
            (St::AfterKey, Tok::Colon) => {
                if let Some(f) = self.stack.last_mut() {
                    f.state = St::AfterColon;
                }
            }
            (St::AfterKey, k) if k.starts_value() => {
                let key = self.pending_key_name();
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("missing `:` between the key `{key}` and its value"),
                    )
                    .with_help(format!("write `\"{key}\": value`")),
                );
                if let Some(f) = self.stack.last_mut() {
                    f.state = St::AfterColon;
                }
                self.start_value(tok);
            }
            (St::AfterKey | St::AfterColon, Tok::Comma | Tok::RBrace) => {
                let key = self.pending_key_name();
                let key_span = self
                    .stack
                    .last()
                    .and_then(|f| f.key.as_ref().map(|k| k.1))
                    .unwrap_or(tok.span);
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("the key `{key}` has no value"),
                    )
                    .with_help(format!(
                        "write a value after `\"{key}\":`, or remove the key"
                    ))
                    .with_label(key_span, "this key"),
                );
                if let Some(f) = self.stack.last_mut() {
                    f.key = None;
                    f.discard = false;
                    f.state = St::AfterComma;
                    f.last_comma = None;
                }
                if tok.kind == Tok::RBrace {
                    self.close(tok.span);
                }
            }
            (St::AfterColon, k) if k.starts_value() => self.start_value(tok),
            (St::AfterValue, Tok::Comma) => {
                if let Some(f) = self.stack.last_mut() {
                    f.state = St::AfterComma;
                    f.last_comma = Some(tok.span);
                }
            }
            (_, Tok::RBracket) => self.mismatched(tok),
            _ => {
                let what = self.describe(&tok);
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("unexpected {what} in an object"),
                    )
                    .with_help("each member of an object is `\"key\": value`, separated by commas"),
                );
            }
        }
    }

    /// `{ "Sid": "A", … ,` and then `{`: the object was never closed.
    fn unclosed_before_next_object(&mut self, st: St, tok: Token) {
        let (open, desc) = self
            .stack
            .last()
            .map(|f| (f.open, f.describe()))
            .unwrap_or_default();
        let thing = desc.trim_start_matches("the ").to_string();
        let comma = self.stack.last().and_then(|f| f.last_comma);
        let at = comma.filter(|_| st == St::AfterComma).unwrap_or(tok.span);
        self.error(
            SyntaxIssue::new(
                "json-syntax",
                at,
                format!("the {thing} is not closed before the next `{{` begins"),
            )
            .with_help(format!(
                "add the missing `}}` at the end of the {thing}, before the comma that separates it from the next one"
            ))
            .with_label(open, format!("this {thing} is never closed")),
        );
        self.close_virtual();
        self.mark_erred();
        if let Some(p) = self.stack.last_mut() {
            if st == St::AfterComma {
                p.state = St::AfterComma;
                p.last_comma = comma;
            }
        }
        self.array(tok);
    }

    /// After a `:`, a value follows plainly: a container, or a scalar and then `,` or a
    /// closer.
    fn value_follows(&mut self) -> bool {
        match self.lex.peek(0) {
            Tok::LBrace | Tok::LBracket => true,
            Tok::Str(_) | Tok::Lit(_) => {
                matches!(self.lex.peek(1), Tok::Comma | Tok::RBrace | Tok::RBracket)
            }
            _ => false,
        }
    }

    /// The array's last element is a string that was the previous token.
    fn last_is_string_item(&self) -> bool {
        self.stack.last().is_some_and(|f| {
            f.items
                .last()
                .is_some_and(|n| matches!(n.value, Value::String(_)) && n.span.end == self.last_end)
        })
    }

    /// The object's last member has a string value that was the previous token.
    fn last_member_is_fresh_string(&self) -> bool {
        self.stack.last().is_some_and(|f| {
            f.members.last().is_some_and(|m| {
                matches!(m.value.value, Value::String(_)) && m.value.span.end == self.last_end
            })
        })
    }

    /// `[ …, "Sid": …`: a string followed by `:` in an array is the first key of an
    /// object whose `{` is missing. Reopens it as that object.
    fn missing_open_brace_in_array(&mut self) {
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        let Some(item) = f.items.pop() else {
            return;
        };
        let statements = f.statements;
        f.state = if f.items.is_empty() {
            St::Start
        } else {
            St::AfterComma
        };
        // A comma missing before the string is part of the same mistake: this finding
        // replaces that one (so it is reported even though it follows it).
        let replaces = self
            .missing
            .last()
            .is_some_and(|m| m.next.start == item.span.start);
        if replaces {
            self.missing.pop();
        }
        let Value::String(key) = item.value else {
            return;
        };
        let (message, help) = if statements {
            (
                format!("the statement that starts with `\"{key}\"` has no opening `{{`"),
                "add `{` before it; each statement is an object `{ … }` in the Statement array, separated by commas",
            )
        } else {
            (
                format!("`{{` is missing before the key `{key}`"),
                "add `{` before it; a `\"key\": value` pair belongs in an object",
            )
        };
        let issue = SyntaxIssue::new("json-syntax", item.span, message).with_help(help);
        if replaces {
            self.issues.push(issue);
            self.mark_erred();
        } else {
            self.error(issue);
        }
        self.mark_erred();
        self.push(Kind::Object, Span::point(item.span.start));
        if let Some(o) = self.stack.last_mut() {
            o.key = Some((key, item.span));
            o.state = St::AfterColon;
            o.erred = true;
        }
    }

    /// `"Bool": "kms:GrantIsForAWSResource": true`: the value of `Bool` is an object whose
    /// `{` is missing. Reopens the value as that object.
    fn missing_open_brace_in_value(&mut self) {
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        let Some(m) = f.members.pop() else {
            return;
        };
        let Value::String(inner_key) = m.value.value else {
            return;
        };
        let outer = m.key.clone();
        f.key = Some((m.key, m.key_span));
        f.state = St::AfterColon;
        self.error(
            SyntaxIssue::new(
                "json-syntax",
                m.value.span,
                format!(
                    "`{{` is missing before `\"{inner_key}\"`: the value of `{outer}` is an object"
                ),
            )
            .with_help(format!("add `{{` after `\"{outer}\":`")),
        );
        self.mark_erred();
        self.push(Kind::Object, Span::point(m.value.span.start));
        if let Some(o) = self.stack.last_mut() {
            o.key = Some((inner_key, m.value.span));
            o.state = St::AfterColon;
            o.erred = true;
        }
    }

    /// `"Action": "kms:Encrypt", "kms:Decrypt", …`: the value of `Action` is a list whose
    /// `[` is missing (a "key" with no value right after a string value, followed by more
    /// strings).
    fn looks_like_list_without_bracket(&mut self, tok: &Token) -> bool {
        let shape = self.stack.last().is_some_and(|f| {
            f.key_after_comma
                && f.members
                    .last()
                    .is_some_and(|m| matches!(m.value.value, Value::String(_)))
        });
        if !shape {
            return false;
        }
        tok.kind == Tok::RBracket
            || (matches!(self.lex.peek(0), Tok::Str(_))
                && matches!(self.lex.peek(1), Tok::Comma | Tok::RBracket))
    }

    fn missing_open_bracket(&mut self, tok: Token) {
        let Some(f) = self.stack.last_mut() else {
            return;
        };
        let (Some((second, second_span)), Some(m)) = (f.key.take(), f.members.pop()) else {
            return;
        };
        let name = m.key.clone();
        f.key = Some((m.key, m.key_span));
        f.state = St::AfterColon;
        self.error(
            SyntaxIssue::new(
                "json-syntax",
                m.value.span,
                format!("`[` is missing before this value: the value of `{name}` is a list"),
            )
            .with_help(format!("add `[` after `\"{name}\":`")),
        );
        let first = m.value;
        self.mark_erred();
        self.push(Kind::Array, Span::point(first.span.start));
        if let Some(a) = self.stack.last_mut() {
            a.erred = true;
            a.items.push(first);
            a.items.push(Node::new(Value::String(second), second_span));
            a.state = St::AfterValue;
        }
        self.array(tok);
    }

    fn pending_key_name(&self) -> String {
        self.stack
            .last()
            .and_then(|f| f.key.as_ref().map(|k| k.0.to_string()))
            .unwrap_or_default()
    }

    fn set_key(&mut self, key: Str, span: Span) {
        if let Some(f) = self.stack.last_mut() {
            f.key_after_comma = f.state == St::AfterComma;
            f.extra_commas.clear();
            f.key = Some((key, span));
            f.discard = false;
            f.state = St::AfterKey;
        }
    }

    fn parent_is_array(&self) -> bool {
        self.stack.len() >= 2
            && self
                .stack
                .get(self.stack.len() - 2)
                .is_some_and(|p| p.kind == Kind::Array)
    }

    fn missing_comma_in_object(&mut self, next: Span) {
        if !self.may_report_missing_comma() {
            return;
        }
        let Some(prev) = self.stack.last().and_then(|f| f.members.last()) else {
            return;
        };
        self.missing.push(MissingComma {
            prev: prev.value.span,
            prev_is_container: matches!(prev.value.value, Value::Object(_) | Value::Array(_)),
            prev_is_object: matches!(prev.value.value, Value::Object(_)),
            next,
            next_is_object: false,
            in_array: false,
            statements: false,
            container: Some(prev.key.to_string()),
        });
        self.mark_erred();
    }

    /// At `{` in an object right after its `Statement` array (`"Statement": [ … ], {`), with
    /// a statement key next: the start of statements pasted outside the array.
    fn outside_starts(&mut self) -> bool {
        let ok = self.stack.last().is_some_and(|f| {
            f.kind == Kind::Object
                && f.key.is_none()
                && f.members.last().is_some_and(|m| {
                    m.key == "Statement" && matches!(m.value.value, Value::Array(_))
                })
        });
        ok && self.peek_is_statement_start(0)
    }

    /// `{` of a statement pasted after the `Statement` array inside the policy object.
    fn pasted_statement(&mut self, tok: Token) {
        let new_record = self.stack.last().is_some_and(|f| f.outside.is_none());
        if new_record {
            let record = self.stack.last().and_then(|f| f.members.last()).map(|m| {
                let items = m.value.as_array().unwrap_or(&[]);
                Outside {
                    array: m.value.span,
                    last_item_end: items.last().map(|n| n.span.end),
                    pasted: Vec::new(),
                    strays: Vec::new(),
                    after_root: None,
                    clean: true,
                }
            });
            if let Some(record) = record {
                self.outside.push(record);
                let i = self.outside.len() - 1;
                if let Some(f) = self.stack.last_mut() {
                    f.outside = Some(i);
                }
            }
        }
        if let Some(f) = self.stack.last_mut() {
            f.pending_outside = true;
            f.key = None;
        }
        self.push(Kind::Object, tok.span);
    }

    /// A closer that does not match the open container.
    fn mismatched(&mut self, tok: Token) {
        let (want, got) = if tok.kind == Tok::RBrace {
            (Kind::Object, "}")
        } else {
            (Kind::Array, "]")
        };
        let Some(top) = self.frame_kind() else {
            return;
        };
        // One closer too many, if the container plainly goes on after it.
        let after_key = self.stack.last().is_some_and(|f| f.state == St::AfterKey);
        let p0 = self.lex.peek(0).clone();
        let p1 = self.lex.peek(1).clone();
        let extra = match top {
            Kind::Array => {
                p0 == Tok::RBracket
                    || (p0 == Tok::Comma && matches!(p1, Tok::LBrace | Tok::LBracket))
                    || (matches!(p0, Tok::Str(_) | Tok::Lit(_))
                        && matches!(p1, Tok::Comma | Tok::RBracket))
            }
            Kind::Object => {
                (p0 == Tok::Comma && matches!(p1, Tok::Str(_)))
                    || (matches!(p0, Tok::Str(_)) && p1 == Tok::Colon)
                    || (after_key && p0 == Tok::Colon)
            }
        };
        let target = if extra {
            None
        } else {
            self.stack.iter().rposition(|f| f.kind == want)
        };
        match target {
            Some(i) => {
                let (open, desc, closer) = self
                    .stack
                    .last()
                    .map(|f| (f.open, f.describe(), f.kind.closer()))
                    .unwrap_or_default();
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("expected `{closer}` to close {desc} before this `{got}`"),
                    )
                    .with_help(format!("add the missing `{closer}` before this `{got}`"))
                    .with_label(open, format!("{desc} starts here and is never closed")),
                );
                while self.stack.len() > i + 1 {
                    self.close_virtual();
                }
                self.close(tok.span);
                self.mark_erred();
            }
            None => {
                let opener = if want == Kind::Object { "{" } else { "[" };
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        tok.span,
                        format!("`{got}` without a matching `{opener}`"),
                    )
                    .with_help(format!("remove this `{got}`")),
                );
            }
        }
    }

    // ----- outside any container -----------------------------------------------------

    /// The root is an object whose last member is a `Statement` array.
    fn root_ends_with_statements(&self) -> bool {
        self.root.as_ref().is_some_and(|r| {
            r.as_object().is_some_and(|ms| {
                ms.last().is_some_and(|m| {
                    m.key == "Statement" && matches!(m.value.value, Value::Array(_))
                })
            })
        })
    }

    fn begin_root_outside(&mut self) -> usize {
        let root = self.root.as_ref();
        let array = root
            .and_then(|r| r.as_object())
            .and_then(|ms| ms.last())
            .map(|m| &m.value);
        self.outside.push(Outside {
            array: array.map(|a| a.span).unwrap_or_default(),
            last_item_end: array
                .and_then(|a| a.as_array())
                .and_then(|items| items.last())
                .map(|n| n.span.end),
            pasted: Vec::new(),
            strays: Vec::new(),
            after_root: root.map(|r| r.span),
            clean: true,
        });
        self.outside.len() - 1
    }

    fn top_level(&mut self, tok: Token) {
        match self.top {
            Top::BeforeRoot => {
                if tok.kind.starts_value() {
                    self.start_value(tok);
                } else {
                    let what = self.describe(&tok);
                    self.error(
                        SyntaxIssue::new(
                            "json-syntax",
                            tok.span,
                            format!("expected a JSON value, found {what}"),
                        )
                        .with_help("a key policy starts with `{`"),
                    );
                }
            }
            Top::AfterRoot => {
                if tok.kind == Tok::Colon
                    && self.root.as_ref().is_some_and(|r| {
                        matches!(r.value, Value::String(_)) && r.span.end == self.last_end
                    })
                {
                    self.missing_open_brace_at_start();
                    return;
                }
                if self.root_ends_with_statements() {
                    if tok.kind == Tok::Comma
                        && *self.lex.peek(0) == Tok::LBrace
                        && self.peek_is_statement_start(1)
                    {
                        let i = self.begin_root_outside();
                        self.top = Top::OutsideNext(i);
                        return;
                    }
                    if tok.kind == Tok::LBrace && self.peek_is_statement_start(0) {
                        let i = self.begin_root_outside();
                        self.top = Top::OutsidePending(i);
                        self.push(Kind::Object, tok.span);
                        return;
                    }
                }
                if tok.kind == Tok::Comma && *self.lex.peek(0) == Tok::Eof {
                    self.issues.push(
                        SyntaxIssue::new(
                            "json-trailing-comma",
                            tok.span,
                            "comma after the end of the JSON document",
                        )
                        .with_help("remove this comma; nothing may follow the document")
                        .with_fix(Some(vec![(tok.span, String::new())])),
                    );
                    return;
                }
                self.after_document(tok);
            }
            Top::OutsideNext(i) => {
                if tok.kind == Tok::LBrace {
                    self.top = Top::OutsidePending(i);
                    self.push(Kind::Object, tok.span);
                } else {
                    self.unclean(i);
                    self.after_document(tok);
                }
            }
            Top::OutsideAfter(i) => match tok.kind {
                Tok::Comma
                    if *self.lex.peek(0) == Tok::LBrace && self.peek_is_statement_start(1) =>
                {
                    self.top = Top::OutsideNext(i);
                }
                Tok::LBrace => {
                    if self.may_report() {
                        if let Some(prev) =
                            self.outside.get(i).and_then(|o| o.pasted.last().copied())
                        {
                            self.missing.push(MissingComma {
                                prev,
                                prev_is_container: true,
                                prev_is_object: true,
                                next: tok.span,
                                next_is_object: true,
                                in_array: true,
                                statements: true,
                                container: Some("Statement".to_string()),
                            });
                        }
                    }
                    self.top = Top::OutsidePending(i);
                    self.push(Kind::Object, tok.span);
                }
                Tok::RBracket | Tok::RBrace | Tok::Comma => {
                    if let Some(o) = self.outside.get_mut(i) {
                        o.strays.push(tok.span);
                    }
                    self.top = Top::Stray(i);
                }
                _ => {
                    self.unclean(i);
                    self.after_document(tok);
                }
            },
            Top::Stray(i) => match tok.kind {
                Tok::RBracket | Tok::RBrace | Tok::Comma => {
                    if let Some(o) = self.outside.get_mut(i) {
                        o.strays.push(tok.span);
                    }
                }
                _ => {
                    self.unclean(i);
                    self.after_document(tok);
                }
            },
            Top::OutsidePending(_) => {}
        }
    }

    /// `"Version": …` at the very start: the document's `{` is missing.
    fn missing_open_brace_at_start(&mut self) {
        let Some(root) = self.root.take() else {
            return;
        };
        let Value::String(key) = root.value else {
            return;
        };
        self.top = Top::BeforeRoot;
        self.error(
            SyntaxIssue::new(
                "json-syntax",
                root.span,
                "the document has no opening `{` before its first key",
            )
            .with_help("add `{` at the start of the file"),
        );
        self.push(Kind::Object, Span::point(root.span.start));
        if let Some(o) = self.stack.last_mut() {
            o.key = Some((key, root.span));
            o.state = St::AfterColon;
        }
    }

    fn unclean(&mut self, i: usize) {
        if let Some(o) = self.outside.get_mut(i) {
            o.clean = false;
        }
    }

    /// Content after the document that is not pasted statements: reported once, then the
    /// rest of the file is not read.
    fn after_document(&mut self, tok: Token) {
        let what = self.describe(&tok);
        let mut issue = SyntaxIssue::new(
            "json-syntax",
            tok.span,
            format!("unexpected {what} after the end of the JSON document"),
        )
        .with_help("a file holds one JSON document; remove what follows it, or move it inside");
        if let Some(root) = &self.root {
            if root.span.end > root.span.start {
                // The last character, which may be a multi-byte one (a closing `”`).
                let last = self
                    .text
                    .get(..root.span.end)
                    .and_then(|t| t.chars().next_back())
                    .map_or(1, char::len_utf8);
                issue = issue.with_label(
                    Span::new(root.span.end.saturating_sub(last), root.span.end),
                    "the document ends here",
                );
            }
        }
        self.error(issue);
        self.stopped = true;
    }

    fn eof(&mut self, at: usize) {
        if !self.stack.is_empty() {
            let suppressed = self.lex.unterminated_comment();
            if !suppressed {
                let closers: Vec<String> = self
                    .stack
                    .iter()
                    .rev()
                    .map(|f| format!("`{}`", f.kind.closer()))
                    .collect();
                let (open, desc) = self
                    .stack
                    .last()
                    .map(|f| (f.open, f.describe()))
                    .unwrap_or_default();
                self.error(
                    SyntaxIssue::new(
                        "json-syntax",
                        Span::point(self.last_end),
                        format!("the file ends before {desc} is closed"),
                    )
                    .with_help(format!("add {} at the end", closers.join(" and ")))
                    .with_label(open, format!("{desc} starts here")),
                );
            }
            while !self.stack.is_empty() {
                self.close_virtual();
            }
        } else if self.root.is_none() && self.issues.is_empty() {
            let message = if self.lex.comments.is_empty() {
                "the file is empty; expected a JSON value"
            } else {
                "the file holds only comments; expected a JSON value"
            };
            self.issues
                .push(SyntaxIssue::new("json-syntax", Span::point(at), message));
        }
    }

    fn finish(self) -> Parsed {
        let text = self.text;
        let mut issues = self.issues;
        issues.extend(
            self.lex
                .comments
                .iter()
                .take(MAX_PER_RULE)
                .map(|c| comment_issue(text, c)),
        );
        if let Some(issue) = smart_quote_issue(&self.lex.smart) {
            issues.push(issue);
        }
        splice::analyse(
            text,
            self.root.as_ref(),
            self.missing,
            &self.outside,
            &mut issues,
        );
        Parsed {
            root: self.root,
            issues,
        }
    }
}

// ----- comments and typographic quotes ----------------------------------------------

fn comment_issue(text: &str, c: &Comment) -> SyntaxIssue {
    let (message, help) = match (c.block, c.closed) {
        (false, _) => (
            "`//` comment in JSON, which does not allow comments",
            "remove the comment; AWS KMS and Azure Resource Manager reject JSON with comments (put a note in a `Sid` or a `Description` instead)",
        ),
        (true, true) => (
            "`/* */` comment in JSON, which does not allow comments",
            "remove the comment; AWS KMS and Azure Resource Manager reject JSON with comments (put a note in a `Sid` or a `Description` instead)",
        ),
        (true, false) => (
            "`/*` comment that is never closed, so the rest of the file is ignored",
            "close it with `*/`, or better remove the comment: JSON does not allow comments",
        ),
    };
    // `https://…` whose opening quote is lost lexes as the word `https:` and a comment:
    // removing the "comment" would cut the URL, so the finding comes without a fix.
    let url = !c.block
        && matches!(
            text.as_bytes().get(..c.span.start),
            Some([.., x, b':']) if x.is_ascii_alphanumeric()
        );
    SyntaxIssue::new("json-comment", c.span, message)
        .with_help(help)
        .with_fix(if c.closed && !url {
            Some(vec![comment_removal(text, c.span)])
        } else {
            None
        })
}

/// The edit that removes a comment: its whole line if it is alone on it, else the
/// comment and the blanks before it.
fn comment_removal(text: &str, span: Span) -> (Span, String) {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..span.start];
    let line_end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    let after = &text[span.end..line_end];
    let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t' || c == '\r');
    if blank(before) && blank(after) {
        let end = if line_end < text.len() {
            line_end + 1
        } else {
            line_end
        };
        // The very last line: take the line break before it instead.
        if end == text.len() && line_start > 0 && !text[span.end..].contains('\n') {
            let start = if text[..line_start - 1].ends_with('\r') {
                line_start - 2
            } else {
                line_start - 1
            };
            return (Span::new(start, end), String::new());
        }
        return (Span::new(line_start, end), String::new());
    }
    let trimmed = before.trim_end_matches([' ', '\t']);
    if trimmed.len() < before.len() {
        return (
            Span::new(line_start + trimmed.len(), span.end),
            String::new(),
        );
    }
    // Between two tokens that would merge into one (`1/**/2`): keep them apart.
    let wordy = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || "_.+-".contains(c));
    let glued = wordy(before.chars().next_back()) && wordy(after.chars().next());
    (
        span,
        if glued {
            " ".to_string()
        } else {
            String::new()
        },
    )
}

/// One finding for all strings in typographic quotes: one paste from a web page or chat
/// is one mistake.
fn smart_quote_issue(uses: &[SmartUse]) -> Option<SyntaxIssue> {
    let first = uses.first()?;
    let n = uses.len();
    let message = if n == 1 {
        "typographic quotes used as JSON quotes".to_string()
    } else {
        format!("typographic quotes used as JSON quotes ({n} strings in this file)")
    };
    let certain = uses.iter().all(|u| u.certain);
    let fix = certain.then(|| {
        uses.iter()
            .flat_map(|u| u.quotes.iter().map(|q| (*q, "\"".to_string())))
            .collect()
    });
    Some(
        SyntaxIssue::new("json-smart-quotes", first.string, message)
            .with_help("replace `“ ” ‘ ’` with straight double quotes `\"`; text copied from a web page, chat or word processor often has them — copy the JSON with the Aura Console's copy button instead")
            .with_fix(fix),
    )
}

// ----- fix verification -------------------------------------------------------------

/// Drops every fix that is not certain: applied alone, it must remove an issue of its rule
/// and add no issue of any rule.
fn verify_fixes(text: &str, parsed: &mut Parsed) {
    let before = rule_counts(&parsed.issues);
    let max = (VERIFY_BYTES / text.len().max(1)).clamp(1, VERIFY_MAX);
    let mut checked = 0;
    let trusted = |rule: &str| matches!(rule, "json-comment" | "json-trailing-comma");
    let count = |m: &HashMap<&str, usize>, r: &str| m.get(r).copied().unwrap_or(0);
    // Whether `edits`, applied to the text, remove `removes` issues of `rule` and add no
    // issue of any rule.
    let certain =
        |edits: &[(Span, String)], rule: &str, removes: usize| match apply_edits(text, edits) {
            Ok(fixed) => {
                let after = rule_counts(&parse_uncapped(&fixed).issues);
                count(&after, rule) + removes <= count(&before, rule)
                    && after.iter().all(|(r, n)| *n <= count(&before, r))
            }
            Err(_) => false,
        };
    // First all the fixes of one rule at once (a policy with many missing commas is one
    // re-parse, not one per comma); when that fails, each fix alone, up to `max`.
    let mut rules: Vec<&'static str> = Vec::new();
    for i in &parsed.issues {
        if i.fix.is_some() && !trusted(i.rule) && !rules.contains(&i.rule) {
            rules.push(i.rule);
        }
    }
    let mut certain_rules: Vec<&'static str> = Vec::new();
    for rule in rules {
        let of_rule: Vec<&Vec<(Span, String)>> = parsed
            .issues
            .iter()
            .filter(|i| i.rule == rule)
            .filter_map(|i| i.fix.as_ref())
            .collect();
        if of_rule.len() < 2 {
            continue;
        }
        let all: Vec<(Span, String)> = of_rule.iter().flat_map(|e| e.iter().cloned()).collect();
        if certain(&all, rule, of_rule.len()) {
            certain_rules.push(rule);
        }
    }
    for i in 0..parsed.issues.len() {
        let issue = &parsed.issues[i];
        let Some(edits) = &issue.fix else {
            continue;
        };
        let rule = issue.rule;
        // Removing a comment or a trailing comma is safe by construction (the mutation
        // tests check it); re-parsing for each of a file's many comments is not worth it.
        let ok = if trusted(rule) || certain_rules.contains(&rule) {
            true
        } else if checked < max {
            checked += 1;
            certain(edits, rule, 1)
        } else {
            false
        };
        if !ok {
            parsed.issues[i].fix = None;
        }
    }
}

fn rule_counts(issues: &[SyntaxIssue]) -> HashMap<&'static str, usize> {
    let mut m = HashMap::new();
    for i in issues {
        *m.entry(i.rule).or_insert(0) += 1;
    }
    m
}

/// The text of a string token, moved out (the token keeps an empty string).
fn take_string(kind: &mut Tok) -> Str {
    match kind {
        Tok::Str(s) => Str::from(std::mem::take(s)),
        _ => Str::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<&'static str> {
        parse(text).issues.iter().map(|i| i.rule).collect()
    }

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
        assert_eq!(root.span, Span::new(1, t.len() - 1));
    }

    #[test]
    fn deep_nesting_is_one_issue_not_a_crash() {
        for open in ["[", "{\"a\":"] {
            let t = open.repeat(1_000_000);
            let p = parse(&t);
            assert_eq!(p.issues.len(), 1, "{open}");
            assert!(p.issues[0].message.contains("nesting"));
            assert!(p.root.is_some());
        }
        // Exactly at the limit is fine.
        let t = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&t).is_valid());
        let t = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(rules(&t), vec!["json-syntax"]);
    }

    #[test]
    fn empty_is_an_issue() {
        assert_eq!(rules("  \n"), vec!["json-syntax"]);
        assert_eq!(rules("// nothing\n"), vec!["json-comment", "json-syntax"]);
    }

    #[test]
    fn trailing_commas() {
        let t = "{\"a\": [1, 2,], \"b\": 1,}";
        let p = parse(t);
        assert_eq!(
            p.issues.iter().map(|i| i.rule).collect::<Vec<_>>(),
            vec!["json-trailing-comma", "json-trailing-comma"]
        );
        assert_eq!(&t[p.issues[0].span.start..p.issues[0].span.end], ",");
        assert_eq!(p.issues[0].span.start, 11);
        assert!(p.issues.iter().all(|i| i.fix.is_some()));
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(
            root.get("a").and_then(|a| a.as_array()).map(|a| a.len()),
            Some(2)
        );
        assert!(root.get("b").is_some());
    }

    #[test]
    fn trailing_comma_before_a_stray_closer_has_no_fix() {
        // `},` then a stray `]` and the next binding: the comma separates two bindings and
        // the `]` is the mistake, so removing the comma is no fix.
        let t = "{\"b\": [{\"m\": [\"x\"]},\n]  {\"m\": []}]}";
        let p = parse(t);
        let tc = p.issues.iter().find(|i| i.rule == "json-trailing-comma");
        assert!(tc.is_some_and(|i| i.fix.is_none()), "{:?}", p.issues);
        // The closer really ends the container: followed by the parent's `,` or closer, or
        // by the end of a truncated document.
        for t in ["{\"a\": [1,], \"b\": 2}", "[[1,]]", "{\"a\": [1,]"] {
            let p = parse(t);
            let tc = p.issues.iter().find(|i| i.rule == "json-trailing-comma");
            assert!(tc.is_some_and(|i| i.fix.is_some()), "{t}: {:?}", p.issues);
        }
    }

    #[test]
    fn missing_comma_between_members() {
        let t = "{\n  \"Effect\": \"Allow\"\n  \"Action\": \"kms:*\"\n}";
        let p = parse(t);
        assert_eq!(p.issues.len(), 1);
        let i = &p.issues[0];
        assert_eq!(i.rule, "json-syntax");
        assert!(i.message.contains("`Effect`"), "{}", i.message);
        assert_eq!(&t[i.span.start..i.span.end], "\"Action\"");
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(root.get("Action").and_then(Node::as_str), Some("kms:*"));
    }

    #[test]
    fn unterminated_string_is_one_issue() {
        let t = "{\n  \"Sid\": \"Allow access,\n  \"Effect\": \"Allow\"\n}";
        let p = parse(t);
        assert_eq!(rules(t), vec!["json-syntax"], "{:?}", p.issues);
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(root.get("Effect").and_then(Node::as_str), Some("Allow"));
        assert_eq!(root.get("Sid").and_then(Node::as_str), Some("Allow access"));
        // Without the comma inside, the missing comma is its cascade.
        let t = "{\n  \"Sid\": \"Allow access\n  \"Effect\": \"Allow\"\n}";
        assert_eq!(rules(t), vec!["json-syntax"]);
    }

    #[test]
    fn unclosed_at_end_of_file() {
        let t = "{\"Statement\": [{\"Sid\": \"a\"}";
        let p = parse(t);
        assert_eq!(p.issues.len(), 1);
        assert!(p.issues[0].message.contains("`Statement` array"));
        assert_eq!(
            p.issues[0].help.as_deref(),
            Some("add `]` and `}` at the end")
        );
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(
            root.pointer("/Statement/0/Sid").and_then(Node::as_str),
            Some("a")
        );
    }

    #[test]
    fn missing_close_bracket_before_brace() {
        let t = "{\"Statement\": [{\"Sid\": \"a\"}\n}";
        let p = parse(t);
        assert_eq!(rules(t), vec!["json-syntax"]);
        assert!(p.issues[0].message.contains("`]`"));
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(
            root.pointer("/Statement/0/Sid").and_then(Node::as_str),
            Some("a")
        );
    }

    #[test]
    fn unclosed_statement_object() {
        let t = "{\"Statement\": [{\"Sid\": \"a\", {\"Sid\": \"b\"}]}";
        let p = parse(t);
        assert_eq!(rules(t), vec!["json-syntax"], "{:?}", p.issues);
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(
            root.pointer("/Statement/1/Sid").and_then(Node::as_str),
            Some("b")
        );
    }

    #[test]
    fn extra_closer_is_skipped() {
        let t = "{\"Statement\": [{\"Sid\": \"a\"}}, {\"Sid\": \"b\"}]}";
        let p = parse(t);
        assert_eq!(rules(t), vec!["json-syntax"], "{:?}", p.issues);
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(
            root.pointer("/Statement/1/Sid").and_then(Node::as_str),
            Some("b")
        );
    }

    #[test]
    fn words_and_single_quotes() {
        assert_eq!(rules("{\"a\": True}"), vec!["json-syntax"]);
        assert_eq!(rules("{'a': 1}"), vec!["json-syntax"]);
        assert_eq!(rules("{a: 1}"), vec!["json-syntax"]);
        let p = parse("{\"Effect\": Allow}");
        let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
        assert_eq!(root.get("Effect").and_then(Node::as_str), Some("Allow"));
    }

    #[test]
    fn duplicate_keys() {
        let t = "{\"a\": 1, \"b\": 2, \"a\": 3}";
        let p = parse(t);
        assert_eq!(p.issues.len(), 1);
        let i = &p.issues[0];
        assert_eq!(i.rule, "json-duplicate-key");
        assert_eq!(i.span, Span::new(17, 20));
        assert_eq!(i.labels[0].0, Span::new(1, 4));
    }

    #[test]
    fn comments_are_removed_cleanly() {
        let t = "{\n  // a note\n  \"a\": 1, /* x */\n  \"b\": 2 // end\n}\n";
        let p = parse(t);
        assert_eq!(
            p.issues.iter().map(|i| i.rule).collect::<Vec<_>>(),
            vec!["json-comment"; 3]
        );
        let edits: Vec<(Span, String)> = p
            .issues
            .iter()
            .flat_map(|i| i.fix.clone().unwrap_or_default())
            .collect();
        let fixed = apply_edits(t, &edits).unwrap_or_default();
        assert_eq!(fixed, "{\n  \"a\": 1,\n  \"b\": 2\n}\n");
    }

    #[test]
    fn glued_block_comment_keeps_tokens_apart() {
        let t = "[1,/*x*/2]";
        let p = parse(t);
        let edits = p.issues[0].fix.clone().unwrap_or_default();
        assert_eq!(apply_edits(t, &edits).unwrap_or_default(), "[1,2]");
        // `1/**/2` is two numbers (and a missing comma); removing the comment must not
        // make it one.
        let t = "[1/**/2]";
        let p = parse(t);
        let c = p.issues.iter().find(|i| i.rule == "json-comment");
        let edits = c.and_then(|c| c.fix.clone()).unwrap_or_default();
        assert_eq!(apply_edits(t, &edits).unwrap_or_default(), "[1 2]");
        let t = "[true/*x*/,false]";
        let edits = parse(t).issues[0].fix.clone().unwrap_or_default();
        assert_eq!(apply_edits(t, &edits).unwrap_or_default(), "[true,false]");
        // A URL whose opening quote is lost (`"a "https://x.y",`) is not a comment to cut.
        let t = "{\"k\": [\"a \"https://schema.example.com/x.json#\",\n \"b\"]}";
        let p = parse(t);
        let c = p.issues.iter().find(|i| i.rule == "json-comment");
        assert!(c.is_some_and(|c| c.fix.is_none()), "{:?}", p.issues);
        let t = "{\"k\": 1, // note\n \"b\": 2}";
        let p = parse(t);
        let c = p.issues.iter().find(|i| i.rule == "json-comment");
        assert!(c.is_some_and(|c| c.fix.is_some()), "{:?}", p.issues);
    }

    #[test]
    fn content_after_the_document() {
        let t = "{\"a\": 1}\n{\"b\": 2}";
        assert_eq!(rules(t), vec!["json-syntax"]);
        assert_eq!(rules("{\"a\": 1},"), vec!["json-trailing-comma"]);
    }

    #[test]
    fn statement_elements_inside_a_closed_principal_stay_there() {
        // Valid JSON: the `}` after `Action` closes the `Principal` (a `,` and a key, or
        // the statement's `}`, follow it), so the tree is as written and there is no
        // syntax finding; the AWS rules report `Action` as a principal type.
        for t in [
            "{\"Statement\": [{\"Principal\": {\"AWS\": \"*\", \"Action\": \"kms:*\"}, \"Resource\": \"*\"}]}",
            "{\"Statement\": [{\"Principal\": {\"AWS\": \"*\", \"Action\": \"kms:*\"}}]}",
            "{\"Statement\": [{\"Condition\": {\"Bool\": {}, \"Effect\": \"Allow\"}}]}",
        ] {
            let p = parse_slow(t);
            assert!(p.issues.is_empty(), "{t}: {:?}", p.issues);
            let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
            let inner = root
                .pointer("/Statement/0/Principal/Action")
                .or_else(|| root.pointer("/Statement/0/Condition/Effect"));
            assert!(inner.is_some(), "{t}: element moved out");
        }
    }

    /// (text, the one finding's message contains, pointer that must read back, its value)
    const RECOVERIES: &[(&str, &str, &str, &str)] = &[
        // A `Principal` whose `}` is missing.
        (
            "{\"Statement\": [{\"Principal\": {\"AWS\": \"*\", \"Action\": \"kms:*\"}, {\"Sid\": \"b\"}]}",
            "`Principal` object is not closed",
            "/Statement/0/Action",
            "kms:*",
        ),
        // A statement without its `{`.
        (
            "{\"Statement\": [{\"Sid\": \"a\"},\n \"Sid\": \"b\", \"Effect\": \"Allow\"}]}",
            "has no opening `{`",
            "/Statement/1/Effect",
            "Allow",
        ),
        // An operator object without its `{`.
        (
            "{\"Condition\": {\"Bool\": \"kms:GrantIsForAWSResource\": \"true\"}}}",
            "`{` is missing",
            "/Condition/Bool/kms:GrantIsForAWSResource",
            "true",
        ),
        // A list without its `[`.
        (
            "{\"Action\": \"kms:Encrypt\", \"kms:Decrypt\", \"kms:ReEncrypt*\"], \"Resource\": \"*\"}",
            "`[` is missing",
            "/Action/2",
            "kms:ReEncrypt*",
        ),
        // The document's `{`.
        (
            "\"Version\": \"2012-10-17\", \"Statement\": []}",
            "no opening `{`",
            "/Version",
            "2012-10-17",
        ),
        // A stray quote before a key.
        (
            "{\"Null\": {\n  \"  \"y\": \"z\"}}",
            "stray `\"`",
            "/Null/y",
            "z",
        ),
        // A `}` that closes too early.
        (
            "{\"a\": \"1\",}\n \"b\": \"2\"}",
            "too early",
            "/b",
            "2",
        ),
        // A key whose opening quote is missing.
        (
            "{\"Sid\": \"a\", Effect\": \"Allow\"}",
            "no opening quote",
            "/Effect",
            "Allow",
        ),
    ];

    #[test]
    fn recoveries_name_the_mistake_once_and_keep_the_tree() {
        for (text, message, pointer, value) in RECOVERIES {
            let p = parse(text);
            assert_eq!(p.issues.len(), 1, "{text}: {:?}", p.issues);
            assert!(
                p.issues[0].message.contains(message),
                "{text}: {}",
                p.issues[0].message
            );
            let root = p.root.unwrap_or(Node::new(Value::Null, Span::default()));
            assert_eq!(
                root.pointer(pointer).and_then(Node::as_str),
                Some(*value),
                "{text}: {root:?}"
            );
        }
    }

    #[test]
    fn garbage_never_loops() {
        let t = "}]:,,]]}}{{[[\u{201c}\u{2018}'\"\\ /* // @#$%^&*()";
        let p = parse(t);
        assert!(!p.issues.is_empty());
        assert!(p.issues.len() <= MAX_SYNTAX_ERRORS + 5);
    }
}
