//! Splice analysis: naming the real mistake behind a broken (or oddly shaped) `Statement`
//! array, where the Aura Console tells users to paste the statements it generated.
//!
//! The parser records what it saw and repaired — a missing comma between two values,
//! statements found after the `Statement` array's `]` — and leaves the tree; this module
//! turns those records and the tree's shape into findings: `splice-missing-comma`,
//! `splice-nested-array`, `splice-pasted-document`, `splice-outside-array`, or, away from
//! a `Statement` array, a `json-syntax` finding that still says what to do. Each finding
//! carries a fix only when the repair is certain (the parser checks that by re-parsing).
//! Nothing here reads files or knows about rules' configuration.

use std::collections::HashMap;

use super::parse::{SyntaxIssue, MAX_DEPTH};
use super::{Node, Value};
use crate::source::Span;

/// A missing comma the parser assumed between two values.
#[derive(Debug, Clone)]
pub(super) struct MissingComma {
    /// The value before the gap.
    pub prev: Span,
    pub prev_is_container: bool,
    pub prev_is_object: bool,
    /// The token that should have been preceded by `,`.
    pub next: Span,
    pub next_is_object: bool,
    /// Between two array elements (else between two object members).
    pub in_array: bool,
    /// In a `Statement` array (or an array nested in one).
    pub statements: bool,
    /// The array's member name, or (in an object) the key of the value before the gap.
    pub container: Option<String>,
}

/// Statements found after the `]` of a `Statement` array.
#[derive(Debug, Clone)]
pub(super) struct Outside {
    /// The `Statement` array as the user closed it, `[` to `]`.
    pub array: Span,
    /// End of the array's last element before the pasted ones.
    pub last_item_end: Option<usize>,
    /// The pasted statement objects, in order.
    pub pasted: Vec<Span>,
    /// Closers (and commas) after the pasted statements, meant to end the array or the
    /// policy.
    pub strays: Vec<Span>,
    /// When pasted after the whole policy: the policy object's span as the user closed it.
    pub after_root: Option<Span>,
    /// Nothing unexpected came between or after the pasted statements.
    pub clean: bool,
}

pub(super) fn analyse(
    text: &str,
    root: Option<&Node>,
    missing: Vec<MissingComma>,
    outside: &[Outside],
    issues: &mut Vec<SyntaxIssue>,
) {
    let mut by_next: HashMap<usize, MissingComma> =
        missing.into_iter().map(|m| (m.next.start, m)).collect();
    if let Some(root) = root {
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            match &n.value {
                Value::Object(members) => {
                    for m in members {
                        if m.key == "Statement" {
                            statement_value(text, &m.value, &mut by_next, issues);
                        }
                        stack.push(&m.value);
                    }
                }
                Value::Array(items) => stack.extend(items.iter()),
                _ => {}
            }
        }
    }
    let mut rest: Vec<MissingComma> = by_next.into_values().collect();
    rest.sort_by_key(|m| m.next.start);
    issues.extend(rest.iter().map(|m| missing_comma_issue(text, m)));
    issues.extend(outside.iter().filter_map(|o| outside_issue(text, o)));
}

/// An object with a `Statement` member is a policy document, never a statement.
fn is_document(n: &Node) -> bool {
    n.member("Statement").is_some() && matches!(n.value, Value::Object(_))
}

/// The statements of a `Statement` value as the user meant them: elements of nested arrays
/// are taken as elements, and a pasted policy document stands for its own statements.
/// Rules about statements should read statements through this, so that a splice mistake
/// (reported by the splice rules) is not reported again as a malformed statement.
pub fn statement_elements(value: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    collect_statements(value, &mut out, 0);
    out
}

fn collect_statements<'a>(v: &'a Node, out: &mut Vec<&'a Node>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &v.value {
        Value::Array(items) => {
            for item in items {
                if matches!(item.value, Value::Array(_)) || is_document(item) {
                    collect_statements(item, out, depth + 1);
                } else {
                    out.push(item);
                }
            }
        }
        Value::Object(_) if is_document(v) => {
            if let Some(inner) = v.get("Statement") {
                collect_statements(inner, out, depth + 1);
            }
        }
        _ => out.push(v),
    }
}

