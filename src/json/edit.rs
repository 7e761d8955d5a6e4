//! Applying text edits (the fixes of syntax issues) and moving them into a string literal.
//!
//! Pure functions: text in, text out. Writing files, choosing which fixes to apply and
//! re-parsing the result belong to the `--fix` machinery, not here.

use std::fmt;

use super::parse::SyntaxIssue;
use super::strmap::DecodedString;
use crate::source::Span;

/// Why a set of edits could not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// Two edits touch the same text (or insert at the same point, so their order would
    /// be a guess).
    Overlap(Span, Span),
    /// An edit reaches past the end of the text or does not fall on character boundaries.
    OutOfBounds(Span),
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::Overlap(a, b) => write!(
                f,
                "edits overlap: {}..{} and {}..{}",
                a.start, a.end, b.start, b.end
            ),
            EditError::OutOfBounds(s) => {
                write!(f, "edit {}..{} is outside the text", s.start, s.end)
            }
        }
    }
}

impl std::error::Error for EditError {}

/// Applies `edits` (replace each span by its text) to `text`. The edits may come in any
/// order but must not overlap: two edits may touch at a boundary (`0..2` and `2..3`, or an
/// insertion at 2 next to `2..3`), but not share a byte, and two insertions at the same
/// point are refused since their order would be a guess.
pub fn apply_edits<S: AsRef<str>>(text: &str, edits: &[(Span, S)]) -> Result<String, EditError> {
    let mut sorted: Vec<&(Span, S)> = edits.iter().collect();
    sorted.sort_by_key(|(span, _)| (span.start, span.end));
    for (span, _) in &sorted {
        if span.start > span.end
            || span.end > text.len()
            || !text.is_char_boundary(span.start)
            || !text.is_char_boundary(span.end)
        {
            return Err(EditError::OutOfBounds(*span));
        }
    }
    for pair in sorted.windows(2) {
        let (a, b) = (pair[0].0, pair[1].0);
        let shares_bytes = b.start < a.end;
        let same_insertion = a.is_empty() && b.is_empty() && a.start == b.start;
        // An insertion at the start of a replacement is fine (it goes before it); the
        // sort puts the insertion first.
        if shares_bytes || same_insertion {
            return Err(EditError::Overlap(a, b));
        }
    }
    let extra: usize = sorted.iter().map(|(_, r)| r.as_ref().len()).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut at = 0;
    for (span, replacement) in sorted {
        out.push_str(&text[at..span.start]);
        out.push_str(replacement.as_ref());
        at = span.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// Escapes text for use inside a JSON string literal (without the quotes).
pub fn escape_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl DecodedString {
    /// Maps an issue found in this decoded text (a policy inside a `Policy` string) to the
    /// outer file: its span, its labels, and its fix, whose replacement texts are escaped
    /// so that applying them to the outer file keeps the string literal valid.
    pub fn map_issue(&self, issue: &SyntaxIssue) -> SyntaxIssue {
        let mut out = issue.clone();
        out.span = self.map_span(issue.span);
        for (span, _) in &mut out.labels {
            *span = self.map_span(*span);
        }
        out.fix = issue.fix.as_ref().map(|edits| {
            edits
                .iter()
                .map(|(span, text)| (self.map_span(*span), escape_json_string(text)))
                .collect()
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{decode_string_literal, parse};

    fn e(start: usize, end: usize, s: &str) -> (Span, String) {
        (Span::new(start, end), s.to_string())
    }

    #[test]
    fn applies_in_any_order() {
        let t = "[{\"a\":1} {\"b\":2},]";
        let edits = vec![e(16, 17, ""), e(8, 8, ",")];
        assert_eq!(
            apply_edits(t, &edits).as_deref(),
            Ok("[{\"a\":1}, {\"b\":2}]")
        );
    }

    #[test]
    fn refuses_overlaps() {
        assert!(matches!(
            apply_edits("abcdef", &[e(1, 3, "x"), e(2, 4, "y")]),
            Err(EditError::Overlap(..))
        ));
        assert!(matches!(
            apply_edits("abcdef", &[e(2, 2, "x"), e(2, 2, "y")]),
            Err(EditError::Overlap(..))
        ));
        // Touching is fine.
        assert_eq!(
            apply_edits("abcdef", &[e(1, 3, "X"), e(3, 4, "Y"), e(4, 4, "!")]).as_deref(),
            Ok("aXY!ef")
        );
        assert_eq!(
            apply_edits("abc", &[e(1, 1, "<"), e(1, 2, "B")]).as_deref(),
            Ok("a<Bc")
        );
    }

    #[test]
    fn refuses_out_of_bounds() {
        assert!(matches!(
            apply_edits("abc", &[e(2, 9, "")]),
            Err(EditError::OutOfBounds(_))
        ));
        assert!(matches!(
            apply_edits("é", &[e(1, 2, "")]),
            Err(EditError::OutOfBounds(_))
        ));
    }

    #[test]
    fn maps_a_fix_into_a_string_literal() {
        // A policy with typographic quotes inside a `Policy` string.
        let file = "{\"Policy\": \"{\\n  \\u201cSid\\u201d: \\\"a\\\"}\"}";
        let start = file.find("\"{").unwrap_or(0);
        let lit = Span::new(start, file.len() - 1);
        let Some(d) = decode_string_literal(file, lit) else {
            panic!("decode")
        };
        assert_eq!(d.text, "{\n  “Sid”: \"a\"}");
        let inner = parse(&d.text);
        let issue = inner
            .issues
            .iter()
            .find(|i| i.rule == "json-smart-quotes")
            .map(|i| d.map_issue(i));
        let Some(issue) = issue else {
            panic!("no issue")
        };
        assert_eq!(&file[issue.span.start..issue.span.end], "\\u201cSid\\u201d");
        let fixed = apply_edits(file, &issue.fix.unwrap_or_default()).unwrap_or_default();
        assert_eq!(fixed, "{\"Policy\": \"{\\n  \\\"Sid\\\": \\\"a\\\"}\"}");
        // The outer file and the inner policy both parse now.
        let outer = parse(&fixed);
        assert!(outer.is_valid());
        let policy = outer
            .root
            .as_ref()
            .and_then(|r| r.get("Policy"))
            .and_then(|p| p.as_str())
            .unwrap_or("");
        assert!(parse(policy).is_valid());
    }
}
