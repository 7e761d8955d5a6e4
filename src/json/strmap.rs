//! Decoding a JSON string literal while remembering where each decoded byte came from.
//!
//! `aws kms get-key-policy` prints the policy as a JSON string inside JSON. cmklint parses
//! that string as a document of its own and must point at the exact characters inside the
//! literal, escapes included; this map makes that possible.

use crate::source::Span;

/// A decoded string plus, for each byte of `text` (and one past the end), the byte offset
/// in the outer file where that byte's source text starts.
#[derive(Debug, Clone)]
pub struct DecodedString {
    pub text: String,
    pub origin: Vec<usize>,
}

impl DecodedString {
    /// Maps a span in the decoded text to the outer file.
    pub fn map_span(&self, span: Span) -> Span {
        let at = |o: usize| {
            self.origin
                .get(o)
                .copied()
                .or_else(|| self.origin.last().copied())
                .unwrap_or(0)
        };
        if span.is_empty() {
            let p = at(span.start);
            return Span::point(p);
        }
        Span::new(at(span.start), at(span.end))
    }
}

/// Decodes the JSON string literal that starts at `literal.start` (the opening quote) in
/// `file`. Returns `None` if it is not a well-formed literal.
pub fn decode_string_literal(file: &str, literal: Span) -> Option<DecodedString> {
    let bytes = file.as_bytes();
    if bytes.get(literal.start) != Some(&b'"') {
        return None;
    }
    let mut i = literal.start + 1;
    let end = literal.end.min(bytes.len());
    // The decoded text is never longer than the literal.
    let room = end.saturating_sub(i) + 1;
    let mut text = String::with_capacity(room);
    let mut origin = Vec::with_capacity(room);
    while i < end {
        let b = bytes[i];
        match b {
            b'"' => {
                origin.push(i);
                return Some(DecodedString { text, origin });
            }
            b'\\' => {
                let esc = *bytes.get(i + 1)?;
                let (ch, len) = match esc {
                    b'u' => {
                        let hi = hex4(bytes, i + 2)?;
                        let lo = (bytes.get(i + 6) == Some(&b'\\')
                            && bytes.get(i + 7) == Some(&b'u'))
                        .then(|| hex4(bytes, i + 8))
                        .flatten()
                        .filter(|lo| (0xDC00..0xE000).contains(lo));
                        match (hi, lo) {
                            // A surrogate pair: \uD83D\uDE00.
                            (0xD800..=0xDBFF, Some(lo)) => {
                                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                                (char::from_u32(c)?, 12)
                            }
                            // A lone surrogate is no character: like the parser, keep
                            // the escape's text as written (the parser reports it).
                            (0xD800..=0xDFFF, _) => {
                                for k in 0..6 {
                                    origin.push(i + k);
                                }
                                text.push_str(file.get(i..i + 6)?);
                                i += 6;
                                continue;
                            }
                            _ => (char::from_u32(hi)?, 6),
                        }
                    }
                    other => (simple_escape(other)?, 2),
                };
                for _ in 0..ch.len_utf8() {
                    origin.push(i);
                }
                text.push(ch);
                i += len;
            }
            _ => {
                // Everything up to the next quote or escape is copied as it is, each byte
                // mapped to itself (the quote and the backslash are ASCII, so the run ends
                // on a character boundary).
                let run = bytes[i..end]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\')
                    .map_or(end, |n| i + n);
                text.push_str(file.get(i..run)?);
                origin.extend(i..run);
                i = run;
            }
        }
    }
    None
}

/// The character a one-letter escape (`\n`, `\"`, …; `c` is the byte after the
/// backslash) stands for; `None` for `u` and for anything that is no JSON escape.
pub(super) fn simple_escape(c: u8) -> Option<char> {
    Some(match c {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => return None,
    })
}

/// The four hexadecimal digits of a `\u` escape at `at`.
pub(super) fn hex4(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?)?
        .iter()
        .try_fold(0, |n, &c| Some(n * 16 + char::from(c).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_escapes_back() {
        let file = r#"{"Policy": "{\"Version\":\"2012-10-17\",\n\"a\":\u00e9}"}"#;
        let start = file.find("\"{").unwrap_or(0);
        let lit = Span::new(start, file.len() - 1);
        let d = decode_string_literal(file, lit).map(|d| (d.text.clone(), d));
        let Some((text, d)) = d else { panic!("decode") };
        assert_eq!(text, "{\"Version\":\"2012-10-17\",\n\"a\":é}");
        // "Version" key (with its quotes) in the decoded text
        let v = text.find("\"Version\"").unwrap_or(0);
        let outer = d.map_span(Span::new(v, v + 9));
        assert_eq!(&file[outer.start..outer.end], "\\\"Version\\\"");
        let e = text.find('é').unwrap_or(0);
        let outer = d.map_span(Span::new(e, e + 2));
        assert_eq!(&file[outer.start..outer.end], "\\u00e9");
    }
}
