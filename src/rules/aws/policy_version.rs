//! `aws-policy-version`: the key policy's `Version` is missing or not `2012-10-17`.

use super::{head, policy};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct PolicyVersion;
pub static RULE: PolicyVersion = PolicyVersion;

static META: RuleMeta = RuleMeta {
    id: "aws-policy-version",
    group: Group::Aws,
    severity: Severity::Warning,
    summary: "Key policy `Version` missing or not `2012-10-17`",
    docs: r#"## What it checks

That a key policy has `"Version": "2012-10-17"`, the current IAM policy language version.

## Why it matters

Without a `Version`, or with the old `2008-10-17`, AWS evaluates the policy with the old language: policy variables such as `${aws:username}` are taken literally and newer features are not available, so a statement may not grant or deny what it seems to. The AWS console and the Aura documentation both use `2012-10-17`.

## Example

```json
{
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
  ]
}
```

## Use instead

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
  ]
}
```

## References

- AWS IAM User Guide, "IAM JSON policy elements: Version"
"#,
    fixable: false,
};

impl Rule for PolicyVersion {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        match &p.version {
            None => {
                if p
                    .members
                    .iter()
                    .any(|m| m.key.eq_ignore_ascii_case("Version"))
                {
                    return; // `version`: an unknown element, `aws-statement-invalid`
                }
                if super::has_syntax_issues(doc) {
                    return; // the tree may have lost it
                }
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        head(p.span),
                        "key policy has no `Version`",
                    )
                    .with_help(
                        "add `\"Version\": \"2012-10-17\"` as the first element of the policy",
                    ),
                );
            }
            Some(m) => match m.value.as_str() {
                Some("2012-10-17") => {}
                Some(other) => out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        m.value.span,
                        format!("key policy `Version` is `{other}`, not `2012-10-17`"),
                    )
                    .with_help(if other == "2008-10-17" {
                        "`2008-10-17` is the old policy language, in which policy variables are not substituted; set `\"Version\": \"2012-10-17\"`"
                    } else {
                        "`Version` is the policy language version, not a date of your choosing; set `\"Version\": \"2012-10-17\"`"
                    }),
                ),
                None => out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        m.value.span,
                        format!(
                            "key policy `Version` is a {}, not the string `2012-10-17`",
                            m.value.type_name()
                        ),
                    )
                    .with_help("set `\"Version\": \"2012-10-17\"`"),
                ),
            },
        }
    }
}
