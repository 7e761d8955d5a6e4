//! The fast path of [`super::parse`]: a strict RFC 8259 parser for the common case, a
//! valid file.
//!
//! It builds exactly the tree the recovering parser builds for valid JSON (same values,
//! same spans: a string's span includes its quotes, a member's `key_span` is its key's
//! literal, numbers keep their text) and gives up — returns `None` — at the first thing
//! it is not sure about: any syntax error, a comment, a control character or an escape the
//! recovering parser reports, nesting deeper than [`MAX_DEPTH`], content after the
//! document, an empty text. It also gives up where the recovering parser has something
//! to say about valid JSON: a duplicate key. The caller then parses again with the
//! recovering parser, which stays the single authority on every finding.
//!
//! It works on bytes, never recurses (containers live on an explicit stack), scans string
//! bodies and indentation eight bytes at a time, and allocates each container's vector
//! once at its final size.

use super::parse::MAX_DEPTH;
use super::strmap::{hex4, simple_escape};
use super::{Member, Node, Str, Value};
use crate::source::Span;
use crate::swar::{bytes_below, splat, word_at, zero_bytes};

/// The tree of a valid JSON text, with whether some object has a `Statement` member (the
/// only trigger of the splice analysis on valid JSON), or `None` when the text is not
/// plainly valid.
pub(super) struct Fast {
    pub root: Node,
    pub has_statement: bool,
}

/// One open container.
struct Frame {
    object: bool,
    /// Offset of its `[` or `{`.
    open: usize,
    /// Where its elements (or members) start on the shared value stack.
    base: usize,
    /// Objects: the key of the member whose value is being parsed.
    key: Str,
    key_span: Span,
}

pub(super) fn parse(text: &str) -> Option<Fast> {
    let b = text.as_bytes();
    let mut stack: Vec<Frame> = Vec::with_capacity(16);
    let mut items: Vec<Node> = Vec::with_capacity(64);
    let mut members: Vec<Member> = Vec::with_capacity(64);
    let mut has_statement = false;
    let mut i = skip_ws(b, 0);
    'value: loop {
        // A value starts at `i`.
        let start = i;
        let mut node = match *b.get(i)? {
            b'"' => {
                let (s, end) = string(text, i)?;
                i = end;
                Node::new(Value::String(s), Span::new(start, end))
            }
            open @ (b'{' | b'[') => {
                if stack.len() >= MAX_DEPTH {
                    return None;
                }
                let object = open == b'{';
                let close = if object { b'}' } else { b']' };
                i = skip_ws(b, i + 1);
                if *b.get(i)? == close {
                    i += 1;
                    let value = if object {
                        Value::Object(Vec::new())
                    } else {
                        Value::Array(Vec::new())
                    };
                    Node::new(value, Span::new(start, i))
                } else {
                    let mut frame = Frame {
                        object,
                        open: start,
                        base: if object { members.len() } else { items.len() },
                        key: Str::default(),
                        key_span: Span::default(),
                    };
                    if object {
                        i = key(text, i, &mut frame, &mut has_statement)?;
                    }
                    stack.push(frame);
                    continue 'value;
                }
            }
            b't' => literal(b, &mut i, b"true", Value::Bool(true))?,
            b'f' => literal(b, &mut i, b"false", Value::Bool(false))?,
            b'n' => literal(b, &mut i, b"null", Value::Null)?,
            b'-' | b'0'..=b'9' => {
                let end = number(b, i)?;
                i = end;
                Node::new(
                    Value::Number(Str::from(text.get(start..end)?)),
                    Span::new(start, end),
                )
            }
            _ => return None,
        };
        // `node` is complete: hand it to its container, then read what follows it — a
        // comma (and the next key) or closers, each closer completing one more node.
        loop {
            let Some(f) = stack.last_mut() else {
                return (skip_ws(b, i) == b.len()).then_some(Fast {
                    root: node,
                    has_statement,
                });
            };
            if f.object {
                members.push(Member {
                    key: std::mem::take(&mut f.key),
                    key_span: f.key_span,
                    value: node,
                });
            } else {
                items.push(node);
            }
            i = skip_ws(b, i);
            match *b.get(i)? {
                b',' => {
                    i = skip_ws(b, i + 1);
                    if f.object {
                        i = key(text, i, f, &mut has_statement)?;
                    }
                    continue 'value;
                }
                b']' if !f.object => {
                    let value = Value::Array(items.split_off(f.base));
                    node = Node::new(value, Span::new(f.open, i + 1));
                    stack.pop();
                }
                b'}' if f.object => {
                    let object = members.split_off(f.base);
                    let span = Span::new(f.open, i + 1);
                    stack.pop();
                    if has_duplicate(&object) {
                        return None;
                    }
                    node = Node::new(Value::Object(object), span);
                }
                _ => return None,
            }
            i += 1;
        }
    }
}

