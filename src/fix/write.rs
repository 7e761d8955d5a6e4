//! Writing a fixed file without ever leaving it half-written.
//!
//! The new content goes to a temporary file in the same folder (same file system, so the
//! rename is atomic), is flushed to disk, given the original's permissions, and renamed
//! over the original; the folder is synced so the rename survives a crash. A reader sees
//! the old file or the new one, never a mix, and the original is never truncated.
//!
//! What is refused rather than silently changed: a read-only file (the user made it so; as
//! root the OS would let us write, so we check the mode ourselves), a file with several
//! hard links (a rename would split them), anything that is not a regular file, and a file
//! that changed on disk since it was read. A symbolic link is followed: the link's target
//! is replaced and the link itself stays a link.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Why a fixed file was not written.
#[derive(Debug)]
pub enum WriteError {
    /// The file (or the link's target) is read-only.
    ReadOnly(PathBuf),
    /// The file has several hard links; replacing it would split them.
    HardLinked(PathBuf, u64),
    /// Not a regular file (a device, a folder, a dangling link ...).
    NotAFile(PathBuf),
    /// The content on disk is no longer what the fixes were computed from.
    Changed(PathBuf),
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::ReadOnly(_) => f.write_str("file is read-only, so its fixes were not written"),
            WriteError::HardLinked(_, n) => write!(
                f,
                "file has {n} hard links and replacing it would split them, so its fixes were not written"
            ),
            WriteError::NotAFile(_) => {
                f.write_str("path is not a regular file, so its fixes were not written")
            }
            WriteError::Changed(_) => f.write_str(
                "file changed on disk while it was being fixed, so its fixes were not written",
            ),
            WriteError::Io(_, e) => write!(f, "cannot write the fixed file ({e}), so its fixes were not written"),
        }
    }
}

/// The file that writing to `path` really changes: `path` itself, or the final target of
/// a symbolic link.
pub fn resolve_target(path: &Path) -> Result<PathBuf, WriteError> {
    let meta = fs::symlink_metadata(path).map_err(|e| WriteError::Io(path.to_path_buf(), e))?;
    if meta.file_type().is_symlink() {
        fs::canonicalize(path).map_err(|e| WriteError::Io(path.to_path_buf(), e))
    } else {
        Ok(path.to_path_buf())
    }
}

/// Replaces the regular file `target` (already resolved, see [`resolve_target`]) with
/// `new`, provided it still holds exactly `expected`.
pub fn replace_file(target: &Path, expected: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let io_err = |e: io::Error| WriteError::Io(target.to_path_buf(), e);
    let meta = fs::symlink_metadata(target).map_err(io_err)?;
    if !meta.file_type().is_file() {
        return Err(WriteError::NotAFile(target.to_path_buf()));
    }
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly(target.to_path_buf()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(WriteError::HardLinked(target.to_path_buf(), meta.nlink()));
        }
    }
    if fs::read(target).map_err(io_err)? != expected {
        return Err(WriteError::Changed(target.to_path_buf()));
    }

    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (tmp_path, mut tmp) = create_temp(&dir, target).map_err(io_err)?;
    let result = (|| {
        tmp.write_all(new)?;
        fs::set_permissions(&tmp_path, meta.permissions())?;
        // Keep the owner too (matters when root fixes someone else's file). Only root may
        // give a file away, and everyone else's files are their own: ignore a refusal.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = std::os::unix::fs::fchown(&tmp, Some(meta.uid()), Some(meta.gid()));
        }
        tmp.sync_all()?;
        drop(tmp);
        fs::rename(&tmp_path, target)?;
        // Make the rename durable. Not every platform can open a folder; that is no error.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp_path);
        return Err(io_err(e));
    }
    Ok(())
}

/// Creates a new, unique temporary file beside `target`.
fn create_temp(dir: &Path, target: &Path) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    // Short enough that the temporary name stays under NAME_MAX (255 bytes).
    let stem: String = target
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(64).collect())
        .unwrap_or_else(|| "file".to_string());
    let mut last_err = None;
    for _ in 0..100 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let p = dir.join(format!(".{stem}.cmklint-{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        fs::write(&p, b"old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
        }
        replace_file(&p, b"old", b"new").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary file left behind");
    }

    #[test]
    fn a_name_at_the_length_limit_still_gets_a_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(format!("{}.json", "k".repeat(250)));
        fs::write(&p, b"old").unwrap();
        replace_file(&p, b"old", b"new").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
    }

    #[test]
    fn refuses_read_only_and_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.json");
        fs::write(&p, b"old").unwrap();
        assert!(matches!(
            replace_file(&p, b"other", b"new"),
            Err(WriteError::Changed(_))
        ));
        let mut perm = fs::metadata(&p).unwrap().permissions();
        perm.set_readonly(true);
        fs::set_permissions(&p, perm).unwrap();
        assert!(matches!(
            replace_file(&p, b"old", b"new"),
            Err(WriteError::ReadOnly(_))
        ));
        assert_eq!(fs::read(&p).unwrap(), b"old");
    }

    #[cfg(unix)]
    #[test]
    fn symlink_resolves_to_its_target_and_hard_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        fs::write(&target, b"old").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let resolved = resolve_target(&link).unwrap();
        assert_eq!(resolved, fs::canonicalize(&target).unwrap());
        replace_file(&resolved, b"old", b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&target).unwrap(), b"new");

        let hard = dir.path().join("hard.json");
        fs::hard_link(&target, &hard).unwrap();
        assert!(matches!(
            replace_file(&target, b"new", b"newer"),
            Err(WriteError::HardLinked(_, 2))
        ));
    }
}
