//! Stage "discover": command-line paths in, a sorted list of files to lint out.
//!
//! Folders are walked with walkdir; hidden folders, `target/`, `node_modules/` and `.git/`
//! are skipped; files are filtered by the `[files] include/exclude` globs of the config
//! that governs them (relative to that config's folder). A file named explicitly is always
//! linted unless the config excludes it. Symbolic links are not followed unless asked.
//! Paths are normalised lexically: relative to the working folder when under it.

use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, OnceLock};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::config::{Config, CONFIG_FILE_NAME};
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{io_message, ConfigCache, UnitKey, IO_ERROR};
use crate::source::{SourceFile, Span};

/// Files found, and the paths that could not be walked.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub errors: Vec<Diagnostic>,
}

const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// The current folder, or "." if it cannot be found. Asked once: cmklint never changes
/// folder, and `getcwd` per path was the costliest system call of a whole-tree run.
fn cwd() -> &'static Path {
    static CWD: OnceLock<PathBuf> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
}

/// An absolute, lexically normalised form of `p` (no `.` or `..`; links not resolved).
pub fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd().join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The display form of `p`: relative to the working folder when under it, else absolute.
pub fn normalize(p: &Path) -> PathBuf {
    let abs = absolute(p);
    match abs.strip_prefix(cwd()) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => abs,
    }
}

/// Include/exclude globs of one config, compiled once.
struct Filter {
    base: PathBuf,
    include: GlobSet,
    exclude: GlobSet,
}

impl Filter {
    fn new(config: Option<&Config>) -> Filter {
        let default = Config::default();
        let config = config.unwrap_or(&default);
        let base = config
            .base_dir()
            .map(absolute)
            .unwrap_or_else(|| absolute(Path::new(".")));
        Filter {
            base,
            include: build(&config.files.include),
            exclude: build(&config.files.exclude),
        }
    }

    fn rel<'p>(&self, abs: &'p Path) -> &'p Path {
        abs.strip_prefix(&self.base).unwrap_or(abs)
    }

    fn excluded(&self, abs: &Path) -> bool {
        self.exclude.is_match(self.rel(abs))
    }

    fn included(&self, abs: &Path) -> bool {
        self.included_rel(self.rel(abs))
    }

    /// Like [`Filter::included`], for a path already relative to the base.
    fn included_rel(&self, rel: &Path) -> bool {
        self.include.is_match(rel) && !self.exclude.is_match(rel)
    }
}

fn build(patterns: &[String]) -> GlobSet {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        // Invalid globs are reported by config validation; here they simply match nothing.
        if let Ok(g) = Glob::new(p) {
            b.add(g);
        }
        // "vendor/**" should also exclude "vendor" itself and "x/vendor/**" is not implied.
    }
    b.build().unwrap_or_else(|_| GlobSet::empty())
}

struct Filters {
    by_config: crate::hash::FastMap<Option<PathBuf>, Arc<Filter>>,
}

impl Filters {
    fn get(&mut self, configs: &mut ConfigCache, dir: &Path) -> Arc<Filter> {
        let key = configs.nearest_config(dir);
        if let Some(f) = self.by_config.get(&key) {
            return f.clone();
        }
        let cfg = match &key {
            Some(k) => configs.peek(&UnitKey::Config(k.clone())).cloned(),
            None => None,
        };
        let f = Arc::new(Filter::new(cfg.as_ref()));
        self.by_config.insert(key, f.clone());
        f
    }
}

fn is_skipped_dir(name: &str) -> bool {
    (name.starts_with('.') && name != "." && name != "..") || SKIPPED_DIRS.contains(&name)
}

