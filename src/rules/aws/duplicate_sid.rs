//! `aws-duplicate-sid`: two statements of one key policy share a `Sid`.

use std::collections::HashMap;

use super::policy;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};
use crate::source::Span;

pub struct DuplicateSid;
pub static RULE: DuplicateSid = DuplicateSid;

static META: RuleMeta = RuleMeta {
    id: "aws-duplicate-sid",
    group: Group::Aws,
    severity: Severity::Warning,
    summary: "Two key policy statements with the same `Sid`",
    docs: r#"## What it checks

That no two statements of a key policy have the same `Sid`.

## Why it matters

IAM requires `Sid` values to be unique within a policy. A repeated `Sid` usually means a statement was pasted twice, or the Aura-generated statements were pasted over an older copy: one of the two is stale, and tools that address statements by `Sid` (and the comparison with the Aura-generated statements) pick the wrong one.

## Example

```json
"Statement": [
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}},
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

## Use instead

```json
"Statement": [
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}},
  {"Sid": "Allow Neo4j grants", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

## References

- AWS IAM User Guide, "IAM JSON policy elements: Sid"
"#,
    fixable: false,
};

impl Rule for DuplicateSid {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        // Statements inside a nested array or pasted policy are the splice rules' concern.
        let mut first: HashMap<&str, Span> = HashMap::new();
        for st in p.statements.iter().filter(|s| !s.spliced) {
            let Some(sid) = st.sid.as_ref().filter(|s| !s.value.is_empty()) else {
                continue;
            };
            match first.get(sid.value.as_str()) {
                None => {
                    first.insert(&sid.value, sid.span);
                }
                Some(&earlier) => out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        sid.span,
                        format!("`Sid` `{}` is used by an earlier statement too", sid.value),
                    )
                    .with_label(earlier, "first used here")
                    .with_help("give each statement its own `Sid`; if this is a second copy of the same statement, remove one of them"),
                ),
            }
        }
    }
}
