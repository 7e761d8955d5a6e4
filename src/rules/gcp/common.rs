//! What the GCP rules share: access to the GCP models, the folder joins of DESIGN §4
//! (a policy, a key and a key ring in one folder are one key), who holds which role,
//! location judgement against the catalogue and `[aura] region`, and the `gcloud`
//! commands the help texts suggest. Not a rule itself.

use std::sync::Arc;

use crate::config::{Cloud, Config};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::gcp::{
    Binding, CryptoKey, GcpDoc, IamPolicy, KeyRing, Member, ResourceName, Segment, REQUIRED_ROLES,
};
use crate::document::{Document, Model};
use crate::region::gcp::{self as catalogue, LocationKind};
use crate::rules::shared::UNKNOWN_REGION_ID;
use crate::rules::Unit;
use crate::source::Span;

pub fn gcp(doc: &Document) -> Option<&GcpDoc> {
    match &doc.model {
        Model::Gcp(d) => Some(d),
        _ => None,
    }
}

pub fn policy(doc: &Document) -> Option<&IamPolicy> {
    match gcp(doc)? {
        GcpDoc::Policy(p) => Some(p),
        _ => None,
    }
}

pub fn key(doc: &Document) -> Option<&CryptoKey> {
    match gcp(doc)? {
        GcpDoc::Key(k) => Some(k),
        _ => None,
    }
}

/// Whether the file had syntax errors. Rules that report something *missing* skip such
/// a document: its tree may lack what the file meant to say.
pub fn is_broken(doc: &Document) -> bool {
    !doc.parsed.is_valid()
}

/// The GCP documents of one folder of a unit: they describe one key (DESIGN §4).
pub struct Folder<'a> {
    pub policies: Vec<(&'a Document, &'a IamPolicy)>,
    pub keys: Vec<(&'a Document, &'a CryptoKey)>,
    pub rings: Vec<(&'a Document, &'a KeyRing)>,
}

/// Groups a unit's GCP documents by folder (folders without one are left out).
pub fn folders<'a>(unit: &Unit<'a>) -> Vec<Folder<'a>> {
    let mut out = Vec::new();
    for folder in unit.folders() {
        let mut f = Folder {
            policies: Vec::new(),
            keys: Vec::new(),
            rings: Vec::new(),
        };
        for doc in folder.documents.iter().copied() {
            match gcp(doc) {
                Some(GcpDoc::Policy(p)) => f.policies.push((doc, p)),
                Some(GcpDoc::Key(k)) => f.keys.push((doc, k)),
                Some(GcpDoc::KeyRing(r)) => f.rings.push((doc, r)),
                None => {}
            }
        }
        if !(f.policies.is_empty() && f.keys.is_empty() && f.rings.is_empty()) {
            out.push(f);
        }
    }
    out
}

/// The key a folder's IAM policies belong to, as far as its other documents tell.
#[derive(Debug, Default, Clone)]
pub struct Target {
    pub key: Option<String>,
    pub key_ring: Option<String>,
    pub location: Option<String>,
}