/// Finds the files to lint under the given paths (default `.`).
pub fn discover(paths: &[PathBuf], follow_links: bool, configs: &mut ConfigCache) -> Discovered {
    let mut out = Discovered::default();
    let mut filters = Filters {
        by_config: Default::default(),
    };
    let default_paths = [PathBuf::from(".")];
    let paths: &[PathBuf] = if paths.is_empty() {
        &default_paths
    } else {
        paths
    };
    for arg in paths {
        let meta = std::fs::metadata(arg);
        match meta {
            Err(e) => {
                out.errors.push(
                    Diagnostic::new(
                        IO_ERROR,
                        Severity::Error,
                        Span::point(0),
                        format!("cannot read `{}`: {}", arg.display(), io_message(&e)),
                    )
                    .with_help("check the path and that you may read it")
                    .with_file(Arc::new(SourceFile::new(normalize(arg), String::new()))),
                );
            }
            Ok(m) if m.is_file() => {
                let file = normalize(arg);
                let dir = parent_dir(&file);
                // Make sure the governing config is loaded so its excludes apply.
                let _ = configs.unit_key(&file);
                let f = filters.get(configs, &dir);
                if !f.excluded(&absolute(&file)) {
                    out.files.push(file);
                }
            }
            Ok(_) if follow_links => walk(arg, true, configs, &mut filters, &mut out, None),
            Ok(_) => walk_parallel(arg, configs, &mut out),
        }
    }
    // One path: a walk yields its files in path order (sorted by name in each folder),
    // each once, so sorting (10,000 paths compared component by component) would be a
    // check; several paths may overlap and come in any order.
    if paths.len() > 1 {
        out.files.sort();
        out.files.dedup();
    }
    debug_assert!(out.files.windows(2).all(|w| w[0] < w[1]), "walk order");
    out
}

/// One piece of a walk split for the threads: a file, or a folder to walk whole.
enum Piece {
    File(PathBuf),
    Folder(PathBuf),
}

/// The pieces of `dir`'s walk, in the order a walk sorted by name visits them: its files
/// and its folders (minus the skipped ones), each folder opened one level further while
/// there are fewer than `want` folders. `None` if a folder cannot be listed: the serial
/// walk then reports it as usual.
fn pieces(dir: &Path, want: usize) -> Option<Vec<Piece>> {
    let mut out = Vec::new();
    list(dir, &mut out)?;
    for _ in 0..2 {
        let folders = out.iter().filter(|p| matches!(p, Piece::Folder(_))).count();
        if folders == 0 || folders >= want {
            break;
        }
        let mut deeper = Vec::with_capacity(out.len());
        for piece in out {
            match piece {
                Piece::Folder(d) => list(&d, &mut deeper)?,
                file => deeper.push(file),
            }
        }
        out = deeper;
    }
    Some(out)
}

/// The files and (not skipped) folders directly in `dir`, sorted by name as the walk
/// sorts them. Links and other special files are left out, as the walk leaves them out
/// when it does not follow links.
fn list(dir: &Path, out: &mut Vec<Piece>) -> Option<()> {
    let mut entries: Vec<(std::ffi::OsString, std::fs::FileType)> = Vec::new();
    for entry in std::fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        entries.push((entry.file_name(), entry.file_type().ok()?));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, kind) in entries {
        if kind.is_dir() {
            if !is_skipped_dir(&name.to_string_lossy()) {
                out.push(Piece::Folder(dir.join(name)));
            }
        } else if kind.is_file() {
            out.push(Piece::File(dir.join(name)));
        }
    }
    Some(())
}

/// Walks the folder `root` (links not followed) on the threads: the walk is split into
/// pieces (see [`pieces`]), each walked with its own copy of the config cache, and the
/// pieces' files are joined in walk order. The result is the serial walk's.
fn walk_parallel(root: &Path, configs: &mut ConfigCache, out: &mut Discovered) {
    let want = 4 * rayon::current_num_threads();
    let Some(pieces) = pieces(root, want).filter(|p| p.len() > 1) else {
        let mut filters = Filters {
            by_config: Default::default(),
        };
        walk(root, false, configs, &mut filters, out, None);
        return;
    };
    // The configs above the pieces are looked up (and parsed) once, before the split.
    let _ = configs.unit_key(&normalize(root).join(CONFIG_FILE_NAME));
    let shared: &ConfigCache = configs;
    let results: Vec<(Discovered, ConfigCache)> = pieces
        .par_iter()
        .map(|piece| {
            let mut cache = shared.clone();
            let mut filters = Filters {
                by_config: Default::default(),
            };
            let mut found = Discovered::default();
            match piece {
                Piece::Folder(p) => walk_plain(p, &mut cache, &mut filters, &mut found),
                Piece::File(p) => walk(p, false, &mut cache, &mut filters, &mut found, None),
            }
            (found, cache)
        })
        .collect();
    for (found, cache) in results {
        out.files.extend(found.files);
        out.errors.extend(found.errors);
        configs.absorb(cache);
    }
}