/// Reads `"key"`, blanks, `:` and blanks at `i` into the frame; returns where the value
/// starts.
fn key(text: &str, i: usize, frame: &mut Frame, has_statement: &mut bool) -> Option<usize> {
    let b = text.as_bytes();
    if *b.get(i)? != b'"' {
        return None;
    }
    let (k, end) = string(text, i)?;
    if k == "Statement" {
        *has_statement = true;
    }
    frame.key = k;
    frame.key_span = Span::new(i, end);
    let colon = skip_ws(b, end);
    if *b.get(colon)? != b':' {
        return None;
    }
    Some(skip_ws(b, colon + 1))
}

/// `true`, `false` or `null` at `*i`; the grammar around it rejects a longer word.
fn literal(b: &[u8], i: &mut usize, word: &[u8], value: Value) -> Option<Node> {
    let start = *i;
    let end = start + word.len();
    if b.get(start..end)? != word {
        return None;
    }
    *i = end;
    Some(Node::new(value, Span::new(start, end)))
}

/// The end of the RFC 8259 number at `i` (the grammar around it rejects what follows).
fn number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(b, i + 1),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        if !b.get(i + 1)?.is_ascii_digit() {
            return None;
        }
        i = digits(b, i + 2);
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !b.get(i)?.is_ascii_digit() {
            return None;
        }
        i = digits(b, i + 1);
    }
    // `1x`, `0x1F`, `1.2.3`: the recovering parser reads one bad number; so do we not.
    if b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'))
    {
        return None;
    }
    Some(i)
}

/// Skips JSON whitespace (space, tab, line feed, carriage return) from `i`.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    const SPACES: u64 = splat(b' ');
    loop {
        match b.get(i) {
            // A run of spaces (indentation): up to eight in one step.
            Some(b' ') => {
                i += match word_at(b, i) {
                    Some(w) => match w ^ SPACES {
                        0 => 8,
                        // At least 1: the byte at `i` is a space.
                        x => (x.trailing_zeros() / 8) as usize,
                    },
                    None => 1,
                };
            }
            Some(b'\n' | b'\r' | b'\t') => i += 1,
            _ => return i,
        }
    }
}

/// The offset of the first `"`, `\` or control character (below U+0020) at or after `i`
/// in whole eight-byte words, or where the words ran out (the caller goes on bytewise).
fn special(b: &[u8], mut i: usize) -> (usize, bool) {
    while let Some(w) = word_at(b, i) {
        // Below 0x20: exact on the lowest hit for bytes below 0x80; bytes at 0x80 and
        // above have the high bit set in `w`, so `!w` clears them.
        let mask =
            bytes_below(w, 0x20) | zero_bytes(w ^ splat(b'"')) | zero_bytes(w ^ splat(b'\\'));
        if mask != 0 {
            return (i + (mask.trailing_zeros() / 8) as usize, true);
        }
        i += 8;
    }
    (i, false)
}

/// The string literal whose opening quote is at `open`: its decoded text and the offset
/// after its closing quote.
fn string(text: &str, open: usize) -> Option<(Str, usize)> {
    let b = text.as_bytes();
    let body = open + 1;
    let i = plain(b, body);
    match *b.get(i)? {
        b'"' => Some((Str::from(text.get(body..i)?), i + 1)),
        b'\\' => escaped(text, body, i),
        _ => None, // a control character
    }
}

/// The offset of the first `"`, `\` or control character at or after `i` (or the end).
fn plain(b: &[u8], i: usize) -> usize {
    let (mut i, found) = special(b, i);
    if !found {
        // Fewer than eight bytes left: bytewise.
        while b
            .get(i)
            .is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\')
        {
            i += 1;
        }
    }
    i
}