fn statement_value(
    text: &str,
    v: &Node,
    by_next: &mut HashMap<usize, MissingComma>,
    issues: &mut Vec<SyntaxIssue>,
) {
    match &v.value {
        Value::Array(items) => {
            for (i, e) in items.iter().enumerate() {
                let prev = i.checked_sub(1).and_then(|j| items.get(j));
                let next = items.get(i + 1);
                // A missing comma right before or right after the pasted element is part
                // of the same paste: one finding, one fix.
                let nested = matches!(e.value, Value::Array(_));
                if !nested && !is_document(e) {
                    continue;
                }
                let before = by_next.remove(&e.span.start);
                let after = next.and_then(|n| {
                    by_next
                        .get(&n.span.start)
                        .is_some_and(|m| m.prev == e.span)
                        .then(|| by_next.remove(&n.span.start))
                        .flatten()
                });
                let gaps = Gaps {
                    before: before.as_ref(),
                    after: after.as_ref(),
                };
                if nested {
                    issues.push(nested_issue(text, e, prev, next, gaps));
                    let mut docs = Vec::new();
                    documents_in_nested(e, &mut docs, 0);
                    for d in docs {
                        let before = by_next.remove(&d.span.start);
                        let gaps = Gaps {
                            before: before.as_ref(),
                            after: None,
                        };
                        issues.push(pasted_issue(text, d, gaps, false));
                    }
                } else {
                    issues.push(pasted_issue(text, e, gaps, false));
                }
            }
        }
        Value::Object(_) if is_document(v) => {
            issues.push(pasted_issue(text, v, Gaps::default(), true));
        }
        _ => {}
    }
}

/// Missing commas on either side of a pasted element, reported with it.
#[derive(Debug, Clone, Copy, Default)]
struct Gaps<'a> {
    before: Option<&'a MissingComma>,
    after: Option<&'a MissingComma>,
}

impl Gaps<'_> {
    fn any(&self) -> bool {
        self.before.is_some() || self.after.is_some()
    }
}

fn documents_in_nested<'a>(arr: &'a Node, out: &mut Vec<&'a Node>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for item in arr.as_array().unwrap_or(&[]) {
        if matches!(item.value, Value::Array(_)) {
            documents_in_nested(item, out, depth + 1);
        } else if is_document(item) {
            out.push(item);
        }
    }
}

/// The span of the last character of `span`.
fn last_char(text: &str, span: Span) -> Span {
    let len = text
        .get(..span.end)
        .and_then(|t| t.chars().next_back())
        .map_or(0, char::len_utf8);
    Span::new(span.end.saturating_sub(len).max(span.start), span.end)
}

fn first_char(text: &str, span: Span) -> Span {
    let len = text
        .get(span.start..)
        .and_then(|t| t.chars().next())
        .map_or(0, char::len_utf8);
    Span::new(span.start, (span.start + len).min(span.end.max(span.start)))
}

fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|t| t.chars().next())
}

/// The line break the file uses.
fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// The start of the line holding byte `at`, which may lie inside a character (one byte
/// before a `”`, say): the search is over bytes, and a line starts after a `\n`.
fn line_start(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    b[..at.min(b.len())]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1)
}

/// A deletion of `span` widened to its whole line (line break included) when nothing but
/// blanks shares the line with it.
fn whole_line(text: &str, span: Span) -> Span {
    let start = line_start(text, span.start);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i + 1);
    if text[start..span.start].trim().is_empty() && text[span.end..end].trim().is_empty() {
        Span::new(start, end)
    } else {
        span
    }
}

/// The leading blanks of the line holding `at`.
fn indent_of_line(text: &str, at: usize) -> &str {
    let start = line_start(text, at);
    let line = &text[start..];
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..n]
}