/// The bytes of a normalised file path up to its last separator: equal for two files
/// exactly when their `parent()`s are, without parsing components from the back.
pub fn folder_bytes(p: &Path) -> &[u8] {
    let b = p.as_os_str().as_encoded_bytes();
    let sep = |c: &u8| *c == b'/' || (cfg!(windows) && *c == b'\\');
    &b[..b.iter().rposition(sep).unwrap_or(0)]
}

/// The folder of a (normalised) file path, `.` for a bare file name.
pub fn parent_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Walks `root`; with `stop_at_configs`, does not descend into folders (below the root)
/// that hold their own `cmklint.toml`, and with `max_depth` limits the depth.
fn walk(
    root: &Path,
    follow_links: bool,
    configs: &mut ConfigCache,
    filters: &mut Filters,
    out: &mut Discovered,
    unit_only: Option<usize>,
) {
    let root_norm = normalize(root);
    // Sorted by name, a walk yields the files in path order already, which makes the
    // final sort a check: sorting paths afterwards compares them component by component.
    let mut wd = WalkDir::new(&root_norm)
        .follow_links(follow_links)
        .sort_by_file_name();
    if let Some(depth) = unit_only {
        wd = wd.max_depth(depth);
    }
    let stop_at_configs = unit_only.is_some();
    let mut it = wd.into_iter();
    let mut here: Option<Folder> = None;
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                // Loops and unreadable folders: report and go on.
                let path = e.path().map(normalize).unwrap_or_else(|| root_norm.clone());
                if !stop_at_configs {
                    out.errors.push(if e.loop_ancestor().is_some() {
                        Diagnostic::new(
                            IO_ERROR,
                            Severity::Error,
                            Span::point(0),
                            "symbolic link loop, so it was not followed",
                        )
                        .with_help("remove the link that points back to a folder above it, or run without `--follow-links`")
                        .with_file(Arc::new(SourceFile::new(path, String::new())))
                    } else {
                        unreadable_folder(&e.io_error().map(io_message).unwrap_or_default(), path)
                    });
                }
                continue;
            }
        };
        let path = entry.path();
        if entry.file_type().is_dir() {
            if entry.depth() > 0 {
                let name = entry.file_name().to_string_lossy();
                if is_skipped_dir(&name)
                    || (stop_at_configs && path.join(CONFIG_FILE_NAME).is_file())
                {
                    it.skip_current_dir();
                }
            }
            continue;
        }
        if !(entry.file_type().is_file() || (follow_links && path.is_file())) {
            continue;
        }
        let file = if path.is_absolute() {
            normalize(path)
        } else {
            path.to_path_buf()
        };
        let file = file
            .strip_prefix("./")
            .map(Path::to_path_buf)
            .unwrap_or(file);
        // The files of a folder come one after another and share its config and filter:
        // look those up once per folder, not once per file.
        let dir = parent_dir(&file);
        let folder = match here.take() {
            Some(h) if h.dir == dir => h,
            _ => Folder::enter(dir, &file, configs, filters),
        };
        let included = match file.file_name() {
            Some(name) => folder.filter.included_rel(&folder.rel.join(name)),
            None => folder.filter.included(&absolute(&file)),
        };
        if included {
            out.files.push(file);
        }
        here = Some(folder);
    }
}

