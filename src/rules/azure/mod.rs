//! The Azure rules, one file each, and what they share: the unit's Azure documents with
//! template parameters resolved from the parameters files beside them, the vault-flag
//! check, and the join of role assignments to vaults and keys by scope (DESIGN §4).
//!
//! Every Azure rule is a unit rule: a template's values may come from a parameters file,
//! which is context the engine hands to unit rules only. Rules never fire on unknown values.

mod crypto_officer_missing;
mod disk_encryption_disabled;
mod firewall_bypass_missing;
mod key_identifier_invalid;
mod key_type;
mod purge_protection_disabled;
mod rbac_disabled;
mod region_mismatch;
mod role_scope_too_broad;
mod soft_delete_disabled;
mod wrong_role;

#[cfg(test)]
mod tests;

use std::borrow::Cow;

use super::{Context, Rule, RuleMeta, Unit};
use crate::diagnostic::Diagnostic;
use crate::document::azure::{
    self, describe_via, AzureDoc, AzureKind, Field, Placement, RoleAssignment, Scope, ScopeKind,
    Vault, Via, DEPLOYMENT_MARK,
};
use crate::document::{Document, Model};
use crate::source::Span;

/// Every Azure rule, in catalogue order (DESIGN §6).
pub static RULES: &[&dyn Rule] = &[
    &purge_protection_disabled::RULE,
    &soft_delete_disabled::RULE,
    &rbac_disabled::RULE,
    &disk_encryption_disabled::RULE,
    &firewall_bypass_missing::RULE,
    &region_mismatch::RULE,
    &crypto_officer_missing::RULE,
    &wrong_role::RULE,
    &role_scope_too_broad::RULE,
    &key_identifier_invalid::RULE,
    &key_type::RULE,
];

/// One Azure document of the unit with its model (re-extracted with the parameters files
/// beside it, for a template that has some).
pub(crate) struct View<'a> {
    pub doc: &'a Document,
    pub model: Cow<'a, AzureDoc>,
}

/// The unit's Azure documents: templates first (where most fixes belong), then CLI output,
/// each in path order. Worked out on first use and kept with the unit: every Azure rule
/// reads them.
pub(crate) fn views<'u, 'a>(unit: &'u Unit<'a>) -> &'u [View<'a>] {
    unit.azure_views.get_or_init(|| build_views(unit))
}

fn build_views<'a>(unit: &Unit<'a>) -> Vec<View<'a>> {
    let azure: Vec<(&'a Document, &'a AzureDoc)> = unit
        .documents
        .iter()
        .filter_map(|d| match &d.model {
            Model::Azure(m) => Some((*d, m)),
            _ => None,
        })
        .collect();
    let mut out: Vec<View<'a>> = azure
        .iter()
        .map(|&(doc, model)| {
            if model.kind != AzureKind::Template {
                return View {
                    doc,
                    model: Cow::Borrowed(model),
                };
            }
            let Some(folder) = unit.folder(&doc.source.path) else {
                return View {
                    doc,
                    model: Cow::Borrowed(model),
                };
            };
            let templates_here = folder
                .documents
                .iter()
                .filter(|d| matches!(&d.model, Model::Azure(m) if m.kind == AzureKind::Template))
                .count();
            let files =
                azure::parameter_files_for(&doc.source.path, templates_here, &folder.context);
            let model = match (files.is_empty(), doc.root()) {
                (false, Some(root)) => azure::from_tree(root, &files)
                    .map(Cow::Owned)
                    .unwrap_or(Cow::Borrowed(model)),
                _ => Cow::Borrowed(model),
            };
            View { doc, model }
        })
        .collect();
    out.sort_by_key(|v| v.model.kind != AzureKind::Template);
    out
}

/// `key vault `kv-aura``, or `the key vault` when its name is not known.
pub(crate) fn vault_label(name: &Field<String>) -> String {
    match name.known() {
        Some(n) => format!("key vault `{n}`"),
        None => "the key vault".to_string(),
    }
}

/// The vault name for a CLI command, or a placeholder.
pub(crate) fn vault_arg(name: &Field<String>) -> String {
    name.known()
        .cloned()
        .unwrap_or_else(|| "<vault-name>".to_string())
}

/// " (from parameter `x` in `azuredeploy.parameters.json`)", or "".
pub(crate) fn via_note(field_at: Option<&azure::At>) -> String {
    match field_at.and_then(|a| a.via.as_ref()) {
        Some(via) => format!(" (from {})", describe_via(via)),
        None => String::new(),
    }
}

