//! GCP documents: classification and typed, span-carrying models of Cloud KMS output.
//!
//! Three kinds (DESIGN §3), recognised by content:
//! - an IAM policy, `gcloud kms keys get-iam-policy --format=json`: `bindings[]` of
//!   `{role, members, condition}`, `etag`, `version`. It is a KMS policy if a binding role is
//!   `roles/cloudkms.*`; otherwise (or with no bindings at all, as gcloud prints for a key
//!   without grants) only if a GCP key document sits beside it ([`Classified::NeedsSibling`]);
//! - a crypto key, `gcloud kms keys describe --format=json`: `name` =
//!   `projects/…/locations/…/keyRings/…/cryptoKeys/…`, `purpose`, `rotationPeriod`, …;
//! - a key ring, `gcloud kms keyrings describe --format=json`: `name` =
//!   `projects/…/locations/…/keyRings/…`, `createTime`.
//!
//! Every value a rule may point at keeps its span; resource names are split into segments
//! whose spans point inside the string literal. Nothing here reports findings: problems
//! are recorded in the model ([`NameProblem`], [`MemberProblem`]) for the rules to report.

use super::Classified;
use crate::json::{decode_string_literal, DecodedString, Node, Parsed, Value};
use crate::source::{SourceFile, Span};

/// The role Aura needs to encrypt and decrypt with the key.
pub const ROLE_ENCRYPTER_DECRYPTER: &str = "roles/cloudkms.cryptoKeyEncrypterDecrypter";
/// The role Aura needs to read the key's metadata.
pub const ROLE_VIEWER: &str = "roles/cloudkms.viewer";
/// Both roles every Aura service account needs, with their console titles.
pub const REQUIRED_ROLES: [(&str, &str); 2] = [
    (
        ROLE_ENCRYPTER_DECRYPTER,
        "Cloud KMS CryptoKey Encrypter/Decrypter",
    ),
    (ROLE_VIEWER, "Cloud KMS Viewer"),
];

/// A string value and the span of its literal (quotes included).
#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    pub value: String,
    pub span: Span,
}

impl Str {
    fn from_node(node: &Node) -> Option<Str> {
        node.as_str().map(|s| Str {
            value: s.to_string(),
            span: node.span,
        })
    }
}

/// The typed model of one GCP document.
#[derive(Debug, Clone)]
pub enum GcpDoc {
    Policy(Box<IamPolicy>),
    Key(Box<CryptoKey>),
    KeyRing(Box<KeyRing>),
}

impl GcpDoc {
    pub fn kind_name(&self) -> &'static str {
        match self {
            GcpDoc::Policy(_) => "Cloud KMS IAM policy",
            GcpDoc::Key(_) => "Cloud KMS crypto key",
            GcpDoc::KeyRing(_) => "Cloud KMS key ring",
        }
    }
}

/// `gcloud kms keys get-iam-policy --format=json` output.
#[derive(Debug, Clone, Default)]
pub struct IamPolicy {
    /// The whole document (the root object), or an empty span when it did not parse.
    pub span: Span,
    /// The `bindings` member; `None` when the policy has none (a key without grants).
    pub bindings: Option<Bindings>,
    pub etag: Option<Str>,
    /// `version` as written (`1`, `3`) and its span.
    pub version: Option<(crate::json::Str, Span)>,
}

impl IamPolicy {
    /// Every binding, in order.
    pub fn bindings(&self) -> &[Binding] {
        self.bindings.as_ref().map_or(&[], |b| b.items.as_slice())
    }

    /// Where a finding about something missing from the whole policy points: the
    /// `bindings` key, or the policy's opening brace.
    pub fn anchor(&self) -> Span {
        match &self.bindings {
            Some(b) => b.key_span,
            None => Span::new(self.span.start, (self.span.start + 1).min(self.span.end)),
        }
    }
}

/// The `bindings` array.
#[derive(Debug, Clone)]
pub struct Bindings {
    /// The `"bindings"` key.
    pub key_span: Span,
    /// The array value.
    pub span: Span,
    pub items: Vec<Binding>,
}

/// One `{role, members, condition}` binding.
#[derive(Debug, Clone)]
pub struct Binding {
    pub span: Span,
    pub role: Option<Str>,
    /// The `members` array value (for "add it here" labels).
    pub members_span: Option<Span>,
    pub members: Vec<Member>,
    pub condition: Option<Condition>,
}

impl Binding {
    /// The role, if it is a string.
    pub fn role(&self) -> Option<&str> {
        self.role.as_ref().map(|r| r.value.as_str())
    }

    /// Where a finding about this binding points: its role, or the binding itself.
    pub fn anchor(&self) -> Span {
        self.role.as_ref().map_or(self.span, |r| r.span)
    }
}

/// An IAM condition on a binding.
#[derive(Debug, Clone)]
pub struct Condition {
    /// The `"condition"` key.
    pub key_span: Span,
    pub span: Span,
    pub title: Option<Str>,
    pub expression: Option<Str>,
}

/// One entry of `members`.
#[derive(Debug, Clone)]
pub struct Member {
    /// The text, or `None` when the entry is not a string.
    pub text: Option<String>,
    pub span: Span,
    /// Where each byte of `text` sits in the file (for spans and fixes inside it); `None`
    /// when the entry is not a well-formed string literal.
    pub origin: Option<TextOrigin>,
    pub kind: MemberKind,
}

/// Where each byte of a string value sits in the file.
#[derive(Debug, Clone)]
pub enum TextOrigin {
    /// Written out as it is, without escapes, its first byte at `start`: byte `i` of the
    /// value is at `start + i`, and `start + len` is the closing quote.
    Verbatim { start: usize, len: usize },
    /// Written with escapes: the decoded value with the offset of each byte.
    Decoded(DecodedString),
}