/// Walks the folder `root` as [`walk`] does without following links or stopping at
/// configs — same files, same order, same errors — but lists each folder itself, so it
/// sees in the listing whether the folder holds a `cmklint.toml` and tells the config
/// cache (see [`ConfigCache::know_folder`]): the config lookup needs no `stat` then.
fn walk_plain(root: &Path, configs: &mut ConfigCache, filters: &mut Filters, out: &mut Discovered) {
    let root = normalize(root);
    // The folders being walked, each with the entries still to visit, in name order: a
    // sub-folder is walked where its name falls among the files, as the walk sorted by
    // name does, which yields the files in path order.
    let mut stack: Vec<(PathBuf, std::vec::IntoIter<Entry>)> = Vec::new();
    open_folder(root, configs, &mut stack, out);
    let mut here: Option<Folder> = None;
    while let Some((dir, entries)) = stack.last_mut() {
        let Some((name, kind)) = entries.next() else {
            stack.pop();
            continue;
        };
        let path = if dir.as_os_str() == "." {
            PathBuf::from(&name)
        } else {
            dir.join(&name)
        };
        if kind.is_dir() {
            if !is_skipped_dir(&name.to_string_lossy()) {
                open_folder(path, configs, &mut stack, out);
            }
            continue;
        }
        if !kind.is_file() {
            continue;
        }
        let folder = match here.take() {
            Some(h) if h.dir == *dir => h,
            _ => Folder::enter(dir.clone(), &path, configs, filters),
        };
        if folder.filter.included_rel(&folder.rel.join(&name)) {
            out.files.push(path);
        }
        here = Some(folder);
    }
}

/// A folder entry: its name and its type (a link is a link, not what it points at).
type Entry = (std::ffi::OsString, std::fs::FileType);