impl Folder<'_> {
    /// Whether the policies can be judged (no syntax errors in any of them).
    pub fn policies_intact(&self) -> bool {
        !self.policies.is_empty() && self.policies.iter().all(|(d, _)| !is_broken(d))
    }

    pub fn policy_list(&self) -> Vec<&IamPolicy> {
        self.policies.iter().map(|(_, p)| *p).collect()
    }

    /// The key (or at least key ring) the folder describes, when it names exactly one.
    pub fn target(&self) -> Target {
        let names: Vec<&ResourceName> = self
            .keys
            .iter()
            .filter_map(|(_, k)| k.name.as_ref())
            .collect();
        let rings: Vec<&ResourceName> = self
            .rings
            .iter()
            .filter_map(|(_, r)| r.name.as_ref())
            .collect();
        let text = |s: &Option<Segment>| s.as_ref().map(|s| s.text.clone());
        match (names.as_slice(), rings.as_slice()) {
            ([k], _) if k.problem.is_none() => Target {
                key: text(&k.crypto_key),
                key_ring: text(&k.key_ring),
                location: text(&k.location),
            },
            ([], [r]) if r.problem.is_none() => Target {
                key: None,
                key_ring: text(&r.key_ring),
                location: text(&r.location),
            },
            _ => Target::default(),
        }
    }

    /// The documents whose resource name says where the key ring is: each key ring, and
    /// each key whose key ring is not described by a key ring document beside it (a key
    /// and its key ring are judged once, at the key ring).
    pub fn location_sites(&self) -> Vec<(&Document, &ResourceName)> {
        let ring_names: Vec<String> = self
            .rings
            .iter()
            .filter_map(|(_, r)| r.name.as_ref()?.key_ring_name())
            .collect();
        let mut out: Vec<(&Document, &ResourceName)> = self
            .rings
            .iter()
            .filter_map(|(d, r)| Some((*d, r.name.as_ref()?)))
            .collect();
        for (d, k) in &self.keys {
            let Some(name) = k.name.as_ref() else {
                continue;
            };
            let joined = name
                .key_ring_name()
                .is_some_and(|n| ring_names.contains(&n));
            if !joined {
                out.push((d, name));
            }
        }
        out
    }
}

/// `[aura.gcp] service_accounts`, normalised to lower-case emails.
pub fn configured_accounts(config: &Config) -> Vec<String> {
    config
        .aura
        .gcp
        .service_accounts
        .iter()
        .map(|a| {
            let a = a.trim();
            a.strip_prefix("serviceAccount:")
                .unwrap_or(a)
                .to_ascii_lowercase()
        })
        .filter(|a| !a.is_empty())
        .collect()
}

/// How an account holds a role across a folder's policies.
pub enum Grant<'a> {
    /// A well-formed member in a binding without a condition.
    Held,
    /// Only in bindings with an IAM condition: the first such member and its binding.
    Conditional(&'a Member, &'a Binding),
    /// Only through malformed members (reported by `gcp-member-format`).
    Malformed,
    /// Not at all (a `deleted:` member of that name holds nothing).
    Absent { deleted: bool },
    /// Cannot tell: a binding of the role has a member whose value is unknown at lint
    /// time (a template), which may be the account.
    Unknown,
}

/// How `account` (lower-case email) holds `role` in `policies`.
pub fn grant<'a>(policies: &[&'a IamPolicy], account: &str, role: &str) -> Grant<'a> {
    let mut conditional = None;
    let mut malformed = false;
    let mut deleted = false;
    let mut unknown = false;
    for p in policies {
        for b in p.bindings().iter().filter(|b| b.role() == Some(role)) {
            for m in &b.members {
                if m.kind == crate::document::gcp::MemberKind::Unknown {
                    unknown |= b.condition.is_none();
                } else if m.service_account() == Some(account) {
                    if b.condition.is_none() {
                        return Grant::Held;
                    }
                    conditional.get_or_insert((m, b));
                } else if m.meant_account() == Some(account) {
                    malformed = true;
                } else if let crate::document::gcp::MemberKind::Deleted(e) = &m.kind {
                    deleted |= e == account;
                }
            }
        }
    }
    if unknown {
        return Grant::Unknown;
    }
    match conditional {
        Some((m, b)) => Grant::Conditional(m, b),
        None if malformed => Grant::Malformed,
        None => Grant::Absent { deleted },
    }
}

/// A binding role that is a misspelling of one of the required roles
/// (`roles/cloudkms.cryptokeyEncrypterDecrypter`, `cloudkms.viewer`, `Cloud KMS Viewer`).
pub fn misspelt_required_role(role: &str) -> Option<&'static str> {
    let norm = |s: &str| {
        s.trim()
            .trim_start_matches("roles/")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let got = norm(role);
    REQUIRED_ROLES.iter().find_map(|(id, title)| {
        let close = got == norm(id)
            || got == norm(title)
            || crate::region::edit_distance(&got, &norm(id)) <= 2;
        (close && role != *id).then_some(*id)
    })
}

