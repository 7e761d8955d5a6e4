//! Azure documents: classification and typed, span-carrying models.
//!
//! Four kinds (DESIGN §3): ARM templates (classic `resources` array and languageVersion 2.0
//! `resources` object, child resources nested or named `vault/key`, nested deployments),
//! `az keyvault show` output, `az role assignment list` output (or one assignment), and
//! `az keyvault key show` output. Every kind becomes one [`AzureDoc`] holding the vaults,
//! keys and role assignments it describes, so the rules do not care where a fact came from.
//!
//! Values are [`Field`]s: missing (the API default applies), known (with the span of the
//! value as written, and where an ARM expression found it), or unknown (an ARM expression
//! that cannot be evaluated offline; no rule fires on it). An ARM *parameters* file is not a
//! kind; [`is_parameters_file`] lets the engine keep it as context so templates beside it
//! resolve `[parameters('x')]` to the value it sets. Nothing here reports findings.

mod expr;
mod template;

use std::path::Path;

use super::{Classified, ContextFile, Model};
use crate::json::{Member, Node, Parsed, Value};
use crate::source::{SourceFile, Span};

pub use expr::Via;

/// Which kind of Azure document a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AzureKind {
    /// An ARM deployment template.
    Template,
    /// `az keyvault show` output (the ARM vault resource).
    Vault,
    /// `az role assignment list` output, or one assignment object.
    RoleAssignments,
    /// `az keyvault key show` output.
    Key,
}

/// The typed model of one Azure document.
#[derive(Debug, Clone)]
pub struct AzureDoc {
    pub kind: AzureKind,
    pub vaults: Vec<Vault>,
    pub keys: Vec<Key>,
    pub assignments: Vec<RoleAssignment>,
}

impl AzureDoc {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            AzureKind::Template => "Azure ARM template",
            AzureKind::Vault => "Azure Key Vault (az keyvault show)",
            AzureKind::RoleAssignments => "Azure role assignments (az role assignment list)",
            AzureKind::Key => "Azure Key Vault key (az keyvault key show)",
        }
    }

    fn empty(kind: AzureKind) -> AzureDoc {
        AzureDoc {
            kind,
            vaults: Vec::new(),
            keys: Vec::new(),
            assignments: Vec::new(),
        }
    }
}

/// Where a known value was written, and through which parameter or variable it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct At {
    /// The value in this document (for a resolved expression: the expression string).
    pub span: Span,
    pub via: Option<Via>,
}

/// A value as far as cmklint can know it offline.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<T> {
    /// Absent, or `null` (with its span): the API default applies.
    Missing(Option<Span>),
    Known(T, At),
    /// An expression whose value is not known offline.
    Unknown(Span),
}

impl<T> Field<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Field::Known(v, _) => Some(v),
            _ => None,
        }
    }

    pub fn at(&self) -> Option<&At> {
        match self {
            Field::Known(_, at) => Some(at),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown(_))
    }

    /// The span of the value as written, if it is written at all.
    pub fn span(&self) -> Option<Span> {
        match self {
            Field::Missing(s) => *s,
            Field::Known(_, at) => Some(at.span),
            Field::Unknown(s) => Some(*s),
        }
    }
}

/// Where a resource lives: its subscription and resource group, when known. The deployment's
/// own (an ARM template deploying to "its" resource group) is [`DEPLOYMENT_MARK`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    pub subscription: Option<String>,
    pub resource_group: Option<String>,
}

/// Stands for the subscription or resource group a template is deployed to.
pub const DEPLOYMENT_MARK: &str = "\u{2}";

/// One Key Vault.
#[derive(Debug, Clone)]
pub struct Vault {
    pub name: Field<String>,
    /// Where a finding about a missing property points: the `properties` key (or the name).
    pub anchor: Span,
    pub placement: Placement,
    pub location: Field<String>,
    /// The ARM `apiVersion` the resource is declared with (templates only).
    pub api_version: Option<String>,
    pub enable_purge_protection: Field<bool>,
    pub enable_soft_delete: Field<bool>,
    pub enable_rbac_authorization: Field<bool>,
    pub enabled_for_disk_encryption: Field<bool>,
    pub public_network_access: Field<String>,
    pub default_action: Field<String>,
    pub bypass: Field<String>,
}