impl TextOrigin {
    /// Where the string literal at `literal` (its opening quote) in `file` holds each byte
    /// of its value; `None` if it is not a well-formed literal.
    fn of(file: &str, literal: Span, value: &str) -> Option<TextOrigin> {
        let bytes = file.as_bytes();
        let start = literal.start + 1;
        let close = start + value.len();
        let verbatim = bytes.get(literal.start) == Some(&b'"')
            && close < literal.end.min(bytes.len())
            && bytes[close] == b'"'
            && bytes.get(start..close) == Some(value.as_bytes())
            && !value.bytes().any(|b| b == b'"' || b == b'\\');
        if verbatim {
            return Some(TextOrigin::Verbatim {
                start,
                len: value.len(),
            });
        }
        decode_string_literal(file, literal).map(TextOrigin::Decoded)
    }

    /// Maps a span of the value to the file.
    pub fn map_span(&self, span: Span) -> Span {
        match self {
            TextOrigin::Verbatim { start, len } => {
                let at = |o: usize| start + o.min(*len);
                if span.is_empty() {
                    Span::point(at(span.start))
                } else {
                    Span::new(at(span.start), at(span.end))
                }
            }
            TextOrigin::Decoded(d) => d.map_span(span),
        }
    }
}

impl Member {
    /// The span of bytes `range` of the member's text in the file.
    pub fn sub_span(&self, start: usize, end: usize) -> Span {
        match &self.origin {
            Some(o) => o.map_span(Span::new(start, end)),
            None => self.span,
        }
    }

    /// The service account this member names, lower-cased, if it is a well-formed,
    /// live `serviceAccount:` member.
    pub fn service_account(&self) -> Option<&str> {
        match &self.kind {
            MemberKind::ServiceAccount(email) => Some(email),
            _ => None,
        }
    }

    /// The email address this member seems to mean, lower-cased, even when it is
    /// malformed (`x@y` without a prefix): used so that a malformed member is reported as
    /// a format problem and not also as a missing grant.
    pub fn meant_account(&self) -> Option<&str> {
        match &self.kind {
            MemberKind::ServiceAccount(email) => Some(email),
            MemberKind::Malformed(p) => p.account.as_deref(),
            _ => None,
        }
    }
}

/// What a member string is (IAM `Binding.members`).
#[derive(Debug, Clone, PartialEq)]
pub enum MemberKind {
    /// `serviceAccount:EMAIL` (email lower-cased).
    ServiceAccount(String),
    /// `user:`, `group:`, `domain:` with a well-formed value.
    Principal,
    /// `deleted:serviceAccount:EMAIL?uid=…` and the like: a deleted principal, which holds
    /// nothing; the email is lower-cased.
    Deleted(String),
    /// `allUsers`.
    AllUsers,
    /// `allAuthenticatedUsers`.
    AllAuthenticatedUsers,
    /// `principal://…`, `principalSet://…`, `projectOwner:…` and other valid forms.
    Other,
    /// A value unknown at lint time: a template (`serviceAccount:${var.aura_sa}`,
    /// `{{ sa }}`) or a placeholder (`<AURA_SA>`). It can neither grant nor break a rule.
    Unknown,
    /// Not a valid member.
    Malformed(MemberProblem),
}

/// Why a member is malformed, and how to mend it.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberProblem {
    /// One clause for the message: "has no type prefix".
    pub what: String,
    /// What to do, in the user's terms.
    pub help: String,
    /// The account (lower-cased email) it seems to mean, if any.
    pub account: Option<String>,
    /// A replacement of bytes `start..end` of the member text, when the intent is clear.
    pub fix: Option<(usize, usize, String)>,
    /// Bytes of the member text the finding points at (`None`: the whole member).
    pub focus: Option<(usize, usize)>,
}

/// `gcloud kms keys describe --format=json` output.
#[derive(Debug, Clone, Default)]
pub struct CryptoKey {
    pub span: Span,
    pub name: Option<ResourceName>,
    pub purpose: Option<Str>,
    /// The `rotationPeriod` value (`"7776000s"`); `None` when absent or null.
    pub rotation_period: Option<Str>,
    /// The `rotationPeriod` value when it is not a string (a number, say).
    pub rotation_period_other: Option<Span>,
    pub next_rotation_time: Option<Str>,
    /// `primary.state` (`ENABLED`, `DISABLED`, …).
    pub primary_state: Option<Str>,
    /// `versionTemplate.protectionLevel` (`SOFTWARE`, `HSM`, …).
    pub protection_level: Option<Str>,
}

/// `gcloud kms keyrings describe --format=json` output.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    pub span: Span,
    pub name: Option<ResourceName>,
    pub create_time: Option<Str>,
}

/// Which resource a name is meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    KeyRing,
    CryptoKey,
}

/// One `/`-separated segment of a resource name, with its span in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub text: String,
    pub span: Span,
}

/// A Cloud KMS resource name split into its parts. Parts are filled in by position even
/// when the name is malformed, as long as the shape is recognisable; `problem` says what
/// is wrong with it, if anything.
#[derive(Debug, Clone)]
pub struct ResourceName {
    pub kind: NameKind,
    /// The `name` string literal.
    pub literal: Str,
    pub project: Option<Segment>,
    pub location: Option<Segment>,
    pub key_ring: Option<Segment>,
    pub crypto_key: Option<Segment>,
    pub problem: Option<NameProblem>,
}

/// What is wrong with a resource name.
#[derive(Debug, Clone, PartialEq)]
pub struct NameProblem {
    pub message: String,
    pub help: String,
    pub span: Span,
}

impl ResourceName {
    /// The key ring's resource name (`projects/p/locations/l/keyRings/r`), when the name
    /// is well formed up to the key ring.
    pub fn key_ring_name(&self) -> Option<String> {
        Some(format!(
            "projects/{}/locations/{}/keyRings/{}",
            self.project.as_ref()?.text,
            self.location.as_ref()?.text,
            self.key_ring.as_ref()?.text
        ))
    }

