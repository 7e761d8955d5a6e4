//! `gcp-conditional-binding`: a role Aura needs is granted to a service account only under
//! an IAM condition. Conditions on other roles are none of Aura's business.

use std::collections::BTreeSet;

use super::common::{self, Grant};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::gcp::REQUIRED_ROLES;
use crate::rules::{Context, Group, Rule, RuleMeta, Unit};

pub struct ConditionalBinding;

static META: RuleMeta = RuleMeta {
    id: "gcp-conditional-binding",
    group: Group::Gcp,
    severity: Severity::Warning,
    summary: "A required Cloud KMS role granted only under an IAM condition",
    docs: r#"## What it checks

That `roles/cloudkms.cryptoKeyEncrypterDecrypter` and `roles/cloudkms.viewer` are granted to Aura's service accounts (those in `[aura.gcp] service_accounts`, or every service account when that is not set) by a binding without a `condition`. An account that holds a role only through a conditional binding is reported once per role, at its member. Conditions on other roles are not judged.

## Why it matters

A condition such as an expiry date (`request.time < timestamp(...)`) or a resource-name match makes the grant silently stop applying. When it does, Aura can no longer use the key and the instance becomes unavailable; the data stays unreadable until the grant is restored. Aura's documentation asks for plain grants.

## Example

```json
{
  "bindings": [
    {
      "condition": {
        "expression": "request.time < timestamp(\"2025-01-01T00:00:00Z\")",
        "title": "temporary"
      },
      "members": [
        "serviceAccount:aura-a@neo4j-cmk.iam.gserviceaccount.com"
      ],
      "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    }
  ],
  "version": 3
}
```

## Use instead

```json
{
  "bindings": [
    {
      "members": [
        "serviceAccount:aura-a@neo4j-cmk.iam.gserviceaccount.com"
      ],
      "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter"
    }
  ],
  "version": 1
}
```

## References

- https://cloud.google.com/iam/docs/conditions-overview
"#,
    fixable: false,
};

impl Rule for ConditionalBinding {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check_unit(&self, unit: &Unit, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let configured = common::configured_accounts(unit.config);
        for folder in common::folders(unit) {
            let policies = folder.policy_list();
            let target = folder.target();
            for (role, title) in REQUIRED_ROLES {
                // The accounts to judge: the configured ones, or every service account
                // named in a conditional binding of the role.
                let accounts: BTreeSet<String> = if configured.is_empty() {
                    policies
                        .iter()
                        .flat_map(|p| p.bindings())
                        .filter(|b| b.role() == Some(role) && b.condition.is_some())
                        .flat_map(|b| &b.members)
                        .filter_map(|m| m.service_account().map(str::to_string))
                        .collect()
                } else {
                    configured.iter().cloned().collect()
                };
                for account in &accounts {
                    let Grant::Conditional(member, binding) =
                        common::grant(&policies, account, role)
                    else {
                        continue;
                    };
                    let Some((doc, _)) = folder
                        .policies
                        .iter()
                        .find(|(_, p)| p.bindings().iter().any(|b| std::ptr::eq(b, binding)))
                    else {
                        continue;
                    };
                    let condition = binding.condition.as_ref();
                    let what = condition.and_then(|c| c.title.as_ref()).map_or_else(
                        || "an IAM condition".to_string(),
                        |t| format!("the IAM condition `{}`", t.value),
                    );
                    let message = format!(
                        "service account `{account}` holds `{role}` ({title}) only under {what}"
                    );
                    let help = format!(
                        "grant the role without a condition: remove the `condition` from this binding (or move the account to a binding without one), or run `{} --condition=None`",
                        common::grant_command(&target, account, role)
                    );
                    let mut d = Diagnostic::new(META.id, META.severity, member.span, message)
                        .with_help(help)
                        .with_file(doc.source.clone());
                    if let Some(c) = condition {
                        let span = c.expression.as_ref().map_or(c.key_span, |e| e.span);
                        d = d.with_label(span, "the grant applies only while this holds");
                    }
                    out.push(d);
                }
            }
        }
    }
}