/// `gcloud kms keys add-iam-policy-binding …` for the folder's key, with placeholders
/// for what the folder does not tell.
pub fn grant_command(target: &Target, account: &str, role: &str) -> String {
    format!(
        "gcloud kms keys add-iam-policy-binding {} --keyring {} --location {} --member serviceAccount:{account} --role {role}",
        target.key.as_deref().unwrap_or("KEY"),
        target.key_ring.as_deref().unwrap_or("KEY_RING"),
        target.location.as_deref().unwrap_or("LOCATION"),
    )
}

/// What `[aura] region` says for GCP rules.
pub enum AuraRegion<'a> {
    /// Not set: region rules are skipped.
    NotSet,
    /// `[aura] cloud` names another cloud.
    OtherCloud,
    /// Set, but not a Google Cloud region (reported as `unknown-region` in the config when
    /// `[aura] cloud = "gcp"`); region comparisons are skipped.
    NotARegion,
    /// A Google Cloud region.
    Region(&'a str),
}

pub fn aura_region(config: &Config) -> AuraRegion<'_> {
    if matches!(config.aura.cloud, Some(c) if c != Cloud::Gcp) {
        return AuraRegion::OtherCloud;
    }
    match config.region() {
        None => AuraRegion::NotSet,
        Some(r) if catalogue::location_kind(r) == LocationKind::Region => AuraRegion::Region(r),
        Some(_) => AuraRegion::NotARegion,
    }
}

/// The `unknown-region` finding on `[aura] region` in `cmklint.toml`, when `[aura] cloud`
/// is `gcp` and the region is not a Google Cloud region. Emitted by both location rules
/// (the engine drops the duplicate), so either one being enabled reports it.
pub fn config_unknown_region(config: &Config) -> Option<Diagnostic> {
    if config.aura.cloud != Some(Cloud::Gcp) {
        return None;
    }
    let region = config.region()?;
    let span = config.region_span()?;
    let file = config.source.clone()?;
    let message = match catalogue::location_kind(region) {
        LocationKind::Region => return None,
        LocationKind::Global => {
            "`[aura] region` is `global`, which is not a region an Aura instance runs in".to_string()
        }
        LocationKind::MultiRegion(_) => format!(
            "`[aura] region` is `{region}`, a Cloud KMS multi-region, not a region an Aura instance runs in"
        ),
        LocationKind::Unknown => {
            format!("`[aura] region` `{region}` is not a Google Cloud region")
        }
    };
    Some(
        Diagnostic::new(UNKNOWN_REGION_ID, Severity::Error, span, message)
            .with_help(match catalogue::suggest(region) {
                Some(s) => format!(
                    "did you mean `{s}`? `region` is the Aura instance's region as the Aura Console shows it (catalogue of {}; a region opened since may be missing)",
                    catalogue::CATALOGUE_DATE
                ),
                None => format!(
                    "set `region` to the Aura instance's region as the Aura Console shows it, such as `europe-west2` (catalogue of {}; a region opened since may be missing)",
                    catalogue::CATALOGUE_DATE
                ),
            })
            .with_file(file),
    )
}

/// The `unknown-region` finding on a key ring location in a resource name.
pub fn location_unknown_region(
    file: &Arc<crate::source::SourceFile>,
    loc: &Segment,
    aura: Option<&str>,
) -> Option<Diagnostic> {
    if catalogue::location_kind(&loc.text) != LocationKind::Unknown {
        return None;
    }
    let message = format!(
        "key ring location `{}` is not a known Cloud KMS location",
        loc.text
    );
    // The suggestion starts the help, as in the AWS and Azure region rules.
    let hint =
        catalogue::suggest(&loc.text).map_or_else(String::new, |s| format!("did you mean `{s}`? "));
    Some(
        Diagnostic::new(UNKNOWN_REGION_ID, Severity::Error, loc.span, message)
            .with_help(match aura {
                Some(r) => format!(
                    "{hint}Cloud KMS has no such location; the key ring belongs in the Aura instance's region `{r}` (catalogue of {}; a region opened since may be missing)",
                    catalogue::CATALOGUE_DATE
                ),
                None => format!(
                    "{hint}Cloud KMS has no such location; the key ring belongs in the Aura instance's region, such as `europe-west2` (catalogue of {}; a region opened since may be missing)",
                    catalogue::CATALOGUE_DATE
                ),
            })
            .with_file(file.clone()),
    )
}