/// The rest of a string literal from its first escape at `i` (its body starts at `body`).
fn escaped(text: &str, body: usize, mut i: usize) -> Option<(Str, usize)> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(i - body + 16);
    out.push_str(text.get(body..i)?);
    loop {
        // `b[i]` is a backslash.
        let (c, len) = match *b.get(i + 1)? {
            b'u' => {
                let hi = hex4(b, i + 2)?;
                if (0xD800..0xDC00).contains(&hi) {
                    // A surrogate pair, or nothing.
                    if b.get(i + 6) != Some(&b'\\') || b.get(i + 7) != Some(&b'u') {
                        return None;
                    }
                    let lo = hex4(b, i + 8)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?;
                    (c, 12)
                } else {
                    // A lone low surrogate is refused by `from_u32`.
                    (char::from_u32(hi)?, 6)
                }
            }
            other => (simple_escape(other)?, 2),
        };
        out.push(c);
        i += len;
        // The plain run up to the next special byte.
        let run = i;
        i = plain(b, i);
        out.push_str(text.get(run..i)?);
        match *b.get(i)? {
            b'"' => return Some((Str::from(out), i + 1)),
            b'\\' => {}
            _ => return None,
        }
    }
}

/// Whether two members of an object have the same key.
fn has_duplicate(members: &[Member]) -> bool {
    if members.len() < 2 {
        return false;
    }
    if members.len() <= SMALL_OBJECT {
        // Pairwise, on a word per key (its length and first bytes): two keys of an
        // object rarely share both, so the keys themselves are compared about never.
        let mut heads = [0u64; SMALL_OBJECT];
        for (h, m) in heads.iter_mut().zip(members) {
            *h = head(m.key.as_bytes());
        }
        let heads = &heads[..members.len()];
        return (1..heads.len())
            .any(|i| (0..i).any(|j| heads[j] == heads[i] && members[j].key == members[i].key));
    }
    // The few dozen labels or tags of a large object: sort 64-bit fingerprints of the
    // keys; only equal fingerprints (a duplicate, or a rare collision) compare the keys.
    let mut prints: Vec<u64> = members.iter().map(|m| fingerprint(&m.key)).collect();
    prints.sort_unstable();
    if prints.windows(2).all(|w| w[0] != w[1]) {
        return false;
    }
    let mut keys: Vec<&str> = members.iter().map(|m| m.key.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

/// Objects up to this many members are checked pair by pair (see [`has_duplicate`]).
const SMALL_OBJECT: usize = 24;

/// A key's length (top byte) and its first seven bytes: equal for equal keys.
fn head(key: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = key.len().min(7);
    w[..n].copy_from_slice(&key[..n]);
    w[7] = key.len() as u8;
    u64::from_le_bytes(w)
}

/// A fast, non-cryptographic hash of a key (equal keys, equal fingerprints).
fn fingerprint(key: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let b = key.as_bytes();
    let mut h = (b.len() as u64).wrapping_mul(K);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
    }
    let mut w = [0u8; 8];
    let rest = chunks.remainder();
    w[..rest.len()].copy_from_slice(rest);
    (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K)
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_slow;
    use super::*;

    fn fast(text: &str) -> Option<Node> {
        parse(text).map(|f| f.root)
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start..span.end]
    }

    /// The fast tree, which must be the recovering parser's tree of a clean text.
    fn accepted(text: &str) -> Node {
        let Some(root) = fast(text) else {
            panic!("fast path refused {text:?}")
        };
        let slow = parse_slow(text);
        assert!(slow.issues.is_empty(), "{text:?}: {:?}", slow.issues);
        assert_eq!(slow.root.as_ref(), Some(&root), "{text:?}");
        root
    }

    #[test]
    fn spans_of_keys_values_and_strings() {
        let t = " {\"a\": [1, \"x\\\"y\", true, null, false], \"é\\u00e9\": {\"k\": \"“v”\"}} \n";
        let root = accepted(t);
        assert_eq!(root.span, Span::new(1, t.len() - 2));
        let a = root.member("a").map(|m| m.key_span);
        assert_eq!(a.map(|s| slice(t, s)), Some("\"a\""));
        let arr = root.get("a").and_then(Node::as_array).unwrap_or(&[]);
        let texts: Vec<&str> = arr.iter().map(|n| slice(t, n.span)).collect();
        assert_eq!(texts, ["1", "\"x\\\"y\"", "true", "null", "false"]);
        assert_eq!(arr[1].as_str(), Some("x\"y"));
        let m = root.member("éé");
        assert_eq!(m.map(|m| slice(t, m.key_span)), Some("\"é\\u00e9\""));
        let v = root.pointer("/éé/k");
        assert_eq!(v.and_then(Node::as_str), Some("“v”"));
        assert_eq!(v.map(|n| slice(t, n.span)), Some("\"“v”\""));
    }

    #[test]
    fn escapes_decode() {
        let t = r#"["\"\\\/\b\f\n\r\t", "a\u0041\u00e9\u20ac\ud83d\ude00z", "\u0000", "long plain run then \n escape"]"#;
        let root = accepted(t);
        let s: Vec<&str> = root
            .as_array()
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .collect();
        assert_eq!(
            s,
            [
                "\"\\/\u{8}\u{c}\n\r\t",
                "aAé€😀z",
                "\0",
                "long plain run then \n escape"
            ]
        );
    }

    #[test]
    fn numbers_keep_their_text() {
        let t = "[-0, 0, 1e5, 1.5E-3, -12.25e+10, 111122223333444455556666, 0.0]";
        let root = accepted(t);
        let n: Vec<&str> = root
            .as_array()
            .unwrap_or(&[])
            .iter()
            .filter_map(|n| match &n.value {
                Value::Number(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            n,
            [
                "-0",
                "0",
                "1e5",
                "1.5E-3",
                "-12.25e+10",
                "111122223333444455556666",
                "0.0"
            ]
        );
    }

    #[test]
    fn scalars_and_empty_containers_as_roots() {
        for t in [
            "1", "\"s\"", "true", "null", "[]", "{}", " [ ] ", "{\n}", "[[],{}]",
        ] {
            accepted(t);
        }
    }

    #[test]
    fn nesting_up_to_the_limit() {
        let t = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        accepted(&t);
        let t = format!(
            "{}1{}",
            "{\"a\":[".repeat(MAX_DEPTH / 2),
            "]}".repeat(MAX_DEPTH / 2)
        );
        accepted(&t);
        let t = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(fast(&t).is_none());
    }

    #[test]
    fn a_key_policy() {
        let t = "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {\n            \"Sid\": \"Enable IAM User Permissions\",\n            \"Effect\": \"Allow\",\n            \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"},\n            \"Action\": \"kms:*\",\n            \"Resource\": \"*\",\n            \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": true}}\n        }\n    ]\n}\n";
        let root = accepted(t);
        assert!(parse(t).is_some_and(|f| f.has_statement));
        let sid = root.pointer("/Statement/0/Sid");
        assert_eq!(
            sid.map(|n| slice(t, n.span)),
            Some("\"Enable IAM User Permissions\"")
        );
    }

    #[test]
    fn refuses_what_the_recovering_parser_reports() {
        let refused = [
            "",
            "   \n",
            "\u{feff}{}",
            "{} x",
            "{}{}",
            "{},",
            "[1,]",
            "{\"a\":1,}",
            "[,1]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":}",
            "{a: 1}",
            "{'a': 1}",
            "[\"a\nb\"]",
            "[\"tab\there\"]",
            "[\"\u{1}\"]",
            "[\"C:\\Users\"]",
            "[\"\\x41\"]",
            "[\"\\u12\"]",
            "[\"\\u00g0\"]",
            "[\"\\ud83d\"]",
            "[\"\\ud83dx\"]",
            "[\"\\ud83d\\u0041\"]",
            "[\"\\ude00\"]",
            "[\"open",
            "[\"open\\",
            "[01]",
            "[1.]",
            "[.5]",
            "[-]",
            "[1e]",
            "[1e+]",
            "[+1]",
            "[0x1F]",
            "[1.2.3]",
            "[1x]",
            "[NaN]",
            "[True]",
            "[nul]",
            "[truex]",
            "[“a”]",
            "{\"a\": 1 // note\n}",
            "/* c */ {}",
            "{\"a\": 1}\n// trailing\n",
            "[\u{a0}1]",
            "[\u{c}1]",
            "[1}",
            "{\"a\":1]",
            "[",
            "{",
            "{\"a\"",
            "{\"a\":1",
            "{\"a\": 1, \"a\": 2}",
        ];
        for t in refused {
            assert!(fast(t).is_none(), "accepted {t:?}");
            // Each is a real mistake (or a special case): the recovering parser reports it.
            assert!(!parse_slow(t).issues.is_empty(), "no issue for {t:?}");
        }
        // A small object's keys that share their length and first seven bytes are told
        // apart by the rest, and a duplicate among them is still found.
        let near = "{\"kms:ViaService-a\": 1, \"kms:ViaService-b\": 2}";
        assert!(fast(near).is_some());
        assert!(fast("{\"kms:ViaService-a\": 1, \"x\": 0, \"kms:ViaService-a\": 2}").is_none());
        // A long object's duplicates are found too (the hashing branch).
        let mut long: Vec<String> = (0..30).map(|i| format!("\"k{i}\": {i}")).collect();
        assert!(fast(&format!("{{{}}}", long.join(","))).is_some());
        long.push("\"k3\": 0".to_string());
        assert!(fast(&format!("{{{}}}", long.join(","))).is_none());
        let keys: Vec<String> = (0..40)
            .map(|i| format!("\"a-much-longer-label-key-{i}\": {i}"))
            .collect();
        let t = format!("{{{}, \"a-much-longer-label-key-7\": 1}}", keys.join(","));
        assert!(fast(&format!("{{{}}}", keys.join(","))).is_some());
        assert!(fast(&t).is_none());
    }

    #[test]
    fn accepts_near_misses_of_the_refusals() {
        for t in [
            // Statement elements inside a `Principal` or `Condition` of valid JSON: the
            // recovering parser keeps the tree as written too (a `}` that is really missing
            // leaves the text invalid).
            "{\"Principal\": {\"AWS\": \"*\", \"Action\": \"kms:*\"}}",
            "{\"Condition\": {\"Bool\": {}, \"Effect\": \"Allow\"}}",
            "{\"Principal\": {\"AWS\": \"*\", \"Principal\": 1}}",
            "{\"Principal\": {\"AWS\": \"*\"}, \"Action\": \"kms:*\"}",
            "[{\"AWS\": \"*\", \"Action\": \"kms:*\"}]",
            "{\"a\": {\"a\": 1}, \"b\": [{\"a\": 2}, {\"a\": 3}]}",
            "[\"\\ud83d\\ude00\", \"\\uD83D\\uDE00\"]",
            "[\"\u{7f}\", \"'\", \"/* not a comment */\", \"// nor this\"]",
            "\r\n\t[1]\r\n",
        ] {
            accepted(t);
        }
    }

    #[test]
    fn whitespace_skips_agree_with_byte_scans() {
        let text = b"{\n                \"a\"   \t\r\n  x  \n          \n   ";
        for from in 0..=text.len() {
            let mut slow = from;
            while text
                .get(slow)
                .is_some_and(|c| matches!(c, b' ' | b'\n' | b'\r' | b'\t'))
            {
                slow += 1;
            }
            assert_eq!(skip_ws(text, from), slow, "{from}");
        }
    }

    #[test]
    fn word_scans_agree_with_byte_scans() {
        let is_special = |c: u8| c < 0x20 || c == b'"' || c == b'\\';
        for bad in [
            b'"', b'\\', b'\n', 0x1f, 0x00, 0x80, 0xe2, 0x7f, b' ', b'\'',
        ] {
            for at in 0..24 {
                let mut v = b"kms:Encrypt-and-more-text-here".to_vec();
                v[at] = bad;
                for from in 0..v.len() {
                    let (got, found) = special(&v, from);
                    let want = (from..v.len()).find(|&j| is_special(v[j]));
                    if found {
                        assert_eq!(Some(got), want, "{v:?} {from}");
                    } else {
                        assert!(v.len() - got < 8, "{v:?} {from}");
                        assert!(want.is_none_or(|w| w >= got), "{v:?} {from}");
                    }
                }
            }
        }
    }
}
