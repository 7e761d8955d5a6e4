//! `gcp-role-missing`: a service account of `[aura.gcp] service_accounts` lacks one of the
//! two roles Aura needs on the key. One finding per (account, role).
//!
//! The policies of one folder are judged together (a key policy and its key ring's policy
//! grant to the same key). An account that holds the role only under an IAM condition, or
//! only through a malformed member, is left to `gcp-conditional-binding` and
//! `gcp-member-format` (one mistake, one finding).

use super::common::{self, Grant};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::gcp::{IamPolicy, REQUIRED_ROLES};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};
use crate::source::Span;

pub struct RoleMissing;

static META: RuleMeta = RuleMeta {
    id: "gcp-role-missing",
    group: Group::Gcp,
    severity: Severity::Error,
    summary: "A required service account lacks Cloud KMS CryptoKey Encrypter/Decrypter or Cloud KMS Viewer on the key",
    docs: r#"## What it checks

For every service account listed in `[aura.gcp] service_accounts` (the three the Aura Console shows after *Add Key*), that the key's IAM policy grants it both `roles/cloudkms.cryptoKeyEncrypterDecrypter` (Cloud KMS CryptoKey Encrypter/Decrypter) and `roles/cloudkms.viewer` (Cloud KMS Viewer). It reports one finding per missing account and role, at the binding of that role (or at `bindings` when the policy has no binding of that role).

The IAM policies in one folder are read together, so a grant on the key ring (`gcloud kms keyrings get-iam-policy`) saved beside the key's policy counts. A role granted only under an IAM condition is reported by `gcp-conditional-binding`, a member written without its `serviceAccount:` prefix by `gcp-member-format`, not again here. Without `[aura.gcp] service_accounts` the rule is skipped (`gcp-service-accounts-incomplete` counts accounts instead).

## Why it matters

Aura asks for both roles for all three accounts. Without Encrypter/Decrypter Aura cannot wrap or unwrap data keys; without Viewer it cannot read the key's state. Either way the instance cannot be created with the key, or stops working when the grant is removed.

## Example

```toml
[aura.gcp]
service_accounts = ["aura-a@neo4j-cmk.iam.gserviceaccount.com", "aura-b@neo4j-cmk.iam.gserviceaccount.com", "aura-c@neo4j-cmk.iam.gserviceaccount.com"]
```

```json
{
  "bindings": [
    {
      "members": [
        "serviceAccount:aura-a@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-b@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-c@neo4j-cmk.iam.gserviceaccount.com"
      ],
      "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    },
    {
      "members": [
        "serviceAccount:aura-a@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-b@neo4j-cmk.iam.gserviceaccount.com"
      ],
      "role": "roles/cloudkms.viewer"
    }
  ],
  "etag": "BwYh3Xo2Jk8=",
  "version": 1
}
```

## Use instead

```json
    {
      "members": [
        "serviceAccount:aura-a@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-b@neo4j-cmk.iam.gserviceaccount.com",
        "serviceAccount:aura-c@neo4j-cmk.iam.gserviceaccount.com"
      ],
      "role": "roles/cloudkms.viewer"
    }
```

## Fix

`gcloud kms keys add-iam-policy-binding KEY --keyring KEY_RING --location LOCATION --member serviceAccount:ACCOUNT --role roles/cloudkms.viewer`, or in the console: the key, *Permissions*, *Grant access*.

## References

- Aura documentation, Customer Managed Keys, "Grant key permissions"
- https://cloud.google.com/kms/docs/iam
"#,
    fixable: false,
};

impl Rule for RoleMissing {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, cx: &Context, out: &mut Vec<Diagnostic>) {
        let accounts = common::configured_accounts(unit.config);
        for folder in common::folders(unit) {
            let Some((first, _)) = folder.policies.first() else {
                continue;
            };
            if accounts.is_empty() {
                cx.skip(
                    META.id,
                    &first.source.path,
                    "`[aura.gcp] service_accounts` is not set (list the three service accounts the Aura Console shows)",
                );
                continue;
            }
            if !folder.policies_intact() {
                cx.skip(
                    META.id,
                    &first.source.path,
                    "an IAM policy in the folder has syntax errors",
                );
                continue;
            }
            let policies = folder.policy_list();
            let target = folder.target();
            for (role, title) in REQUIRED_ROLES {
                for account in &accounts {
                    let deleted = match common::grant(&policies, account, role) {
                        Grant::Absent { deleted } => deleted,
                        Grant::Held
                        | Grant::Conditional(..)
                        | Grant::Malformed
                        | Grant::Unknown => continue,
                    };
                    let Some(at) = place(&folder.policies, role) else {
                        continue;
                    };
                    let mut message =
                        format!("service account `{account}` lacks `{role}` ({title})");
                    if deleted {
                        message.push_str("; the policy names only a deleted account of that name");
                    }
                    let command = common::grant_command(&target, account, role);
                    let help = match &at.misspelt {
                        Some(got) => format!(
                            "this binding's role `{got}` is not a role id IAM knows; write `{role}` (and make sure `serviceAccount:{account}` is among its members), or run `{command}`"
                        ),
                        None if deleted => format!(
                            "a grant to a deleted account does not carry over to an account created again under the same name: replace the `deleted:serviceAccount:{account}?uid=…` member with `\"serviceAccount:{account}\"`, or run `{command}`"
                        ),
                        None => format!(
                            "add `\"serviceAccount:{account}\"` to the `members` of the `{role}` binding, or run `{command}`"
                        ),
                    };
                    let mut d = Diagnostic::new(META.id, META.severity, at.span, message)
                        .with_help(help)
                        .with_file(at.doc.source.clone());
                    if let Some((lspan, ltext)) = at.label {
                        d = d.with_label(lspan, ltext);
                    }
                    out.push(d);
                }
            }
        }
    }
}

/// Where a missing grant of `role` is reported.
struct Place<'a> {
    doc: &'a Document,
    span: Span,
    label: Option<(Span, String)>,
    /// A binding whose role misspells `role`.
    misspelt: Option<String>,
}

/// The first unconditional binding of the role, else any binding of it, else a binding
/// whose role misspells it, else the first policy's `bindings`.
fn place<'a>(policies: &[(&'a Document, &'a IamPolicy)], role: &str) -> Option<Place<'a>> {
    let bindings = || {
        policies
            .iter()
            .flat_map(|(d, p)| p.bindings().iter().map(move |b| (*d, b)))
    };
    let exact = bindings()
        .find(|(_, b)| b.role() == Some(role) && b.condition.is_none())
        .or_else(|| bindings().find(|(_, b)| b.role() == Some(role)));
    if let Some((doc, b)) = exact {
        let label = b
            .members_span
            .map(|s| (s, "the account is not among these members".to_string()));
        return Some(Place {
            doc,
            span: b.anchor(),
            label,
            misspelt: None,
        });
    }
    let misspelt = bindings().find(|(_, b)| {
        b.role()
            .and_then(common::misspelt_required_role)
            .is_some_and(|r| r == role)
    });
    if let Some((doc, b)) = misspelt {
        return Some(Place {
            doc,
            span: b.anchor(),
            label: None,
            misspelt: b.role().map(str::to_string),
        });
    }
    policies.first().map(|(doc, p)| Place {
        doc,
        span: p.anchor(),
        label: None,
        misspelt: None,
    })
}
