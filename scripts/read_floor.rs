//! The benchmark's floor: walks the given folders and reads every `*.json` file, nothing
//! else (no parsing), on one thread. `scripts/bench.sh` compiles it with `rustc -O` (std
//! only) and compares cmklint's wall time with this one's.
//!
//!     read_floor DIR...
//!
//! Prints the number of files and bytes read.

use std::path::PathBuf;

fn main() {
    let mut stack: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (mut files, mut bytes) = (0usize, 0usize);
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|e| e == "json") {
                if let Ok(b) = std::fs::read(&path) {
                    files += 1;
                    bytes += b.len();
                }
            }
        }
    }
    println!("{files} files, {bytes} bytes");
}