/// ", from parameter `x` in `azuredeploy.parameters.json`", or "" (inside parentheses).
pub(crate) fn via_inline(field_at: Option<&azure::At>) -> String {
    match field_at.and_then(|a| a.via.as_ref()) {
        Some(via) => format!(", from {}", describe_via(via)),
        None => String::new(),
    }
}

/// A label on the literal a value was resolved from, when it is in the same file.
pub(crate) fn with_via_label(d: Diagnostic, field_at: Option<&azure::At>) -> Diagnostic {
    match field_at.and_then(|a| a.via.as_ref()) {
        Some(Via::Default { param, span }) => {
            d.with_label(*span, format!("default value of parameter `{param}`"))
        }
        Some(Via::Variable { name, span }) if *span != Span::default() => {
            d.with_label(*span, format!("value of variable `{name}`"))
        }
        _ => d,
    }
}

/// How a boolean vault property reads when it is off.
pub(crate) struct FlagCheck {
    pub meta: &'static RuleMeta,
    /// The ARM property name (`enablePurgeProtection`).
    pub property: &'static str,
    pub field: fn(&Vault) -> &Field<bool>,
    /// What the API assumes when the property is absent or null.
    pub default_on: fn(&Vault) -> bool,
    /// True: only an explicit `false` is wrong (soft delete); false: anything but `true`.
    pub only_explicit_false: bool,
    /// What is off, for the message: "purge protection".
    pub what: &'static str,
    /// The help text for a vault (given its name for CLI commands).
    pub help: fn(&str) -> String,
}

/// Runs a vault-flag check over every vault of the unit.
pub(crate) fn check_flag(check: &FlagCheck, unit: &Unit, out: &mut Vec<Diagnostic>) {
    for view in views(unit) {
        for vault in &view.model.vaults {
            let field = (check.field)(vault);
            let (span, found) = match field {
                Field::Known(true, _) | Field::Unknown(_) => continue,
                Field::Known(false, at) => (at.span, format!("`{}` is false", check.property)),
                Field::Missing(_) if check.only_explicit_false || (check.default_on)(vault) => {
                    continue
                }
                Field::Missing(Some(null)) => (
                    *null,
                    format!("`{}` is null, which means off", check.property),
                ),
                Field::Missing(None) => (
                    vault.anchor,
                    format!("`{}` is not set, and it is off by default", check.property),
                ),
            };
            let message = format!(
                "{} is disabled for {}: {}{}",
                check.what,
                vault_label(&vault.name),
                found,
                via_note(field.at())
            );
            let d = Diagnostic::new(check.meta.id, check.meta.severity, span, message)
                .with_help((check.help)(&vault_arg(&vault.name)))
                .with_file(view.doc.source.clone());
            out.push(with_via_label(d, field.at()));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Role assignments joined to vaults and keys

/// Key Vault Crypto Officer: what Aura's service principal needs (DOMAIN §2).
pub(crate) const CRYPTO_OFFICER: &str = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";

/// Built-in roles that are not Crypto Officer, by GUID (MicrosoftDocs/azure-docs
/// `built-in-roles/security.md` and `general.md`).
const OTHER_ROLES: &[(&str, &str)] = &[
    (
        "e147488a-f6f5-4113-8e2d-b22465e65bf6",
        "Key Vault Crypto Service Encryption User",
    ),
    (
        "12338af0-0e69-4776-bea7-57ae8d297424",
        "Key Vault Crypto User",
    ),
    (
        "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        "Key Vault Administrator",
    ),
    ("21090545-7ca7-4776-b22c-e363652d74d2", "Key Vault Reader"),
    (
        "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        "Key Vault Secrets Officer",
    ),
    (
        "4633458b-17de-408a-b874-0445c86b69e6",
        "Key Vault Secrets User",
    ),
    (
        "a4417e6f-fecd-4de8-b567-7b0420556985",
        "Key Vault Certificates Officer",
    ),
    (
        "f25e0fa2-a7c8-4377-a976-54943a77a395",
        "Key Vault Contributor",
    ),
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner"),
    ("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor"),
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader"),
];

/// Yes, no, or cannot tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tri {
    Yes,
    Maybe,
    No,
}

/// What an assignment's role is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RoleClass {
    CryptoOfficer,
    /// A known built-in role other than Crypto Officer.
    Other(&'static str),
    /// A custom role, or a role definition id cmklint cannot read.
    Unknown,
}

pub(crate) fn role_class(a: &RoleAssignment) -> RoleClass {
    match a.role.known().map(String::as_str) {
        Some(CRYPTO_OFFICER) => RoleClass::CryptoOfficer,
        Some(g) => OTHER_ROLES
            .iter()
            .find(|(id, _)| *id == g)
            .map_or(RoleClass::Unknown, |(_, n)| RoleClass::Other(n)),
        None => RoleClass::Unknown,
    }
}

/// Aura's service principal, from `[aura.azure]`.
pub(crate) struct Aura<'c> {
    pub principal_id: Option<&'c str>,
    pub application_id: Option<&'c str>,
}

impl Aura<'_> {
    /// "Aura (service principal `…`)" for messages.
    pub fn describe(&self) -> String {
        match (self.principal_id, self.application_id) {
            (Some(p), _) => format!("Aura (service principal `{p}`)"),
            (None, Some(a)) => format!("Aura (application `{a}`)"),
            (None, None) => "Aura's service principal".to_string(),
        }
    }

    /// `--assignee …` for `az role assignment create`.
    pub fn assignee_args(&self) -> String {
        match (self.application_id, self.principal_id) {
            (Some(a), _) => format!("--assignee {a}"),
            (None, Some(p)) => {
                format!("--assignee-object-id {p} --assignee-principal-type ServicePrincipal")
            }
            (None, None) => "--assignee <application-id>".to_string(),
        }
    }

    /// Whether an assignment is to Aura's service principal.
    pub fn matches(&self, a: &RoleAssignment) -> Tri {
        let eq = |x: Option<&str>, y: Option<&str>| match (x, y) {
            (Some(x), Some(y)) => trimmed(x).eq_ignore_ascii_case(trimmed(y)),
            _ => false,
        };
        let pid = a.principal_id.known().map(String::as_str);
        if eq(self.principal_id, pid) || eq(self.application_id, a.principal_name.as_deref()) {
            return Tri::Yes;
        }
        // An object id or a principal name cmklint can compare, and it differs.
        if (self.principal_id.is_some() && pid.is_some())
            || (self.application_id.is_some() && a.principal_name.is_some())
        {
            return Tri::No;
        }
        if a.principal_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("ServicePrincipal"))
        {
            return Tri::No;
        }
        Tri::Maybe
    }
}

