//! Stage "fix": applies the safe fixes that rules attach to their diagnostics (`--fix`),
//! or shows them as a unified diff without writing (`--diff`).
//!
//! Fixing is a loop over one file's text: lint, take every safe fix whose edits do not
//! overlap another's, apply them, verify, repeat — one fix may reveal the next mistake (a
//! strict parser only sees the first) — until nothing fixable is left or [`MAX_PASSES`].
//! A batch of fixes is kept only if the result parses no worse than before, is still a
//! document cmklint recognises, and no fixed rule fires again where its fix was applied or
//! more often than before; otherwise the fixes are tried one by one and the failing ones
//! are refused. Only the edited bytes change: the BOM, the line endings (a replacement's
//! `\n` becomes the file's line ending) and everything else stay as they were. A
//! replacement is the text to write; one that lands inside a string literal (a fix of the
//! policy embedded in `aws kms get-key-policy` output) must come escaped for that string,
//! and must stay inside it, or the fix is refused. Files are replaced atomically by
//! [`write`].
//!
//! This module never prints; `main` renders what [`run`] returns.

mod diff;
mod write;

pub use diff::unified_diff;
pub use write::{replace_file, resolve_target, WriteError};

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Applicability, Diagnostic, Severity};
use crate::document::{self, Classified};
use crate::engine::{self, ConfigCache, Options, Report};
use crate::json::{self, Node, Value};
use crate::source::{SourceFile, Span};

/// Upper bound on lint-and-fix passes per file. Each pass applies every independent fix
/// it sees, so real files need one or two (a strict parser that reports only its first
/// error needs one per mistake); the bound only stops a fix that keeps producing work.
pub const MAX_PASSES: usize = 16;

/// Appended to the help of a diagnostic that `--fix` can repair.
pub const FIXABLE_HINT: &str = "fixable with `cmklint check --fix`";

/// Lines of context around each change in `--diff` output.
pub const DIFF_CONTEXT: usize = 3;

/// Whether `--fix` would try this diagnostic's fix.
pub fn is_fixable(d: &Diagnostic) -> bool {
    d.fix
        .as_ref()
        .is_some_and(|f| f.applicability == Applicability::Safe && !f.edits.is_empty())
}

/// Says in the help of each fixable diagnostic that `--fix` repairs it.
pub fn mark_fixable(diags: &mut [Diagnostic]) {
    for d in diags.iter_mut().filter(|d| is_fixable(d)) {
        match &mut d.help {
            Some(h) if h.contains(FIXABLE_HINT) => {}
            Some(h) => {
                h.push_str(" (");
                h.push_str(FIXABLE_HINT);
                h.push(')');
            }
            None => d.help = Some(FIXABLE_HINT.to_string()),
        }
    }
}

/// A fix that was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedFix {
    pub rule: &'static str,
    pub description: String,
}

/// A safe fix that was not applied, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedFix {
    pub rule: &'static str,
    pub message: String,
    pub reason: String,
}

/// The outcome of fixing one text.
#[derive(Debug, Clone, Default)]
pub struct TextFix {
    /// The fixed text (equal to the input when nothing was applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    pub refused: Vec<RefusedFix>,
    /// Passes that applied or tried fixes.
    pub passes: usize,
}

/// Applies the safe fixes of `lint`'s diagnostics to `text` (without BOM; spans are
/// relative to it), re-linting after each pass. `lint` must lint a text as the file it
/// came from (see [`engine::lint_text`]).
pub fn fix_text(text: &str, lint: &dyn Fn(&str) -> Vec<Diagnostic>) -> TextFix {
    fix_text_passes(text, lint, MAX_PASSES)
}