/// One Key Vault key.
#[derive(Debug, Clone)]
pub struct Key {
    pub vault: Field<String>,
    pub name: Field<String>,
    /// Where findings about the key point: its `name` in a template, its `kid` in CLI output.
    pub anchor: Span,
    pub placement: Placement,
    /// `kty`: RSA, RSA-HSM, EC, EC-HSM, oct-HSM.
    pub kty: Field<String>,
    /// `keySize` (ARM) in bits.
    pub key_size: Field<u32>,
    /// The bit length of the JWK modulus `n` (CLI output), with the span of `n`.
    pub modulus_bits: Option<(u32, Span)>,
    /// The key identifier (`kid`, `keyUriWithVersion`) as written, with its span.
    pub identifier: Option<(String, Span)>,
}

/// One role assignment.
#[derive(Debug, Clone)]
pub struct RoleAssignment {
    /// The role definition GUID (lowercase) from the end of `roleDefinitionId`.
    pub role: Field<String>,
    /// `roleDefinitionName` from CLI output.
    pub role_name: Option<String>,
    pub principal_id: Field<String>,
    /// `principalName` from CLI output (for a service principal: its application id).
    pub principal_name: Option<String>,
    pub principal_type: Option<String>,
    pub scope: Field<Scope>,
    /// Where a finding about the scope points (the `scope` value, or the resource's type
    /// when the scope is implicit).
    pub scope_anchor: Span,
    /// An ARM role assignment without `scope`: it applies where the template is deployed.
    pub scope_implicit: bool,
    /// The assignment's resource id (CLI output), for `az role assignment delete --ids`.
    pub id: Option<String>,
    /// The scope as written, when it is a plain string (CLI output).
    pub scope_text: Option<String>,
}

/// What a role assignment is scoped to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub kind: ScopeKind,
    pub placement: Placement,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeKind {
    /// `/`: every subscription of the tenant.
    Root,
    ManagementGroup,
    Subscription,
    ResourceGroup,
    /// A vault (name lowercase; `None` if unknown).
    Vault(Option<String>),
    /// A key (vault and key names lowercase; `None` where unknown).
    Key(Option<String>, Option<String>),
    /// Some other resource.
    Other,
}

impl ScopeKind {
    /// Resource group, subscription, management group or root: wider than a vault.
    pub fn is_broad(&self) -> bool {
        matches!(
            self,
            ScopeKind::Root
                | ScopeKind::ManagementGroup
                | ScopeKind::Subscription
                | ScopeKind::ResourceGroup
        )
    }
}

/// Parses an ARM resource id or scope string (`/subscriptions/…/resourceGroups/…/providers/
/// Microsoft.KeyVault/vaults/kv/keys/k`, or the template form `Microsoft.KeyVault/vaults/kv`).
/// Pieces that were unknown expressions count as unknown. `None` if it is none of these.
pub fn parse_scope(s: &str) -> Option<Scope> {
    let s = s.trim();
    if s == "/" {
        return Some(Scope {
            kind: ScopeKind::Root,
            placement: Placement::default(),
        });
    }
    let segs: Vec<&str> = s.split('/').filter(|x| !x.is_empty()).collect();
    let eq = |i: usize, w: &str| segs.get(i).is_some_and(|x| x.eq_ignore_ascii_case(w));
    let mut placement = Placement::default();
    let mut i = 0;
    let mut had_rg = false;
    let mut had_sub = false;
    if eq(0, "subscriptions") {
        placement.subscription = segs.get(1).and_then(|x| segment(x));
        had_sub = true;
        i = 2;
        if eq(2, "resourceGroups") {
            placement.resource_group = segs.get(3).and_then(|x| segment(x));
            had_rg = true;
            i = 4;
        }
    } else if segs
        .first()
        .is_some_and(|x| x.chars().all(|c| c == expr::UNKNOWN))
    {
        // An unknown prefix (`[format('{0}/providers/…', someId)]`): read from `providers`.
        i = segs
            .iter()
            .position(|x| x.eq_ignore_ascii_case("providers"))?;
    }
    if i >= segs.len() {
        let kind = if had_rg {
            ScopeKind::ResourceGroup
        } else if had_sub {
            ScopeKind::Subscription
        } else {
            return None;
        };
        return Some(Scope { kind, placement });
    }
    if eq(i, "providers") {
        i += 1;
    } else if i > 0 || !segs[i].contains('.') {
        return None;
    }
    let kind = if eq(i, "Microsoft.Management") && eq(i + 1, "managementGroups") {
        ScopeKind::ManagementGroup
    } else if eq(i, "Microsoft.KeyVault") && eq(i + 1, "vaults") {
        let vault = segs
            .get(i + 2)
            .and_then(|x| segment(x))
            .map(|v| v.to_lowercase());
        if segs.len() <= i + 3 {
            ScopeKind::Vault(vault)
        } else if eq(i + 3, "keys") {
            let key = segs
                .get(i + 4)
                .and_then(|x| segment(x))
                .map(|k| k.to_lowercase());
            ScopeKind::Key(vault, key)
        } else {
            ScopeKind::Other
        }
    } else {
        ScopeKind::Other
    };
    Some(Scope { kind, placement })
}

