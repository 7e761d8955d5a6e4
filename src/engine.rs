//! The pipeline driver: discover → read → parse → classify → rules → sorted diagnostics.
//!
//! Per-document work runs in parallel (rayon); cross-document rules run per unit after.
//! The engine reports; it never prints and never exits — `main` maps its [`Report`] to an
//! exit code, renderers turn its diagnostics into text.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::config::{Config, CONFIG_FILE_NAME};
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover;
use crate::document::{self, Classified, ContextFile, Document};
use crate::hash::{FastMap, FastSet};
use crate::json;
use crate::rules::{self, Context, Rule, Unit};
use crate::select::RuleSet;
use crate::source::{SourceFile, Span};

/// Reserved rule id for files that could not be read or decoded.
pub const IO_ERROR: &str = "io-error";
/// Reserved rule id for a configuration (or rule pack) that could not be loaded.
pub const CONFIG_ERROR: &str = "config-error";

/// What to lint and how.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Paths from the command line; empty means `.`.
    pub paths: Vec<PathBuf>,
    /// `--config PATH`: use this config for every file instead of the nearest one.
    pub config: Option<PathBuf>,
    /// Follow symbolic links while walking folders.
    pub follow_links: bool,
    /// Text for `--stdin-filename`: lint this text as if it were that file.
    pub stdin: Option<(PathBuf, String)>,
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings on the named files, sorted and deduplicated.
    pub diagnostics: Vec<Diagnostic>,
    /// True when a config could not be loaded or a file could not be read (exit 2).
    pub failed: bool,
    /// Number of files that were linted (classified as one of the kinds).
    pub files_linted: usize,
    /// Number of files looked at.
    pub files_seen: usize,
    /// Why rules were skipped, for `--verbose`.
    pub notes: Vec<String>,
}

/// A file read, parsed and classified; or the diagnostic saying why it could not be.
enum Loaded {
    Doc(Document),
    /// None of the kinds, but context for the rules (an ARM parameters file).
    Context(ContextFile),
    NotOurs,
    Failed(Diagnostic),
}

