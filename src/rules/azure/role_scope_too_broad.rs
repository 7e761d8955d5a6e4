//! `azure-role-scope-too-broad`: Aura's Crypto Officer assignment at resource group,
//! subscription, management group or root scope.

use super::{aura, describe_scope, role_class, scope_arg, targets, views, RoleClass, Tri};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::azure::{AzureKind, Field};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct RoleScopeTooBroad;

pub static RULE: RoleScopeTooBroad = RoleScopeTooBroad;

static META: RuleMeta = RuleMeta {
    id: "azure-role-scope-too-broad",
    group: Group::Azure,
    severity: Severity::Warning,
    summary:
        "Aura's Key Vault Crypto Officer assignment is at resource group or subscription scope",
    docs: r#"## What it checks

With Aura's service principal configured (`[aura.azure] principal_id` or `application_id`), that its Key Vault Crypto Officer assignment is scoped to the key (or at most its vault), not to a resource group, subscription, management group or the root scope. An ARM `Microsoft.Authorization/roleAssignments` resource without a `scope` property applies to the resource group (or subscription) the template is deployed to, and is reported too.

## Why it matters

The Aura documentation grants the role "inside the key". At resource group or subscription scope the Neo4j CMK Application can use and manage every key of every vault there, not only the one Aura encrypts with.

## Example

```json
{
  "principalName": "7d3c2b1a-0f9e-4d8c-b7a6-5e4f3d2c1b0a",
  "principalType": "ServicePrincipal",
  "roleDefinitionName": "Key Vault Crypto Officer",
  "roleDefinitionId": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/providers/Microsoft.Authorization/roleDefinitions/14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
  "scope": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-aura"
}
```

## Use instead

```json
"scope": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/rg-aura/providers/Microsoft.KeyVault/vaults/kv-aura-prod/keys/aura-cmk"
```

## Fix

Create the assignment on the key (portal: the key > Access control (IAM); CLI: `az role assignment create --role "Key Vault Crypto Officer" --assignee <application-id> --scope <key resource id>`; ARM: `"scope": "Microsoft.KeyVault/vaults/<vault>/keys/<key>"`), then delete the broad one (`az role assignment delete --ids <assignment id>`).

## References

- Aura documentation, Customer Managed Keys, "Grant key permissions"
- Microsoft Learn, "Best practices for Azure RBAC" (least privilege)
"#,
    fixable: false,
};

impl Rule for RoleScopeTooBroad {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        let views = views(unit);
        let Some(aura) = aura(META.id, unit, cx, views) else {
            return;
        };
        let targets = targets(views);
        for view in views {
            for a in &view.model.assignments {
                if aura.matches(a) != Tri::Yes || role_class(a) != RoleClass::CryptoOfficer {
                    continue;
                }
                let Field::Known(scope, _) = &a.scope else {
                    continue;
                };
                if !scope.kind.is_broad() {
                    continue;
                }
                let message = format!(
                    "{} holds Key Vault Crypto Officer on {}{}, which covers every key vault there",
                    aura.describe(),
                    describe_scope(&a.scope),
                    if a.scope_implicit {
                        " (the role assignment has no `scope`)"
                    } else {
                        ""
                    }
                );
                let delete = match &a.id {
                    Some(id) => format!("az role assignment delete --ids {id}"),
                    None => "az role assignment delete --ids <assignment id>".to_string(),
                };
                // The key to scope it to, when the unit names exactly one.
                let (arm_scope, cli_scope) = match targets.as_slice() {
                    [t] => {
                        let key = t.single_key().unwrap_or("<key-name>");
                        (
                            format!(
                                "Microsoft.KeyVault/vaults/{}/keys/{key}",
                                t.vault.as_deref().unwrap_or("<vault-name>")
                            ),
                            scope_arg(t, Some(key)),
                        )
                    }
                    _ => (
                        "Microsoft.KeyVault/vaults/<vault>/keys/<key>".to_string(),
                        "<key resource id>".to_string(),
                    ),
                };
                let help = if view.model.kind == AzureKind::Template {
                    format!(
                        "scope the assignment to the key instead: add `\"scope\": \"{arm_scope}\"` to this role assignment"
                    )
                } else {
                    format!(
                        "scope the assignment to the key instead: run `az role assignment create --role \"Key Vault Crypto Officer\" {} --scope {cli_scope}` (or in the portal: the key > Access control (IAM) > Add role assignment), then `{delete}`",
                        aura.assignee_args()
                    )
                };
                out.push(
                    Diagnostic::new(META.id, META.severity, a.scope_anchor, message)
                        .with_help(help)
                        .with_file(view.doc.source.clone()),
                );
            }
        }
    }
}
