//! `azure-crypto-officer-missing`: Aura's service principal has no Key Vault Crypto Officer
//! role assignment on the key or its vault, joined across the unit by scope.

use super::{
    analyse, aura, covers, describe_scope, role_class, scope_arg, via_note, views, with_via_label,
    Aura, RoleClass, Target, Tri, Verdict, View, CRYPTO_OFFICER,
};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct CryptoOfficerMissing;

pub static RULE: CryptoOfficerMissing = CryptoOfficerMissing;

static META: RuleMeta = RuleMeta {
    id: "azure-crypto-officer-missing",
    group: Group::Azure,
    severity: Severity::Error,
    summary:
        "Aura's service principal has no Key Vault Crypto Officer assignment on the key or vault",
    docs: r#"## What it checks

With Aura's service principal configured (`[aura.azure] principal_id`, the object id, or `application_id`, the Neo4j CMK Application ID, which `az role assignment list` prints as `principalName`), that some role assignment in the unit gives it **Key Vault Crypto Officer** (role definition `14b46e9e-c2b7-41b4-b07b-48a6ebf60603`) on each vault the unit describes — at the key, the vault, or a scope above them. Assignments are joined to vaults and keys by `scope`, case-insensitively, across the unit's files (an ARM template, `az keyvault show`, `az keyvault key show` and `az role assignment list` output); never across units.

The rule needs role assignments to look at: a unit without any (no ARM `roleAssignments`, no `az role assignment list` output) is not judged. An assignment whose principal, role or scope is an expression cmklint cannot evaluate counts as possibly Aura's, so it silences the rule rather than fire on a guess. When Aura holds another Key Vault role instead, `azure-wrong-role` reports that alone.

## Why it matters

Aura wraps and unwraps the data keys of the instance with the Customer Managed Key through the Neo4j CMK Application. Without the Crypto Officer role on the key, Aura cannot use the key: the instance cannot be created, or becomes unavailable.

## Example

```json
[
  {
    "principalId": "3f0b5a2c-8d9e-4c71-a0b6-2e5d7c9f1a43",
    "principalName": "alice@contoso.com",
    "principalType": "User",
    "roleDefinitionId": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/providers/Microsoft.Authorization/roleDefinitions/00482a5a-887f-4fb3-b363-3b7fe8e74483",
    "roleDefinitionName": "Key Vault Administrator",
    "scope": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-aura/providers/Microsoft.KeyVault/vaults/kv-aura-prod"
  }
]
```

## Use instead

Add the Crypto Officer assignment for the Neo4j CMK Application, inside the key:

```json
{
  "principalId": "9a0c7e51-4b2d-4f6a-8e3c-1d2b3a4c5d6e",
  "principalName": "7d3c2b1a-0f9e-4d8c-b7a6-5e4f3d2c1b0a",
  "principalType": "ServicePrincipal",
  "roleDefinitionId": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  "roleDefinitionName": "Key Vault Crypto Officer",
  "scope": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-aura/providers/Microsoft.KeyVault/vaults/kv-aura-prod/keys/aura-cmk"
}
```

## Fix

Portal: the key > Access control (IAM) > Add role assignment > Key Vault Crypto Officer > members: the Neo4j CMK Application. CLI: `az role assignment create --role "Key Vault Crypto Officer" --assignee <application-id> --scope <key resource id>`. ARM: a `Microsoft.Authorization/roleAssignments` resource with `"scope": "Microsoft.KeyVault/vaults/<vault>/keys/<key>"` and `roleDefinitionId` `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '14b46e9e-c2b7-41b4-b07b-48a6ebf60603')]`.

## References

- Aura documentation, Customer Managed Keys, "Grant key permissions"
- Microsoft Learn, Azure built-in roles, Security: Key Vault Crypto Officer
"#,
    fixable: false,
};

impl Rule for CryptoOfficerMissing {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        let views = views(unit);
        let Some(aura) = aura(META.id, unit, cx, views) else {
            return;
        };
        let Some(verdicts) = analyse(views, &aura) else {
            if let Some(v) = views
                .iter()
                .find(|v| !v.model.vaults.is_empty() || !v.model.keys.is_empty())
            {
                cx.skip(
                    META.id,
                    &v.doc.source.path,
                    "the unit holds no role assignments (no ARM roleAssignments, no `az role assignment list` output), so nothing shows whether Aura's is there",
                );
            }
            return;
        };
        for (t, verdict) in verdicts {
            if !matches!(verdict, Verdict::Missing) {
                continue;
            }
            if let Some(d) = application_id_as_principal(views, &aura, &t) {
                out.push(d);
                continue;
            }
            let (view, span, what) = t.describe();
            let key = t.single_key();
            let scope = scope_arg(&t, key);
            let arm_scope = format!(
                "Microsoft.KeyVault/vaults/{}{}",
                t.vault.as_deref().unwrap_or("<vault-name>"),
                key.map(|k| format!("/keys/{k}")).unwrap_or_default()
            );
            let message = format!(
                "{} has no Key Vault Crypto Officer role assignment on {what}",
                aura.describe()
            );
            let help = format!(
                "assign Key Vault Crypto Officer to the Neo4j CMK Application {}: in the portal open the {} > Access control (IAM) > Add role assignment > Key Vault Crypto Officer; or run `az role assignment create --role \"Key Vault Crypto Officer\" {} --scope {scope}`; or add a `Microsoft.Authorization/roleAssignments` resource with `\"scope\": \"{arm_scope}\"` and `roleDefinitionId` ending in `{CRYPTO_OFFICER}`",
                if key.is_some() { "inside the key" } else { "on the key (or the vault)" },
                if key.is_some() { "key" } else { "key vault" },
                aura.assignee_args(),
            );
            out.push(
                Diagnostic::new(META.id, META.severity, span, message)
                    .with_help(help)
                    .with_file(views[view].doc.source.clone()),
            );
        }
    }
}

/// The common slip of giving the Neo4j CMK Application's *application* id as the role
/// assignment's `principalId` (which takes the service principal's object id): the Crypto
/// Officer assignment is there but for no principal. Reported at that `principalId`.
fn application_id_as_principal(views: &[View], aura: &Aura, t: &Target) -> Option<Diagnostic> {
    let app = aura.application_id?;
    views.iter().enumerate().find_map(|(i, v)| {
        v.model.assignments.iter().find_map(|a| {
            let pid = a.principal_id.known()?;
            if !pid.eq_ignore_ascii_case(app)
                || aura.principal_id.is_some_and(|p| p.eq_ignore_ascii_case(app))
                || role_class(a) != RoleClass::CryptoOfficer
                || covers(&a.scope, i, t) == Tri::No
            {
                return None;
            }
            let at = a.principal_id.at()?;
            let message = format!(
                "the Key Vault Crypto Officer assignment on {} names Aura's application id `{app}` as `principalId`{}, not the object id of its service principal",
                describe_scope(&a.scope),
                via_note(Some(at))
            );
            let object_id = match aura.principal_id {
                Some(p) => format!("`{p}`"),
                None => format!("`az ad sp show --id {app} --query id -o tsv`"),
            };
            let help = format!(
                "`principalId` takes the object id of the service principal made from the Neo4j CMK Application: use {object_id} (with `\"principalType\": \"ServicePrincipal\"`)"
            );
            let d = Diagnostic::new(META.id, META.severity, at.span, message)
                .with_help(help)
                .with_file(views[i].doc.source.clone());
            Some(with_via_label(d, Some(at)))
        })
    })
}