/// Runs cmklint over `opts.paths`.
pub fn run(opts: &Options) -> Report {
    let mut report = Report::default();
    let mut configs = ConfigCache::new(opts.config.clone());

    // 1. Discover the named files. With `--stdin-filename` and no paths, standard input
    // is the only named file (its folder's other files are still read as context).
    let stdin: Option<(PathBuf, &String)> = opts
        .stdin
        .as_ref()
        .map(|(p, text)| (discover::normalize(p), text));
    let discovered = if stdin.is_some() && opts.paths.is_empty() {
        discover::Discovered::default()
    } else {
        discover::discover(&opts.paths, opts.follow_links, &mut configs)
    };
    let mut failures: Vec<Diagnostic> = discovered.errors;
    let mut named: Vec<PathBuf> = discovered.files;
    // Discovery returns its files sorted and without duplicates.
    if let Some((path, _)) = &stdin {
        named.push(path.clone());
        named.sort();
        named.dedup();
    }

    // 2. Group into units and add each unit's other files as context.
    // Hashed while grouping, ordered once after: comparing two paths walks their
    // components, which cost more than the rest of grouping when done for every file.
    // The files of one folder are next to each other in `named` and share a unit: look
    // the unit up and hash it once per folder.
    // Units hold references to the paths (of `named` and of `context_files`), not copies.
    let mut context_files: Vec<(UnitKey, PathBuf)> = Vec::new();
    let mut grouped: FastMap<UnitKey, Vec<&PathBuf>> = FastMap::default();
    for files in named.chunk_by(|a, b| discover::folder_bytes(a) == discover::folder_bytes(b)) {
        if let Some(first) = files.first() {
            let key = configs.unit_key(first);
            grouped.entry(key).or_default().extend(files);
        }
    }
    let mut units: BTreeMap<UnitKey, Vec<&PathBuf>> = grouped.into_iter().collect();
    // Context files already given to a unit (named files are in `named_set`).
    let mut in_context: FastSet<PathBuf> = FastSet::default();
    // Keyed by the path's bytes: every path of a run comes from the same normalisation
    // (discovery), and `Path`'s own hash walks the components (700 instructions a path).
    let named_set: FastSet<&OsStr> = named.iter().map(|p| p.as_os_str()).collect();
    let walked: Vec<PathBuf> = if stdin.is_some() && opts.paths.is_empty() {
        Vec::new()
    } else if opts.paths.is_empty() {
        vec![discover::absolute(Path::new("."))]
    } else {
        opts.paths
            .iter()
            .filter(|p| p.is_dir())
            .map(|p| discover::absolute(p))
            .collect()
    };
    for key in units.keys() {
        // A unit's files live under its config's folder. A `--config` file may live
        // anywhere, so under it the context is the folders of the named files instead.
        let roots: Vec<UnitKey> = if opts.config.is_some() {
            let mut dirs: Vec<PathBuf> = units
                .get(key)
                .map(|files| files.iter().map(|f| discover::parent_dir(f)).collect())
                .unwrap_or_default();
            dirs.sort();
            dirs.dedup();
            dirs.into_iter().map(UnitKey::Folder).collect()
        } else {
            vec![key.clone()]
        };
        for root in roots {
            // A unit under a folder that was walked whole already has all its files named.
            let root_abs = discover::absolute(&root.root());
            if walked.iter().any(|w| root_abs.starts_with(w)) {
                continue;
            }
            for p in discover::unit_files(&root, opts.follow_links, &mut configs) {
                if !named_set.contains(p.as_os_str()) && !in_context.contains(&p) {
                    in_context.insert(p.clone());
                    context_files.push((key.clone(), p));
                }
            }
        }
    }
    for (key, p) in &context_files {
        units.entry(key.clone()).or_default().push(p);
    }

    // Config errors stop the run for the files they govern.
    for key in units.keys() {
        if let Err(errors) = configs.get(key) {
            failures.extend(errors);
        }
    }
    report.failed |= !failures.is_empty();

    // 3. Per unit, in parallel: read, parse and classify its files (named and context),
    // run its rules, keep the diagnostics. A unit's documents are dropped as soon as its
    // rules have run, so memory follows the largest unit, not the whole tree.
    report.files_seen = named.len();
    let stdin = stdin.as_ref();
    let skipped = Mutex::new(Vec::new());
    // A large unit (one `cmklint.toml` over a whole repository) is linted in batches of
    // whole folders: cross-document rules join only files of one folder (DESIGN §4), and
    // a batch's documents are dropped before the next is read. Findings about the unit's
    // config that each batch repeats are merged by `sort_and_dedup`.
    let batches: Vec<(&UnitKey, Vec<&PathBuf>)> = units
        .iter()
        .flat_map(|(key, files)| {
            folder_batches(files, BATCH_FILES)
                .into_iter()
                .map(move |b| (key, b))
        })
        .collect();
    let outcomes: Vec<UnitOutcome> = batches
        .par_iter()
        .filter_map(|(key, files)| {
            // A unit whose config failed is not linted; the failure is already reported.
            let config = configs.peek(key)?;
            Some(lint_unit(config, files, &named_set, stdin, &skipped))
        })
        .collect();
    let mut notes: Vec<String> = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for o in outcomes {
        report.failed |= o.failed;
        report.files_linted += o.files_linted;
        notes.extend(o.notes);
        diagnostics.extend(o.diagnostics);
        failures.extend(o.failures);
    }

    diagnostics.extend(failures);
    sort_and_dedup(&mut diagnostics);
    report.diagnostics = diagnostics;
    notes.extend(skipped.into_inner().unwrap_or_default());
    notes.sort();
    notes.dedup();
    report.notes = notes;
    report
}

/// About how many files a batch of a unit holds (see [`folder_batches`]).
const BATCH_FILES: usize = 128;

/// Splits a unit's files into batches of whole folders, each of about `size` files (a
/// folder with more files than that is a batch of its own).
fn folder_batches<'a>(files: &[&'a PathBuf], size: usize) -> Vec<Vec<&'a PathBuf>> {
    let mut sorted: Vec<&PathBuf> = files.to_vec();
    if files.len() <= size {
        return vec![sorted];
    }
    sorted.sort_by(|a, b| a.parent().cmp(&b.parent()).then_with(|| a.cmp(b)));
    let mut out: Vec<Vec<&PathBuf>> = Vec::new();
    let mut batch: Vec<&PathBuf> = Vec::new();
    for path in sorted {
        let new_folder = batch
            .last()
            .is_some_and(|last: &&PathBuf| last.parent() != path.parent());
        if new_folder && batch.len() >= size {
            out.push(std::mem::take(&mut batch));
        }
        batch.push(path);
    }
    if !batch.is_empty() {
        out.push(batch);
    }
    out
}

/// What linting one unit produced.
#[derive(Default)]
struct UnitOutcome {
    diagnostics: Vec<Diagnostic>,
    /// Files that could not be read or decoded (named files only).
    failures: Vec<Diagnostic>,
    failed: bool,
    files_linted: usize,
    notes: Vec<String>,
}

