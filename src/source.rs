//! Stage "read" support: a file's text, its byte spans and the line index that turns a
//! byte offset into 1-based line and column (characters, or UTF-16 code units for SARIF).
//!
//! Everything inside cmklint speaks byte ranges; conversion to lines and columns happens
//! only here, when a renderer asks. This module never prints and never reads the disk.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::swar::{splat, word_at, zero_bytes, HIGHS};

/// A half-open byte range `start..end` into one text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// An empty span at `at` (an insertion point, or a "missing here" marker).
    pub const fn point(at: usize) -> Span {
        Span { start: at, end: at }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based position for humans and machine formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    /// 1-based column counted in Unicode scalar values (characters).
    pub column: usize,
    /// 1-based column counted in UTF-16 code units (SARIF, LSP).
    pub column_utf16: usize,
}

/// One linted (or attempted) file: display path plus decoded text.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user named it or as discovery found it (relative where possible).
    pub path: PathBuf,
    /// The decoded text, BOM removed. Empty when the file could not be read or decoded.
    pub text: String,
    /// Byte offset of each line start in `text`, computed on first use: most files have
    /// no finding, so most never need it.
    line_starts: OnceLock<LineIndex>,
    /// Number of bytes removed from the front of the raw file (a UTF-8 BOM is 3).
    pub bom_len: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<PathBuf>, text: String) -> SourceFile {
        SourceFile {
            path: path.into(),
            text,
            line_starts: OnceLock::new(),
            bom_len: 0,
        }
    }

    /// Builds the line index now (a worker thread does this for the files with a finding,
    /// so that rendering the report on the main thread does not).
    pub fn index_lines(&self) {
        self.index();
    }

    fn index(&self) -> &LineIndex {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    fn starts(&self) -> &[usize] {
        &self.index().starts
    }

    /// Builds a source from raw bytes already known to be UTF-8; strips a BOM.
    pub fn from_utf8(path: impl Into<PathBuf>, text: String) -> SourceFile {
        if let Some(rest) = text.strip_prefix('\u{feff}') {
            let mut s = SourceFile::new(path, rest.to_string());
            s.bom_len = 3;
            s
        } else {
            SourceFile::new(path, text)
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Clamps `offset` to the text and to a character boundary (rounding down).
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// 1-based line and columns of a byte offset. Offsets past the end map to the end;
    /// an offset inside a CRLF pair maps to the end of that line.
    pub fn position(&self, offset: usize) -> Position {
        let offset = self.clamp(offset);
        let index = self.index();
        let starts = &index.starts;
        let line_idx = match starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = starts.get(line_idx).copied().unwrap_or(0);
        if index.ascii.get(line_idx).copied().unwrap_or(false) {
            // One byte, one character, one UTF-16 unit: no counting (thousands of
            // findings on one long line would otherwise count it again for each).
            let column = offset - line_start + 1;
            return Position {
                line: line_idx + 1,
                column,
                column_utf16: column,
            };
        }
        let prefix = &self.text[line_start..offset];
        Position {
            line: line_idx + 1,
            column: prefix.chars().count() + 1,
            column_utf16: prefix.chars().map(char::len_utf16).sum::<usize>() + 1,
        }
    }

    /// The text of 1-based line `line` without its line terminator.
    pub fn line_text(&self, line: usize) -> &str {
        let starts = self.starts();
        let Some(&start) = starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn line_count(&self) -> usize {
        self.starts().len()
    }

    /// The text under a span, clamped to valid boundaries.
    pub fn slice(&self, span: Span) -> &str {
        let s = self.clamp(span.start);
        let e = self.clamp(span.end.max(span.start));
        &self.text[s..e]
    }
}

/// Where each line starts, and whether it is all ASCII (columns are then byte offsets).
#[derive(Debug)]
struct LineIndex {
    starts: Vec<usize>,
    ascii: Vec<bool>,
}

fn line_starts(text: &str) -> LineIndex {
    let bytes = text.as_bytes();
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    let mut ascii = Vec::with_capacity(text.len() / 32 + 1);
    starts.push(0);
    // Eight bytes at a step while they hold no line break (this runs on the main thread
    // for every file with a finding, while the report is rendered); `seen` gathers the
    // line's bytes so that one test of the high bits says whether it was all ASCII.
    let mut seen: u64 = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(w) = word_at(bytes, i) {
            let breaks = zero_bytes(w ^ splat(b'\n'));
            if breaks == 0 {
                seen |= w;
                i += 8;
                continue;
            }
            // The lowest flag is exact: the first line break of the eight bytes.
            let lane = (breaks.trailing_zeros() / 8) as usize;
            if lane > 0 {
                seen |= w & (u64::MAX >> (64 - 8 * lane));
            }
            ascii.push(seen & HIGHS == 0);
            starts.push(i + lane + 1);
            seen = 0;
            i += lane + 1;
            continue;
        }
        let b = bytes[i];
        seen |= u64::from(b);
        if b == b'\n' {
            ascii.push(seen & HIGHS == 0);
            starts.push(i + 1);
            seen = 0;
        }
        i += 1;
    }
    ascii.push(seen & HIGHS == 0);
    LineIndex { starts, ascii }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_utf16() {
        let s = SourceFile::new("x", "ab\r\n“é𝄞x\n".to_string());
        assert_eq!(s.position(0).line, 1);
        assert_eq!(s.position(4).line, 2);
        let x = s.text.find('x').unwrap_or(0);
        let p = s.position(x);
        assert_eq!((p.line, p.column, p.column_utf16), (2, 4, 5));
        assert_eq!(s.line_text(1), "ab");
    }

    #[test]
    fn ascii_and_non_ascii_lines_agree_with_counting() {
        let text = "{\"a\": \"x\"}\n  \"é𝄞\": \"“y”\"\r\nplain\n";
        let s = SourceFile::new("x", text.to_string());
        for offset in 0..=text.len() + 2 {
            let o = s.clamp(offset);
            let line_start = text[..o].rfind('\n').map_or(0, |i| i + 1);
            let prefix = &text[line_start..o];
            let p = s.position(offset);
            assert_eq!(p.column, prefix.chars().count() + 1, "offset {offset}");
            let utf16: usize = prefix.chars().map(char::len_utf16).sum();
            assert_eq!(p.column_utf16, utf16 + 1, "offset {offset}");
        }
    }

    /// The word-at-a-time index equals a byte-by-byte one, with line breaks and non-ASCII
    /// characters at every position relative to the eight-byte steps.
    #[test]
    fn line_index_equals_byte_by_byte_scan() {
        let pieces = ["", "a", "abcdefg", "abcdefghijklmnop", "é", "“x”", "\r"];
        for a in pieces {
            for b in pieces {
                for pad in 0..9 {
                    let text = format!("{}{a}\n{b}\n\n{a}{b}", " ".repeat(pad));
                    let index = line_starts(&text);
                    let mut starts = vec![0];
                    let mut ascii = Vec::new();
                    let mut line_ascii = true;
                    for (i, c) in text.bytes().enumerate() {
                        line_ascii &= c.is_ascii();
                        if c == b'\n' {
                            starts.push(i + 1);
                            ascii.push(line_ascii);
                            line_ascii = true;
                        }
                    }
                    ascii.push(line_ascii);
                    assert_eq!(index.starts, starts, "{text:?}");
                    assert_eq!(index.ascii, ascii, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn bom_is_stripped() {
        let s = SourceFile::from_utf8("x", "\u{feff}{}".to_string());
        assert_eq!(s.text, "{}");
        assert_eq!(s.bom_len, 3);
    }

    #[test]
    fn offsets_past_end_clamp() {
        let s = SourceFile::new("x", "é".to_string());
        assert_eq!(s.position(1).column, 1);
        assert_eq!(s.position(99).column, 2);
    }
}