/// One path segment: `None` if (partly) unknown; the deployment mark is kept.
fn segment(s: &str) -> Option<String> {
    if s == DEPLOYMENT_MARK {
        Some(s.to_string())
    } else if expr::has_marker(s) {
        None
    } else {
        Some(s.to_string())
    }
}

/// The role definition GUID at the end of a `roleDefinitionId` (or a bare GUID), lowercase.
pub fn role_guid(role_definition_id: &str) -> Option<String> {
    let last = role_definition_id.trim().rsplit('/').next()?;
    is_guid(last).then(|| last.to_ascii_lowercase())
}

/// `8-4-4-4-12` hexadecimal digits.
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The parts of a Key Vault key identifier `https://VAULT.vault.azure.net/keys/NAME/VERSION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyIdentifier {
    pub vault: String,
    pub dns_suffix: String,
    pub name: String,
    pub version: Option<String>,
}

/// Why a string is not a usable key identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyIdProblem {
    NotHttps,
    /// The host is not `<vault>.vault.azure.net` or a sovereign-cloud equivalent.
    Host(String),
    VaultName(String),
    /// Not a `/keys/…` path (a secret, a certificate, or nothing).
    NotAKey(String),
    KeyName(String),
    /// The base identifier: no version.
    NoVersion,
    Version(String),
    /// Anything after the version (a trailing slash, a query, another segment).
    Trailing(String),
}

/// DNS suffixes of Key Vault in the public and sovereign clouds.
pub const VAULT_DNS_SUFFIXES: &[&str] = &[
    "vault.azure.net",
    "vault.azure.cn",
    "vault.usgovcloudapi.net",
    "vault.microsoftazure.de",
];

/// Parses and validates a key identifier (MS Learn, "About keys, secrets and certificates").
pub fn parse_key_identifier(s: &str) -> Result<KeyIdentifier, KeyIdProblem> {
    let rest = match s.get(..8) {
        Some(p) if p.eq_ignore_ascii_case("https://") => &s[8..],
        _ => return Err(KeyIdProblem::NotHttps),
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_l = host.to_ascii_lowercase();
    let host_l = host_l.strip_suffix(":443").unwrap_or(&host_l);
    let Some((vault, suffix)) = host_l.split_once('.') else {
        return Err(KeyIdProblem::Host(host.to_string()));
    };
    if !VAULT_DNS_SUFFIXES.contains(&suffix) {
        return Err(KeyIdProblem::Host(host.to_string()));
    }
    if !(3..=24).contains(&vault.len())
        || !vault.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(KeyIdProblem::VaultName(vault.to_string()));
    }
    let mut parts = path.splitn(4, '/');
    let collection = parts.next().unwrap_or("");
    if !collection.eq_ignore_ascii_case("keys") {
        return Err(KeyIdProblem::NotAKey(collection.to_string()));
    }
    let name = parts.next().unwrap_or("");
    if name.is_empty()
        || name.len() > 127
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(KeyIdProblem::KeyName(name.to_string()));
    }
    let version = parts.next();
    let trailing = parts.next();
    let id = KeyIdentifier {
        vault: vault.to_string(),
        dns_suffix: suffix.to_string(),
        name: name.to_string(),
        version: version.filter(|v| !v.is_empty()).map(str::to_string),
    };
    match (version, trailing) {
        (None, _) | (Some(""), None) => Err(KeyIdProblem::NoVersion),
        (Some(v), None) if v.len() == 32 && v.chars().all(|c| c.is_ascii_hexdigit()) => Ok(id),
        (Some(v), None) => {
            if let Some(i) = v.find(['?', '#']) {
                Err(KeyIdProblem::Trailing(v[i..].to_string()))
            } else {
                Err(KeyIdProblem::Version(v.to_string()))
            }
        }
        (Some(_), Some(t)) => Err(KeyIdProblem::Trailing(format!("/{t}"))),
    }
}

/// The member named `key`, ASCII-case-insensitively (ARM property names are).
pub(crate) fn member_ci<'a>(node: &'a Node, key: &str) -> Option<&'a Member> {
    node.as_object()?
        .iter()
        .rev()
        .find(|m| m.key.eq_ignore_ascii_case(key))
}

// ---------------------------------------------------------------------------------------
// Classification

/// Recognises Azure documents by content.
pub fn classify(source: &SourceFile, parsed: &Parsed) -> Classified {
    if let Some(root) = &parsed.root {
        if let Some(doc) = from_tree(root, &[]) {
            return Classified::Kind(Model::Azure(doc));
        }
    }
    if parsed.issues.is_empty() {
        return Classified::NotOurs;
    }
    // A file that does not parse is recognised by text markers, so that a broken template
    // is still reported (DESIGN §3).
    match kind_from_markers(&source.text) {
        Some(kind) => Classified::Kind(Model::Azure(AzureDoc::empty(kind))),
        None => Classified::NotOurs,
    }
}

fn kind_from_markers(text: &str) -> Option<AzureKind> {
    let t = text.to_ascii_lowercase();
    if t.contains("deploymentparameters.json") {
        return None;
    }
    if t.contains("microsoft.keyvault/vaults")
        || t.contains("microsoft.authorization/roleassignments")
    {
        if t.contains("deploymenttemplate.json") || t.contains("\"resources\"") {
            return Some(AzureKind::Template);
        }
        if t.contains("\"roledefinitionid\"") {
            return Some(AzureKind::RoleAssignments);
        }
        if t.contains("\"properties\"") && t.contains("\"type\"") {
            return Some(AzureKind::Vault);
        }
    }
    if t.contains("\"roledefinitionid\"") && t.contains("\"principalid\"") {
        return Some(AzureKind::RoleAssignments);
    }
    if t.contains("\"kid\"") && t.contains(".vault.") {
        return Some(AzureKind::Key);
    }
    None
}

/// The model of a parsed document, with the parameters files beside it (templates only).
pub fn from_tree(root: &Node, parameter_files: &[ParameterFile]) -> Option<AzureDoc> {
    if template::is_template(root) {
        return template::extract(root, parameter_files);
    }
    if let Some(v) = cli_vault(root) {
        let mut doc = AzureDoc::empty(AzureKind::Vault);
        doc.vaults.push(v);
        return Some(doc);
    }
    if let Some(k) = cli_key(root) {
        let mut doc = AzureDoc::empty(AzureKind::Key);
        doc.keys.push(k);
        return Some(doc);
    }
    cli_assignments(root).map(|assignments| AzureDoc {
        assignments,
        ..AzureDoc::empty(AzureKind::RoleAssignments)
    })
}

// ---------------------------------------------------------------------------------------
// ARM parameters files (context, not a kind)

/// Whether a file is an ARM deployment parameters file (`azuredeploy.parameters.json`).
pub fn is_parameters_file(parsed: &Parsed) -> bool {
    parsed.root.as_ref().is_some_and(|root| {
        root.get_ci("$schema")
            .and_then(Node::as_str)
            .is_some_and(|s| s.to_ascii_lowercase().contains("deploymentparameters.json"))
            && root
                .get_ci("parameters")
                .and_then(Node::as_object)
                .is_some()
    })
}

/// A parameters file as a template sees it.
pub struct ParameterFile<'a> {
    pub path: &'a Path,
    /// The `parameters` object.
    pub parameters: &'a Node,
}

/// The parameters files that belong to `template`, among the unit's context files: in the
/// same folder, named `<template stem>.parameters*.json` / `<stem>.params*.json`, or — when
/// the folder holds only this template — any parameters file there (`parameters.json`
/// beside a portal export's `template.json`).
pub fn parameter_files_for<'a>(
    template: &Path,
    templates_in_folder: usize,
    context: &[&'a ContextFile],
) -> Vec<ParameterFile<'a>> {
    let dir = template.parent();
    let stem = template
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let mut paired = Vec::new();
    let mut loose = Vec::new();
    for c in context {
        if c.source.path.parent() != dir || !is_parameters_file(&c.parsed) {
            continue;
        }
        let Some(parameters) = c.parsed.root.as_ref().and_then(|r| r.get_ci("parameters")) else {
            continue;
        };
        let name = c
            .source
            .path
            .file_name()
            .map(|s| s.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let pf = ParameterFile {
            path: &c.source.path,
            parameters,
        };
        if name.starts_with(&format!("{stem}.parameters"))
            || name.starts_with(&format!("{stem}.params"))
        {
            paired.push(pf);
        } else {
            loose.push(pf);
        }
    }
    if paired.is_empty() && templates_in_folder == 1 {
        loose
    } else {
        paired
    }
}

/// The paths of parameter files, for messages.
pub fn display_file(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

// ---------------------------------------------------------------------------------------
// Reading values (shared by the template walk and the CLI shapes)

/// Reads fields of one resource: `evaluate` for template nodes (expressions are evaluated),
/// not for CLI output (values are literal). `span_override` replaces spans of values that
/// came from another file (an object parameter) with the expression's span.
pub(crate) struct Reader<'e, 'a> {
    pub ev: expr::Evaluator<'e, 'a>,
    pub evaluate: bool,
    pub span_override: Option<(Span, Option<Via>)>,
}

/// An environment with no parameters or variables (CLI output).
pub(crate) struct NoEnv;

impl<'a> expr::Env<'a> for NoEnv {
    fn parameter(&self, _: &str) -> Option<(expr::Ev<'a>, Via)> {
        None
    }
    fn variable(&self, _: &str) -> Option<&'a Node> {
        None
    }
}

impl<'a> Reader<'a, 'a> {
    /// A reader for CLI output: values are literal.
    pub fn literal() -> Reader<'a, 'a> {
        Reader {
            ev: expr::Evaluator::new(&NoEnv),
            evaluate: false,
            span_override: None,
        }
    }
}

impl<'e, 'a> Reader<'e, 'a> {
    /// Evaluates a node; returns the value and where it was found.
    pub fn eval(&mut self, node: &'a Node) -> (expr::Ev<'a>, At) {
        self.ev.trace.clear();
        let v = if self.evaluate {
            self.ev.value(node)
        } else {
            expr::literal(node)
        };
        let via = self
            .ev
            .trace
            .iter()
            .find(|v| !matches!(v, Via::Variable { .. }))
            .or_else(|| self.ev.trace.first())
            .cloned();
        let at = match &self.span_override {
            Some((span, over)) => At {
                span: *span,
                via: over.clone().or(via),
            },
            None => At {
                span: node.span,
                via,
            },
        };
        (v, at)
    }

    fn field<T>(
        &mut self,
        node: Option<&'a Node>,
        conv: impl Fn(&expr::Ev<'a>) -> Option<T>,
    ) -> Field<T> {
        let Some(node) = node else {
            return Field::Missing(None);
        };
        let (v, at) = self.eval(node);
        match v {
            expr::Ev::Null => Field::Missing(Some(at.span)),
            ref other => match conv(other) {
                Some(t) => Field::Known(t, at),
                None => Field::Unknown(at.span),
            },
        }
    }

    pub fn bool(&mut self, node: Option<&'a Node>) -> Field<bool> {
        self.field(node, |v| match v {
            expr::Ev::Bool(b) => Some(*b),
            _ => None,
        })
    }

    pub fn string(&mut self, node: Option<&'a Node>) -> Field<String> {
        self.field(node, |v| v.known_str().map(str::to_string))
    }

    /// A string that may hold unknown pieces (names, scopes, ids).
    pub fn partial(&mut self, node: Option<&'a Node>) -> Field<String> {
        self.field(node, |v| match v {
            expr::Ev::Str(s) => Some(s.clone()),
            _ => None,
        })
    }

    pub fn uint(&mut self, node: Option<&'a Node>) -> Field<u32> {
        self.field(node, |v| match v {
            expr::Ev::Int(i) => u32::try_from(*i).ok(),
            _ => None,
        })
    }

    /// An object-valued property: the object, whether its strings are expressions, and —
    /// when it came from a parameter or variable — the span and source findings should name.
    #[allow(clippy::type_complexity)]
    pub fn object(
        &mut self,
        node: &'a Node,
    ) -> Option<(&'a Node, bool, Option<(Span, Option<Via>)>)> {
        if node.as_object().is_some() {
            return Some((node, self.evaluate, None));
        }
        match self.eval(node) {
            (expr::Ev::Node(n, evaluate), at) if n.as_object().is_some() => {
                Some((n, evaluate, Some((at.span, at.via))))
            }
            _ => None,
        }
    }
}

/// Reads a vault's properties from a resource object (template or CLI).
pub(crate) fn read_vault<'a>(
    r: &mut Reader<'_, 'a>,
    resource: &'a Node,
    name: Field<String>,
    placement: Placement,
) -> Vault {
    let props_member = member_ci(resource, "properties");
    let anchor = props_member
        .map(|m| m.key_span)
        .or_else(|| name.span())
        .unwrap_or(Span::point(resource.span.start));
    let location = r.string(resource.get_ci("location"));
    let api_version = resource
        .get_ci("apiVersion")
        .and_then(Node::as_str)
        .map(str::to_string);
    let unknown_all = |span: Span| Vault {
        name: name.clone(),
        anchor,
        placement: placement.clone(),
        location: location.clone(),
        api_version: api_version.clone(),
        enable_purge_protection: Field::Unknown(span),
        enable_soft_delete: Field::Unknown(span),
        enable_rbac_authorization: Field::Unknown(span),
        enabled_for_disk_encryption: Field::Unknown(span),
        public_network_access: Field::Unknown(span),
        default_action: Field::Unknown(span),
        bypass: Field::Unknown(span),
    };
    let props = match props_member {
        Some(m) if m.value.as_object().is_some() => &m.value,
        // `"properties": "[parameters('props')]"` or similar: nothing is known.
        Some(m) => return unknown_all(m.value.span),
        None => return unknown_all_missing(name, anchor, placement, location, api_version),
    };
    let enable_purge_protection = r.bool(props.get_ci("enablePurgeProtection"));
    let enable_soft_delete = r.bool(props.get_ci("enableSoftDelete"));
    let enable_rbac_authorization = r.bool(props.get_ci("enableRbacAuthorization"));
    let enabled_for_disk_encryption = r.bool(props.get_ci("enabledForDiskEncryption"));
    let public_network_access = r.string(props.get_ci("publicNetworkAccess"));
    let (default_action, bypass) = match props.get_ci("networkAcls") {
        None => (Field::Missing(None), Field::Missing(None)),
        Some(n) if n.is_null() => (Field::Missing(Some(n.span)), Field::Missing(Some(n.span))),
        Some(n) => match r.object(n) {
            Some((acls, evaluate, over)) => {
                let saved_over = std::mem::replace(&mut r.span_override, over);
                let saved_eval = std::mem::replace(&mut r.evaluate, evaluate);
                let d = r.string(acls.get_ci("defaultAction"));
                let b = r.string(acls.get_ci("bypass"));
                r.span_override = saved_over;
                r.evaluate = saved_eval;
                (d, b)
            }
            None => (Field::Unknown(n.span), Field::Unknown(n.span)),
        },
    };
    Vault {
        name,
        anchor,
        placement,
        location,
        api_version,
        enable_purge_protection,
        enable_soft_delete,
        enable_rbac_authorization,
        enabled_for_disk_encryption,
        public_network_access,
        default_action,
        bypass,
    }
}

fn unknown_all_missing(
    name: Field<String>,
    anchor: Span,
    placement: Placement,
    location: Field<String>,
    api_version: Option<String>,
) -> Vault {
    Vault {
        name,
        anchor,
        placement,
        location,
        api_version,
        enable_purge_protection: Field::Missing(None),
        enable_soft_delete: Field::Missing(None),
        enable_rbac_authorization: Field::Missing(None),
        enabled_for_disk_encryption: Field::Missing(None),
        public_network_access: Field::Missing(None),
        default_action: Field::Missing(None),
        bypass: Field::Missing(None),
    }
}

/// Reads a role assignment's properties (ARM `properties`, or the flat CLI object).
pub(crate) fn read_assignment<'a>(
    r: &mut Reader<'_, 'a>,
    props: &'a Node,
    scope: Field<Scope>,
    scope_anchor: Span,
) -> RoleAssignment {
    let role = match r.partial(props.get_ci("roleDefinitionId")) {
        Field::Known(s, at) => match role_guid(&s) {
            Some(g) => Field::Known(g, at),
            None => Field::Unknown(at.span),
        },
        Field::Missing(s) => Field::Missing(s),
        Field::Unknown(s) => Field::Unknown(s),
    };
    let principal_id = r.string(props.get_ci("principalId"));
    let lit = |k: &str| {
        props
            .get_ci(k)
            .and_then(Node::as_str)
            .filter(|s| expr::expression_body(s).is_none())
            .map(str::to_string)
    };
    RoleAssignment {
        role,
        role_name: lit("roleDefinitionName"),
        principal_id,
        principal_name: lit("principalName"),
        principal_type: lit("principalType"),
        scope,
        scope_anchor,
        scope_implicit: false,
        id: None,
        scope_text: None,
    }
}

/// A scope field from a (possibly partial) string field.
pub(crate) fn scope_field(f: Field<String>) -> Field<Scope> {
    match f {
        Field::Known(s, at) => match parse_scope(&s) {
            Some(scope) => Field::Known(scope, at),
            None => Field::Unknown(at.span),
        },
        Field::Missing(s) => Field::Missing(s),
        Field::Unknown(s) => Field::Unknown(s),
    }
}

// ---------------------------------------------------------------------------------------
// CLI output shapes

/// `az keyvault show`: the ARM vault resource with `properties`.
fn cli_vault(root: &Node) -> Option<Vault> {
    let ty = root.get_ci("type")?.as_str()?;
    if !ty.eq_ignore_ascii_case("Microsoft.KeyVault/vaults") {
        return None;
    }
    root.get_ci("properties")?.as_object()?;
    let mut r = Reader::literal();
    let name = r.string(root.get_ci("name"));
    let placement = root
        .get_ci("id")
        .and_then(Node::as_str)
        .and_then(parse_scope)
        .map(|s| s.placement)
        .unwrap_or_default();
    Some(read_vault(&mut r, root, name, placement))
}

/// `az keyvault key show`: `{"key": {"kid", "kty", "n", ...}, "attributes": ...}`.
fn cli_key(root: &Node) -> Option<Key> {
    let key = root.get("key")?;
    let kid = key.get("kid")?;
    key.get("kty")?;
    let mut r = Reader::literal();
    let kid_s = kid.as_str()?;
    let parts = parse_key_identifier(kid_s)
        .ok()
        .or_else(|| loose_key_parts(kid_s));
    let from_id = |f: fn(&KeyIdentifier) -> &str| match parts.as_ref().map(f) {
        Some(v) if !v.is_empty() => Field::Known(
            v.to_string(),
            At {
                span: kid.span,
                via: None,
            },
        ),
        _ => Field::Unknown(kid.span),
    };
    let vault = from_id(|k| &k.vault);
    let name = from_id(|k| &k.name);
    let modulus_bits = key
        .get("n")
        .and_then(|n| n.as_str().and_then(modulus_bit_length).map(|b| (b, n.span)));
    Some(Key {
        vault,
        name,
        anchor: kid.span,
        placement: Placement::default(),
        kty: r.string(key.get("kty")),
        key_size: Field::Missing(None),
        modulus_bits,
        identifier: Some((kid_s.to_string(), kid.span)),
    })
}

/// Vault and key names from an identifier that fails validation only in its version or
/// tail, so that the key can still be joined with its role assignments.
fn loose_key_parts(s: &str) -> Option<KeyIdentifier> {
    let rest = s.strip_prefix("https://")?;
    let mut parts = rest.split('/');
    let host = parts.next()?;
    let (vault, suffix) = host.split_once('.')?;
    if !parts.next()?.eq_ignore_ascii_case("keys") {
        return None;
    }
    let name = parts.next()?;
    Some(KeyIdentifier {
        vault: vault.to_string(),
        dns_suffix: suffix.to_string(),
        name: name.to_string(),
        version: None,
    })
}

/// The bit length of a base64url (or base64) encoded big-endian integer.
pub fn modulus_bit_length(b64: &str) -> Option<u32> {
    let mut acc: u32 = 0;
    let mut nbits = 0;
    let mut bytes: Vec<u8> = Vec::with_capacity(b64.len() * 3 / 4);
    for c in b64.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            bytes.push(((acc >> nbits) & 0xff) as u8);
        }
    }
    let first = bytes.iter().position(|&b| b != 0)?;
    let whole = u32::try_from(bytes.len() - first - 1).ok()?;
    whole
        .checked_mul(8)?
        .checked_add(8 - bytes[first].leading_zeros())
}

/// `az role assignment list` (an array), one assignment (`az role assignment create`), or
/// the REST shapes (`properties` nested, `{"value": [...]}`).
fn cli_assignments(root: &Node) -> Option<Vec<RoleAssignment>> {
    let items: Vec<&Node> = match &root.value {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => match root.get("value").and_then(Node::as_array) {
            Some(items) => items.iter().collect(),
            None => vec![root],
        },
        _ => return None,
    };
    if items.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for item in items {
        let props = assignment_props(item)?;
        let mut r = Reader::literal();
        let scope_node = props.get_ci("scope");
        let scope_anchor = scope_node.map(|n| n.span).unwrap_or(item.span);
        let scope_text = scope_node.and_then(Node::as_str).map(str::to_string);
        let scope = scope_field(r.partial(scope_node));
        let mut a = read_assignment(&mut r, props, scope, scope_anchor);
        a.scope_text = scope_text;
        a.id = item
            .get_ci("id")
            .and_then(Node::as_str)
            .filter(|s| s.contains("/roleAssignments/"))
            .map(str::to_string);
        out.push(a);
    }
    Some(out)
}

/// The object holding `roleDefinitionId` and `principalId` of one assignment, if it is one.
fn assignment_props(item: &Node) -> Option<&Node> {
    let has =
        |n: &Node| n.get_ci("roleDefinitionId").is_some() && n.get_ci("principalId").is_some();
    if has(item) {
        Some(item)
    } else {
        item.get_ci("properties").filter(|p| has(p))
    }
}

/// Where a finding that names a parameter's source should say it came from.
pub fn describe_via(via: &Via) -> String {
    match via {
        Via::Default { param, .. } => format!("the default of parameter `{param}`"),
        Via::ParamFile { param, file } => {
            format!("parameter `{param}` in `{}`", display_file(file))
        }
        Via::Variable { name, .. } => format!("variable `{name}`"),
        Via::Passed { param } => format!("parameter `{param}` of the nested deployment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    #[test]
    fn scopes() {
        let s = parse_scope("/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg-aura/providers/Microsoft.KeyVault/vaults/KV-Aura/keys/aura-cmk");
        assert_eq!(
            s.as_ref().map(|s| &s.kind),
            Some(&ScopeKind::Key(
                Some("kv-aura".into()),
                Some("aura-cmk".into())
            ))
        );
        assert_eq!(
            s.and_then(|s| s.placement.resource_group).as_deref(),
            Some("rg-aura")
        );
        assert_eq!(
            parse_scope("Microsoft.KeyVault/vaults/kv-aura").map(|s| s.kind),
            Some(ScopeKind::Vault(Some("kv-aura".into())))
        );
        assert_eq!(
            parse_scope("/subscriptions/x/resourceGroups/rg").map(|s| s.kind),
            Some(ScopeKind::ResourceGroup)
        );
        assert_eq!(
            parse_scope("/subscriptions/x").map(|s| s.kind),
            Some(ScopeKind::Subscription)
        );
        assert_eq!(
            parse_scope("\u{1}/providers/Microsoft.KeyVault/vaults/kv").map(|s| s.kind),
            Some(ScopeKind::Vault(Some("kv".into())))
        );
        assert_eq!(parse_scope("kv-aura"), None);
    }

    #[test]
    fn role_guids() {
        assert_eq!(
            role_guid("/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/14B46E9E-c2b7-41b4-b07b-48a6ebf60603").as_deref(),
            Some("14b46e9e-c2b7-41b4-b07b-48a6ebf60603")
        );
        assert_eq!(role_guid("Key Vault Crypto Officer"), None);
    }

    #[test]
    fn key_identifiers() {
        let ok = parse_key_identifier(
            "https://kv-aura.vault.azure.net/keys/aura-cmk/0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        );
        assert_eq!(ok.map(|k| k.name), Ok("aura-cmk".to_string()));
        assert_eq!(
            parse_key_identifier("https://kv-aura.vault.azure.net/keys/aura-cmk"),
            Err(KeyIdProblem::NoVersion)
        );
        assert_eq!(
            parse_key_identifier("https://kv-aura.vault.azure.cn/keys/aura-cmk/"),
            Err(KeyIdProblem::NoVersion)
        );
        assert!(matches!(
            parse_key_identifier(
                "https://kv-aura.vault.azure.net/secrets/aura-cmk/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
            ),
            Err(KeyIdProblem::NotAKey(_))
        ));
        assert!(matches!(
            parse_key_identifier(
                "https://kv-aura.blob.core.windows.net/keys/a/0a1b2c3d4e5f60718293a4b5c6d7e8f9"
            ),
            Err(KeyIdProblem::Host(_))
        ));
        assert_eq!(
            parse_key_identifier("kv-aura/aura-cmk"),
            Err(KeyIdProblem::NotHttps)
        );
    }

    #[test]
    fn modulus_lengths() {
        // 0x01 00 → 9 bits; "AQAB" is 65537 (17 bits).
        assert_eq!(modulus_bit_length("AQAB"), Some(17));
        let n2048 = format!("{}{}", "w", "A".repeat(341));
        assert_eq!(modulus_bit_length(&n2048), Some(2048));
        assert_eq!(modulus_bit_length("not base64!"), None);
    }

    #[test]
    fn cli_shapes_classify() {
        let vault = parse(
            r#"{"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv", "name": "kv", "type": "Microsoft.KeyVault/vaults", "location": "uksouth", "properties": {"enablePurgeProtection": null}}"#,
        );
        let doc = vault.root.as_ref().and_then(|r| from_tree(r, &[]));
        let v = doc.as_ref().and_then(|d| d.vaults.first());
        assert!(matches!(
            v.map(|v| &v.enable_purge_protection),
            Some(Field::Missing(Some(_)))
        ));
        assert_eq!(
            v.and_then(|v| v.placement.resource_group.clone())
                .as_deref(),
            Some("rg")
        );
        let list = parse(
            r#"[{"principalId": "p", "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603", "scope": "/subscriptions/s"}]"#,
        );
        let doc = list.root.as_ref().and_then(|r| from_tree(r, &[]));
        assert_eq!(doc.map(|d| d.assignments.len()), Some(1));
        let other = parse(r#"{"name": "my-app", "version": "1.0.0"}"#);
        assert!(other
            .root
            .as_ref()
            .and_then(|r| from_tree(r, &[]))
            .is_none());
    }
}