fn missing_comma_issue(text: &str, m: &MissingComma) -> SyntaxIssue {
    let prev_last = last_char(text, m.prev);
    // Point at the `{` or `[` that should follow a comma, or at the whole key or value.
    let at = if matches!(char_at(text, m.next.start), Some('{' | '[')) {
        first_char(text, m.next)
    } else {
        m.next
    };
    if m.in_array && m.statements && m.next_is_object && m.prev_is_container {
        return SyntaxIssue::new(
            "splice-missing-comma",
            at,
            "missing comma between two statements in the `Statement` array",
        )
        .with_help("add a comma after the `}` that closes the previous statement — the Aura Console statements go inside the Statement array, separated by commas")
        .with_label(prev_last, "the previous statement ends here; a `,` must follow")
        .with_fix(Some(vec![(Span::point(m.prev.end), ",".to_string())]));
    }
    let (message, help) = if m.in_array {
        let array = match &m.container {
            Some(name) => format!("the `{name}` array"),
            None => "an array".to_string(),
        };
        if m.prev_is_object && m.next_is_object {
            (
                format!("missing comma between two objects in {array}"),
                "add a comma after the `}` that closes the previous object; array elements are separated by commas".to_string(),
            )
        } else {
            (
                format!("missing comma between two elements of {array}"),
                "add a comma after the previous element; array elements are separated by commas"
                    .to_string(),
            )
        }
    } else {
        let key = m.container.clone().unwrap_or_default();
        (
            format!("missing comma after the value of `{key}`"),
            format!("add a comma after the value of `{key}`; the members of an object are separated by commas"),
        )
    };
    SyntaxIssue::new("json-syntax", at, message)
        .with_help(help)
        .with_label(prev_last, "a `,` must follow this")
}

fn nested_issue(
    text: &str,
    arr: &Node,
    prev: Option<&Node>,
    next: Option<&Node>,
    gaps: Gaps,
) -> SyntaxIssue {
    let open = first_char(text, arr.span);
    let close = last_char(text, arr.span);
    let closed = char_at(text, close.start) == Some(']') && close.start > open.start;
    let mut help = "remove this `[` and its matching `]` so the statements inside become elements of the Statement array, separated by commas".to_string();
    if gaps.any() {
        help.push_str(&format!("; {}", missing_commas_note(gaps)));
    }
    let mut issue = SyntaxIssue::new(
        "splice-nested-array",
        open,
        "array nested inside the `Statement` array: the pasted statements kept their own `[` `]`",
    )
    .with_help(help);
    if closed {
        issue = issue.with_label(close, "the nested array ends here");
    }
    if let Some(m) = gaps.before {
        issue = issue.with_label(last_char(text, m.prev), "a `,` must follow this");
    }
    let fix = flatten_fix(text, arr, prev, next, gaps);
    issue.with_fix(fix)
}

fn missing_commas_note(gaps: Gaps) -> &'static str {
    match (gaps.before.is_some(), gaps.after.is_some()) {
        (true, true) => "the commas before and after it are missing too",
        (true, false) => "the comma before it is missing too",
        _ => "the comma after it is missing too",
    }
}

/// Edits that remove the brackets of `arr` (and of arrays nested in it), or the empty
/// array itself, and put in the commas missing around it.
fn flatten_fix(
    text: &str,
    arr: &Node,
    prev: Option<&Node>,
    next: Option<&Node>,
    gaps: Gaps,
) -> Option<Vec<(Span, String)>> {
    let blank_comma = |s: &str| {
        s.chars().filter(|c| *c == ',').count() == 1
            && s.chars().all(|c| c == ',' || c.is_ascii_whitespace())
    };
    let items = arr.as_array()?;
    if items.is_empty() {
        // The array goes; what was on either side must end up separated by one comma.
        return Some(match (gaps.before, gaps.after) {
            (Some(b), Some(_)) => vec![
                (arr.span, String::new()),
                (Span::point(b.prev.end), ",".to_string()),
            ],
            (Some(_), None) | (None, Some(_)) => vec![(arr.span, String::new())],
            (None, None) => {
                if let Some(p) = prev.filter(|p| blank_comma(&text[p.span.end..arr.span.start])) {
                    vec![(Span::new(p.span.end, arr.span.end), String::new())]
                } else if let Some(n) =
                    next.filter(|n| blank_comma(&text[arr.span.end..n.span.start]))
                {
                    vec![(Span::new(arr.span.start, n.span.start), String::new())]
                } else {
                    vec![(arr.span, String::new())]
                }
            }
        });
    }
    let mut edits = Vec::new();
    let mut stack = vec![arr];
    while let Some(x) = stack.pop() {
        let xs = x.as_array()?;
        if xs.is_empty()
            || char_at(text, x.span.start) != Some('[')
            || char_at(text, x.span.end.checked_sub(1)?) != Some(']')
        {
            return None;
        }
        let closer = if std::ptr::eq(x, arr) && gaps.after.is_some() {
            ","
        } else {
            ""
        };
        edits.push((
            whole_line(text, Span::new(x.span.start, x.span.start + 1)),
            String::new(),
        ));
        let close = Span::new(x.span.end - 1, x.span.end);
        if closer.is_empty() {
            edits.push((whole_line(text, close), String::new()));
        } else {
            edits.push((close, closer.to_string()));
        }
        stack.extend(xs.iter().filter(|c| matches!(c.value, Value::Array(_))));
    }
    if let Some(m) = gaps.before {
        edits.push((Span::point(m.prev.end), ",".to_string()));
    }
    Some(edits)
}