/// Reads, parses and classifies the files of one unit, runs the rules on them and returns
/// the findings on the named files; the documents are dropped on return.
fn lint_unit(
    config: &Config,
    files: &[&PathBuf],
    named_set: &FastSet<&OsStr>,
    stdin: Option<&(PathBuf, &String)>,
    skipped: &Mutex<Vec<String>>,
) -> UnitOutcome {
    let mut outcome = UnitOutcome::default();
    let max = config.max_size_bytes().unwrap_or(10 << 20);
    let loaded: Vec<(&PathBuf, Loaded)> = files
        .par_iter()
        .copied()
        // Configuration, not a linted input (DESIGN §2): not even read.
        .filter(|path| !is_config_input(config, path))
        .map(|path| {
            let loaded = match stdin {
                Some((sp, text)) if sp == path => load_text(path, (*text).clone()),
                _ => load_file(path, max),
            };
            (path, loaded)
        })
        .collect();

    // Collect the documents; confirm the ones that need a sibling.
    let notes = &mut outcome.notes;
    let mut docs: Vec<Document> = Vec::new();
    let mut context: Vec<ContextFile> = Vec::new();
    let mut pending: Vec<Document> = Vec::new();
    for (path, l) in loaded {
        let is_named = named_set.contains(path.as_os_str());
        match l {
            Loaded::Doc(doc) => {
                if doc_is_pending(&doc) {
                    pending.push(doc);
                } else {
                    docs.push(doc);
                }
            }
            Loaded::Context(c) => {
                if is_named {
                    notes.push(format!(
                        "{}: not linted: an ARM parameters file, read only to resolve the template beside it",
                        path.display()
                    ));
                }
                context.push(c);
            }
            Loaded::NotOurs => {
                if is_named {
                    notes.push(format!(
                        "{}: not linted: its content is none of the kinds cmklint checks",
                        path.display()
                    ));
                }
            }
            Loaded::Failed(d) => {
                if is_named {
                    if d.severity == Severity::Error {
                        outcome.failed = true;
                    }
                    outcome.failures.push(d);
                }
            }
        }
    }
    // The folders that hold a document of each cloud (one pass, not one per pending doc),
    // worked out only when some document needs a sibling.
    if !pending.is_empty() {
        let clouds_here: FastSet<(Option<PathBuf>, std::mem::Discriminant<document::Model>)> = docs
            .iter()
            .map(|d| {
                let dir = d.source.path.parent().map(Path::to_path_buf);
                (dir, std::mem::discriminant(&d.model))
            })
            .collect();
        for doc in pending {
            let dir = doc.source.path.parent().map(Path::to_path_buf);
            let confirmed = clouds_here.contains(&(dir, std::mem::discriminant(&doc.model)));
            if confirmed {
                docs.push(doc);
            } else if named_set.contains(doc.source.path.as_os_str()) {
                notes.push(format!(
                    "{}: not linted: it may be a {}, but no document of that cloud sits beside it",
                    doc.source.path.display(),
                    doc.model.kind_name()
                ));
            }
        }
    }
    if docs.is_empty() {
        return outcome;
    }

    // Run the rules.
    docs.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    let ruleset = RuleSet::new(config);
    let cx = Context::new(config, skipped);
    // Every rule runs and findings are filtered by their own id afterwards: a rule may
    // report under another id (the region rules report `unknown-region`), which must work
    // even when the rule's own id is ignored.
    let active = rules_for(config);
    let per_doc: Vec<Vec<Diagnostic>> = docs
        .par_iter()
        .map(|doc| {
            let mut out = Vec::new();
            syntax_diagnostics(doc, &mut out);
            for rule in &active {
                rule.check(doc, &cx, &mut out);
            }
            finish(doc, &mut out);
            out
        })
        .collect();
    let mut unit_out = Vec::new();
    let unit = Unit::new(config, docs.iter().collect(), context.iter().collect());
    for rule in &active {
        rule.check_unit(&unit, &cx, &mut unit_out);
    }
    let mut unit_diags: Vec<Diagnostic> = per_doc.into_iter().flatten().collect();
    unit_diags.extend(unit_out.into_iter().map(|mut d| {
        if let Some(doc) = d
            .file
            .as_ref()
            .and_then(|f| docs.iter().find(|doc| Arc::ptr_eq(&doc.source, f)))
        {
            finish(doc, std::slice::from_mut(&mut d));
        }
        d
    }));
    // Findings are reported on the named files, and always on the unit's config file
    // (an unknown `[aura] region`), which no command line names, and on a config input
    // that cannot be used (`config-error` on the generated-statements file).
    let config_path = config.source.as_ref().map(|s| s.path.as_path());
    unit_diags.retain(|d| {
        ruleset.enabled(d.rule)
            && d.file.as_ref().is_some_and(|f| {
                named_set.contains(f.path.as_os_str())
                    || Some(f.path.as_path()) == config_path
                    || d.rule == CONFIG_ERROR
            })
    });
    // A config input that cannot be used (generated statements) is bad config: exit 2.
    outcome.failed |= unit_diags.iter().any(|d| d.rule == CONFIG_ERROR);
    for d in &mut unit_diags {
        d.severity = ruleset.severity(d.rule, d.severity);
        // Every output format turns the span into a line and column; index the file's
        // lines here, on the threads, not one file after another while rendering.
        if let Some(f) = &d.file {
            f.index_lines();
        }
    }
    outcome.files_linted = docs
        .iter()
        .filter(|d| named_set.contains(d.source.path.as_os_str()))
        .count();
    outcome.diagnostics = unit_diags;
    outcome
}

