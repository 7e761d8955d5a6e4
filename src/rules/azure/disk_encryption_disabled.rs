//! `azure-disk-encryption-disabled`: a vault whose `enabledForDiskEncryption` is not true.

use super::{check_flag, FlagCheck};
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct DiskEncryptionDisabled;

pub static RULE: DiskEncryptionDisabled = DiskEncryptionDisabled;

static META: RuleMeta = RuleMeta {
    id: "azure-disk-encryption-disabled",
    group: Group::Azure,
    severity: Severity::Warning,
    summary:
        "Key Vault is not enabled for Azure Disk Encryption (`enabledForDiskEncryption` not true)",
    docs: r#"## What it checks

That every Key Vault has `properties.enabledForDiskEncryption` set to `true`. Absent or `null` means off.

## Why it matters

The Aura documentation asks to enable "Azure Disk Encryption for volume encryption" on the key vault, so that the platform can retrieve the key to encrypt the volumes of the Aura instance.

## Example

```json
"properties": {
  "sku": { "family": "A", "name": "standard" },
  "tenantId": "[subscription().tenantId]",
  "enableRbacAuthorization": true,
  "enablePurgeProtection": true
}
```

## Use instead

```json
"properties": {
  "sku": { "family": "A", "name": "standard" },
  "tenantId": "[subscription().tenantId]",
  "enableRbacAuthorization": true,
  "enablePurgeProtection": true,
  "enabledForDiskEncryption": true
}
```

## Fix

ARM: `"enabledForDiskEncryption": true`. CLI: `az keyvault update --name <vault> --enabled-for-disk-encryption true`. Portal: the key vault > Settings > Access configuration > Azure Disk Encryption for volume encryption.

## References

- Aura documentation, Customer Managed Keys, "Create an Azure key vault"
"#,
    fixable: false,
};

static CHECK: FlagCheck = FlagCheck {
    meta: &META,
    property: "enabledForDiskEncryption",
    field: |v| &v.enabled_for_disk_encryption,
    default_on: |_| false,
    only_explicit_false: false,
    what: "Azure Disk Encryption access",
    help: |vault| {
        format!(
            "set `\"enabledForDiskEncryption\": true` in the vault's `properties`; for an existing vault run `az keyvault update --name {vault} --enabled-for-disk-encryption true`, or in the portal open the key vault > Access configuration > Azure Disk Encryption for volume encryption"
        )
    },
};

impl Rule for DiskEncryptionDisabled {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        check_flag(&CHECK, unit, out);
    }
}