/// [`fix_text`] with at most `max_passes` passes (at most [`MAX_PASSES`]); one pass shows
/// what a single round of fixes does, as the fuzz target checks it.
pub fn fix_text_passes(
    text: &str,
    lint: &dyn Fn(&str) -> Vec<Diagnostic>,
    max_passes: usize,
) -> TextFix {
    let max_passes = max_passes.min(MAX_PASSES);
    let mut out = TextFix {
        text: text.to_string(),
        ..TextFix::default()
    };
    let mut info = TextInfo::of(text);
    let mut diags = lint(text);
    // Fixes refused so far, by rule and span in the current text.
    let mut blocked: Vec<(&'static str, Span)> = Vec::new();
    let mut seen: HashSet<u64> = HashSet::from([hash(text)]);

    while out.passes < max_passes {
        let mut candidates = Vec::new();
        for d in diags.iter().filter(|d| is_fixable(d)) {
            if blocked.contains(&(d.rule, d.span)) {
                continue;
            }
            match Candidate::prepare(&info, &out.text, d) {
                Ok(c) => candidates.push(c),
                Err(reason) => {
                    blocked.push((d.rule, d.span));
                    out.refused.push(refusal(d.rule, &d.message, reason));
                }
            }
        }
        if candidates.is_empty() {
            break;
        }
        out.passes += 1;
        let chosen = select(candidates);

        let step = match attempt(&out.text, &info, &diags, &chosen, lint) {
            Ok(step) => Some((step, chosen)),
            Err(reason) if chosen.len() == 1 => {
                let c = &chosen[0];
                blocked.push((c.rule, c.span));
                out.refused.push(refusal(c.rule, &c.message, reason));
                None
            }
            Err(_) => {
                // Some fix of the batch is bad: find which, one at a time.
                let mut found = None;
                for c in chosen {
                    match attempt(&out.text, &info, &diags, std::slice::from_ref(&c), lint) {
                        Ok(step) => {
                            found = Some((step, vec![c]));
                            break;
                        }
                        Err(reason) => {
                            blocked.push((c.rule, c.span));
                            out.refused.push(refusal(c.rule, &c.message, reason));
                        }
                    }
                }
                found
            }
        };
        let Some((step, applied)) = step else {
            continue;
        };
        // The text changed, so a fix refused on the old text may work on the new one (once
        // a trailing comma is gone, a statement pasted after the policy can move into the
        // array), and a second `--fix` must find nothing left to do: refused fixes are
        // tried again, and refusals still standing are recorded again.
        blocked.clear();
        out.refused.clear();
        out.applied.extend(applied.into_iter().map(|c| AppliedFix {
            rule: c.rule,
            description: c.description,
        }));
        out.text = step.text;
        info = step.info;
        diags = step.diags;
        if !seen.insert(hash(&out.text)) {
            break; // back to an earlier text: fixes undo each other
        }
    }
    out
}

fn refusal(rule: &'static str, message: &str, reason: String) -> RefusedFix {
    RefusedFix {
        rule,
        message: message.to_string(),
        reason,
    }
}

fn hash(text: &str) -> u64 {
    let mut h = DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// What verification needs to know about one version of the text.
struct TextInfo {
    /// The file's line ending, used for `\n` in replacements.
    eol: &'static str,
    /// Spans of every string literal (keys and values, quotes included) of the parse.
    literals: Vec<Span>,
    /// Whether the text is valid JSON as a whole.
    valid: bool,
    /// Syntax issues of the text's own parse.
    parse_issues: usize,
    /// Whether the text is one of cmklint's kinds.
    ours: bool,
    /// Syntax issues of an embedded document (rule, span), to tell its fixes apart.
    embedded: HashSet<(&'static str, Span)>,
}

impl TextInfo {
    fn of(text: &str) -> TextInfo {
        let parsed = json::parse(text);
        let mut literals = Vec::new();
        if let Some(root) = &parsed.root {
            collect_literals(root, &mut literals);
        }
        let source = SourceFile::new("fix", text.to_string());
        let (ours, embedded) = match document::classify(&source, &parsed) {
            Classified::Kind(model) | Classified::NeedsSibling(model) => (
                true,
                model
                    .embedded()
                    .map(|p| p.issues.iter().map(|i| (i.rule, i.span)).collect())
                    .unwrap_or_default(),
            ),
            Classified::NotOurs => (false, HashSet::new()),
        };
        TextInfo {
            eol: line_ending(text),
            literals,
            valid: parsed.is_valid(),
            parse_issues: parsed.issues.len(),
            ours,
            embedded,
        }
    }

    /// The string literal whose content (between the quotes) holds `span`.
    fn literal_around(&self, span: Span) -> Option<Span> {
        self.literals
            .iter()
            .copied()
            .find(|l| l.len() >= 2 && span.start > l.start && span.end < l.end)
    }
}

fn collect_literals(root: &Node, out: &mut Vec<Span>) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::String(_) => out.push(n.span),
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(members) => {
                for m in members {
                    out.push(m.key_span);
                    stack.push(&m.value);
                }
            }
            _ => {}
        }
    }
}

