//! A splice-and-mutate search for inputs that break the fuzz targets' properties.
//!
//! libFuzzer mutates one input at a time and finds its way by coverage; the documents that
//! break cmklint are more often two real documents spliced into each other (an ARM
//! template pasted into an IAM policy, statements from a chat with typographic quotes)
//! with a few bytes changed. This program makes exactly those: it takes a fixture, splices
//! in a slice of another, inserts JSON punctuation and words cmklint looks for, deletes and
//! duplicates ranges, and checks every result with the properties of all three fuzz
//! targets (`../fuzz_targets/props/`; the lint property without the renderers, which the
//! `lint_document` target covers). Its first runs found four `--fix` failures, a panic
//! and a cascade of syntax findings on valid JSON that the libFuzzer targets had not found
//! (see docs/performance.md).
//!
//!     splice_search [--seed N] SECONDS [PATH...]
//!
//! PATHs (files or folders; default: the repository's `fixtures/` and `tests/regressions/`)
//! give the `.json` and `.txt` files to start from. Each failing input is written to
//! `fuzz/artifacts/splice_search/` with the property's message; the exit code is 1 if any
//! input failed. `scripts/fuzz.sh` runs it as the target `splice_search`.

#[path = "../fuzz_targets/common.rs"]
mod common;
#[path = "../fuzz_targets/props/fix.rs"]
mod fix;
#[path = "../fuzz_targets/props/lint.rs"]
mod lint;
#[path = "../fuzz_targets/props/parse.rs"]
mod parse;

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Stop saving (and searching) after this many distinct failing inputs.
const MAX_FAILURES: usize = 20;

/// Inserted at random places: JSON punctuation, the mistakes people make, and words the
/// classifier and the rules look for.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "\"", ",", "{", "}", "[", "]", ":", " ", "\n", "\t", "\\", "\\u", "//", "/*", "*/",
    "\u{201c}", "\u{201d}", "\u{2018}", "\u{2019}", "\u{feff}", "},\n{", "],", ",]",
    "\"Statement\"", "\"Effect\": \"Allow\"", "\"Principal\"", "\"Resource\": \"*\"",
    "\"Action\"", "kms:", "arn:aws:kms:", "serviceAccount:", "user:", "\"members\"",
    "\"bindings\"", "\"role\"", "roles/cloudkms.", "\"type\"", "Microsoft.KeyVault/vaults",
    "\"properties\"", "\"KeyPolicy\"", "\"Policy\": \"", "\\\"", "null", "true", "0",
];

/// The message of the last panic on this thread, kept by the hook instead of printed.
static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut seed = None;
    if args.first().map(String::as_str) == Some("--seed") {
        seed = args.get(1).and_then(|s| s.parse::<u64>().ok());
        if seed.is_none() {
            return usage();
        }
        args.drain(..2);
    }
    let Some(seconds) = args.first().and_then(|s| s.parse::<u64>().ok()) else {
        return usage();
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let paths: Vec<PathBuf> = if args.len() > 1 {
        args[1..].iter().map(PathBuf::from).collect()
    } else {
        vec![root.join("fixtures"), root.join("tests/regressions")]
    };
    let mut seeds = Vec::new();
    for p in &paths {
        collect(p, &mut seeds);
    }
    if seeds.is_empty() {
        eprintln!("splice_search: no .json or .txt files under {paths:?}");
        return ExitCode::from(2);
    }
    let seed = seed.unwrap_or_else(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        t ^ u64::from(std::process::id())
    });
    let artifacts = root.join("fuzz/artifacts/splice_search");
    println!(
        "splice_search: {} seed files, seed {seed}, {seconds} s",
        seeds.len()
    );

    panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("(no message)");
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = format!("{msg}{at}");
        }
    }));

    let mut rng = Rng(seed | 1);
    let start = Instant::now();
    let budget = Duration::from_secs(seconds);
    let mut executions = 0u64;
    let mut failed: HashSet<u64> = HashSet::new();
    while start.elapsed() < budget && failed.len() < MAX_FAILURES {
        let Some(text) = mutant(&mut rng, &seeds) else {
            continue;
        };
        executions += 1;
        let run = panic::catch_unwind(AssertUnwindSafe(|| {
            parse::check(&text);
            lint::check(&text, false);
            fix::check(&text);
        }));
        if run.is_ok() {
            continue;
        }
        let message = LAST_PANIC.lock().map(|m| m.clone()).unwrap_or_default();
        let mut h = DefaultHasher::new();
        text.hash(&mut h);
        let id = h.finish();
        if !failed.insert(id) {
            continue;
        }
        let file = artifacts.join(format!("crash-{id:016x}.json"));
        let saved = std::fs::create_dir_all(&artifacts)
            .and_then(|()| std::fs::write(&file, &text))
            .and_then(|()| std::fs::write(file.with_extension("txt"), &message));
        match saved {
            Ok(()) => println!("failure: {message}\n  input: {}", file.display()),
            Err(e) => println!("failure: {message}\n  (input not saved: {e})\n{text}"),
        }
    }
    let secs = start.elapsed().as_secs().max(1);
    println!(
        "splice_search\t{secs}s\t{executions} execs\t{} exec/s\t{} failures",
        executions / secs,
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: splice_search [--seed N] SECONDS [PATH...]");
    ExitCode::from(2)
}

/// The `.json` and `.txt` files under `path` (or `path` itself), as text.
fn collect(path: &Path, out: &mut Vec<Vec<u8>>) {
    if path.is_dir() {
        let Ok(entries) = std::fs::read_dir(path) else {
            return;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            collect(&p, out);
        }
    } else if path.extension().is_some_and(|e| e == "json" || e == "txt") {
        if let Ok(bytes) = std::fs::read(path) {
            out.push(bytes);
        }
    }
}

/// One seed changed by one to six mutations; `None` when the result is not UTF-8.
fn mutant(rng: &mut Rng, seeds: &[Vec<u8>]) -> Option<String> {
    let mut t = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(t.len() + 1);
        match rng.below(5) {
            // A slice of another document spliced in.
            0 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len());
                let to = (from + rng.below(400)).min(other.len());
                t.splice(at..at, other[from..to].iter().copied());
            }
            1 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                t.splice(at..at, token.iter().copied());
            }
            2 => {
                let to = (at + rng.below(40)).min(t.len());
                t.drain(at..to);
            }
            3 => {
                let to = (at + rng.below(60)).min(t.len());
                let copy = t[at..to].to_vec();
                let dest = rng.below(t.len() + 1);
                t.splice(dest..dest, copy);
            }
            _ => {
                const BYTES: &[u8] = b" \"\n,:{}[]aZ@./";
                if let Some(b) = t.get_mut(at) {
                    *b = BYTES[rng.below(BYTES.len())];
                }
            }
        }
    }
    String::from_utf8(t).ok()
}