/// `s.trim()`, without the character walk when `s` starts and ends with a visible ASCII
/// character (a GUID or an application id always does; this runs for every assignment
/// against Aura's ids).
fn trimmed(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        s.trim()
    }
}

/// Aura's principal from the config, or `None` after recording why the rule is skipped.
pub(crate) fn aura<'c>(
    rule: &str,
    unit: &Unit<'c>,
    cx: &Context,
    views: &[View],
) -> Option<Aura<'c>> {
    let az = &unit.config.aura.azure;
    let nonempty = |s: &'c Option<String>| s.as_deref().filter(|s| !s.trim().is_empty());
    let aura = Aura {
        principal_id: nonempty(&az.principal_id),
        application_id: nonempty(&az.application_id),
    };
    if aura.principal_id.is_none() && aura.application_id.is_none() {
        if let Some(v) = views
            .iter()
            .find(|v| !v.model.assignments.is_empty() || !v.model.vaults.is_empty())
        {
            cx.skip(
                rule,
                &v.doc.source.path,
                "`[aura.azure] principal_id` or `application_id` is not set in cmklint.toml, so Aura's service principal is unknown",
            );
        }
        return None;
    }
    Some(aura)
}

/// A vault, with the keys of it the unit describes: what Aura's role assignment must cover.
pub(crate) struct Target {
    /// The view and span of the vault's name (or, with no vault document, its first key's).
    pub view: usize,
    pub anchor: Span,
    /// Vault name as written (for messages; joined case-insensitively).
    pub vault: Option<String>,
    /// The vault's keys in the unit: name, view and span.
    pub keys: Vec<(Option<String>, usize, Span)>,
    pub placement: Placement,
}

impl Target {
    /// Whether the target's vault, lower-cased, is `lc`; `None` when the vault is not
    /// known. Compared without building the lower-case copy when the name is ASCII (an
    /// Azure vault name always is; this runs for every assignment and target).
    fn vault_is(&self, lc: &str) -> Option<bool> {
        let v = self.vault.as_deref()?;
        Some(if v.is_ascii() {
            v.len() == lc.len()
                && v.bytes()
                    .zip(lc.bytes())
                    .all(|(a, b)| a.to_ascii_lowercase() == b)
        } else {
            v.to_lowercase() == lc
        })
    }