    /// The location, if it is spelt as Cloud KMS spells locations (lower-case letters,
    /// digits, hyphens). A location that is not is a [`NameProblem`] already.
    pub fn judgeable_location(&self) -> Option<&Segment> {
        self.location
            .as_ref()
            .filter(|l| is_location_token(&l.text))
    }
}

/// Recognises GCP documents by content.
pub fn classify(source: &SourceFile, parsed: &Parsed) -> Classified {
    match &parsed.root {
        Some(root) if root.as_object().is_some() => classify_object(source, root),
        Some(_) => Classified::NotOurs,
        None => classify_by_markers(&source.text),
    }
}

fn classify_object(source: &SourceFile, root: &Node) -> Classified {
    if let Some(bindings) = root.member("bindings") {
        let Some(items) = bindings.value.as_array() else {
            return Classified::NotOurs;
        };
        let looks_like_bindings = items.iter().all(|b| {
            b.as_object().is_some() && (b.get("role").is_some() || b.get("members").is_some())
        });
        if !looks_like_bindings {
            return Classified::NotOurs;
        }
        let kms_role = items.iter().any(|b| {
            b.get("role")
                .and_then(Node::as_str)
                .is_some_and(|r| r.starts_with("roles/cloudkms."))
        });
        let policy = GcpDoc::Policy(Box::new(extract_policy(source, root)));
        return if kms_role {
            Classified::Kind(super::Model::Gcp(policy))
        } else {
            Classified::NeedsSibling(super::Model::Gcp(policy))
        };
    }
    if let Some(name) = root.get("name").and_then(Node::as_str) {
        if name.contains("/cryptoKeyVersions/") || name.contains("/importJobs/") {
            // A key version or import job: not one of cmklint's kinds.
            return Classified::NotOurs;
        }
        let lower = name.to_ascii_lowercase();
        let key_fields = ["purpose", "versionTemplate", "primary", "rotationPeriod"]
            .iter()
            .any(|k| root.get(k).is_some());
        if lower.contains("cryptokeys/") || (lower.contains("projects/") && key_fields) {
            return Classified::Kind(super::Model::Gcp(GcpDoc::Key(Box::new(extract_key(
                source, root,
            )))));
        }
        if lower.contains("keyrings/") {
            return Classified::Kind(super::Model::Gcp(GcpDoc::KeyRing(Box::new(
                extract_key_ring(source, root),
            ))));
        }
        return Classified::NotOurs;
    }
    // `gcloud kms keys get-iam-policy` prints only the etag (and version) for a key
    // without grants; that shape is far too common to claim without a key beside it.
    let only_policy_fields = root.as_object().is_some_and(|members| {
        !members.is_empty()
            && members.iter().any(|m| m.key == "etag")
            && members
                .iter()
                .all(|m| m.key == "etag" || m.key == "version" || m.key == "auditConfigs")
    });
    if only_policy_fields {
        return Classified::NeedsSibling(super::Model::Gcp(GcpDoc::Policy(Box::new(
            extract_policy(source, root),
        ))));
    }
    Classified::NotOurs
}

/// A file that does not parse: recognise the kinds by their text so that the syntax
/// error is still reported. The model is empty; rules that judge absence skip it.
fn classify_by_markers(text: &str) -> Classified {
    let gcp = |d| Classified::Kind(super::Model::Gcp(d));
    if text.contains("\"bindings\"") && text.contains("roles/cloudkms.") {
        return gcp(GcpDoc::Policy(Box::default()));
    }
    if text.contains("\"name\"") && text.contains("projects/") {
        if text.contains("/cryptoKeys/") && !text.contains("\"bindings\"") {
            return gcp(GcpDoc::Key(Box::default()));
        }
        if text.contains("/keyRings/") {
            return gcp(GcpDoc::KeyRing(Box::default()));
        }
    }
    Classified::NotOurs
}

fn extract_policy(source: &SourceFile, root: &Node) -> IamPolicy {
    let bindings = root.member("bindings").map(|m| Bindings {
        key_span: m.key_span,
        span: m.value.span,
        items: m
            .value
            .as_array()
            .unwrap_or_default()
            .iter()
            .map(|b| extract_binding(source, b))
            .collect(),
    });
    IamPolicy {
        span: root.span,
        bindings,
        etag: root.get("etag").and_then(Str::from_node),
        version: root.get("version").and_then(|v| match &v.value {
            Value::Number(n) => Some((n.clone(), v.span)),
            Value::String(s) => Some((s.clone(), v.span)),
            _ => None,
        }),
    }
}