fn pasted_issue(text: &str, doc: &Node, gaps: Gaps, whole: bool) -> SyntaxIssue {
    let open = first_char(text, doc.span);
    let (message, mut help) = if whole {
        (
            "the `Statement` value is a whole key policy, not its statements",
            "replace the pasted policy by its own `Statement` array: delete everything from this `{` up to the inner `\"Statement\":`, and the `}` after the inner array".to_string(),
        )
    } else {
        (
            "whole key policy pasted as an element of the `Statement` array",
            "keep only its statements: delete the `{ \"Version\": …, \"Statement\": [` before them and the `] }` after them, so they become elements of this Statement array".to_string(),
        )
    };
    if gaps.any() {
        help.push_str(&format!("; {}", missing_commas_note(gaps)));
    }
    let mut issue = SyntaxIssue::new("splice-pasted-document", open, message);
    if let Some(m) = doc.member("Version") {
        issue = issue.with_label(m.key_span, "a policy's `Version`, which no statement has");
    }
    if let Some(m) = doc.member("Statement") {
        issue = issue.with_label(m.key_span, "the pasted statements are in here");
    }
    if let Some(m) = gaps.before {
        issue = issue.with_label(last_char(text, m.prev), "a `,` must follow this");
    }
    let fix = unwrap_fix(text, doc, gaps, whole);
    issue.with_help(help).with_fix(fix)
}

/// Edits that replace a pasted policy by its statements (or, for a whole `Statement`
/// value, by its `Statement` value), and put in the commas missing around it. Certain
/// only if the policy holds nothing else.
fn unwrap_fix(text: &str, doc: &Node, gaps: Gaps, whole: bool) -> Option<Vec<(Span, String)>> {
    let members = doc.as_object()?;
    if !members
        .iter()
        .all(|m| matches!(m.key.as_str(), "Version" | "Id" | "Statement"))
        || members.iter().filter(|m| m.key == "Statement").count() != 1
    {
        return None;
    }
    if char_at(text, doc.span.end.checked_sub(1)?) != Some('}') {
        return None;
    }
    let inner = doc.get("Statement")?;
    let (keep_start, keep_end) = match &inner.value {
        Value::Array(_) if whole => (inner.span.start, inner.span.end),
        Value::Array(items) => (items.first()?.span.start, items.last()?.span.end),
        Value::Object(_) => (inner.span.start, inner.span.end),
        _ => return None,
    };
    let after = if gaps.after.is_some() { "," } else { "" };
    // `{ "Version": …, "Statement": [` on lines of their own: delete those lines whole.
    let blank_before = |at: usize| text[line_start(text, at)..at].trim().is_empty();
    let head = if blank_before(doc.span.start) && blank_before(keep_start) {
        Span::new(
            line_start(text, doc.span.start),
            line_start(text, keep_start),
        )
    } else {
        Span::new(doc.span.start, keep_start)
    };
    let mut edits = vec![
        (head, String::new()),
        (Span::new(keep_end, doc.span.end), after.to_string()),
    ];
    if let Some(m) = gaps.before {
        edits.push((Span::point(m.prev.end), ",".to_string()));
    }
    Some(edits)
}