    /// Where a missing-assignment finding points (view, span) and how the target reads:
    /// the key when the unit names exactly one key of the vault (Aura's role belongs
    /// "inside the key"), else the vault.
    pub fn describe(&self) -> (usize, Span, String) {
        let vault = match &self.vault {
            Some(v) => format!("key vault `{v}`"),
            None => "the key vault".to_string(),
        };
        match self.keys.as_slice() {
            [(Some(k), view, span)] => (*view, *span, format!("key `{k}` or {vault}")),
            _ => (self.view, self.anchor, vault),
        }
    }

    /// The one key named, if exactly one.
    pub fn single_key(&self) -> Option<&str> {
        match self.keys.as_slice() {
            [(Some(k), _, _)] => Some(k),
            _ => None,
        }
    }
}

/// The vaults of the unit (one target per vault name; unknown names stay apart), with
/// their keys. Keys whose vault has no vault document make a target of their own.
pub(crate) fn targets(views: &[View]) -> Vec<Target> {
    let mut out: Vec<Target> = Vec::new();
    let find = |out: &[Target], n: &Option<String>| {
        n.as_ref().and_then(|n| {
            out.iter()
                .position(|t| t.vault.as_ref().is_some_and(|m| m.eq_ignore_ascii_case(n)))
        })
    };
    for (i, v) in views.iter().enumerate() {
        for vault in &v.model.vaults {
            let name = vault.name.known().cloned();
            match find(&out, &name) {
                Some(t) => merge_placement(&mut out[t].placement, &vault.placement),
                None => out.push(Target {
                    view: i,
                    anchor: vault.name.span().unwrap_or(vault.anchor),
                    vault: name,
                    keys: Vec::new(),
                    placement: vault.placement.clone(),
                }),
            }
        }
    }
    for (i, v) in views.iter().enumerate() {
        for key in &v.model.keys {
            let vname = key.vault.known().cloned();
            let kname = key.name.known().cloned();
            let t = match find(&out, &vname) {
                Some(t) => t,
                None => {
                    out.push(Target {
                        view: i,
                        anchor: key.anchor,
                        vault: vname,
                        keys: Vec::new(),
                        placement: key.placement.clone(),
                    });
                    out.len() - 1
                }
            };
            let already = kname.as_ref().is_some_and(|k| {
                out[t]
                    .keys
                    .iter()
                    .any(|(n, _, _)| n.as_ref().is_some_and(|n| n.eq_ignore_ascii_case(k)))
            });
            if !already {
                out[t].keys.push((kname, i, key.anchor));
            }
        }
    }
    out
}

fn merge_placement(into: &mut Placement, from: &Placement) {
    let real = |s: &Option<String>| s.as_deref().is_some_and(|s| s != DEPLOYMENT_MARK);
    if !real(&into.subscription) && real(&from.subscription) {
        into.subscription = from.subscription.clone();
    }
    if !real(&into.resource_group) && real(&from.resource_group) {
        into.resource_group = from.resource_group.clone();
    }
}

/// Whether an assignment (in view `a_view`) covers a target: its scope is the vault, one of
/// the vault's keys, or a resource group, subscription or root above it.
pub(crate) fn covers(scope: &Field<Scope>, a_view: usize, t: &Target) -> Tri {
    let Some(scope) = scope.known() else {
        return Tri::Maybe;
    };
    let names = |sv: &Option<String>| match sv.as_deref().and_then(|s| t.vault_is(s)) {
        Some(true) => Tri::Yes,
        Some(false) => Tri::No,
        None => Tri::Maybe,
    };
    let place = |a: &Option<String>, b: &Option<String>| -> Tri {
        match (a.as_deref(), b.as_deref()) {
            (Some(DEPLOYMENT_MARK), Some(DEPLOYMENT_MARK)) if a_view == t.view => Tri::Yes,
            (Some(DEPLOYMENT_MARK), _) | (_, Some(DEPLOYMENT_MARK)) | (None, _) | (_, None) => {
                Tri::Maybe
            }
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => Tri::Yes,
            _ => Tri::No,
        }
    };
    let and = |x: Tri, y: Tri| match (x, y) {
        (Tri::No, _) | (_, Tri::No) => Tri::No,
        (Tri::Yes, Tri::Yes) => Tri::Yes,
        _ => Tri::Maybe,
    };
    match &scope.kind {
        ScopeKind::Vault(v) | ScopeKind::Key(v, _) => names(v),
        ScopeKind::Root => Tri::Yes,
        ScopeKind::ManagementGroup => Tri::Maybe,
        ScopeKind::Subscription => place(&scope.placement.subscription, &t.placement.subscription),
        ScopeKind::ResourceGroup => and(
            place(&scope.placement.resource_group, &t.placement.resource_group),
            match (&scope.placement.subscription, &t.placement.subscription) {
                (Some(_), Some(_)) => {
                    place(&scope.placement.subscription, &t.placement.subscription)
                }
                _ => Tri::Maybe,
            },
        ),
        ScopeKind::Other => Tri::No,
    }
}