/// `\r\n` if the first line ends so, else `\n`.
fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// A fix ready to apply: its edits checked, sorted and adapted to where they land.
#[derive(Debug, Clone)]
struct Candidate {
    rule: &'static str,
    span: Span,
    message: String,
    description: String,
    /// Sorted, non-overlapping; replacements already escaped / given the file's EOL.
    edits: Vec<(Span, String)>,
    /// From the first edit's start to the last edit's end.
    range: Span,
}

impl Candidate {
    fn prepare(info: &TextInfo, text: &str, d: &Diagnostic) -> Result<Candidate, String> {
        let Some(fix) = &d.fix else {
            return Err("it has no fix".to_string());
        };
        let embedded = info.embedded.contains(&(d.rule, d.span));
        let mut edits = Vec::with_capacity(fix.edits.len());
        for e in &fix.edits {
            let s = e.span;
            if s.start > s.end
                || s.end > text.len()
                || !text.is_char_boundary(s.start)
                || !text.is_char_boundary(s.end)
            {
                return Err("an edit of the fix lies outside the text".to_string());
            }
            let literal = info.literal_around(s);
            if embedded && literal.is_none() {
                return Err(
                    "an edit of the fix reaches outside the string that holds the embedded document"
                        .to_string(),
                );
            }
            // Inside a string literal the rule must have escaped its text already (the
            // embedded policy's fixes are); refuse what would break the string.
            let replacement = if literal.is_some() && (embedded || info.valid) {
                if !is_string_content(&e.replacement) {
                    return Err(
                        "the fix's text is not escaped for the string it would go into".to_string(),
                    );
                }
                e.replacement.clone()
            } else {
                with_line_ending(&e.replacement, info.eol)
            };
            edits.push((s, replacement));
        }
        // Stable: two insertions at one point keep the order the rule gave them.
        edits.sort_by_key(|(s, _)| (s.start, s.end));
        if edits.windows(2).any(|w| w[0].0.end > w[1].0.start) {
            return Err("the edits of the fix overlap each other".to_string());
        }
        let (Some(first), Some(last_end)) = (edits.first(), edits.iter().map(|e| e.0.end).max())
        else {
            return Err("the fix has no edits".to_string());
        };
        Ok(Candidate {
            rule: d.rule,
            span: d.span,
            message: d.message.clone(),
            description: fix.description.clone(),
            range: Span::new(first.0.start, last_end),
            edits,
        })
    }
}

/// Whether `s` can stand between the quotes of a JSON string literal as it is.
fn is_string_content(s: &str) -> bool {
    json::parse(&format!("\"{s}\"")).is_valid()
}

fn with_line_ending(s: &str, eol: &str) -> String {
    if eol == "\n" || !s.contains('\n') {
        return s.replace("\r\n", "\n");
    }
    s.replace("\r\n", "\n").replace('\n', eol)
}

/// Picks fixes whose ranges do not touch, in text order; the rest wait for the next pass
/// (their spans are stale once the text changes).
fn select(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by_key(|c| (c.range.start, c.range.end));
    let mut chosen: Vec<Candidate> = Vec::new();
    for c in candidates {
        if chosen
            .last()
            .is_none_or(|last| c.range.start > last.range.end)
        {
            chosen.push(c);
        }
    }
    chosen
}

