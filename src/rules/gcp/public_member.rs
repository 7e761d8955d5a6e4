//! `gcp-public-member`: `allUsers` or `allAuthenticatedUsers` in a key's IAM policy.

use super::common;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::gcp::MemberKind;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct PublicMember;

static META: RuleMeta = RuleMeta {
    id: "gcp-public-member",
    group: Group::Gcp,
    severity: Severity::Error,
    summary: "A role on the key granted to `allUsers` or `allAuthenticatedUsers`",
    docs: r#"## What it checks

That no binding of the key's IAM policy grants a role to `allUsers` (anyone on the internet) or `allAuthenticatedUsers` (anyone with a Google account), whatever the role.

## Why it matters

The key protects every byte of the Aura instance's data. With Encrypter/Decrypter granted publicly anyone can decrypt what was encrypted with it; even Viewer publishes the key's metadata. Aura needs the roles only for its three service accounts.

## Example

```json
{
  "bindings": [
    {
      "members": [
        "allAuthenticatedUsers"
      ],
      "role": "roles/cloudkms.viewer"
    }
  ]
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
      "role": "roles/cloudkms.viewer"
    }
  ]
}
```

## Fix

`gcloud kms keys remove-iam-policy-binding KEY --keyring KEY_RING --location LOCATION --member allUsers --role ROLE`

## References

- https://cloud.google.com/iam/docs/principal-identifiers
"#,
    fixable: false,
};

impl Rule for PublicMember {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(policy) = common::policy(doc) else {
            return;
        };
        for binding in policy.bindings() {
            for member in &binding.members {
                let (name, who) = match member.kind {
                    MemberKind::AllUsers => ("allUsers", "anyone on the internet"),
                    MemberKind::AllAuthenticatedUsers => {
                        ("allAuthenticatedUsers", "anyone with a Google account")
                    }
                    _ => continue,
                };
                let role = binding.role().unwrap_or("a role");
                let message =
                    format!("`{name}` is granted `{role}` on the key, which opens it to {who}");
                let help = format!(
                    "remove `{name}` from the binding's `members`, or run `gcloud kms keys remove-iam-policy-binding KEY --keyring KEY_RING --location LOCATION --member {name} --role {role}`; Aura needs the roles only for its three service accounts"
                );
                let mut d =
                    Diagnostic::new(META.id, META.severity, member.span, message).with_help(help);
                if let Some(r) = &binding.role {
                    d = d.with_label(r.span, "granted this role");
                }
                out.push(d);
            }
        }
    }
}
