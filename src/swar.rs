//! Eight bytes at a step: the word tests the scanners share (the JSON lexer, the JSON
//! fast path, the line index). A word is eight bytes read little-endian, so byte `k` of
//! the text is bits `8k..8k + 8` and the lowest flag is the first byte in the text.

/// `0x01` in every byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte.
pub(crate) const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The byte `b` in every byte of a word.
pub(crate) const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// The eight bytes at `i`, if there are eight.
pub(crate) fn word_at(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(i..i.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// The high bit of each zero byte of `w`. Non-zero exactly when `w` has a zero byte, and
/// its lowest set bit is always a true one (only bits above a zero byte can be false).
pub(crate) fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// The high bit of each byte of `w` below `n` (for `n` at most `0x80`), with the same
/// guarantee as [`zero_bytes`].
pub(crate) fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(splat(n)) & !w & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_tests_agree_with_bytes() {
        let samples: [[u8; 8]; 5] = [
            *b"abcdefgh",
            *b"ab\0def\ng",
            [0, 1, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0],
            *b"\n\n\n\n\n\n\n\n",
            [0x41, 0x00, 0x00, 0x42, 0x01, 0x1f, 0x20, 0x0a],
        ];
        for bytes in samples {
            let w = word_at(&bytes, 0).unwrap_or(0);
            let first_zero = bytes.iter().position(|&b| b == 0);
            let z = zero_bytes(w);
            assert_eq!(z != 0, first_zero.is_some(), "{bytes:?}");
            if let Some(k) = first_zero {
                assert_eq!(z.trailing_zeros() as usize / 8, k, "{bytes:?}");
            }
            let first_control = bytes.iter().position(|&b| b < 0x20);
            let c = bytes_below(w, 0x20);
            assert_eq!(c != 0, first_control.is_some(), "{bytes:?}");
            if let Some(k) = first_control {
                assert_eq!(c.trailing_zeros() as usize / 8, k, "{bytes:?}");
            }
            let nl = zero_bytes(w ^ splat(b'\n'));
            assert_eq!(nl != 0, bytes.contains(&b'\n'), "{bytes:?}");
        }
        assert_eq!(word_at(b"1234567", 0), None);
        assert_eq!(word_at(b"12345678", usize::MAX), None);
    }
}