fn merged_edits(chosen: &[Candidate]) -> Vec<(Span, String)> {
    let mut edits: Vec<(Span, String)> = chosen.iter().flat_map(|c| c.edits.clone()).collect();
    edits.sort_by_key(|(s, _)| s.start);
    edits
}

fn apply(text: &str, edits: &[(Span, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (s, r) in edits {
        out.push_str(&text[at..s.start]);
        out.push_str(r);
        at = s.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where offset `o` of the old text lands in the new one. `after` puts it after text
/// inserted at `o` (and at the end of a replacement it falls inside).
fn map_offset(edits: &[(Span, String)], o: usize, after: bool) -> usize {
    let mut delta: isize = 0;
    for (s, r) in edits {
        let grow = r.len() as isize - s.len() as isize;
        if s.end < o || (s.end == o && (!s.is_empty() || after)) {
            delta += grow;
        } else if s.start < o && o < s.end {
            let base = s.start as isize + delta;
            return (base + if after { r.len() as isize } else { 0 }) as usize;
        } else {
            break;
        }
    }
    (o as isize + delta) as usize
}

fn map_span(edits: &[(Span, String)], s: Span) -> Span {
    let start = map_offset(edits, s.start, false);
    let end = map_offset(edits, s.end, !s.is_empty());
    Span::new(start, end.max(start))
}

fn is_syntax_rule(rule: &str) -> bool {
    rule.starts_with("json-") || rule.starts_with("splice-")
}

/// A verified new version of the text.
struct Step {
    text: String,
    info: TextInfo,
    diags: Vec<Diagnostic>,
}

/// Applies `chosen` to `text` and checks the result (see the module docs).
fn attempt(
    text: &str,
    info: &TextInfo,
    diags: &[Diagnostic],
    chosen: &[Candidate],
    lint: &dyn Fn(&str) -> Vec<Diagnostic>,
) -> Result<Step, String> {
    let edits = merged_edits(chosen);
    let new = apply(text, &edits);
    let new_info = TextInfo::of(&new);
    if new_info.parse_issues > info.parse_issues {
        return Err("the fixed text would have more syntax errors than before".to_string());
    }
    if info.ours && !new_info.ours {
        return Err("the fixed text would no longer be a document cmklint recognises".to_string());
    }
    let new_diags = lint(&new);
    let syntax_before = diags.iter().filter(|d| is_syntax_rule(d.rule)).count();
    let syntax_after = new_diags.iter().filter(|d| is_syntax_rule(d.rule)).count();
    if syntax_after > syntax_before {
        return Err("the fixed text would have more syntax findings than before".to_string());
    }
    // A fixed rule fires no more often than before: a fix that changes how the parser
    // recovers a broken document can bring findings of its own rule to light elsewhere.
    let count = |ds: &[Diagnostic], rule: &str| ds.iter().filter(|d| d.rule == rule).count();
    for c in chosen {
        if count(&new_diags, c.rule) > count(diags, c.rule) {
            return Err(format!(
                "`{}` would fire more often after the fix than before",
                c.rule
            ));
        }
    }
    for c in chosen {
        // Where each edit of the fix landed in the new text.
        let regions: Vec<(usize, usize)> = c
            .edits
            .iter()
            .map(|(s, _)| {
                (
                    map_offset(&edits, s.start, false),
                    map_offset(&edits, s.end, true),
                )
            })
            .collect();
        let touches = |d: &Diagnostic| {
            regions
                .iter()
                .any(|&(lo, hi)| d.span.start <= hi && d.span.end >= lo)
        };
        if new_diags.iter().any(|d| d.rule == c.rule && touches(d)) {
            return Err(format!(
                "`{}` would still fire where the fix was applied",
                c.rule
            ));
        }
        // A syntax error inside what the fix wrote, that was not there before.
        let inside = |d: &Diagnostic| {
            regions.iter().any(|&(lo, hi)| {
                if d.span.is_empty() {
                    lo <= d.span.start && d.span.start < hi
                } else {
                    d.span.start < hi && d.span.end > lo
                }
            })
        };
        let existed = |d: &Diagnostic| {
            diags
                .iter()
                .any(|b| b.rule == d.rule && map_span(&edits, b.span) == d.span)
        };
        if new_diags
            .iter()
            .any(|d| is_syntax_rule(d.rule) && inside(d) && !existed(d))
        {
            return Err("the fix would write invalid JSON".to_string());
        }
    }
    Ok(Step {
        text: new,
        info: new_info,
        diags: new_diags,
    })
}

/// One file's fixes, computed but not yet written.
#[derive(Debug)]
pub struct FilePlan {
    /// The path as named (what diagnostics and diffs show).
    pub path: PathBuf,
    /// The file that is written: the path, or a symbolic link's target. `None` for
    /// standard input.
    pub target: Option<PathBuf>,
    /// The bytes the fixes were computed from.
    pub original: Vec<u8>,
    /// The bytes to write (BOM kept).
    pub fixed: Vec<u8>,
    pub result: TextFix,
}

impl FilePlan {
    /// Whether the fixes change anything.
    pub fn changes(&self) -> bool {
        self.original != self.fixed
    }

    /// A unified diff of the change (empty if none).
    pub fn diff(&self) -> String {
        let path = self.path.to_string_lossy().replace('\\', "/");
        let path = path.trim_start_matches("./").trim_start_matches('/');
        unified_diff(
            path,
            &String::from_utf8_lossy(&self.original),
            &String::from_utf8_lossy(&self.fixed),
            DIFF_CONTEXT,
        )
    }

    /// Replaces the file atomically (a no-op without changes or for standard input).
    pub fn write(&self) -> Result<(), WriteError> {
        match &self.target {
            Some(t) if self.changes() => replace_file(t, &self.original, &self.fixed),
            _ => Ok(()),
        }
    }
}

const BOM: &str = "\u{feff}";

/// Reads `path` (or takes `stdin` text for it) and computes its fixes with `lint`.
pub fn plan_file(
    path: &Path,
    stdin: Option<&str>,
    lint: &dyn Fn(&str) -> Vec<Diagnostic>,
) -> Result<FilePlan, WriteError> {
    let (target, original) = match stdin {
        Some(t) => (None, t.as_bytes().to_vec()),
        None => {
            let target = resolve_target(path)?;
            let bytes = std::fs::read(&target).map_err(|e| WriteError::Io(target.clone(), e))?;
            (Some(target), bytes)
        }
    };
    let Ok(raw) = std::str::from_utf8(&original) else {
        // Not UTF-8: it was never linted, so there is nothing to fix.
        return Ok(FilePlan {
            path: path.to_path_buf(),
            target,
            fixed: original.clone(),
            original,
            result: TextFix::default(),
        });
    };
    let (bom, text) = match raw.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => ("", raw),
    };
    let result = fix_text(text, lint);
    let fixed = format!("{bom}{}", result.text).into_bytes();
    Ok(FilePlan {
        path: path.to_path_buf(),
        target,
        original,
        fixed,
        result,
    })
}

/// The outcome of `cmklint check --fix` / `--diff`.
#[derive(Debug, Default)]
pub struct FixRun {
    /// With `--fix`: the findings after fixing, plus any file that could not be written
    /// (`io-error`, exit 2). With `--diff`: the findings as they are.
    pub report: Report,
    /// With `--diff`: the unified diff of every file that would change.
    pub diff: String,
    /// Fixes applied (or, with `--diff`, that would be).
    pub fixes: usize,
    /// Files changed (or that would be).
    pub files: usize,
    /// With `--fix` on standard input: the fixed text, for standard output.
    pub stdin_text: Option<String>,
}

impl FixRun {
    /// One line for standard error: what was (or would be) fixed.
    pub fn summary(&self, write: bool) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let fixes = plural(self.fixes, "fix", "fixes");
        let files = plural(self.files, "file", "files");
        match (self.fixes, write) {
            (0, _) => "cmklint: nothing to fix".to_string(),
            (_, true) => format!("cmklint: applied {fixes} in {files}"),
            (_, false) => {
                format!("cmklint: {fixes} in {files} would be applied by `cmklint check --fix`")
            }
        }
    }
}

/// Lints `opts`, then fixes every named file that has a safe fix: writes it (`write`) or
/// collects its diff. After writing, the files are linted again so that the report holds
/// what remains.
pub fn run(opts: &Options, write: bool) -> FixRun {
    let first = engine::run(opts);
    let mut paths: Vec<PathBuf> = first
        .diagnostics
        .iter()
        .filter(|d| is_fixable(d))
        .filter_map(|d| d.file.as_ref().map(|f| f.path.clone()))
        .collect();
    paths.sort();
    paths.dedup();

    let mut run = FixRun::default();
    let mut configs = ConfigCache::new(opts.config.clone());
    let mut errors: Vec<Diagnostic> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut targets: HashSet<PathBuf> = HashSet::new();
    for path in paths {
        let Some(config) = configs.for_file(&path).cloned() else {
            continue; // its config failed to load; already reported
        };
        let stdin = opts
            .stdin
            .as_ref()
            .filter(|(p, _)| *p == path)
            .map(|(_, t)| t.as_str());
        let lint = |t: &str| engine::lint_text(&path, t, &config);
        let plan = match plan_file(&path, stdin, &lint) {
            Ok(p) => p,
            Err(e) => {
                errors.push(io_error(&path, &e));
                continue;
            }
        };
        for r in &plan.result.refused {
            notes.push(format!(
                "{}: fix for `{}` ({}) not applied: {}",
                path.display(),
                r.rule,
                r.message,
                r.reason
            ));
        }
        if !plan.changes() {
            continue;
        }
        // The same file named twice (a link and its target): fix it once.
        if let Some(t) = &plan.target {
            if !targets.insert(t.clone()) {
                continue;
            }
        }
        if !write {
            run.diff.push_str(&plan.diff());
        } else if plan.target.is_none() {
            run.stdin_text = Some(String::from_utf8_lossy(&plan.fixed).into_owned());
        } else if let Err(e) = plan.write() {
            errors.push(io_error(&path, &e));
            continue;
        }
        run.fixes += plan.result.applied.len();
        run.files += 1;
    }

    let mut report = if write && run.files > 0 {
        let mut again = opts.clone();
        if let (Some(text), Some((p, _))) = (&run.stdin_text, &opts.stdin) {
            again.stdin = Some((p.clone(), text.clone()));
        }
        engine::run(&again)
    } else {
        first
    };
    if !write {
        mark_fixable(&mut report.diagnostics);
    }
    report.failed |= !errors.is_empty();
    report.diagnostics.extend(errors);
    engine::sort_and_dedup(&mut report.diagnostics);
    report.notes.extend(notes);
    run.report = report;
    run
}

fn io_error(path: &Path, e: &WriteError) -> Diagnostic {
    let help = match e {
        WriteError::ReadOnly(_) => "make the file writable (`chmod u+w`) and run `cmklint check --fix` again, or apply the fixes `cmklint check --diff` shows by hand",
        WriteError::HardLinked(..) => "apply the fixes `cmklint check --diff` shows by hand, so every link sees them",
        _ => "apply the fixes `cmklint check --diff` shows by hand, or run `cmklint check --fix` again",
    };
    Diagnostic::new(
        engine::IO_ERROR,
        Severity::Error,
        Span::point(0),
        e.to_string(),
    )
    .with_help(help)
    .with_file(Arc::new(SourceFile::new(path, String::new())))
}

#[cfg(test)]
mod tests;
