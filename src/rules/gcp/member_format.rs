//! `gcp-member-format`: a binding member that is not a valid IAM principal: a bare email
//! without its `serviceAccount:` prefix, a misspelt or wrongly capitalised type, spaces, a
//! service account written as `user:`. `deleted:serviceAccount:…?uid=…` is valid (IAM
//! writes it for a deleted principal).

use super::common;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::document::gcp::MemberKind;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct MemberFormat;

static META: RuleMeta = RuleMeta {
    id: "gcp-member-format",
    group: Group::Gcp,
    severity: Severity::Error,
    summary: "A binding member without its type prefix (`serviceAccount:`) or otherwise malformed",
    docs: r#"## What it checks

That every entry of a binding's `members` is a principal as IAM writes it: `serviceAccount:EMAIL`, `user:EMAIL`, `group:EMAIL`, `domain:DOMAIN`, `principal://…`, `principalSet://…`, `allUsers`, `allAuthenticatedUsers`, or `deleted:serviceAccount:EMAIL?uid=NUMBER` for a deleted principal. It finds an email without its type prefix (pasted straight from the Aura Console), a type with the wrong capitalisation (`serviceaccount:`), a misspelt type, a space after the colon or around the member, and a service account written as `user:`.

## Why it matters

IAM rejects a policy with a malformed member, so the grant is never applied and Aura's service account cannot use the key. A member that looks right to a reader but is not what IAM expects is easy to miss in review.

## Example

```json
{
  "bindings": [
    {
      "members": [
        "aura-a@neo4j-cmk.iam.gserviceaccount.com"
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

Where the intent is unambiguous (a service account email, a wrongly capitalised type, stray spaces) `--fix` writes the member in its valid form.

## References

- https://cloud.google.com/iam/docs/reference/rest/v1/Policy#Binding
"#,
    fixable: true,
};

impl Rule for MemberFormat {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(policy) = common::policy(doc) else {
            return;
        };
        for binding in policy.bindings() {
            for member in &binding.members {
                let MemberKind::Malformed(problem) = &member.kind else {
                    continue;
                };
                let shown = member.text.as_deref().unwrap_or("");
                let message = if member.text.is_some() {
                    format!("member `{shown}` {}", problem.what)
                } else {
                    format!("member {}", problem.what)
                };
                let span = match problem.focus {
                    Some((s, e)) => member.sub_span(s, e),
                    None => member.span,
                };
                let mut d = Diagnostic::new(META.id, META.severity, span, message)
                    .with_help(problem.help.clone());
                if let Some((s, e, replacement)) = &problem.fix {
                    // Only when the member's text maps byte for byte onto the file.
                    if member.origin.is_some() {
                        let edit_span = member.sub_span(*s, *e);
                        let mut fixed = shown.to_string();
                        fixed.replace_range(*s..*e, replacement);
                        d = d.with_fix(Fix {
                            description: format!("write the member as `{fixed}`"),
                            edits: vec![Edit {
                                span: edit_span,
                                replacement: replacement.clone(),
                            }],
                            applicability: Applicability::Safe,
                        });
                    }
                }
                out.push(d);
            }
        }
    }
}
