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

    /// The stable kind id of the whole document, one of [`KINDS`] (rule packs name
    /// kinds by these ids, so they never change). Extend the match when a cloud's model
    /// gains a variant; a variant not listed falls back to the cloud's least specific kind
    /// (which no pack rule matches by accident).
    #[allow(unreachable_patterns, clippy::match_single_binding)]
    pub fn kind_id(&self) -> &'static str {
        match self {
            Model::Aws(d) => match d {
                aws::AwsDoc::KeyPolicy(_) => "aws-key-policy",
                aws::AwsDoc::GetKeyPolicy(_) => "aws-get-key-policy",
                aws::AwsDoc::KeyMetadata(_) => "aws-key-metadata",
                aws::AwsDoc::RotationStatus(_) => "aws-rotation-status",
                _ => "aws-document",
            },
            Model::Azure(d) => match d.kind {
                azure::AzureKind::Template => "azure-arm-template",
                azure::AzureKind::Vault => "azure-vault",
                azure::AzureKind::RoleAssignments => "azure-role-assignments",
                azure::AzureKind::Key => "azure-key",
                _ => "azure-document",
            },
            Model::Gcp(d) => match d {
                gcp::GcpDoc::Policy(_) => "gcp-iam-policy",
                gcp::GcpDoc::Key(_) => "gcp-crypto-key",
                gcp::GcpDoc::KeyRing(_) => "gcp-key-ring",
                _ => "gcp-document",
            },
        }
    }
}

/// A document kind as rule packs name it.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// Stable id used in rule packs (`"kinds": ["azure-vault"]`).
    pub id: &'static str,
    /// What it is, for documentation.
    pub description: &'static str,
}

/// Every kind a rule pack can name (DESIGN §3), in catalogue order. A kind whose value is
/// found inside another document (a vault resource inside an ARM template, the policy
/// inside `get-key-policy` output) is also offered to pack rules there.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        id: "aws-key-policy",
        description: "AWS KMS key policy (`Version`, `Statement`); also the policy inside `aws kms get-key-policy` output",
    },
    KindInfo {
        id: "aws-get-key-policy",
        description: "`aws kms get-key-policy` output (`Policy` string, `PolicyName`)",
    },
    KindInfo {
        id: "aws-key-metadata",
        description: "`aws kms describe-key` output (`KeyMetadata`)",
    },
    KindInfo {
        id: "aws-rotation-status",
        description: "`aws kms get-key-rotation-status` output (`KeyRotationEnabled`)",
    },
    KindInfo {
        id: "azure-arm-template",
        description: "Azure Resource Manager deployment template",
    },
    KindInfo {
        id: "azure-vault",
        description: "a `Microsoft.KeyVault/vaults` resource: `az keyvault show` output, or each vault resource of an ARM template",
    },
    KindInfo {
        id: "azure-role-assignments",
        description: "`az role assignment list` output or a single role assignment",
    },
    KindInfo {
        id: "azure-key",
        description: "`az keyvault key show` output (`key.kid`, `key.kty`)",
    },
    KindInfo {
        id: "gcp-iam-policy",
        description: "Cloud KMS IAM policy (`bindings`), `gcloud kms keys get-iam-policy --format=json`",
    },
    KindInfo {
        id: "gcp-crypto-key",
        description: "Cloud KMS crypto key, `gcloud kms keys describe --format=json`",
    },
    KindInfo {
        id: "gcp-key-ring",
        description: "Cloud KMS key ring, `gcloud kms keyrings describe --format=json`",
    },
];

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