/// The rules available to a unit: every built-in rule (Rust and built-in packs) and the
/// rules of the user packs its config names (loaded with the config).
pub fn rules_for(config: &Config) -> Vec<&'static dyn Rule> {
    let mut all = rules::builtin();
    all.extend(config.pack_rules.0.iter().copied());
    all
}

/// Fills in the file and JSON pointer of diagnostics a rule produced for `doc`.
fn finish(doc: &Document, out: &mut [Diagnostic]) {
    let text = doc.source.text.as_str();
    for d in out {
        if d.file.is_none() {
            d.file = Some(doc.source.clone());
        }
        // Spans cover whole characters: a rule's anchor of one byte (the `{` that starts
        // a statement) may sit on a multi-byte character when the parser recovered an
        // object that starts at a typographic quote.
        if d.file.as_ref().is_some_and(|f| Arc::ptr_eq(f, &doc.source)) {
            d.span = whole_chars(text, d.span);
            for l in &mut d.labels {
                l.span = whole_chars(text, l.span);
            }
        }
        if d.pointer.is_none() {
            d.pointer = doc.root().and_then(|r| r.pointer_to(d.span));
        }
    }
}

/// `span` widened to the character boundaries around it, within `text`.
fn whole_chars(text: &str, span: Span) -> Span {
    let mut start = span.start.min(text.len());
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

/// Whether `path` is a file the config names as configuration (`[aura.aws]
/// generated_statements`, `[rules] packs`): read by the rules or the pack loader, never
/// linted itself.
fn is_config_input(config: &Config, path: &Path) -> bool {
    let named = config
        .aura
        .aws
        .generated_statements
        .iter()
        .chain(config.rules.packs.iter());
    named.into_iter().any(|rel| {
        let named = match config.base_dir() {
            Some(dir) => dir.join(rel),
            None => PathBuf::from(rel),
        };
        // Compare names first: `absolute` asks the OS for the working folder.
        named.file_name() == path.file_name()
            && discover::absolute(&named) == discover::absolute(path)
    })
}

fn doc_is_pending(doc: &Document) -> bool {
    doc.needs_sibling
}

/// Turns the parser's syntax issues into diagnostics.
fn syntax_diagnostics(doc: &Document, out: &mut Vec<Diagnostic>) {
    let embedded = doc.model.embedded().map(|p| p.issues.as_slice());
    for issue in doc.parsed.issues.iter().chain(embedded.unwrap_or_default()) {
        let severity = rules::find(issue.rule)
            .map(|r| r.meta().severity)
            .unwrap_or(Severity::Error);
        let mut d = Diagnostic::new(issue.rule, severity, issue.span, issue.message.clone());
        d.help = issue.help.clone();
        for (span, label) in &issue.labels {
            d = d.with_label(*span, label.clone());
        }
        if let Some(edits) = &issue.fix {
            d.fix = Some(crate::diagnostic::Fix {
                description: d
                    .help
                    .clone()
                    .unwrap_or_else(|| "apply the fix".to_string()),
                edits: edits
                    .iter()
                    .map(|(span, text)| crate::diagnostic::Edit {
                        span: *span,
                        replacement: text.clone(),
                    })
                    .collect(),
                applicability: crate::diagnostic::Applicability::Safe,
            });
        }
        out.push(d);
    }
}

/// Sorts by path, position, rule and drops exact duplicates.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    // The path string is worked out once per diagnostic, not once per comparison (it
    // allocates, and a sort compares n log n times).
    let mut keyed: Vec<(String, Diagnostic)> = diags.drain(..).map(|d| (d.path_str(), d)).collect();
    keyed.sort_by(|(pa, a), (pb, b)| {
        (pa, a.span.start, a.rule, &a.message).cmp(&(pb, b.span.start, b.rule, &b.message))
    });
    keyed.dedup_by(|(pa, a), (pb, b)| {
        a.rule == b.rule && a.span == b.span && a.message == b.message && pa == pb
    });
    diags.extend(keyed.into_iter().map(|(_, d)| d));
}

