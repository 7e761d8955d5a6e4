//! Stage "rules": the registry of every rule, and the shape a rule has.
//!
//! A rule is one unit with its metadata (id, severity, summary, documentation) and its
//! checks: `check` runs per document (in parallel across files), `check_unit` runs once
//! per unit on all of that unit's documents (cross-document joins, DESIGN §4). The registry
//! drives `cmklint rules`, `cmklint explain`, the pages under `rules/` and SARIF rule
//! metadata, so a rule's documentation is written once, here in its file.
//! Rules never print and know nothing about the CLI or output formats.

pub mod aws;
pub mod azure;
pub mod gcp;
pub mod shared;
pub mod syntax;

use std::path::Path;
use std::sync::{LazyLock, Mutex, OnceLock};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{ContextFile, Document};

/// Which group a rule belongs to (for listings and `select` prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Syntax,
    Aws,
    Azure,
    Gcp,
    Shared,
    /// A rule from a user's rule pack.
    Custom,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Syntax => "syntax",
            Group::Aws => "aws",
            Group::Azure => "azure",
            Group::Gcp => "gcp",
            Group::Shared => "shared",
            Group::Custom => "custom",
        }
    }
}

/// Everything known about a rule without running it.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Stable id, kebab-case. Never reused.
    pub id: &'static str,
    pub group: Group,
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Markdown with the sections `## What it checks`, `## Why it matters`,
    /// `## Example` (bad) and `## Use instead` (good); may add `## Fix` and `## References`.
    pub docs: &'static str,
    /// Whether the rule can offer a safe fix.
    pub fixable: bool,
}

/// What a rule can see besides the document: the unit's configuration.
pub struct Context<'a> {
    pub config: &'a Config,
    /// Why rules were skipped (shown with `--verbose`).
    skipped: &'a Mutex<Vec<String>>,
}

impl<'a> Context<'a> {
    pub fn new(config: &'a Config, skipped: &'a Mutex<Vec<String>>) -> Context<'a> {
        Context { config, skipped }
    }

    /// Records that `rule` did not run on `path` and why (a config value it needs is absent).
    pub fn skip(&self, rule: &str, path: &Path, why: &str) {
        if let Ok(mut s) = self.skipped.lock() {
            s.push(format!("{rule}: skipped for {}: {why}", path.display()));
        }
    }
}

/// All documents of one unit (the files under one `cmklint.toml`, or one folder).
pub struct Unit<'a> {
    pub config: &'a Config,
    /// The unit's documents, sorted by path.
    pub documents: Vec<&'a Document>,
    /// The unit's files that are none of the kinds but are context for the rules (ARM
    /// parameters files). Never reported on.
    pub context: Vec<&'a ContextFile>,
    /// The documents and context files grouped by folder, in the order of each folder's
    /// first document; cross-document joins look only inside a folder (DESIGN §4), and a
    /// unit can hold thousands of files, so the grouping is done once, not per lookup.
    folders: Vec<Folder<'a>>,
    folder_index: crate::hash::FastMap<&'a [u8], usize>,
    /// The unit's Azure documents as the Azure rules read them ([`azure::views`]), worked
    /// out once for all of them.
    azure_views: OnceLock<Vec<azure::View<'a>>>,
}

/// The files of a unit that sit in one folder.
pub struct Folder<'a> {
    /// Sorted by path.
    pub documents: Vec<&'a Document>,
    pub context: Vec<&'a ContextFile>,
}

/// The folder a file is in, as the bytes of its path before the last separator (`""`
/// for a bare file name): the paths of one run share one normalisation, and this spares
/// parsing components from the back and hashing them one by one for every file.
fn folder_of(path: &Path) -> &[u8] {
    crate::discover::folder_bytes(path)
}

impl<'a> Unit<'a> {
    /// A unit of `documents` (sorted by path) and `context` files under `config`.
    pub fn new(
        config: &'a Config,
        documents: Vec<&'a Document>,
        context: Vec<&'a ContextFile>,
    ) -> Unit<'a> {
        let mut folders: Vec<Folder<'a>> = Vec::new();
        let mut folder_index: crate::hash::FastMap<&'a [u8], usize> = Default::default();
        for doc in documents.iter().copied() {
            let next = folders.len();
            let i = *folder_index
                .entry(folder_of(&doc.source.path))
                .or_insert(next);
            if i == next {
                folders.push(Folder {
                    documents: Vec::new(),
                    context: Vec::new(),
                });
            }
            folders[i].documents.push(doc);
        }
        for c in context.iter().copied() {
            // A context file in a folder without documents is context for nothing.
            if let Some(&i) = folder_index.get(folder_of(&c.source.path)) {
                folders[i].context.push(c);
            }
        }
        Unit {
            config,
            documents,
            context,
            folders,
            folder_index,
            azure_views: OnceLock::new(),
        }
    }

    /// The unit's folders, each with its documents and context files.
    pub fn folders(&self) -> &[Folder<'a>] {
        &self.folders
    }

    /// The folder of the unit that holds `path`, if it holds any document.
    pub fn folder(&self, path: &Path) -> Option<&Folder<'a>> {
        self.folder_index
            .get(folder_of(path))
            .map(|&i| &self.folders[i])
    }

    /// Documents in the same folder as `doc` (including `doc`).
    pub fn same_folder(&self, doc: &Document) -> impl Iterator<Item = &'a Document> + '_ {
        self.folder(&doc.source.path)
            .map_or(&[][..], |f| &f.documents[..])
            .iter()
            .copied()
    }
}