/// The outcome of joining Aura's role assignments to one target.
pub(crate) enum Verdict<'v> {
    /// A Crypto Officer assignment (or one that may be) covers it.
    Covered,
    /// Aura holds other roles on it, and no Crypto Officer: (view, assignment, role name).
    WrongRoles(Vec<(usize, &'v RoleAssignment, String)>),
    /// Nothing that could be Aura's Crypto Officer assignment covers it.
    Missing,
}

/// Joins the unit's role assignments to each target. `None` when the unit holds no role
/// assignment at all: then nothing says whether Aura's is missing.
pub(crate) fn analyse<'v>(views: &'v [View], aura: &Aura) -> Option<Vec<(Target, Verdict<'v>)>> {
    let all: Vec<(usize, &RoleAssignment)> = views
        .iter()
        .enumerate()
        .flat_map(|(i, v)| v.model.assignments.iter().map(move |a| (i, a)))
        .collect();
    if all.is_empty() {
        return None;
    }
    let mut out = Vec::new();
    for t in targets(views) {
        let covered = all.iter().any(|(i, a)| {
            aura.matches(a) != Tri::No
                && matches!(role_class(a), RoleClass::CryptoOfficer | RoleClass::Unknown)
                && covers(&a.scope, *i, &t) != Tri::No
        });
        let verdict = if covered {
            Verdict::Covered
        } else {
            let wrong: Vec<(usize, &RoleAssignment, String)> = all
                .iter()
                .filter(|(i, a)| {
                    aura.matches(a) == Tri::Yes && covers(&a.scope, *i, &t) == Tri::Yes
                })
                .filter_map(|(i, a)| match role_class(a) {
                    RoleClass::Other(name) => Some((*i, *a, name.to_string())),
                    _ => None,
                })
                .collect();
            if wrong.is_empty() {
                Verdict::Missing
            } else {
                Verdict::WrongRoles(wrong)
            }
        };
        out.push((t, verdict));
    }
    Some(out)
}

/// How a scope reads in messages: "key `k` in key vault `kv`", "resource group `rg`".
pub(crate) fn describe_scope(scope: &Field<Scope>) -> String {
    let real = |s: &Option<String>| {
        s.as_deref()
            .filter(|s| *s != DEPLOYMENT_MARK)
            .map(str::to_string)
    };
    match scope.known() {
        None => "an unknown scope".to_string(),
        Some(s) => match &s.kind {
            ScopeKind::Key(v, k) => format!(
                "key `{}` in key vault `{}`",
                k.as_deref().unwrap_or("?"),
                v.as_deref().unwrap_or("?")
            ),
            ScopeKind::Vault(v) => format!("key vault `{}`", v.as_deref().unwrap_or("?")),
            ScopeKind::ResourceGroup => match real(&s.placement.resource_group) {
                Some(rg) => format!("resource group `{rg}`"),
                None => "the resource group the template deploys to".to_string(),
            },
            ScopeKind::Subscription => match real(&s.placement.subscription) {
                Some(sub) => format!("subscription `{sub}`"),
                None => "the subscription the template deploys to".to_string(),
            },
            ScopeKind::ManagementGroup => "a management group".to_string(),
            ScopeKind::Root => "the root scope `/`".to_string(),
            ScopeKind::Other => "another resource".to_string(),
        },
    }
}

/// The ARM id of a vault (or key) for `--scope`, exact when the vault's resource group is
/// known, otherwise computed by `az keyvault show`.
pub(crate) fn scope_arg(t: &Target, key: Option<&str>) -> String {
    let real = |s: &Option<String>| {
        s.as_deref()
            .filter(|s| *s != DEPLOYMENT_MARK)
            .map(str::to_string)
    };
    let vault = t
        .vault
        .clone()
        .unwrap_or_else(|| "<vault-name>".to_string());
    let suffix = key.map(|k| format!("/keys/{k}")).unwrap_or_default();
    match (real(&t.placement.subscription), real(&t.placement.resource_group)) {
        (Some(sub), Some(rg)) => format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.KeyVault/vaults/{vault}{suffix}"
        ),
        _ => format!("\"$(az keyvault show --name {vault} --query id -o tsv){suffix}\""),
    }
}