/// Reads, decodes, parses and classifies one file.
fn load_file(path: &Path, max_size: u64) -> Loaded {
    let fail = |msg: String, help: &str| {
        Loaded::Failed(
            Diagnostic::new(IO_ERROR, Severity::Error, Span::point(0), msg)
                .with_help(help)
                .with_file(Arc::new(SourceFile::new(path, String::new()))),
        )
    };
    let unreadable = "check that the file exists and that you may read it";
    // One open: the size check and the read use the same descriptor (a `metadata` by path
    // and then `fs::read` would ask the file system twice).
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(format!("cannot read file: {}", io_message(&e)), unreadable),
    };
    let len = match file.metadata() {
        Ok(m) if m.is_dir() => return Loaded::NotOurs,
        Ok(m) if m.len() > max_size => {
            return fail(
                format!(
                    "file is {} bytes, over the size limit of {max_size} bytes, so it was not linted",
                    m.len()
                ),
                "raise `[files] max_size` in cmklint.toml if the file should be linted, or exclude it with `[files] exclude`",
            )
        }
        // A regular file is read up to the size just asked; anything else (a FIFO, a
        // `/proc` file reporting 0 bytes) to its end.
        Ok(m) if m.is_file() && m.len() > 0 => m.len(),
        Ok(_) => u64::MAX,
        Err(e) => {
            return fail(
                format!("cannot read file: {}", io_message(&e)),
                unreadable,
            )
        }
    };
    let capacity = if len == u64::MAX { 0 } else { len };
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    // Through `Take`: `read_to_end` on a `File` itself asks for the size once more (a
    // second fstat and an lseek per file), which `len` already holds. Stopping at `len`
    // also saves the read that would only find the end of the file: one system call of
    // five per file. A file that grows between the two calls is linted as it was when
    // its size was asked, as if it had been read a moment earlier.
    if let Err(e) = file.by_ref().take(len).read_to_end(&mut bytes) {
        return fail(format!("cannot read file: {}", io_message(&e)), unreadable);
    }
    match decode(bytes) {
        Ok(text) => load_text(path, text),
        Err(e) => fail(e.message, e.help),
    }
}

/// Why a file's bytes cannot be linted: a message and the help that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    pub message: String,
    pub help: &'static str,
}

/// Decodes a file's bytes as UTF-8 (a BOM is kept for the line index to strip), or says
/// why it cannot be linted: UTF-16, binary (NUL bytes), or invalid UTF-8.
pub fn decode(bytes: Vec<u8>) -> Result<String, DecodeError> {
    const SAVE_AS_UTF8: &str = "save the file as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`); cmklint and the AWS, Azure and Google Cloud tools expect UTF-8 JSON";
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(DecodeError {
            message: "file is UTF-16 encoded, not UTF-8".to_string(),
            help: SAVE_AS_UTF8,
        });
    }
    // `memchr` looks at 16 or 32 bytes a step; `[u8]::contains` at one word.
    if memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some() {
        return Err(DecodeError {
            message: "file contains NUL bytes and looks binary, so it was not linted".to_string(),
            help: "if it should be linted, save it as UTF-8 JSON text; otherwise exclude it with `[files] exclude` in cmklint.toml",
        });
    }
    String::from_utf8(bytes).map_err(|e| DecodeError {
        message: format!(
            "file is not valid UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ),
        help: SAVE_AS_UTF8,
    })
}

/// A short, lower-case description of an I/O error for messages.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Parses and classifies text that is already decoded.
fn load_text(path: &Path, text: String) -> Loaded {
    let source = Arc::new(SourceFile::from_utf8(path, text));
    if source.text.trim().is_empty() {
        return Loaded::Failed(
            Diagnostic::new(
                IO_ERROR,
                Severity::Warning,
                Span::point(0),
                "file is empty, so there is nothing to lint",
            )
            .with_help("save the document's JSON in it (check that the command that wrote it succeeded), or delete the file")
            .with_file(source),
        );
    }
    let parsed = json::parse(&source.text);
    match document::classify(&source, &parsed) {
        Classified::Kind(model) => Loaded::Doc(Document {
            source,
            parsed,
            model,
            needs_sibling: false,
        }),
        Classified::NeedsSibling(model) => Loaded::Doc(Document {
            source,
            parsed,
            model,
            needs_sibling: true,
        }),
        Classified::NotOurs if document::is_context(&source, &parsed) => {
            Loaded::Context(ContextFile { source, parsed })
        }
        Classified::NotOurs => Loaded::NotOurs,
    }
}

