//! `azure-rbac-disabled`: a vault on the access-policy permission model.

use super::{check_flag, FlagCheck};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::azure::Vault;
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct RbacDisabled;

pub static RULE: RbacDisabled = RbacDisabled;

static META: RuleMeta = RuleMeta {
    id: "azure-rbac-disabled",
    group: Group::Azure,
    severity: Severity::Error,
    summary:
        "Key Vault uses access policies instead of Azure RBAC (`enableRbacAuthorization` not true)",
    docs: r#"## What it checks

That every Key Vault has `properties.enableRbacAuthorization` set to `true`. Absent or `null` means the access-policy model for API versions before `2026-02-01`; a template resource declared with `apiVersion` `2026-02-01` or later defaults to RBAC and is not reported when the property is absent.

## Why it matters

Aura is granted access to the key through an Azure role assignment (Key Vault Crypto Officer). Key Vault roles take effect only on a vault that uses the Azure role-based access control permission model; on a vault with access policies the assignment does nothing and Aura cannot use the key.

## Example

```json
"properties": {
  "sku": { "family": "A", "name": "standard" },
  "tenantId": "[subscription().tenantId]",
  "enableRbacAuthorization": false,
  "accessPolicies": []
}
```

## Use instead

```json
"properties": {
  "sku": { "family": "A", "name": "standard" },
  "tenantId": "[subscription().tenantId]",
  "enableRbacAuthorization": true
}
```

## Fix

ARM: `"enableRbacAuthorization": true`. CLI: `az keyvault update --name <vault> --enable-rbac-authorization true`. Portal: the key vault > Settings > Access configuration > Permission model > Azure role-based access control.

## References

- Aura documentation, Customer Managed Keys, "Create an Azure key vault"
- Microsoft Learn, "Provide access to Key Vault keys, certificates, and secrets with Azure role-based access control"
"#,
    fixable: false,
};

/// API version 2026-02-01 makes RBAC the default for new vaults (DOMAIN §2).
fn rbac_by_default(v: &Vault) -> bool {
    v.api_version
        .as_deref()
        .is_some_and(|a| a.get(..10).is_some_and(|d| d >= "2026-02-01"))
}

static CHECK: FlagCheck = FlagCheck {
    meta: &META,
    property: "enableRbacAuthorization",
    field: |v| &v.enable_rbac_authorization,
    default_on: rbac_by_default,
    only_explicit_false: false,
    what: "Azure RBAC authorization",
    help: |vault| {
        format!(
            "set `\"enableRbacAuthorization\": true` in the vault's `properties`; for an existing vault run `az keyvault update --name {vault} --enable-rbac-authorization true`, or in the portal open the key vault > Access configuration > Permission model > Azure role-based access control"
        )
    },
};

impl Rule for RbacDisabled {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        check_flag(&CHECK, unit, out);
    }
}