fn outside_issue(text: &str, o: &Outside) -> Option<SyntaxIssue> {
    let first = *o.pasted.first()?;
    let n = o.pasted.len();
    let what = if n == 1 {
        "statement".to_string()
    } else {
        format!("{n} statements")
    };
    let message = match o.after_root {
        None => format!("{what} pasted after the end of the `Statement` array"),
        Some(_) => {
            format!("{what} pasted after the end of the policy, outside the `Statement` array")
        }
    };
    let help = if n == 1 {
        "move the statement inside the `Statement` array: the `]` that ends the array goes after the last statement, and a comma separates it from the statement before"
    } else {
        "move the statements inside the `Statement` array: the `]` that ends the array goes after the last statement, and commas separate the statements"
    };
    let mut issue =
        SyntaxIssue::new("splice-outside-array", first_char(text, first), message).with_help(help);
    let close = last_char(text, o.array);
    if char_at(text, close.start) == Some(']') {
        issue = issue.with_label(close, "the `Statement` array ends here");
    }
    if let Some(root) = o.after_root {
        let end = last_char(text, root);
        if char_at(text, end.start) == Some('}') {
            issue = issue.with_label(end, "the policy ends here");
        }
    }
    if let Some(stray) = o
        .strays
        .iter()
        .find(|s| char_at(text, s.start) == Some(']'))
    {
        issue = issue.with_label(*stray, "this `]` was meant to end the `Statement` array");
    }
    let fix = outside_fix(text, o);
    Some(issue.with_fix(fix))
}