/// Lints one text as if it were the file `path` under `config` (tests, fuzzing, editors).
pub fn lint_text(path: &Path, text: &str, config: &Config) -> Vec<Diagnostic> {
    let doc = match load_text(path, text.to_string()) {
        // Alone, a document that needs a sibling to be one of the kinds is not linted.
        Loaded::Doc(doc) if doc.needs_sibling => return Vec::new(),
        Loaded::Doc(doc) => doc,
        Loaded::Context(_) | Loaded::NotOurs => return Vec::new(),
        Loaded::Failed(d) => return vec![d],
    };
    let skipped = Mutex::new(Vec::new());
    let cx = Context::new(config, &skipped);
    let ruleset = RuleSet::new(config);
    let mut out = Vec::new();
    syntax_diagnostics(&doc, &mut out);
    // As in `lint_unit`: every rule runs, findings are filtered by their own id.
    let active = rules_for(config);
    for rule in &active {
        rule.check(&doc, &cx, &mut out);
    }
    let unit = Unit::new(config, vec![&doc], Vec::new());
    for rule in &active {
        rule.check_unit(&unit, &cx, &mut out);
    }
    finish(&doc, &mut out);
    out.retain(|d| ruleset.enabled(d.rule));
    for d in &mut out {
        d.severity = ruleset.severity(d.rule, d.severity);
    }
    sort_and_dedup(&mut out);
    out
}

/// Identifies a unit: the config file that governs it, or (without one) a folder.
///
/// Compared, ordered and hashed by the bytes of the path: every key of a run comes from
/// the same normalisation (discovery), so equal paths are equal bytes, and `Path`'s own
/// comparison and hash walk the components (hundreds of instructions a path, on the one
/// thread that groups the files). Units are linted in this order; the findings are sorted
/// afterwards, so it only has to be fixed, not to follow the components.
#[derive(Debug, Clone)]
pub enum UnitKey {
    Config(PathBuf),
    Folder(PathBuf),
}

impl UnitKey {
    fn parts(&self) -> (u8, &[u8]) {
        match self {
            UnitKey::Config(p) => (0, p.as_os_str().as_encoded_bytes()),
            UnitKey::Folder(p) => (1, p.as_os_str().as_encoded_bytes()),
        }
    }
}

impl PartialEq for UnitKey {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for UnitKey {}

impl PartialOrd for UnitKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for UnitKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

impl std::hash::Hash for UnitKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parts().hash(state);
    }
}

impl UnitKey {
    /// The folder the unit's files live under.
    pub fn root(&self) -> PathBuf {
        match self {
            UnitKey::Config(p) => p
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from(".")),
            UnitKey::Folder(p) => p.clone(),
        }
    }
}

/// Finds and caches the nearest `cmklint.toml` for each folder.
///
/// Both maps are keyed by the bytes of normalised paths (see [`UnitKey`]).
#[derive(Clone)]
pub struct ConfigCache {
    override_path: Option<PathBuf>,
    nearest: FastMap<OsString, Option<PathBuf>>,
    loaded: FastMap<OsString, Result<Config, Vec<Diagnostic>>>,
    default: Config,
}

impl ConfigCache {
    pub fn new(override_path: Option<PathBuf>) -> ConfigCache {
        ConfigCache {
            override_path: override_path.map(|p| discover::normalize(&p)),
            nearest: FastMap::default(),
            loaded: FastMap::default(),
            default: Config::default(),
        }
    }

    /// The nearest config file at or above `dir` (normalised path).
    pub fn nearest_config(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(p) = &self.override_path {
            return Some(p.clone());
        }
        if let Some(hit) = self.nearest.get(dir.as_os_str()) {
            return hit.clone();
        }
        // A folder's answer is its own config or its parent's answer: climb to the
        // nearest folder already answered (or the top of the relative path), then answer
        // downwards, so each folder's config is looked for once.
        let mut chain: Vec<&Path> = vec![dir];
        let mut above: Option<Option<PathBuf>> = None;
        while let Some(mut parent) = chain.last().and_then(|d| d.parent()) {
            if parent.as_os_str().is_empty() {
                // Above a relative `a` is `.`, whose answer the walk usually has.
                let mut parts = chain.last().map(|top| top.components());
                match parts.as_mut().map(|p| (p.next(), p.next())) {
                    Some((Some(std::path::Component::Normal(_)), None)) => {
                        parent = Path::new(".");
                    }
                    _ => break,
                }
            }
            if let Some(hit) = self.nearest.get(parent.as_os_str()) {
                above = Some(hit.clone());
                break;
            }
            chain.push(parent);
        }
        let mut found = match above {
            Some(hit) => hit,
            None => {
                // The top of the chain: look in it and every folder above it.
                let top = chain.pop().unwrap_or(dir);
                let found = discover::absolute(top)
                    .ancestors()
                    .map(|a| a.join(CONFIG_FILE_NAME))
                    .find(|c| c.is_file())
                    .map(|c| discover::normalize(&c));
                self.nearest
                    .insert(top.as_os_str().to_owned(), found.clone());
                found
            }
        };
        for d in chain.into_iter().rev() {
            let own = discover::absolute(d).join(CONFIG_FILE_NAME);
            if own.is_file() {
                found = Some(discover::normalize(&own));
            }
            self.nearest.insert(d.as_os_str().to_owned(), found.clone());
        }
        found
    }

