//! Unified diffs for `--diff`: what `--fix` would write, shown without writing.
//!
//! Lines are compared with their terminators (so a changed line ending shows), using
//! Myers' O((N+M)·D) algorithm: fixes change few lines, so D is small even in large files.
//! The output follows GNU `diff -u` (`--- a/…`, `+++ b/…`, `@@ -l,n +l,n @@`, 3 lines of
//! context, `\ No newline at end of file`) so `patch -p1` and `git apply` accept it.

/// One step of an edit script over lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// Old line `.0` equals new line `.1`.
    Equal(usize, usize),
    /// Old line removed.
    Delete(usize),
    /// New line added.
    Insert(usize),
}

/// A unified diff of `old` → `new` with `context` lines around each change; empty when
/// the texts are equal. `path` is shown as `a/PATH` and `b/PATH`.
pub fn unified_diff(path: &str, old: &str, new: &str, context: usize) -> String {
    if old == new {
        return String::new();
    }
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let ops = edit_script(&a, &b);
    let mut out = format!("--- a/{path}\n+++ b/{path}\n");
    for range in hunk_ranges(&ops, context) {
        write_hunk(&mut out, &ops, range, &a, &b);
    }
    out
}

/// The shortest edit script turning `a` into `b`.
fn edit_script(a: &[&str], b: &[&str]) -> Vec<Op> {
    // Common prefix and suffix cost nothing and keep D (and the trace) small.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Equal(i, i)).collect();
    let mid = myers(&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    ops.extend(mid.into_iter().map(|op| match op {
        Op::Equal(i, j) => Op::Equal(i + prefix, j + prefix),
        Op::Delete(i) => Op::Delete(i + prefix),
        Op::Insert(j) => Op::Insert(j + prefix),
    }));
    let (sa, sb) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|i| Op::Equal(sa + i, sb + i)));
    ops
}

