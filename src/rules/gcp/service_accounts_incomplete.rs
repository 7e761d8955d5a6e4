//! `gcp-service-accounts-incomplete`: without `[aura.gcp] service_accounts`, fewer than
//! three service accounts hold both roles Aura needs.
//!
//! Aura shows three service accounts and asks for both roles for each. Without the list in
//! the configuration cmklint cannot name the missing one, but it can count. An account
//! counts for a role even when the grant is conditional or its member malformed: those are
//! reported by their own rules.

use std::collections::BTreeSet;

use super::common;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::gcp::{MemberKind, ROLE_ENCRYPTER_DECRYPTER, ROLE_VIEWER};
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct ServiceAccountsIncomplete;

/// How many service accounts the Aura Console shows.
const AURA_ACCOUNTS: usize = 3;

static META: RuleMeta = RuleMeta {
    id: "gcp-service-accounts-incomplete",
    group: Group::Gcp,
    severity: Severity::Warning,
    summary: "Without configured service accounts: fewer than three service accounts hold both Cloud KMS roles",
    docs: r#"## What it checks

When `[aura.gcp] service_accounts` is not configured, that at least three service accounts hold both `roles/cloudkms.cryptoKeyEncrypterDecrypter` and `roles/cloudkms.viewer` in the key's IAM policy (the IAM policies of one folder are read together). With the accounts configured, `gcp-role-missing` names each missing grant instead and this rule stays silent.

## Why it matters

The Aura Console shows three service accounts and asks for both roles for all three. A policy where fewer than three accounts hold both roles almost always means one account was forgotten or given only one role, and Aura cannot use the key.

## Example

```json
{
  "bindings": [
    {
      "members": [
        "serviceAccount:aura-a@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-b@neo4j-cmk.iam.gserviceaccount.com"
      ],
      "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    },
    {
      "members": [
        "serviceAccount:aura-a@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-b@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-c@neo4j-cmk.iam.gserviceaccount.com"
      ],
      "role": "roles/cloudkms.viewer"
    }
  ],
  "etag": "BwYh3Xo2Jk8=",
  "version": 1
}
```

## Use instead

All three accounts in both bindings; and list them in the configuration so that cmklint can name a missing one:

```toml
[aura.gcp]
service_accounts = ["aura-a@neo4j-cmk.iam.gserviceaccount.com", "aura-b@neo4j-cmk.iam.gserviceaccount.com", "aura-c@neo4j-cmk.iam.gserviceaccount.com"]
```

## References

- Aura documentation, Customer Managed Keys, "Grant key permissions"
"#,
    fixable: false,
};

impl Rule for ServiceAccountsIncomplete {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        if !common::configured_accounts(unit.config).is_empty() {
            return; // gcp-role-missing names each missing grant
        }
        for folder in common::folders(unit) {
            let Some((first, first_policy)) = folder.policies.first() else {
                continue;
            };
            if !folder.policies_intact() {
                cx.skip(
                    META.id,
                    &first.source.path,
                    "an IAM policy in the folder has syntax errors",
                );
                continue;
            }
            let unknown = folder
                .policies
                .iter()
                .flat_map(|(_, p)| p.bindings())
                .filter(|b| {
                    b.role() == Some(ROLE_ENCRYPTER_DECRYPTER) || b.role() == Some(ROLE_VIEWER)
                })
                .flat_map(|b| &b.members)
                .any(|m| m.kind == MemberKind::Unknown);
            if unknown {
                cx.skip(
                    META.id,
                    &first.source.path,
                    "a member of a Cloud KMS role binding is a template whose value is unknown",
                );
                continue;
            }
            let holders = |role: &str| -> BTreeSet<&str> {
                folder
                    .policies
                    .iter()
                    .flat_map(|(_, p)| p.bindings())
                    .filter(|b| b.role() == Some(role))
                    .flat_map(|b| &b.members)
                    .filter_map(|m| m.meant_account())
                    .filter(|a| crate::document::gcp::is_service_account_email(a))
                    .collect()
            };
            let enc = holders(ROLE_ENCRYPTER_DECRYPTER);
            let view = holders(ROLE_VIEWER);
            let both: Vec<&str> = enc.intersection(&view).copied().collect();
            if both.len() >= AURA_ACCOUNTS {
                continue;
            }
            let message = match both.len() {
                0 => "no service account holds both `roles/cloudkms.cryptoKeyEncrypterDecrypter` and `roles/cloudkms.viewer`; Aura needs three".to_string(),
                1 => "only 1 service account holds both `roles/cloudkms.cryptoKeyEncrypterDecrypter` and `roles/cloudkms.viewer`; Aura needs three".to_string(),
                n => format!("only {n} service accounts hold both `roles/cloudkms.cryptoKeyEncrypterDecrypter` and `roles/cloudkms.viewer`; Aura needs three"),
            };
            let mut notes = Vec::new();
            for a in enc.difference(&view) {
                notes.push(format!("`{a}` holds only Encrypter/Decrypter"));
            }
            for a in view.difference(&enc) {
                notes.push(format!("`{a}` holds only Viewer"));
            }
            let mut help = String::from(
                "grant both roles to each of the three service accounts the Aura Console shows",
            );
            if !notes.is_empty() {
                help.push_str(&format!(" ({})", notes.join("; ")));
            }
            help.push_str(", and list them in `[aura.gcp] service_accounts` in `cmklint.toml` so that cmklint can name a missing grant");
            out.push(
                Diagnostic::new(META.id, META.severity, first_policy.anchor(), message)
                    .with_help(help)
                    .with_file(first.source.clone()),
            );
        }
    }
}
