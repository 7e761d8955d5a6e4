//! Policy as code: declarative rule packs.
//!
//! A rule pack is a JSON file of rules, each with an id, severity, documentation, the
//! document kinds it applies to, a path (a JSON pointer with `*` and `**` wildcards), an
//! optional precondition and an assertion. Built-in packs under `rules/packs/` are compiled
//! into the binary; users name their own in `cmklint.toml` (`[rules] packs = [...]`). Pack
//! rules implement [`crate::rules::Rule`] and go through the same registry, selection and
//! severity overrides as rules written in Rust.
//!
//! Stages: [`load`] (parse with spans, validate against `schemas/rule-pack.schema.json`,
//! compile regexes and schemas once), [`path`] (selectors), [`assert`] (checks),
//! [`schema`] (JSON Schema mapped onto spans, also used for the input schemas), `rule`
//! (running a rule on a document). Nothing here prints or reads anything but pack files;
//! no code from a pack is ever executed.

pub mod assert;
mod load;
pub mod path;
mod rule;
pub mod schema;
pub mod template;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub use load::{load, Origin, DOC_SECTIONS, PACK_SCHEMA};
pub use rule::{is_arm_expression, parts, parts_of, Condition, PackRule, Part, Target};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::CONFIG_ERROR;
use crate::rules::Rule;
use crate::source::{SourceFile, Span};

/// The rules of a config's user packs (see [`load_user_packs`]).
#[derive(Clone, Default)]
pub struct PackRules(pub Vec<&'static dyn Rule>);

impl std::fmt::Debug for PackRules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|r| r.meta().id))
            .finish()
    }
}

/// The built-in packs: (path in the repository, text).
pub const BUILTIN_PACKS: &[(&str, &str)] = &[(
    "rules/packs/aura.json",
    include_str!("../../rules/packs/aura.json"),
)];

struct Builtin {
    rules: Vec<&'static PackRule>,
    errors: Vec<Diagnostic>,
}

fn builtin() -> &'static Builtin {
    static BUILTIN: OnceLock<Builtin> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let native: Vec<&'static str> =
            crate::rules::native().iter().map(|r| r.meta().id).collect();
        let mut ids: Vec<&'static str> = Vec::new();
        let mut out = Builtin {
            rules: Vec::new(),
            errors: Vec::new(),
        };
        for (name, text) in BUILTIN_PACKS {
            let file = Arc::new(SourceFile::new(*name, (*text).to_string()));
            let taken = |id: &str| native.contains(&id) || ids.contains(&id);
            match load(file, Origin::Builtin, &taken) {
                Ok(rules) => {
                    for r in rules {
                        let r: &'static PackRule = Box::leak(Box::new(r));
                        ids.push(r.meta.id);
                        out.rules.push(r);
                    }
                }
                Err(errors) => out.errors.extend(errors),
            }
        }
        out
    })
}

/// The rules of the built-in packs (loaded once per run).
pub fn builtin_rules() -> Vec<&'static dyn Rule> {
    builtin()
        .rules
        .iter()
        .map(|r| *r as &'static dyn Rule)
        .collect()
}

/// Mistakes in the built-in packs (a test keeps this empty; a broken built-in pack loses
/// its rules rather than stopping every run).
pub fn builtin_errors() -> &'static [Diagnostic] {
    &builtin().errors
}

/// User packs already loaded in this run, by path and content (a pack shared by several
/// configs is loaded once; leaked rules stay for the rest of the run).
type Loaded = Result<Vec<&'static PackRule>, Vec<Diagnostic>>;

fn cache() -> &'static Mutex<HashMap<(PathBuf, String), Loaded>> {
    static CACHE: OnceLock<Mutex<HashMap<(PathBuf, String), Loaded>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The rules of every user pack loaded so far in this run (sorted by id), so that rule
/// documentation, `cmklint explain` and SARIF rule metadata cover them too.
pub fn loaded_user_rules() -> Vec<&'static dyn Rule> {
    let guard = match cache().lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut out: Vec<&'static PackRule> = guard
        .values()
        .filter_map(|r| r.as_ref().ok())
        .flatten()
        .copied()
        .collect();
    out.sort_by_key(|r| r.meta.id);
    out.dedup_by_key(|r| r.meta.id);
    out.into_iter().map(|r| r as &'static dyn Rule).collect()
}

/// Loads the packs `[rules] packs` of `config` names (paths relative to the config file).
/// Returns their rules, or every mistake found (a pack that cannot be read, a rule pack
/// that is not valid, a rule id used twice across the packs).
pub fn load_user_packs(config: &Config) -> Result<Vec<&'static dyn Rule>, Vec<Diagnostic>> {
    if config.rules.packs.is_empty() {
        return Ok(Vec::new());
    }
    let base = config.base_dir().map(Path::to_path_buf).unwrap_or_default();
    let builtin_ids: Vec<&'static str> = crate::rules::builtin()
        .iter()
        .map(|r| r.meta().id)
        .collect();
    let mut rules: Vec<&'static PackRule> = Vec::new();
    let mut errors = Vec::new();
    for entry in &config.rules.packs {
        let path = base.join(entry);
        let shown = crate::discover::normalize(&path);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                errors.push(unreadable(config, entry, &shown, &e));
                continue;
            }
        };
        let key = (shown.clone(), text.clone());
        let loaded = {
            let mut guard = match cache().lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            guard
                .entry(key)
                .or_insert_with(|| {
                    let file = Arc::new(SourceFile::from_utf8(&shown, text));
                    let taken = |id: &str| builtin_ids.contains(&id);
                    load(file, Origin::User, &taken)
                        .map(|rs| rs.into_iter().map(|r| &*Box::leak(Box::new(r))).collect())
                })
                .clone()
        };
        match loaded {
            Ok(loaded) => {
                for r in loaded {
                    if let Some(first) = rules.iter().find(|p| p.meta.id == r.meta.id) {
                        errors.push(
                            Diagnostic::new(
                                CONFIG_ERROR,
                                Severity::Error,
                                r.id_span,
                                format!(
                                    "invalid rule pack: rule id `{}` is also used in {}",
                                    r.meta.id,
                                    first.file.path.display()
                                ),
                            )
                            .with_file(r.file.clone())
                            .with_help("rule ids must be unique across the packs a cmklint.toml names; rename one of them"),
                        );
                    } else {
                        rules.push(r);
                    }
                }
            }
            Err(e) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(rules.into_iter().map(|r| r as &'static dyn Rule).collect())
    } else {
        Err(errors)
    }
}

/// A pack file that cannot be read: reported at its entry in `cmklint.toml`.
fn unreadable(config: &Config, entry: &str, shown: &Path, e: &std::io::Error) -> Diagnostic {
    let why = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::InvalidData => "it is not UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    let message = format!(
        "cannot read rule pack `{entry}` ({}): {why}",
        shown.display()
    );
    let help = "`[rules] packs` paths are relative to the folder of cmklint.toml";
    match &config.source {
        Some(src) => {
            let quoted = [format!("\"{entry}\""), format!("'{entry}'")];
            let span = quoted
                .iter()
                .find_map(|q| {
                    src.text
                        .find(q.as_str())
                        .map(|at| Span::new(at, at + q.len()))
                })
                .unwrap_or_default();
            Diagnostic::new(CONFIG_ERROR, Severity::Error, span, message)
                .with_file(src.clone())
                .with_help(help)
        }
        None => Diagnostic::new(CONFIG_ERROR, Severity::Error, Span::point(0), message)
            .with_file(Arc::new(SourceFile::new(shown, String::new())))
            .with_help(help),
    }
}