    /// Records what a walk saw when it listed `dir`: whether it holds a `cmklint.toml`
    /// (a regular file; a link is left to [`ConfigCache::nearest_config`], which
    /// follows it). Spares the lookup its `stat` of the folder. Without a config of its
    /// own, a folder's answer is its parent's (looked up if not known yet: the first
    /// folder of a walk; the walk then goes downwards through known folders).
    pub fn know_folder(&mut self, dir: &Path, has_config: bool) {
        if self.override_path.is_some() || self.nearest.contains_key(dir.as_os_str()) {
            return;
        }
        let found = if has_config {
            Some(discover::normalize(&dir.join(CONFIG_FILE_NAME)))
        } else {
            let parent = match dir.parent() {
                Some(p) if p.as_os_str().is_empty() => Path::new("."),
                Some(p) => p,
                None => return,
            };
            match self.nearest.get(parent.as_os_str()) {
                Some(hit) => hit.clone(),
                None => self.nearest_config(parent),
            }
        };
        self.nearest.insert(dir.as_os_str().to_owned(), found);
    }

    /// Takes in what another cache (a clone of this one, used by one branch of a parallel
    /// walk) has found.
    pub fn absorb(&mut self, other: ConfigCache) {
        self.nearest.reserve(other.nearest.len());
        for (k, v) in other.nearest {
            self.nearest.entry(k).or_insert(v);
        }
        for (k, v) in other.loaded {
            self.loaded.entry(k).or_insert(v);
        }
    }

    /// The unit a file belongs to.
    pub fn unit_key(&mut self, file: &Path) -> UnitKey {
        let dir = discover::parent_dir(file);
        match self.nearest_config(&dir) {
            Some(c) => {
                self.load(&c);
                UnitKey::Config(c)
            }
            None => UnitKey::Folder(dir),
        }
    }

    fn load(&mut self, path: &Path) {
        if self.loaded.contains_key(path.as_os_str()) {
            return;
        }
        let result = match std::fs::read_to_string(path) {
            Ok(text) => Config::parse_all(path, &text)
                .map_err(|errors| errors.into_iter().map(config_diagnostic).collect()),
            Err(e) => Err(vec![Diagnostic::new(
                CONFIG_ERROR,
                Severity::Error,
                Span::point(0),
                format!("cannot read configuration: {}", io_message(&e)),
            )
            .with_file(Arc::new(SourceFile::new(path, String::new())))]),
        };
        // The rule packs it names are part of the configuration: a bad pack fails it, and
        // `[rules]` may select, ignore and re-severity their rules.
        let result = result.and_then(|mut config| {
            let packs = crate::pack::load_user_packs(&config)?;
            if !config.rules.packs.is_empty() {
                let known: Vec<&str> = rules::builtin()
                    .into_iter()
                    .chain(packs.iter().copied())
                    .map(|r| r.meta().id)
                    .collect();
                let problems = config.rule_id_problems(&known);
                if !problems.is_empty() {
                    return Err(problems.into_iter().map(config_diagnostic).collect());
                }
            }
            config.pack_rules = crate::pack::PackRules(packs);
            Ok(config)
        });
        self.loaded.insert(path.as_os_str().to_owned(), result);
    }

    /// The config of a unit, or the diagnostics saying why it could not be loaded.
    pub fn get(&self, key: &UnitKey) -> Result<&Config, Vec<Diagnostic>> {
        match key {
            UnitKey::Folder(_) => Ok(&self.default),
            UnitKey::Config(p) => match self.loaded.get(p.as_os_str()) {
                Some(Ok(c)) => Ok(c),
                Some(Err(d)) => Err(d.clone()),
                None => Ok(&self.default),
            },
        }
    }