/// Edits that move the pasted statements inside the array: the separator region between
/// the array's last element and the first pasted statement becomes a comma, and the array's
/// closing (and, after the policy, the policy's) goes after the last pasted statement.
fn outside_fix(text: &str, o: &Outside) -> Option<Vec<(Span, String)>> {
    if !o.clean {
        return None;
    }
    let first = *o.pasted.first()?;
    let last = *o.pasted.last()?;
    let arr_close = o.array.end.checked_sub(1)?;
    if char_at(text, arr_close) != Some(']') {
        return None;
    }
    let sep_start = o.last_item_end.unwrap_or(o.array.start + 1);
    let region = text.get(sep_start..first.start)?;
    let allowed = |c: char| {
        c.is_ascii_whitespace() || c == ']' || c == ',' || (o.after_root.is_some() && c == '}')
    };
    if !region.chars().all(allowed) || region.matches(']').count() != 1 {
        return None;
    }
    if o.after_root.is_some() && region.matches('}').count() != 1 {
        return None;
    }
    let tail_end = o.strays.last().map_or(last.end, |s| s.end);
    let tail = text.get(last.end..tail_end)?;
    if !tail
        .chars()
        .all(|c| c.is_ascii_whitespace() || matches!(c, ']' | '}' | ','))
    {
        return None;
    }
    if o.after_root.is_some() && !text[tail_end..].trim().is_empty() {
        return None;
    }
    let nl = newline(text);
    let comma = if o.last_item_end.is_some() { "," } else { "" };
    let first_line_start = line_start(text, first.start);
    let before_first = &text[first_line_start..first.start];
    let sep = if !region.contains('\n') {
        format!("{comma} ")
    } else if before_first.chars().all(|c| c == ' ' || c == '\t') {
        format!("{comma}{nl}{before_first}")
    } else {
        let indent = indent_of_line(text, sep_start.saturating_sub(1));
        format!("{comma}{nl}{indent}")
    };
    let closing = match o.after_root {
        None => format!("{nl}{}]", indent_of_line(text, arr_close)),
        Some(root) => {
            let root_close = root.end.checked_sub(1)?;
            if char_at(text, root_close) != Some('}') {
                return None;
            }
            let ls = line_start(text, arr_close);
            let from = if text[ls..arr_close].trim().is_empty() {
                ls
            } else {
                arr_close
            };
            format!("{nl}{}", &text[from..root.end])
        }
    };
    Some(vec![
        (Span::new(sep_start, first.start), sep),
        (Span::new(last.end, tail_end), closing),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{apply_edits, parse};

    /// Applies every fix of `rule` and returns the result.
    fn fixed(text: &str, rule: &str) -> String {
        let p = parse(text);
        let edits: Vec<(Span, String)> = p
            .issues
            .iter()
            .filter(|i| i.rule == rule)
            .flat_map(|i| i.fix.clone().unwrap_or_default())
            .collect();
        assert!(
            !edits.is_empty(),
            "no fix for {rule} in {text}: {:?}",
            p.issues
        );
        apply_edits(text, &edits).unwrap_or_default()
    }

    fn rules(text: &str) -> Vec<&'static str> {
        parse(text).issues.iter().map(|i| i.rule).collect()
    }

    fn sids(text: &str) -> Vec<String> {
        let p = parse(text);
        let Some(root) = p.root else { return vec![] };
        let Some(st) = root.get("Statement") else {
            return vec![];
        };
        statement_elements(st)
            .iter()
            .filter_map(|s| s.get("Sid").and_then(Node::as_str).map(str::to_string))
            .collect()
    }

    #[test]
    fn missing_comma_between_statements() {
        let t = "{\"Statement\": [\n  {\"Sid\": \"a\"}\n  {\"Sid\": \"b\"}\n]}";
        let p = parse(t);
        assert_eq!(rules(t), vec!["splice-missing-comma"]);
        let i = &p.issues[0];
        assert_eq!(&t[i.span.start..i.span.end], "{");
        assert_eq!(i.span.start, t.rfind("{\"Sid\"").unwrap_or(0));
        assert_eq!(&t[i.labels[0].0.start..i.labels[0].0.end], "}");
        let f = fixed(t, "splice-missing-comma");
        assert_eq!(
            f,
            "{\"Statement\": [\n  {\"Sid\": \"a\"},\n  {\"Sid\": \"b\"}\n]}"
        );
        assert!(parse(&f).is_valid());
        assert_eq!(sids(t), vec!["a", "b"]);
    }

    #[test]
    fn missing_comma_elsewhere_is_json_syntax() {
        let t = "{\"resources\": [{\"a\": 1} {\"b\": 2}]}";
        let p = parse(t);
        assert_eq!(rules(t), vec!["json-syntax"]);
        assert!(p.issues[0].message.contains("`resources` array"));
        assert!(p.issues[0].fix.is_none());
    }

    #[test]
    fn nested_array() {
        let t = "{\"Statement\": [{\"Sid\": \"a\"}, [{\"Sid\": \"b\"}, {\"Sid\": \"c\"}]]}";
        assert_eq!(rules(t), vec!["splice-nested-array"]);
        assert_eq!(sids(t), vec!["a", "b", "c"]);
        let f = fixed(t, "splice-nested-array");
        assert!(parse(&f).is_valid(), "{f}");
        assert_eq!(sids(&f), vec!["a", "b", "c"]);
        // Pasted without the comma: one finding, and the fix adds the comma.
        let t = "{\"Statement\": [{\"Sid\": \"a\"} [{\"Sid\": \"b\"}]]}";
        assert_eq!(rules(t), vec!["splice-nested-array"]);
        let f = fixed(t, "splice-nested-array");
        assert!(parse(&f).is_valid(), "{f}");
        assert_eq!(sids(&f), vec!["a", "b"]);
        // Doubly nested.
        let t = "{\"Statement\": [{\"Sid\": \"a\"}, [[{\"Sid\": \"b\"}], {\"Sid\": \"c\"}]]}";
        assert_eq!(rules(t), vec!["splice-nested-array"]);
        let f = fixed(t, "splice-nested-array");
        assert!(parse(&f).is_valid(), "{f}");
        assert_eq!(sids(&f), vec!["a", "b", "c"]);
        // Empty.
        let t = "{\"Statement\": [{\"Sid\": \"a\"}, []]}";
        let f = fixed(t, "splice-nested-array");
        assert!(parse(&f).is_valid(), "{f}");
    }

    #[test]
    fn pasted_document() {
        let t = "{\"Statement\": [{\"Sid\": \"a\"}, {\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"b\"}, {\"Sid\": \"c\"}]}]}";
        assert_eq!(rules(t), vec!["splice-pasted-document"]);
        assert_eq!(sids(t), vec!["a", "b", "c"]);
        let f = fixed(t, "splice-pasted-document");
        assert_eq!(
            f,
            "{\"Statement\": [{\"Sid\": \"a\"}, {\"Sid\": \"b\"}, {\"Sid\": \"c\"}]}"
        );
        // Without the comma before it.
        let t = "{\"Statement\": [{\"Sid\": \"a\"}\n{\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"b\"}]}]}";
        assert_eq!(rules(t), vec!["splice-pasted-document"]);
        let f = fixed(t, "splice-pasted-document");
        assert!(parse(&f).is_valid(), "{f}");
        assert_eq!(sids(&f), vec!["a", "b"]);
        // A document holding more than statements is not unwrapped blindly.
        let t = "{\"Statement\": [{\"Sid\": \"a\"}, {\"Version\": \"2012-10-17\", \"Extra\": 1, \"Statement\": [{\"Sid\": \"b\"}]}]}";
        assert!(parse(t).issues.iter().all(|i| i.fix.is_none()));
        // The whole `Statement` value.
        let t = "{\"Statement\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Sid\": \"b\"}]}}";
        assert_eq!(rules(t), vec!["splice-pasted-document"]);
        let f = fixed(t, "splice-pasted-document");
        assert_eq!(f, "{\"Statement\": [{\"Sid\": \"b\"}]}");
    }

    #[test]
    fn outside_the_array() {
        let t = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"a\"}\n  ],\n  {\"Sid\": \"b\"},\n  {\"Sid\": \"c\"}\n}\n";
        let p = parse(t);
        assert_eq!(rules(t), vec!["splice-outside-array"], "{:?}", p.issues);
        assert_eq!(sids(t), vec!["a", "b", "c"]);
        let f = fixed(t, "splice-outside-array");
        assert_eq!(
            f,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"a\"},\n  {\"Sid\": \"b\"},\n  {\"Sid\": \"c\"}\n  ]\n}\n"
        );
        // No comma after `]`, and the user's own `]` after the statements.
        let t = "{\"Statement\": [{\"Sid\": \"a\"}] {\"Sid\": \"b\"}]}";
        assert_eq!(rules(t), vec!["splice-outside-array"]);
        let f = fixed(t, "splice-outside-array");
        assert!(parse(&f).is_valid(), "{f}");
        assert_eq!(sids(&f), vec!["a", "b"]);
        // After the whole policy.
        let t = "{\n  \"Statement\": [\n    {\"Sid\": \"a\"}\n  ]\n}\n,\n{\"Sid\": \"b\"}\n";
        assert_eq!(rules(t), vec!["splice-outside-array"]);
        assert_eq!(sids(t), vec!["a", "b"]);
        let f = fixed(t, "splice-outside-array");
        assert_eq!(
            f,
            "{\n  \"Statement\": [\n    {\"Sid\": \"a\"},\n{\"Sid\": \"b\"}\n  ]\n}\n"
        );
        // Followed by more members: moved in, members kept.
        let t = "{\"Statement\": [{\"Sid\": \"a\"}], {\"Sid\": \"b\"}, \"Id\": \"x\"}";
        assert_eq!(rules(t), vec!["splice-outside-array"]);
        let f = fixed(t, "splice-outside-array");
        assert!(parse(&f).is_valid(), "{f}");
        assert_eq!(sids(&f), vec!["a", "b"]);
        // Missing comma between two pasted statements is its own mistake.
        let t = "{\"Statement\": [{\"Sid\": \"a\"}], {\"Sid\": \"b\"} {\"Sid\": \"c\"}}";
        assert_eq!(
            rules(t),
            vec!["splice-outside-array", "splice-missing-comma"]
        );
        assert_eq!(sids(t), vec!["a", "b", "c"]);
    }

    #[test]
    fn fixes_keep_crlf_line_endings() {
        let t = "{\r\n  \"Statement\": [\r\n    {\"Sid\": \"a\"}\r\n  ],\r\n  {\"Sid\": \"b\"}\r\n}\r\n";
        let f = fixed(t, "splice-outside-array");
        assert!(parse(&f).is_valid(), "{f:?}");
        assert_eq!(f.matches('\n').count(), f.matches("\r\n").count(), "{f:?}");
        assert_eq!(sids(&f), vec!["a", "b"]);
        let t = "{\r\n  \"Statement\": [\r\n    {\"Sid\": \"a\"},\r\n    [\r\n      {\"Sid\": \"b\"}\r\n    ]\r\n  ]\r\n}\r\n";
        let f = fixed(t, "splice-nested-array");
        assert!(parse(&f).is_valid(), "{f:?}");
        assert_eq!(f.matches('\n').count(), f.matches("\r\n").count(), "{f:?}");
        assert!(
            !f.contains("\n\r\n"),
            "an emptied line was left behind: {f:?}"
        );
    }

    #[test]
    fn not_statements_after_the_array() {
        let t = "{\"Statement\": [{\"Sid\": \"a\"}], {\"x\": 1}}";
        assert_eq!(rules(t), vec!["json-syntax"]);
    }
}