fn extract_binding(source: &SourceFile, b: &Node) -> Binding {
    let members_node = b.get("members");
    let members = match members_node.map(|n| &n.value) {
        Some(Value::Array(items)) => items.iter().map(|m| extract_member(source, m)).collect(),
        // A single string where an array belongs is still read, and judged, as a member.
        Some(Value::String(_)) => members_node
            .map(|m| vec![extract_member(source, m)])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let condition = b.member("condition").and_then(|m| {
        if m.value.is_null() {
            return None;
        }
        Some(Condition {
            key_span: m.key_span,
            span: m.value.span,
            title: m.value.get("title").and_then(Str::from_node),
            expression: m.value.get("expression").and_then(Str::from_node),
        })
    });
    Binding {
        span: b.span,
        role: b.get("role").and_then(Str::from_node),
        members_span: members_node.map(|n| n.span),
        members,
        condition,
    }
}

fn extract_member(source: &SourceFile, node: &Node) -> Member {
    match node.as_str() {
        Some(text) => Member {
            text: Some(text.to_string()),
            span: node.span,
            origin: TextOrigin::of(&source.text, node.span, text),
            kind: classify_member(text),
        },
        None => Member {
            text: None,
            span: node.span,
            origin: None,
            kind: MemberKind::Malformed(MemberProblem {
                what: format!("is {} {}, not a string", article(node.type_name()), node.type_name()),
                help: "write each member as a string such as `\"serviceAccount:NAME@PROJECT.iam.gserviceaccount.com\"`".to_string(),
                account: None,
                fix: None,
                focus: None,
            }),
        },
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Member types that take an email address.
const EMAIL_TYPES: &[&str] = &["user", "serviceAccount", "group"];
/// Every member type prefix IAM accepts (before the `:`).
const MEMBER_TYPES: &[&str] = &[
    "user",
    "serviceAccount",
    "group",
    "domain",
    "deleted",
    "principal",
    "principalSet",
    "projectOwner",
    "projectEditor",
    "projectViewer",
];

/// Whether a value is a template or placeholder whose real value is unknown at lint time
/// (`${var.x}`, `{{ x }}`, `<PROJECT_ID>`); the `placeholder-value` rule reports those
/// that should have been replaced.
pub fn is_template(text: &str) -> bool {
    // One pass: `${` or `{{`, or a `>` somewhere after a `<`.
    let b = text.as_bytes();
    let mut open_angle = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'$' | b'{' if b.get(i + 1) == Some(&b'{') => return true,
            b'<' => open_angle = true,
            b'>' if open_angle => return true,
            _ => {}
        }
    }
    false
}

/// Whether an email address belongs to a Google service account.
pub fn is_service_account_email(email: &str) -> bool {
    const DOMAIN: &[u8] = b"gserviceaccount.com";
    email.rsplit_once('@').is_some_and(|(_, d)| {
        let d = d.as_bytes();
        d.eq_ignore_ascii_case(DOMAIN)
            || (d.len() > DOMAIN.len()
                && d[d.len() - DOMAIN.len() - 1] == b'.'
                && d[d.len() - DOMAIN.len()..].eq_ignore_ascii_case(DOMAIN))
    })
}

fn is_email(s: &str) -> bool {
    let Some(at) = s.bytes().position(|c| c == b'@') else {
        return false;
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    !local.is_empty() && is_domain(domain) && !has_whitespace(local)
}

/// `s.contains(char::is_whitespace)`, without decoding characters when `s` is ASCII.
fn has_whitespace(s: &str) -> bool {
    if !s.is_ascii() {
        return s.contains(char::is_whitespace);
    }
    // The ASCII characters `char::is_whitespace` accepts (it includes the vertical tab).
    s.bytes()
        .any(|c| matches!(c, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' '))
}

/// Letters, digits, dots and hyphens, with a dot that is neither first nor last.
fn is_domain(s: &str) -> bool {
    let b = s.as_bytes();
    let mut dot = false;
    for &c in b {
        match c {
            b'.' => dot = true,
            b'-' => {}
            c if c.is_ascii_alphanumeric() => {}
            _ => return false,
        }
    }
    dot && b.first() != Some(&b'.') && b.last() != Some(&b'.')
}

/// Classifies one member string.
pub fn classify_member(text: &str) -> MemberKind {
    let malformed = |what: String, help: String, account: Option<String>, fix, focus| {
        MemberKind::Malformed(MemberProblem {
            what,
            help,
            account,
            fix,
            focus,
        })
    };
    if text.is_empty() {
        return malformed(
            "is an empty string".to_string(),
            "remove the empty member, or write the principal with its type, such as `serviceAccount:NAME@PROJECT.iam.gserviceaccount.com`".to_string(),
            None,
            None,
            None,
        );
    }
    if is_template(text) {
        return MemberKind::Unknown;
    }
    let trimmed = text.trim();
    if trimmed.len() != text.len() {
        let lead = text.len() - text.trim_start().len();
        let inner = classify_member(trimmed);
        let account = match &inner {
            MemberKind::ServiceAccount(e) => Some(e.clone()),
            MemberKind::Malformed(p) => p.account.clone(),
            _ => None,
        };
        return malformed(
            "has spaces around it".to_string(),
            "IAM does not trim members: remove the spaces inside the quotes".to_string(),
            account,
            Some((0, text.len(), trimmed.to_string())),
            if lead > 0 {
                Some((0, lead))
            } else {
                Some((text.trim_end().len(), text.len()))
            },
        );
    }
    match text {
        "allUsers" => return MemberKind::AllUsers,
        "allAuthenticatedUsers" => return MemberKind::AllAuthenticatedUsers,
        _ => {}
    }
    for special in ["allUsers", "allAuthenticatedUsers"] {
        if text.eq_ignore_ascii_case(special) {
            return malformed(
                format!("is not a member type; IAM spells it `{special}`"),
                format!(
                    "write `{special}` with that capitalisation (and do not grant a key to it)"
                ),
                None,
                Some((0, text.len(), special.to_string())),
                None,
            );
        }
    }
    let Some((prefix, rest)) = text.split_once(':') else {
        if is_email(text) {
            let lower = text.to_ascii_lowercase();
            return if is_service_account_email(text) {
                malformed(
                    "has no type prefix".to_string(),
                    format!("write the service account as `serviceAccount:{text}`"),
                    Some(lower),
                    Some((0, 0, "serviceAccount:".to_string())),
                    None,
                )
            } else {
                malformed(
                    "has no type prefix".to_string(),
                    format!("write it as `user:{text}` or `group:{text}`, whichever it is"),
                    Some(lower),
                    None,
                    None,
                )
            };
        }
        return malformed(
            "is neither a principal with a type prefix nor `allUsers`/`allAuthenticatedUsers`".to_string(),
            "write the principal with its type, such as `serviceAccount:NAME@PROJECT.iam.gserviceaccount.com`".to_string(),
            None,
            None,
            None,
        );
    };
    let prefix_focus = Some((0, prefix.len() + 1));
    if !MEMBER_TYPES.contains(&prefix) {
        let email = rest.trim();
        let account = is_email(email).then(|| email.to_ascii_lowercase());
        let wanted = MEMBER_TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(prefix))
            .copied()
            .or_else(|| closest_type(prefix, email));
        return match wanted {
            Some(w) if w.eq_ignore_ascii_case(prefix) => malformed(
                format!("has the type prefix `{prefix}:`, which IAM spells `{w}:`"),
                format!("write `{w}:` (member types are case-sensitive)"),
                account,
                Some((0, prefix.len(), w.to_string())),
                prefix_focus,
            ),
            Some(w) => malformed(
                format!("has the unknown type prefix `{prefix}:`"),
                format!("write `{w}:{email}`"),
                account,
                (w == "serviceAccount" && is_service_account_email(email))
                    .then(|| (0, prefix.len(), w.to_string())),
                prefix_focus,
            ),
            None => malformed(
                format!("has the unknown type prefix `{prefix}:`"),
                "use one of `user:`, `serviceAccount:`, `group:`, `domain:`, `principal://`, `principalSet://`".to_string(),
                account,
                None,
                prefix_focus,
            ),
        };
    }
    match prefix {
        "principal" | "principalSet" => {
            if rest.starts_with("//") && rest.len() > 2 && !rest.contains(char::is_whitespace) {
                MemberKind::Other
            } else {
                malformed(
                    format!("is not a `{prefix}://…` identifier"),
                    format!("write it as `{prefix}://iam.googleapis.com/…`"),
                    None,
                    None,
                    None,
                )
            }
        }
        "projectOwner" | "projectEditor" | "projectViewer" => {
            if rest.is_empty() || rest.contains(char::is_whitespace) {
                malformed(
                    format!("names no project after `{prefix}:`"),
                    format!("write it as `{prefix}:PROJECT_ID`"),
                    None,
                    None,
                    None,
                )
            } else {
                MemberKind::Other
            }
        }
        "domain" => {
            if is_domain(rest) {
                MemberKind::Principal
            } else {
                malformed(
                    format!("has `{rest}` after `domain:`, which is not a domain name"),
                    "write it as `domain:example.com`".to_string(),
                    None,
                    None,
                    None,
                )
            }
        }
        "deleted" => classify_deleted(rest),
        _ => classify_email_member(prefix, rest),
    }
}

fn closest_type(prefix: &str, email: &str) -> Option<&'static str> {
    let p = prefix.to_ascii_lowercase().replace(['_', '-', ' '], "");
    if (p == "sa" || p.contains("service")) && is_service_account_email(email) {
        return Some("serviceAccount");
    }
    EMAIL_TYPES
        .iter()
        .map(|t| {
            (
                crate::region::edit_distance(&p, &t.to_ascii_lowercase()),
                *t,
            )
        })
        .filter(|(d, t)| *d <= (t.len() / 3).max(1))
        .min()
        .map(|(_, t)| t)
}