    /// The config of a unit if it loaded.
    pub fn peek(&self, key: &UnitKey) -> Option<&Config> {
        self.get(key).ok()
    }

    /// The config that governs `file` (loading it if needed).
    pub fn for_file(&mut self, file: &Path) -> Option<&Config> {
        let key = self.unit_key(file);
        self.peek(&key)
    }
}

/// Loads the configuration that governs the working folder (`override_path`, or the nearest
/// `cmklint.toml`), with its rule packs, so that `cmklint rules` and `cmklint explain`
/// cover the user's pack rules. Returns the problems found in it.
pub fn load_config_here(override_path: Option<PathBuf>) -> Vec<Diagnostic> {
    let mut configs = ConfigCache::new(override_path);
    let key = configs.unit_key(Path::new("./cmklint.toml"));
    configs.get(&key).err().unwrap_or_default()
}

/// A configuration problem as a diagnostic on the config file.
fn config_diagnostic(e: crate::config::ConfigError) -> Diagnostic {
    let mut d = Diagnostic::new(
        CONFIG_ERROR,
        Severity::Error,
        e.span.unwrap_or_default(),
        format!("invalid configuration: {}", e.message),
    );
    d.file = Some(e.file);
    d.with_help(
        "fix the configuration file; `cmklint explain config-error` lists the keys cmklint.toml accepts",
    )
}

/// Whether `path` is a cmklint config file.
pub fn is_config_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == CONFIG_FILE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(path: &str, text: &str) -> Document {
        match load_text(Path::new(path), text.to_string()) {
            Loaded::Doc(d) => d,
            _ => panic!("{path} is not a document"),
        }
    }

    fn context(path: &str, text: &str) -> ContextFile {
        match load_text(Path::new(path), text.to_string()) {
            Loaded::Context(c) => c,
            _ => panic!("{path} is not a context file"),
        }
    }

    #[test]
    fn batches_hold_whole_folders() {
        let files: Vec<PathBuf> = ["a/1", "b/1", "a/2", "c/1", "a/3", "b/2", "d"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let names = |bs: Vec<Vec<&PathBuf>>| -> Vec<Vec<String>> {
            bs.iter()
                .map(|b| b.iter().map(|p| p.display().to_string()).collect())
                .collect()
        };
        let files: Vec<&PathBuf> = files.iter().collect();
        assert_eq!(
            names(folder_batches(&files, 2)),
            [
                vec!["d", "a/1", "a/2", "a/3"],
                vec!["b/1", "b/2"],
                vec!["c/1"],
            ]
        );
        assert_eq!(
            names(folder_batches(&files, 4)),
            [vec!["d", "a/1", "a/2", "a/3"], vec!["b/1", "b/2", "c/1"]]
        );
        assert_eq!(folder_batches(&files, 7).len(), 1);
    }

    #[test]
    fn a_unit_groups_its_files_by_folder() {
        let policy = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}"#;
        let rotation = r#"{"KeyRotationEnabled": false, "KeyId": "k"}"#;
        let params = r#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {}}"#;
        let docs = [
            doc("a/key-policy.json", policy),
            doc("a/b/key-policy.json", policy),
            doc("a/rotation.json", rotation),
            doc("top.json", policy),
        ];
        let ctx = [
            context("a/b/vault.parameters.json", params),
            context("c/vault.parameters.json", params),
        ];
        let config = Config::default();
        let unit = Unit::new(&config, docs.iter().collect(), ctx.iter().collect());

        let names = |ds: &[&Document]| -> Vec<String> {
            ds.iter()
                .map(|d| d.source.path.display().to_string())
                .collect()
        };
        let folders: Vec<Vec<String>> =
            unit.folders().iter().map(|f| names(&f.documents)).collect();
        assert_eq!(
            folders,
            [
                vec!["a/key-policy.json", "a/rotation.json"],
                vec!["a/b/key-policy.json"],
                vec!["top.json"],
            ]
        );
        let same: Vec<&Document> = unit.same_folder(&docs[2]).collect();
        assert_eq!(names(&same), ["a/key-policy.json", "a/rotation.json"]);
        // A context file joins the folder it is in; one in a folder without documents
        // is context for nothing.
        let ctx_of = |p: &str| -> Vec<String> {
            unit.folder(Path::new(p))
                .map(|f| {
                    f.context
                        .iter()
                        .map(|c| c.source.path.display().to_string())
                        .collect()
                })
                .unwrap_or_default()
        };
        assert_eq!(ctx_of("a/b/x.json"), ["a/b/vault.parameters.json"]);
        assert!(ctx_of("a/x.json").is_empty());
        assert!(unit.folder(Path::new("c/x.json")).is_none());
    }
}
