//! `azure-purge-protection-disabled`: a vault whose `enablePurgeProtection` is not true.

use super::{check_flag, FlagCheck};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct PurgeProtectionDisabled;

pub static RULE: PurgeProtectionDisabled = PurgeProtectionDisabled;

static META: RuleMeta = RuleMeta {
    id: "azure-purge-protection-disabled",
    group: Group::Azure,
    severity: Severity::Error,
    summary: "Key Vault purge protection is not enabled (`enablePurgeProtection` not true)",
    docs: r#"## What it checks

That every Key Vault (in an ARM template or `az keyvault show` output) has `properties.enablePurgeProtection` set to `true`. Absent or `null` means off. A value that comes from an ARM expression cmklint cannot evaluate is not judged.

## Why it matters

The Aura documentation asks for purge protection on the vault that holds the Customer Managed Key. Without it, a deleted key (or vault) can be purged before its retention period ends, by mistake or by an attacker, and every Aura instance encrypted with it becomes unreadable for good.

## Example

```json
{
  "type": "Microsoft.KeyVault/vaults",
  "apiVersion": "2023-07-01",
  "name": "kv-aura-prod",
  "location": "uksouth",
  "properties": {
    "tenantId": "[subscription().tenantId]",
    "sku": { "family": "A", "name": "standard" },
    "enableRbacAuthorization": true
  }
}
```

## Use instead

```json
{
  "type": "Microsoft.KeyVault/vaults",
  "apiVersion": "2023-07-01",
  "name": "kv-aura-prod",
  "location": "uksouth",
  "properties": {
    "tenantId": "[subscription().tenantId]",
    "sku": { "family": "A", "name": "standard" },
    "enableRbacAuthorization": true,
    "enablePurgeProtection": true
  }
}
```

## Fix

ARM: `"enablePurgeProtection": true` in the vault's `properties`. CLI: `az keyvault update --name <vault> --enable-purge-protection true`. Portal: the key vault > Properties > Purge protection > Enable purge protection. Once on, it cannot be turned off.

## References

- Aura documentation, Customer Managed Keys, "Create an Azure key vault"
- Microsoft Learn, "Azure Key Vault soft-delete overview" (purge protection)
"#,
    fixable: false,
};

static CHECK: FlagCheck = FlagCheck {
    meta: &META,
    property: "enablePurgeProtection",
    field: |v| &v.enable_purge_protection,
    default_on: |_| false,
    only_explicit_false: false,
    what: "purge protection",
    help: |vault| {
        format!(
            "set `\"enablePurgeProtection\": true` in the vault's `properties`; for an existing vault run `az keyvault update --name {vault} --enable-purge-protection true`, or in the portal open the key vault > Properties > Purge protection > Enable purge protection (it cannot be turned off again)"
        )
    },
};

impl Rule for PurgeProtectionDisabled {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        check_flag(&CHECK, unit, out);
    }
}