/// `user:`, `serviceAccount:`, `group:` followed by `rest`.
fn classify_email_member(prefix: &str, rest: &str) -> MemberKind {
    let malformed = |what: String, help: String, account: Option<String>, fix, focus| {
        MemberKind::Malformed(MemberProblem {
            what,
            help,
            account,
            fix,
            focus,
        })
    };
    let after = prefix.len() + 1;
    if rest.starts_with(char::is_whitespace) {
        let email = rest.trim_start();
        let lead = rest.len() - email.len();
        return malformed(
            format!("has a space after `{prefix}:`"),
            format!("write `{prefix}:{email}` without the space"),
            is_email(email).then(|| email.to_ascii_lowercase()),
            Some((after, after + lead, String::new())),
            Some((after, after + lead)),
        );
    }
    if !is_email(rest) {
        return malformed(
            format!("has `{rest}` after `{prefix}:`, which is not an email address"),
            format!("write it as `{prefix}:NAME@DOMAIN`"),
            None,
            None,
            Some((after, after + rest.len())),
        );
    }
    let lower = rest.to_ascii_lowercase();
    match prefix {
        "serviceAccount" => MemberKind::ServiceAccount(lower),
        _ if is_service_account_email(rest) => malformed(
            format!("names a service account with the `{prefix}:` type"),
            format!("write it as `serviceAccount:{rest}`"),
            Some(lower),
            Some((0, prefix.len(), "serviceAccount".to_string())),
            Some((0, prefix.len() + 1)),
        ),
        _ => MemberKind::Principal,
    }
}

/// `deleted:TYPE:EMAIL?uid=NUMBER`, as IAM shows a principal deleted after the grant.
fn classify_deleted(rest: &str) -> MemberKind {
    let bad = |what: &str| {
        MemberKind::Malformed(MemberProblem {
            what: what.to_string(),
            help: "IAM writes a deleted principal as `deleted:serviceAccount:EMAIL?uid=NUMBER`; remove the member, or grant the role to the live principal".to_string(),
            account: None,
            fix: None,
            focus: None,
        })
    };
    let Some((ty, tail)) = rest.split_once(':') else {
        return bad("is a `deleted:` member without a principal type");
    };
    if !EMAIL_TYPES.contains(&ty) {
        return bad("is a `deleted:` member of an unknown principal type");
    }
    let (email, uid) = match tail.split_once('?') {
        Some((e, q)) => (e, Some(q)),
        None => (tail, None),
    };
    if !is_email(email) {
        return bad("is a `deleted:` member without an email address");
    }
    if let Some(q) = uid {
        let ok = q
            .strip_prefix("uid=")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return bad("is a `deleted:` member whose `?uid=` part is not a number");
        }
    }
    MemberKind::Deleted(email.to_ascii_lowercase())
}

fn extract_key(source: &SourceFile, root: &Node) -> CryptoKey {
    let rotation = root.get("rotationPeriod");
    CryptoKey {
        span: root.span,
        name: root
            .get("name")
            .and_then(|n| parse_resource_name(source, n, NameKind::CryptoKey)),
        purpose: root.get("purpose").and_then(Str::from_node),
        rotation_period: rotation.and_then(Str::from_node),
        rotation_period_other: rotation
            .filter(|r| !r.is_null() && r.as_str().is_none())
            .map(|r| r.span),
        next_rotation_time: root.get("nextRotationTime").and_then(Str::from_node),
        primary_state: root.pointer("/primary/state").and_then(Str::from_node),
        protection_level: root
            .pointer("/versionTemplate/protectionLevel")
            .and_then(Str::from_node),
    }
}

