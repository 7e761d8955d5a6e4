//! Stages "classify" and "extract": which kind of document a parsed file is, and its
//! typed, span-carrying model.
//!
//! Content decides the kind, never the file name. A file that is none of the kinds is not
//! linted at all (DESIGN §3). Each cloud owns a submodule with its models and its
//! `classify` function; this module only dispatches. Nothing here reports findings.

pub mod aws;
pub mod azure;
pub mod gcp;

use std::sync::Arc;

use crate::json::{Node, Parsed};
use crate::source::SourceFile;

/// The typed model of one document.
#[derive(Debug, Clone)]
pub enum Model {
    Aws(aws::AwsDoc),
    Azure(azure::AzureDoc),
    Gcp(gcp::GcpDoc),
}

impl Model {
    /// A document embedded in this one and parsed on its own, with its spans (and its
    /// syntax issues' spans) already mapped to the outer file: the policy inside
    /// `aws kms get-key-policy` output. Its syntax issues are reported like the file's own.
    pub fn embedded(&self) -> Option<&Parsed> {
        match self {
            Model::Aws(d) => d.embedded(),
            Model::Azure(_) | Model::Gcp(_) => None,
        }
    }

    /// A short human name of the kind ("AWS key policy").
    pub fn kind_name(&self) -> &'static str {
        match self {
            Model::Aws(d) => d.kind_name(),
            Model::Azure(d) => d.kind_name(),
            Model::Gcp(d) => d.kind_name(),
        }
    }
}

/// One classified document: its source, its parse, its model.
#[derive(Debug)]
pub struct Document {
    pub source: Arc<SourceFile>,
    pub parsed: Parsed,
    pub model: Model,
    /// Classified only tentatively: kept only if a document of the same cloud sits in
    /// the same folder (see [`Classified::NeedsSibling`]).
    pub needs_sibling: bool,
}

impl Document {
    pub fn root(&self) -> Option<&Node> {
        self.parsed.root.as_ref()
    }

    pub fn text(&self) -> &str {
        &self.source.text
    }
}

/// A file of a unit that is none of the kinds but that rules may read as context: an ARM
/// parameters file beside a template (DESIGN §3: it is not linted and produces nothing, but
/// it sets the template's parameter values). Never reported on.
#[derive(Debug)]
pub struct ContextFile {
    pub source: Arc<SourceFile>,
    pub parsed: Parsed,
}

/// Whether a file that is none of the kinds should be kept as context for the rules.
pub fn is_context(_source: &SourceFile, parsed: &Parsed) -> bool {
    azure::is_parameters_file(parsed)
}

/// What a file's content is, as far as classification can tell.
pub enum Classified {
    /// One of cmklint's kinds.
    Kind(Model),
    /// Maybe one of the kinds; confirmed only if a document of the given cloud sits in the
    /// same folder (e.g. a `bindings[]` policy with no `roles/cloudkms.*` role beside a GCP
    /// crypto key).
    NeedsSibling(Model),
    /// Not a cmklint input: not linted at all.
    NotOurs,
}

/// Classifies a parsed (possibly broken) file. `parsed.root` may be a best-effort tree.
pub fn classify(source: &SourceFile, parsed: &Parsed) -> Classified {
    for f in [aws::classify, azure::classify, gcp::classify] {
        match f(source, parsed) {
            Classified::NotOurs => continue,
            other => return other,
        }
    }
    Classified::NotOurs
}
