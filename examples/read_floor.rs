//! The benchmark's floor: walks the given folders and reads every `*.json` file, nothing
//! else (no parsing). `scripts/bench.sh` compares cmklint's wall time with this one's.
//!
//!     cargo run --release --example read_floor -- DIR...
//!
//! Prints the number of files and bytes read.

use std::path::PathBuf;

fn main() {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let (mut files, mut bytes) = (0usize, 0usize);
    for root in &roots {
        for entry in walkdir::WalkDir::new(root).into_iter().flatten() {
            let is_json = entry.path().extension().is_some_and(|e| e == "json");
            if entry.file_type().is_file() && is_json {
                if let Ok(b) = std::fs::read(entry.path()) {
                    files += 1;
                    bytes += b.len();
                }
            }
        }
    }
    println!("{files} files, {bytes} bytes");
}