fn extract_key_ring(source: &SourceFile, root: &Node) -> KeyRing {
    KeyRing {
        span: root.span,
        name: root
            .get("name")
            .and_then(|n| parse_resource_name(source, n, NameKind::KeyRing)),
        create_time: root.get("createTime").and_then(Str::from_node),
    }
}

fn is_location_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn is_resource_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Project ids (`acme-prod`), project numbers (`123456789012`) and domain-scoped ids
/// (`example.com:acme-prod`).
fn is_project_token(s: &str) -> bool {
    let id = s.rsplit_once(':').map_or(s, |(_, id)| id);
    !id.is_empty()
        && id.len() <= 30
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.ends_with('-')
}

/// Splits and checks a `name` value. `None` if the node is not a string literal. A name
/// with a template in it (`projects/${var.project}/…`) is not judged malformed: its real
/// value is unknown at lint time.
pub fn parse_resource_name(
    source: &SourceFile,
    node: &Node,
    kind: NameKind,
) -> Option<ResourceName> {
    let mut name = split_resource_name(source, node, kind)?;
    if is_template(&name.literal.value) {
        name.problem = None;
    }
    Some(name)
}

fn split_resource_name(source: &SourceFile, node: &Node, kind: NameKind) -> Option<ResourceName> {
    let value = node.as_str()?;
    let literal = Str {
        value: value.to_string(),
        span: node.span,
    };
    let decoded = decode_string_literal(&source.text, node.span);
    let map = |start: usize, end: usize| match &decoded {
        Some(d) => d.map_span(Span::new(start, end)),
        None => node.span,
    };
    let mut out = ResourceName {
        kind,
        literal,
        project: None,
        location: None,
        key_ring: None,
        crypto_key: None,
        problem: None,
    };
    // Segments with their byte offsets in the decoded text.
    let mut segs: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for part in value.split('/') {
        segs.push((at, part));
        at += part.len() + 1;
    }
    let seg = |i: usize| -> Option<Segment> {
        segs.get(i).map(|(o, t)| Segment {
            text: t.to_string(),
            span: map(*o, o + t.len()),
        })
    };
    let (shape, what) = match kind {
        NameKind::KeyRing => (&["projects", "locations", "keyRings"][..], "key ring"),
        NameKind::CryptoKey => (
            &["projects", "locations", "keyRings", "cryptoKeys"][..],
            "key",
        ),
    };
    let example = match kind {
        NameKind::KeyRing => "projects/PROJECT_ID/locations/LOCATION/keyRings/KEY_RING",
        NameKind::CryptoKey => {
            "projects/PROJECT_ID/locations/LOCATION/keyRings/KEY_RING/cryptoKeys/KEY"
        }
    };
    let whole = map(0, value.len());
    let problem = |message: String, span: Span| NameProblem {
        message,
        help: format!("a Cloud KMS {what} resource name has the form `{example}`"),
        span,
    };

    // Fill in the parts by position when the shape is recognisable: find the
    // `projects` segment (a `//cloudkms.googleapis.com/` prefix may precede it).
    let start = segs
        .iter()
        .position(|(_, t)| t.eq_ignore_ascii_case("projects"))
        .unwrap_or(0);
    let expected_len = shape.len() * 2;
    if segs.len() >= start + expected_len {
        out.project = seg(start + 1);
        out.location = seg(start + 3);
        out.key_ring = seg(start + 5);
        if kind == NameKind::CryptoKey {
            out.crypto_key = seg(start + 7);
        }
    }

    // What is wrong, first problem only.
    let trimmed = value.trim();
    if trimmed.len() != value.len() {
        out.problem = Some(problem(
            format!("{what} resource name has spaces around it"),
            whole,
        ));
        return Some(out);
    }
    if start > 0 {
        let (o, _) = segs[start];
        out.problem = Some(problem(
            format!(
                "{what} resource name starts with `{}` before `projects/`",
                &value[..o]
            ),
            map(0, o),
        ));
        return Some(out);
    }
    for (i, want) in shape.iter().enumerate() {
        let idx = i * 2;
        let Some((o, got)) = segs.get(idx) else {
            out.problem = Some(problem(
                format!("{what} resource name ends before its `{want}/` part"),
                whole,
            ));
            return Some(out);
        };
        if got != want {
            let msg = format!("{what} resource name has `{got}` where Cloud KMS expects `{want}`");
            out.problem = Some(problem(msg, map(*o, o + got.len())));
            return Some(out);
        }
        let value_idx = idx + 1;
        let Some((vo, v)) = segs.get(value_idx) else {
            out.problem = Some(problem(
                format!("{what} resource name ends after `{want}/` without a value"),
                whole,
            ));
            return Some(out);
        };
        let span = map(*vo, vo + v.len());
        let (ok, rule) = match *want {
            "projects" => (
                is_project_token(v),
                "a project id is lower-case letters, digits and hyphens",
            ),
            "locations" => (
                is_location_token(v),
                "a location is lower-case, such as `europe-west2`",
            ),
            _ => (
                is_resource_id(v),
                "an id is 1 to 63 letters, digits, `_` or `-`",
            ),
        };
        if is_template(v) {
            continue; // unknown at lint time; not judged
        }
        if v.is_empty() {
            out.problem = Some(problem(
                format!("{what} resource name has no value after `{want}/`"),
                map(*o, o + want.len() + 1),
            ));
            return Some(out);
        }
        if !ok {
            out.problem = Some(problem(
                format!(
                    "{what} resource name has `{v}` after `{want}/`, which is not valid there ({rule})"
                ),
                span,
            ));
            return Some(out);
        }
    }
    if segs.len() > expected_len {
        let (o, _) = segs[expected_len];
        let extra = &value[o.saturating_sub(1)..];
        out.problem = Some(problem(
            format!("{what} resource name has `{extra}` after the {what} id"),
            map(o.saturating_sub(1), value.len()),
        ));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Model;
    use crate::json;

    #[test]
    fn whitespace_scan_matches_char_test() {
        for t in [
            "",
            "a b",
            "a\tb",
            "a\x0Bb",
            "a\x0Cb",
            "a\rb",
            "a\nb",
            "ab",
            "a\u{a0}b",
            "é",
            "a\u{2003}",
        ] {
            assert_eq!(has_whitespace(t), t.contains(char::is_whitespace), "{t:?}");
        }
    }

    #[test]
    fn template_scan_matches_substring_search() {
        let slow = |t: &str| {
            t.contains("${")
                || t.contains("{{")
                || t.find('<').is_some_and(|i| t[i..].contains('>'))
        };
        for t in [
            "",
            "${x}",
            "{{ x }}",
            "<PROJECT_ID>",
            "a>b<c",
            "a<b",
            "b>",
            "$ {",
            "{ {",
            "{${",
            "user:alice@example.com",
            "x<y>z",
            "$",
            "{",
            "><",
            "<>",
        ] {
            assert_eq!(is_template(t), slow(t), "{t}");
        }
    }

    fn classify_text(text: &str) -> Classified {
        let source = SourceFile::new("x.json", text.to_string());
        let parsed = json::parse(text);
        classify(&source, &parsed)
    }

    fn kind(c: &Classified) -> &'static str {
        match c {
            Classified::Kind(Model::Gcp(d)) => d.kind_name(),
            Classified::NeedsSibling(Model::Gcp(_)) => "needs sibling",
            Classified::NotOurs => "not ours",
            _ => "other cloud",
        }
    }

    #[test]
    fn classifies_by_content() {
        let policy = r#"{"bindings":[{"role":"roles/cloudkms.viewer","members":["serviceAccount:a@p.iam.gserviceaccount.com"]}],"etag":"BwX","version":1}"#;
        assert_eq!(kind(&classify_text(policy)), "Cloud KMS IAM policy");
        let other = r#"{"bindings":[{"role":"roles/viewer","members":["user:a@example.com"]}],"etag":"BwX"}"#;
        assert_eq!(kind(&classify_text(other)), "needs sibling");
        assert_eq!(kind(&classify_text(r#"{"etag":"ACAB"}"#)), "needs sibling");
        let key = r#"{"name":"projects/p/locations/europe-west2/keyRings/r/cryptoKeys/k","purpose":"ENCRYPT_DECRYPT"}"#;
        assert_eq!(kind(&classify_text(key)), "Cloud KMS crypto key");
        let ring = r#"{"name":"projects/p/locations/europe-west2/keyRings/r","createTime":"2024-01-01T00:00:00Z"}"#;
        assert_eq!(kind(&classify_text(ring)), "Cloud KMS key ring");
        let version = r#"{"name":"projects/p/locations/l/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1","state":"ENABLED"}"#;
        assert_eq!(kind(&classify_text(version)), "not ours");
        assert_eq!(
            kind(&classify_text(r#"{"name":"my-package","version":"1.0.0"}"#)),
            "not ours"
        );
        assert_eq!(kind(&classify_text(r#"{"bindings":{"a":1}}"#)), "not ours");
        assert_eq!(kind(&classify_text(r#"[1,2]"#)), "not ours");
    }

    #[test]
    fn broken_files_are_recognised_by_markers() {
        let broken =
            "{\n  \"bindings\": [\n    {\"role\": \"roles/cloudkms.viewer\" \"members\": []}\n";
        assert_eq!(kind(&classify_text(broken)), "Cloud KMS IAM policy");
        assert_eq!(kind(&classify_text("{\"dependencies\": {")), "not ours");
    }

    fn name(text: &str, kind: NameKind) -> (String, ResourceName) {
        let json = format!(
            "{{\"name\": {}}}",
            serde_json::to_string(text).unwrap_or_default()
        );
        let source = SourceFile::new("x.json", json.clone());
        let parsed = json::parse(&json);
        let node = parsed.root.as_ref().and_then(|r| r.get("name")).cloned();
        let Some(node) = node else { panic!("no name") };
        let Some(n) = parse_resource_name(&source, &node, kind) else {
            panic!("not a string")
        };
        (json, n)
    }

    #[test]
    fn resource_names_split_with_spans() {
        let (json, n) = name(
            "projects/acme/locations/europe-west2/keyRings/ring/cryptoKeys/key",
            NameKind::CryptoKey,
        );
        assert!(n.problem.is_none(), "{:?}", n.problem);
        let loc = n.location.as_ref().map(|l| &json[l.span.start..l.span.end]);
        assert_eq!(loc, Some("europe-west2"));
        assert_eq!(n.crypto_key.as_ref().map(|k| k.text.as_str()), Some("key"));
        assert_eq!(
            n.key_ring_name().as_deref(),
            Some("projects/acme/locations/europe-west2/keyRings/ring")
        );
    }

    #[test]
    fn resource_name_problems() {
        let cases = [
            ("projects/acme/locations/europe-west2/keyrings/ring/cryptoKeys/key", "keyrings"),
            ("projects/acme/locations/europe-west2/keyRings/ring/cryptoKeys/", "cryptoKeys/"),
            ("projects/acme/locations/Europe-West2/keyRings/ring/cryptoKeys/key", "Europe-West2"),
            ("projects/acme/locations/europe-west2/keyRings/ring", "projects/acme/locations/europe-west2/keyRings/ring"),
            ("projects/acme/locations/europe-west2/keyRings/ring/cryptoKeys/key/", "/"),
            ("//cloudkms.googleapis.com/projects/acme/locations/europe-west2/keyRings/ring/cryptoKeys/key", "//cloudkms.googleapis.com/"),
            ("projects/acme/locations/europe-west2/keyRings/my ring/cryptoKeys/key", "my ring"),
        ];
        for (text, at) in cases {
            let (json, n) = name(text, NameKind::CryptoKey);
            let Some(p) = n.problem else {
                panic!("{text}: no problem found")
            };
            assert_eq!(&json[p.span.start..p.span.end], at, "{text}: {}", p.message);
        }
        let (_, ring) = name(
            "projects/123456789/locations/global/keyRings/r_1",
            NameKind::KeyRing,
        );
        assert!(ring.problem.is_none());
    }

    #[test]
    fn members() {
        use MemberKind::*;
        let sa = "serviceAccount:a@p.iam.gserviceaccount.com";
        assert_eq!(
            classify_member(sa),
            ServiceAccount("a@p.iam.gserviceaccount.com".into())
        );
        assert_eq!(classify_member("user:Bob@example.com"), Principal);
        assert_eq!(classify_member("domain:example.com"), Principal);
        assert_eq!(classify_member("allUsers"), AllUsers);
        assert_eq!(
            classify_member("allAuthenticatedUsers"),
            AllAuthenticatedUsers
        );
        assert_eq!(
            classify_member(
                "deleted:serviceAccount:a@p.iam.gserviceaccount.com?uid=123456789012345678901"
            ),
            Deleted("a@p.iam.gserviceaccount.com".into())
        );
        assert_eq!(classify_member("principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*"), Other);
        let malformed_with_account = |m: &str| match classify_member(m) {
            Malformed(p) => p.account,
            other => panic!("{m}: {other:?}"),
        };
        for m in [
            "a@p.iam.gserviceaccount.com",
            "serviceaccount:a@p.iam.gserviceaccount.com",
            "service_account:a@p.iam.gserviceaccount.com",
            "serviceAccount: a@p.iam.gserviceaccount.com",
            " serviceAccount:a@p.iam.gserviceaccount.com",
            "user:a@p.iam.gserviceaccount.com",
        ] {
            assert_eq!(
                malformed_with_account(m).as_deref(),
                Some("a@p.iam.gserviceaccount.com"),
                "{m}"
            );
        }
        for m in [
            "",
            "allusers",
            "serviceAccount:",
            "serviceAccount:not-an-email",
            "deleted:serviceAccount:a@p.iam.gserviceaccount.com?uid=x",
        ] {
            assert!(matches!(classify_member(m), Malformed(_)), "{m}");
        }
    }

    #[test]
    fn verbatim_origin_maps_like_the_decoded_one() {
        let file = r#"{"members": ["user:a@b.com", "user:a\u0040b.com", "x", ""]}"#;
        let source = SourceFile::new("x.json", file.to_string());
        let parsed = crate::json::parse(file);
        let items = parsed
            .root
            .as_ref()
            .and_then(|r| r.get("members"))
            .and_then(Node::as_array)
            .unwrap_or_default();
        assert_eq!(items.len(), 4);
        let mut verbatim = 0;
        for item in items {
            let text = item.as_str().unwrap_or_default();
            let Some(origin) = TextOrigin::of(file, item.span, text) else {
                panic!("{text}: no origin")
            };
            verbatim += usize::from(matches!(origin, TextOrigin::Verbatim { .. }));
            let Some(decoded) = decode_string_literal(file, item.span) else {
                panic!("{text}: not decoded")
            };
            for start in 0..=text.len() + 2 {
                for end in start..=text.len() + 2 {
                    let span = Span::new(start, end);
                    assert_eq!(
                        origin.map_span(span),
                        decoded.map_span(span),
                        "{text} {span:?}"
                    );
                }
            }
            let member = extract_member(&source, item);
            assert_eq!(member.sub_span(0, text.len()).start, item.span.start + 1);
        }
        assert_eq!(verbatim, 3);
    }

    #[test]
    fn service_account_domains() {
        for (email, sa) in [
            ("a@p.iam.gserviceaccount.com", true),
            ("a@P.IAM.GServiceAccount.COM", true),
            ("a@gserviceaccount.com", true),
            ("a@xgserviceaccount.com", false),
            ("a@gserviceaccount.com.evil", false),
            ("a@b@p.iam.gserviceaccount.com", true),
            ("a@é.gserviceaccount.com", true),
            ("gserviceaccount.com", false),
        ] {
            assert_eq!(is_service_account_email(email), sa, "{email}");
        }
    }

    #[test]
    fn templates_are_unknown_not_malformed() {
        for m in [
            "serviceAccount:${var.aura_sa}",
            "{{ aura_sa }}",
            "serviceAccount:<AURA_SA_1>",
        ] {
            assert_eq!(classify_member(m), MemberKind::Unknown, "{m}");
        }
        let (_, n) = name(
            "projects/${var.project}/locations/europe-west2/keyRings/ring/cryptoKeys/key",
            NameKind::CryptoKey,
        );
        assert!(n.problem.is_none());
        assert_eq!(
            n.judgeable_location().map(|l| l.text.as_str()),
            Some("europe-west2")
        );
        let (_, n) = name(
            "${google_kms_key_ring.r.id}/cryptoKeys/key",
            NameKind::CryptoKey,
        );
        assert!(n.problem.is_none());
        assert!(n.judgeable_location().is_none());
    }

    #[test]
    fn member_fixes_make_valid_members() {
        for m in [
            "a@p.iam.gserviceaccount.com",
            "serviceaccount:a@p.iam.gserviceaccount.com",
            "serviceAccount: a@p.iam.gserviceaccount.com",
            " serviceAccount:a@p.iam.gserviceaccount.com ",
            "user:a@p.iam.gserviceaccount.com",
            "sa:a@p.iam.gserviceaccount.com",
        ] {
            let MemberKind::Malformed(p) = classify_member(m) else {
                panic!("{m}")
            };
            let Some((s, e, r)) = p.fix else {
                panic!("{m}: no fix")
            };
            let fixed = format!("{}{}{}", &m[..s], r, &m[e..]);
            assert_eq!(
                classify_member(&fixed),
                MemberKind::ServiceAccount("a@p.iam.gserviceaccount.com".into()),
                "{m} -> {fixed}"
            );
        }
    }
}