/// Both `unknown-region` findings of a unit (config and locations).
pub fn unknown_regions(unit: &Unit, out: &mut Vec<Diagnostic>) {
    out.extend(config_unknown_region(unit.config));
    let aura = match aura_region(unit.config) {
        AuraRegion::Region(r) => Some(r),
        _ => None,
    };
    for folder in folders(unit) {
        for (doc, name) in folder.location_sites() {
            if let Some(loc) = name.judgeable_location() {
                out.extend(location_unknown_region(&doc.source, loc, aura));
            }
        }
    }
}

/// `7776000s` → seconds. `None` if it is not a Protobuf duration in seconds.
pub fn parse_duration(text: &str) -> Option<f64> {
    let num = text.strip_suffix('s')?;
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    num.parse().ok()
}

/// Seconds in words, in days when a day or more: `90 days`, `1 hour`, `1.5 days`.
pub fn describe_seconds(secs: f64) -> String {
    let plural = |n: f64, unit: &str| {
        if (n - 1.0).abs() < f64::EPSILON {
            format!("1 {unit}")
        } else if n.fract() == 0.0 {
            format!("{n:.0} {unit}s")
        } else {
            format!("{n:.1} {unit}s")
        }
    };
    if secs >= 86_400.0 {
        plural(secs / 86_400.0, "day")
    } else if secs >= 3_600.0 {
        plural(secs / 3_600.0, "hour")
    } else {
        plural(secs, "second")
    }
}

/// A short name for a key in messages: its id, or "the key".
pub fn key_label(key: &CryptoKey) -> String {
    key.name
        .as_ref()
        .and_then(|n| n.crypto_key.as_ref())
        .map_or_else(|| "the key".to_string(), |k| format!("key `{}`", k.text))
}

/// Where a finding about a key as a whole points: its name, or its opening brace.
pub fn key_anchor(key: &CryptoKey) -> Span {
    key.name.as_ref().map_or(
        Span::new(key.span.start, (key.span.start + 1).min(key.span.end)),
        |n| n.literal.span,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7776000s"), Some(7_776_000.0));
        assert_eq!(parse_duration("86400.5s"), Some(86_400.5));
        assert_eq!(parse_duration("90d"), None);
        assert_eq!(parse_duration("s"), None);
        assert_eq!(parse_duration("-5s"), None);
        assert_eq!(describe_seconds(7_776_000.0), "90 days");
        assert_eq!(describe_seconds(86_400.0), "1 day");
        assert_eq!(describe_seconds(3_600.0), "1 hour");
        assert_eq!(describe_seconds(129_600.0), "1.5 days");
        assert_eq!(describe_seconds(30.0), "30 seconds");
    }

    #[test]
    fn misspelt_roles() {
        assert_eq!(
            misspelt_required_role("roles/cloudkms.cryptokeyEncrypterDecrypter"),
            Some(crate::document::gcp::ROLE_ENCRYPTER_DECRYPTER)
        );
        assert_eq!(
            misspelt_required_role("Cloud KMS Viewer"),
            Some(crate::document::gcp::ROLE_VIEWER)
        );
        assert_eq!(misspelt_required_role("roles/cloudkms.viewer"), None);
        assert_eq!(misspelt_required_role("roles/cloudkms.admin"), None);
        assert_eq!(misspelt_required_role("roles/viewer"), None);
    }
}
