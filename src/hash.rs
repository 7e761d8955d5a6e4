//! A cheap hash for the engine's own maps and sets: paths, folders, unit keys.
//!
//! `HashMap`'s default hasher (SipHash-1-3) resists hash flooding, which costs about
//! 20 instructions per 8 bytes; a whole-tree run hashes every file's path several times
//! (named files, units, folders, configs), and SipHash was more than the rest of the
//! lookups. The keys here are the paths of one run, of a tree the user chose to lint, so
//! flooding is not a concern; equality is still the key's own (`Path` compares by
//! components), only the spreading of keys over buckets changes.
//!
//! The mixing step is the multiply-rotate of Firefox's and rustc's "Fx" hash: one word
//! at a time, fold it in, multiply by an odd constant.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` with [`WordHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;
/// A `HashSet` with [`WordHasher`].
pub type FastSet<K> = HashSet<K, BuildHasherDefault<WordHasher>>;

/// Folds its input in word by word; see the module documentation.
#[derive(Default, Clone, Copy)]
pub struct WordHasher {
    state: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl WordHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for WordHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            // The length keeps "a" and "a\0" apart.
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // hashbrown takes its control bits from the top of the hash, which the multiply
        // fills well; the low bits (the bucket) get a last fold of the high ones.
        self.state ^ (self.state >> 29)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};
    use std::path::{Path, PathBuf};

    fn h<T: Hash + ?Sized>(t: &T) -> u64 {
        BuildHasherDefault::<WordHasher>::default().hash_one(t)
    }

    #[test]
    fn equal_paths_hash_equal_and_different_ones_apart() {
        // `Path` hashes by components: these two are the same path.
        assert_eq!(h(Path::new("a/b/c.json")), h(Path::new("a//b/c.json")));
        assert_ne!(h(Path::new("a/b/c.json")), h(Path::new("a/b/d.json")));
        assert_ne!(h("a"), h("a\0"));
        assert_ne!(h(&[0u8; 3][..]), h(&[0u8; 4][..]));
    }

    #[test]
    fn sets_of_many_paths_work() {
        let paths: Vec<PathBuf> = (0..5000)
            .map(|i| PathBuf::from(format!("instances/prod-{}/aws/key-policy-{i}.json", i % 37)))
            .collect();
        let set: FastSet<&Path> = paths.iter().map(PathBuf::as_path).collect();
        assert_eq!(set.len(), paths.len());
        assert!(paths.iter().all(|p| set.contains(p.as_path())));
        assert!(!set.contains(Path::new("instances/prod-0/aws/key-policy-1.json")));
        // The hashes spread: few share their low 12 bits (a table of 4,096 buckets).
        let mut buckets = FastSet::default();
        for p in &paths {
            buckets.insert(h(p.as_path()) & 0xfff);
        }
        assert!(buckets.len() > 2600, "{} buckets used", buckets.len());
    }
}
