//! `azure-wrong-role`: Aura's service principal holds another role on the key or vault
//! instead of Key Vault Crypto Officer.

use super::{analyse, aura, describe_scope, views, Verdict, CRYPTO_OFFICER};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::azure::AzureKind;
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct WrongRole;

pub static RULE: WrongRole = WrongRole;

static META: RuleMeta = RuleMeta {
    id: "azure-wrong-role",
    group: Group::Azure,
    severity: Severity::Error,
    summary:
        "Aura's service principal has another Key Vault role instead of Key Vault Crypto Officer",
    docs: r#"## What it checks

With Aura's service principal configured (`[aura.azure] principal_id` or `application_id`), that a role assignment giving it a built-in role on a vault or key — Key Vault Crypto Service Encryption User, Crypto User, Administrator, Reader, Secrets or Certificates Officer, Owner, Contributor, … — is not the only thing it holds there: when no Key Vault Crypto Officer assignment covers that vault, each such assignment is reported at its `roleDefinitionId` (and `azure-crypto-officer-missing` stays silent: one mistake, one finding). Roles are matched by the GUID at the end of `roleDefinitionId`; a custom role is not judged.

## Why it matters

The Aura documentation asks for exactly Key Vault Crypto Officer. Key Vault Crypto Service Encryption User — the role Azure services usually get for customer-managed keys — looks right but is not what Aura is set up to use, and management-plane roles such as Owner or Contributor give no access to keys at all.

## Example

```json
{
  "type": "Microsoft.Authorization/roleAssignments",
  "apiVersion": "2022-04-01",
  "name": "[guid(resourceId('Microsoft.KeyVault/vaults/keys', 'kv-aura-prod', 'aura-cmk'), 'aura')]",
  "scope": "Microsoft.KeyVault/vaults/kv-aura-prod/keys/aura-cmk",
  "properties": {
    "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'e147488a-f6f5-4113-8e2d-b22465e65bf6')]",
    "principalId": "9a0c7e51-4b2d-4f6a-8e3c-1d2b3a4c5d6e",
    "principalType": "ServicePrincipal"
  }
}
```

## Use instead

```json
"roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '14b46e9e-c2b7-41b4-b07b-48a6ebf60603')]"
```

## Fix

Assign Key Vault Crypto Officer instead (portal: the key > Access control (IAM) > Add role assignment; CLI: `az role assignment create --role "Key Vault Crypto Officer" --assignee <application-id> --scope <key resource id>`), then remove the other assignment if nothing else needs it.

## References

- Aura documentation, Customer Managed Keys, "Grant key permissions"
- Microsoft Learn, Azure built-in roles, Security
"#,
    fixable: false,
};

impl Rule for WrongRole {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        let views = views(unit);
        let Some(aura) = aura(META.id, unit, cx, views) else {
            return;
        };
        let Some(verdicts) = analyse(views, &aura) else {
            return;
        };
        let mut seen: Vec<*const crate::document::azure::RoleAssignment> = Vec::new();
        for (_, verdict) in verdicts {
            let Verdict::WrongRoles(wrong) = verdict else {
                continue;
            };
            for (view, a, role) in wrong {
                let ptr: *const _ = a;
                if seen.contains(&ptr) {
                    continue;
                }
                seen.push(ptr);
                let Some(span) = a.role.span() else {
                    continue;
                };
                let role = a.role_name.clone().unwrap_or(role);
                let message = format!(
                    "{} has {role} on {} instead of Key Vault Crypto Officer",
                    aura.describe(),
                    describe_scope(&a.scope)
                );
                let help = if views[view].model.kind == AzureKind::Template {
                    format!(
                        "Aura needs Key Vault Crypto Officer: set `roleDefinitionId` to `[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '{CRYPTO_OFFICER}')]`"
                    )
                } else {
                    let scope = a.scope_text.as_deref().unwrap_or("<same scope>");
                    let delete = match &a.id {
                        Some(id) => format!("; then remove this {role} assignment if nothing else needs it: `az role assignment delete --ids {id}`"),
                        None => format!("; then remove this {role} assignment if nothing else needs it"),
                    };
                    format!(
                        "Aura needs Key Vault Crypto Officer (`{CRYPTO_OFFICER}`): run `az role assignment create --role \"Key Vault Crypto Officer\" {} --scope {scope}`, or in the portal add it under Access control (IAM) > Add role assignment{delete}",
                        aura.assignee_args()
                    )
                };
                out.push(
                    Diagnostic::new(META.id, META.severity, span, message)
                        .with_help(help)
                        .with_file(views[view].doc.source.clone()),
                );
            }
        }
    }
}