/// Myers' greedy algorithm with a trace of the furthest-reaching paths per D, then a
/// backtrack. Each trace row `d` holds the diagonals `-d..=d` only, so memory is O(D²).
fn myers(a: &[&str], b: &[&str]) -> Vec<Op> {
    let (n, m) = (a.len() as isize, b.len() as isize);
    let max = (n + m) as usize;
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    let idx = |k: isize| (k + off) as usize;
    let mut found = None;
    'outer: for d in 0..=max as isize {
        let mut k = -d;
        while k <= d {
            let mut x = if k == -d || (k != d && v[idx(k - 1)] < v[idx(k + 1)]) {
                v[idx(k + 1)]
            } else {
                v[idx(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[idx(k)] = x;
            if x >= n && y >= m {
                trace.push((-d..=d).map(|k| v[idx(k)]).collect());
                found = Some(d);
                break 'outer;
            }
            k += 2;
        }
        trace.push((-d..=d).map(|k| v[idx(k)]).collect());
    }
    let Some(depth) = found else {
        return Vec::new();
    };

    // Backtrack from (n, m) to (0, 0).
    let mut ops = Vec::new();
    let (mut x, mut y) = (n, m);
    for d in (1..=depth).rev() {
        let prev = &trace[(d - 1) as usize];
        let at = |k: isize| prev[(k + d - 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && at(k - 1) < at(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = at(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            x -= 1;
            y -= 1;
            ops.push(Op::Equal(x as usize, y as usize));
        }
        if prev_k == k + 1 {
            ops.push(Op::Insert(prev_y as usize));
        } else {
            ops.push(Op::Delete(prev_x as usize));
        }
        x = prev_x;
        y = prev_y;
    }
    while x > 0 && y > 0 {
        x -= 1;
        y -= 1;
        ops.push(Op::Equal(x as usize, y as usize));
    }
    ops.reverse();
    ops
}

/// Index ranges into `ops` of each hunk: the changes plus `context` equal lines around
/// them; changes closer than `2 * context` lines share a hunk.
fn hunk_ranges(ops: &[Op], context: usize) -> Vec<(usize, usize)> {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if matches!(op, Op::Equal(..)) {
            continue;
        }
        let lo = i.saturating_sub(context);
        let hi = (i + 1 + context).min(ops.len());
        match ranges.last_mut() {
            Some(last) if lo <= last.1 => last.1 = hi,
            _ => ranges.push((lo, hi)),
        }
    }
    ranges
}

fn write_hunk(out: &mut String, all: &[Op], (lo, hi): (usize, usize), a: &[&str], b: &[&str]) {
    // Where the hunk starts in each file: the lines of that file before the hunk.
    let old_first = all[..lo]
        .iter()
        .filter(|op| !matches!(op, Op::Insert(_)))
        .count();
    let new_first = all[..lo]
        .iter()
        .filter(|op| !matches!(op, Op::Delete(_)))
        .count();
    let ops = &all[lo..hi];
    let old_len = ops.iter().filter(|op| !matches!(op, Op::Insert(_))).count();
    let new_len = ops.iter().filter(|op| !matches!(op, Op::Delete(_))).count();
    out.push_str(&format!(
        "@@ -{} +{} @@\n",
        range_text(old_first, old_len),
        range_text(new_first, new_len)
    ));
    for op in ops {
        let (mark, line) = match op {
            Op::Equal(i, _) => (' ', a[*i]),
            Op::Delete(i) => ('-', a[*i]),
            Op::Insert(j) => ('+', b[*j]),
        };
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// GNU style: `start,len` with `start` 1-based and `,1` omitted; an empty range names
/// the line before it (`first` is the 0-based index of the hunk's first line).
fn range_text(first: usize, len: usize) -> String {
    match len {
        0 => format!("{first},0"),
        1 => format!("{}", first + 1),
        _ => format!("{},{len}", first + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, ops: &[Op], b: &[&str]) -> String {
        let a: Vec<&str> = old.split_inclusive('\n').collect();
        let mut out = String::new();
        for op in ops {
            match op {
                Op::Equal(i, _) => out.push_str(a[*i]),
                Op::Delete(_) => {}
                Op::Insert(j) => out.push_str(b[*j]),
            }
        }
        out
    }

    #[test]
    fn edit_script_rebuilds_the_new_text_and_is_minimal() {
        let cases = [
            ("a\nb\nc\n", "a\nc\n", 1),
            ("a\nb\nc\n", "a\nB\nc\n", 2),
            ("", "x\n", 1),
            ("x\n", "", 1),
            ("a\nb\n", "b\na\n", 2),
            ("a\nb\nc\nd\ne\n", "x\na\nc\nd\ny\ne\nz\n", 4),
        ];
        for (old, new, edits) in cases {
            let a: Vec<&str> = old.split_inclusive('\n').collect();
            let b: Vec<&str> = new.split_inclusive('\n').collect();
            let ops = edit_script(&a, &b);
            assert_eq!(apply(old, &ops, &b), new, "{old:?} -> {new:?}");
            let changes = ops.iter().filter(|o| !matches!(o, Op::Equal(..))).count();
            assert_eq!(changes, edits, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn one_changed_line_gives_one_hunk_with_three_lines_of_context() {
        let old: String = (1..=10).map(|i| format!("line {i}\n")).collect();
        let new = old.replace("line 5\n", "line five\n");
        let d = unified_diff("p.json", &old, &new, 3);
        assert_eq!(
            d,
            "--- a/p.json\n+++ b/p.json\n@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+line five\n line 6\n line 7\n line 8\n"
        );
    }

    #[test]
    fn distant_changes_make_separate_hunks_and_near_ones_merge() {
        let old: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let far = old
            .replace("line 3\n", "three\n")
            .replace("line 25\n", "x\n");
        let d = unified_diff("f", &old, &far, 3);
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        let near = old
            .replace("line 3\n", "three\n")
            .replace("line 9\n", "nine\n");
        let d = unified_diff("f", &old, &near, 3);
        assert_eq!(d.matches("@@ -").count(), 1, "{d}");
        assert!(d.contains("@@ -1,12 +1,12 @@"), "{d}");
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let d = unified_diff("f", "a\nb", "a\nc", 3);
        assert_eq!(
            d,
            "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn pure_insertion_and_deletion_headers() {
        let d = unified_diff("f", "", "x\n", 3);
        assert!(d.contains("@@ -0,0 +1 @@\n+x\n"), "{d}");
        let d = unified_diff("f", "x\n", "", 3);
        assert!(d.contains("@@ -1 +0,0 @@\n-x\n"), "{d}");
        let d = unified_diff("f", "a\nb\n", "a\nb\n", 3);
        assert!(d.is_empty());
    }

    #[test]
    fn crlf_lines_keep_their_terminators() {
        let d = unified_diff(
            "f",
            "{\r\n  \"a\": 1,\r\n}\r\n",
            "{\r\n  \"a\": 1\r\n}\r\n",
            3,
        );
        assert!(d.contains("-  \"a\": 1,\r\n+  \"a\": 1\r\n"), "{d:?}");
    }
}