pub trait Rule: Sync + Send {
    fn meta(&self) -> &RuleMeta;

    /// Checks one document.
    fn check(&self, _doc: &Document, _cx: &Context, _out: &mut Vec<Diagnostic>) {}

    /// Checks a whole unit (cross-document rules). Diagnostics must carry their file.
    fn check_unit(&self, _unit: &Unit, _cx: &Context, _out: &mut Vec<Diagnostic>) {}
}

/// Rules whose findings come from the parser or the engine rather than a `check`
/// function (syntax, splice, unreadable files). They still need metadata and docs.
pub struct MetaOnly(pub RuleMeta);

impl Rule for MetaOnly {
    fn meta(&self) -> &RuleMeta {
        &self.0
    }
}

/// The ids of the built-in rules in catalogue order (DESIGN §6), whichever way each is
/// written (in Rust or in a built-in rule pack).
const CATALOGUE: &[&str] = &[
    "json-syntax",
    "json-duplicate-key",
    "json-trailing-comma",
    "json-comment",
    "json-smart-quotes",
    "splice-missing-comma",
    "splice-nested-array",
    "splice-pasted-document",
    "splice-outside-array",
    "placeholder-value",
    "aws-policy-version",
    "aws-statement-invalid",
    "aws-duplicate-sid",
    "aws-unknown-action",
    "aws-wildcard-principal",
    "aws-lockout-risk",
    "aws-policy-too-large",
    "aws-aura-statement-missing",
    "aws-aura-statement-altered",
    "aws-aura-access-missing",
    "aws-aura-access-denied",
    "aws-region-mismatch",
    "aws-key-spec",
    "aws-key-state",
    "aws-key-rotation-disabled",
    "aws-arn-invalid",
    "azure-purge-protection-disabled",
    "azure-soft-delete-disabled",
    "azure-rbac-disabled",
    "azure-disk-encryption-disabled",
    "azure-firewall-bypass-missing",
    "azure-region-mismatch",
    "azure-crypto-officer-missing",
    "azure-wrong-role",
    "azure-role-scope-too-broad",
    "azure-key-identifier-invalid",
    "azure-key-type",
    "gcp-role-missing",
    "gcp-service-accounts-incomplete",
    "gcp-member-format",
    "gcp-public-member",
    "gcp-conditional-binding",
    "gcp-location-not-regional",
    "gcp-region-mismatch",
    "gcp-rotation-not-set",
    "gcp-key-purpose",
    "gcp-resource-name-invalid",
    "unknown-region",
];

/// Every built-in rule, in catalogue order: the rules written in Rust and the rules of the
/// built-in rule packs (`rules/packs/`); a rule missing from the catalogue list goes after
/// the others of its group.
pub fn builtin() -> Vec<&'static dyn Rule> {
    BUILTIN.clone()
}

/// [`builtin`], put in order once per run (a run asks for it per unit and per config).
static BUILTIN: LazyLock<Vec<&'static dyn Rule>> = LazyLock::new(|| {
    let mut all = native();
    all.extend(crate::pack::builtin_rules());
    let place = |id: &str| {
        CATALOGUE
            .iter()
            .position(|c| *c == id)
            .unwrap_or(usize::MAX)
    };
    all.sort_by_key(|r| (r.meta().group, place(r.meta().id)));
    all
});

/// The built-in rules written in Rust (without the built-in rule packs).
pub fn native() -> Vec<&'static dyn Rule> {
    let mut all: Vec<&'static dyn Rule> = Vec::new();
    all.extend_from_slice(syntax::RULES);
    all.extend_from_slice(aws::RULES);
    all.extend_from_slice(azure::RULES);
    all.extend_from_slice(gcp::RULES);
    all.extend_from_slice(shared::RULES);
    all
}

/// Finds a built-in rule by id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    builtin().into_iter().find(|r| r.meta().id == id)
}