/// Lists `dir` sorted by name onto the walk's stack and tells the config cache whether it
/// holds a `cmklint.toml`; a folder that cannot be listed is reported as [`walk`] reports it.
fn open_folder(
    dir: PathBuf,
    configs: &mut ConfigCache,
    stack: &mut Vec<(PathBuf, std::vec::IntoIter<Entry>)>,
    out: &mut Discovered,
) {
    match std::fs::read_dir(&dir) {
        Ok(listing) => {
            // An entry that cannot be read is reported and the others are walked.
            let mut entries: Vec<Entry> = Vec::new();
            for e in listing {
                match e.and_then(|e| Ok((e.file_name(), e.file_type()?))) {
                    Ok(entry) => entries.push(entry),
                    Err(e) => out
                        .errors
                        .push(unreadable_folder(&io_message(&e), dir.clone())),
                }
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let config = entries.iter().find(|(name, _)| name == CONFIG_FILE_NAME);
            match config {
                Some((_, kind)) if kind.is_symlink() => {}
                Some((_, kind)) => configs.know_folder(&dir, kind.is_file()),
                None => configs.know_folder(&dir, false),
            }
            stack.push((dir, entries.into_iter()));
        }
        Err(e) => out.errors.push(unreadable_folder(&io_message(&e), dir)),
    }
}

/// The finding on a folder a walk cannot list (`why`: the system's reason).
fn unreadable_folder(why: &str, path: PathBuf) -> Diagnostic {
    Diagnostic::new(
        IO_ERROR,
        Severity::Error,
        Span::point(0),
        format!("cannot read: {why}"),
    )
    .with_help("check that the folder exists and that you may read it")
    .with_file(Arc::new(SourceFile::new(path, String::new())))
}

/// The folder whose files a walk is at, with what they share.
struct Folder {
    dir: PathBuf,
    filter: Arc<Filter>,
    /// The folder relative to the filter's base (absolute if it is not under it).
    rel: PathBuf,
}

impl Folder {
    /// The walk reaches `dir` at its first file, `file`: its config is looked up (and
    /// loaded) and its filter found, once for all the folder's files.
    fn enter(
        dir: PathBuf,
        file: &Path,
        configs: &mut ConfigCache,
        filters: &mut Filters,
    ) -> Folder {
        let _ = configs.unit_key(file);
        let filter = filters.get(configs, &dir);
        let rel = filter.rel(&absolute(&dir)).to_path_buf();
        Folder { dir, filter, rel }
    }
}

/// Every lintable file of a unit: under the config's folder (not descending into folders
/// with their own config), or the files of one folder for a unit without config.
pub fn unit_files(key: &UnitKey, follow_links: bool, configs: &mut ConfigCache) -> Vec<PathBuf> {
    let mut out = Discovered::default();
    let mut filters = Filters {
        by_config: Default::default(),
    };
    let depth = match key {
        UnitKey::Config(_) => usize::MAX,
        UnitKey::Folder(_) => 1,
    };
    walk(
        &key.root(),
        follow_links,
        configs,
        &mut filters,
        &mut out,
        Some(depth),
    );
    out.files.sort();
    out.files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = std::fs::write(path, text);
    }

    /// The parallel walk finds what the serial walk finds, in the same order: files beside
    /// folders (`a.json` after `a/`, before `a-b/`), skipped and hidden folders, a nested
    /// config's excludes, links (not followed).
    #[test]
    fn parallel_walk_equals_serial_walk() {
        let Ok(tmp) = tempfile::tempdir() else {
            return;
        };
        let root = tmp.path();
        for rel in [
            "a.json",
            "a/x.json",
            "a/deep/y.json",
            "a-b/z.json",
            "b.txt",
            "c/1.json",
            "c/2.json",
            ".hidden/h.json",
            "target/t.json",
            "node_modules/n.json",
            "team/one/p.json",
            "team/two/q.json",
            "z.json",
        ] {
            write(root, rel, "{}");
        }
        let excludes_skip = "[files]\nexclude = [\"skip.json\"]\n";
        write(root, "d/cmklint.toml", excludes_skip);
        write(root, "d/keep.json", "{}");
        write(root, "d/skip.json", "{}");
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink(root.join("a"), root.join("link-dir"));
            let _ = std::os::unix::fs::symlink(root.join("z.json"), root.join("link.json"));
            // A linked config governs its folder (the lookup follows the link).
            let _ = std::fs::create_dir_all(root.join("n/m/e"));
            let _ = std::os::unix::fs::symlink(
                root.join("d/cmklint.toml"),
                root.join("n/m/e/cmklint.toml"),
            );
            write(root, "n/m/e/keep.json", "{}");
            write(root, "n/m/e/skip.json", "{}");
        }
        // Deeper than the split into pieces, so walked by a thread: a folder's own
        // config, and a folder named like a config, which is not one.
        write(root, "n/m/g/cmklint.toml", excludes_skip);
        write(root, "n/m/g/keep.json", "{}");
        write(root, "n/m/g/skip.json", "{}");
        write(root, "n/m/g/h/skip.json", "{}");
        write(root, "n/m/f/cmklint.toml/skip.json", "{}");

        let parallel = discover(&[root.to_path_buf()], false, &mut ConfigCache::new(None));
        let mut serial = Discovered::default();
        let mut filters = Filters {
            by_config: Default::default(),
        };
        let mut configs = ConfigCache::new(None);
        walk(root, false, &mut configs, &mut filters, &mut serial, None);

        let names = |files: &[PathBuf]| -> Vec<String> {
            files
                .iter()
                .map(|f| {
                    f.strip_prefix(root)
                        .unwrap_or(f)
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        };
        assert_eq!(
            names(&parallel.files),
            vec![
                "a/deep/y.json",
                "a/x.json",
                "a-b/z.json",
                "a.json",
                "c/1.json",
                "c/2.json",
                "d/keep.json",
                #[cfg(unix)]
                "n/m/e/keep.json",
                "n/m/f/cmklint.toml/skip.json",
                "n/m/g/h/skip.json",
                "n/m/g/keep.json",
                "team/one/p.json",
                "team/two/q.json",
                "z.json",
            ]
        );
        assert_eq!(parallel.files, serial.files);
        assert!(parallel.errors.is_empty() && serial.errors.is_empty());
    }
}
