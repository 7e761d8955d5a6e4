//! `aws-statement-invalid`: a statement missing `Effect`, `Principal`, `Action` or
//! `Resource`, with a bad `Effect`, with both `Action` and `NotAction`, with an element
//! IAM does not know, or with a value of the wrong shape.
//!
//! Statements inside a nested array or a pasted whole policy are judged too: the splice
//! rules (`splice-nested-array`, `splice-pasted-document`) report the nesting, this rule a
//! mistake inside the statement, which would otherwise surface only after `--fix`.

use super::{head, parsed_whole, policy, statement_name};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{EffectKind, ObjectIndex, Statement, STATEMENT_ELEMENTS};
use crate::document::Document;
use crate::json::{Member, Value};
use crate::rules::{Context, Group, Rule, RuleMeta};
use crate::source::Span;

pub struct StatementInvalid;
pub static RULE: StatementInvalid = StatementInvalid;

static META: RuleMeta = RuleMeta {
    id: "aws-statement-invalid",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "Key policy statement missing `Effect`/`Principal`/`Action`/`Resource`, bad `Effect`, conflicting or unknown elements",
    docs: r#"## What it checks

That the key policy has only the elements `Version`, `Id` and `Statement`, and that each of its statements:

- has `Effect`, `Principal` (or `NotPrincipal`), `Action` (or `NotAction`) and `Resource` (or `NotResource`);
- has `Effect` exactly `Allow` or `Deny`;
- does not have both `Action` and `NotAction` (or both forms of `Principal` / `Resource`);
- has no element other than `Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`, `NotAction`, `Resource`, `NotResource` and `Condition` (names are case-sensitive);
- writes each value in a shape IAM accepts  (`"Principal": {"AWS": "arn:…"}`, a string or list of strings for actions and resources, an object of operators for `Condition`).

## Why it matters

`PutKeyPolicy` rejects a policy with a malformed statement (`MalformedPolicyDocumentException`), so the statements that give Aura access are never applied. A statement without `Action` or `Resource` is accepted by the API but grants nothing, which is worse: the policy looks right and Aura still cannot use the key.

## Example

```json
{
  "Sid": "Allow access for Neo4j",
  "Effect": "allow",
  "Principal": "arn:aws:iam::210987654321:root",
  "Action": ["kms:Encrypt", "kms:Decrypt"]
}
```

## Use instead

```json
{
  "Sid": "Allow access for Neo4j",
  "Effect": "Allow",
  "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
  "Action": ["kms:Encrypt", "kms:Decrypt"],
  "Resource": "*"
}
```

## References

- AWS KMS Developer Guide, "Key policies in AWS KMS" (elements of a key policy statement)
- AWS IAM User Guide, "IAM JSON policy element reference"
"#,
    fixable: false,
};

const POLICY_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

fn suggest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .copied()
        .find(|k| k.eq_ignore_ascii_case(name))
        .or_else(|| {
            known
                .iter()
                .map(|k| (crate::region::edit_distance(name, k), *k))
                .filter(|(d, _)| *d <= 2)
                .min()
                .map(|(_, k)| k)
        })
}

impl Rule for StatementInvalid {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        let mut push = |span: Span, message: String, help: &str| {
            out.push(Diagnostic::new(META.id, META.severity, span, message).with_help(help));
        };
        match &p.statement {
            Some(m) if m.is_array() && m.len == 0 => push(
                m.span,
                "`Statement` is empty".to_string(),
                "a key policy needs at least one statement; start from the default statement that lets your account administer the key (`\"Sid\": \"Enable IAM User Permissions\"`)",
            ),
            Some(m) => match m.type_name {
                "array" | "object" => {}
                _ => push(
                    m.span,
                    format!("`Statement` is a {}, not a list of statements", m.type_name),
                    "write `\"Statement\": [ { … }, { … } ]` with one object per statement",
                ),
            },
            None => {
                if !super::has_syntax_issues(doc) {
                    push(
                        head(p.span),
                        "key policy has no `Statement`".to_string(),
                        "add a `Statement` list holding the policy's statements",
                    );
                }
            }
        }
        if !super::has_syntax_issues(doc) {
            for m in &p.members {
                if POLICY_ELEMENTS.contains(&m.key.as_str()) {
                    continue;
                }
                let help = match suggest(&m.key, POLICY_ELEMENTS) {
                    Some(s) => format!("did you mean `{s}`? element names are case-sensitive"),
                    None if STATEMENT_ELEMENTS.contains(&m.key.as_str()) => format!(
                        "`{}` belongs inside a statement of the `Statement` list, not at the top of the policy",
                        m.key
                    ),
                    None => "a key policy may only have `Version`, `Id` and `Statement`".to_string(),
                };
                push(
                    m.key_span,
                    format!("key policy has an unknown element `{}`", m.key),
                    &help,
                );
            }
        }
        for bad in &p.bad_elements {
            push(
                bad.span,
                format!("`Statement` element is a {}, not a statement object", bad.type_name()),
                "each element of `Statement` must be an object with `Effect`, `Principal`, `Action` and `Resource`",
            );
        }
        let embedded = doc.model.embedded().and_then(|e| e.root.as_ref());
        let objects = (!p.statements.is_empty())
            .then(|| ObjectIndex::new(doc.root().into_iter().chain(embedded)));
        for st in &p.statements {
            let whole = parsed_whole(doc, st.span);
            let members = objects
                .as_ref()
                .and_then(|o| o.members(st.span))
                .unwrap_or_default();
            check_statement(st, members, whole, out);
        }
    }
}

/// Checks one statement; `members` are the statement object's members, as written.
fn check_statement(st: &Statement, members: &[Member], whole: bool, out: &mut Vec<Diagnostic>) {
    let name = statement_name(st);
    let anchor = head(st.span);
    let mut push = |span: Span, message: String, help: String| {
        out.push(Diagnostic::new(META.id, META.severity, span, message).with_help(help));
    };
    let has = |k: &str| members.iter().any(|m| m.key == k);

    for m in members {
        if STATEMENT_ELEMENTS.contains(&m.key.as_str()) {
            continue;
        }
        let help = match m.key.as_str() {
            "Version" | "Id" => format!(
                "`{}` belongs at the top of the policy, not inside a statement; remove it here",
                m.key
            ),
            _ => match suggest(&m.key, STATEMENT_ELEMENTS) {
                Some(s) => format!("did you mean `{s}`? element names are case-sensitive"),
                None => "a statement may only have `Sid`, `Effect`, `Principal` or `NotPrincipal`, `Action` or `NotAction`, `Resource` or `NotResource`, and `Condition`".to_string(),
            },
        };
        push(
            m.key_span,
            format!("{name} has an unknown element `{}`", m.key),
            help,
        );
    }

    if let Some(m) = members.iter().rev().find(|m| m.key == "Sid") {
        if m.value.as_str().is_none() {
            push(
                m.value.span,
                format!("`Sid` of {name} is a {}, not a string", m.value.type_name()),
                "write the `Sid` as a string, e.g. `\"Sid\": \"Allow access for Neo4j\"`"
                    .to_string(),
            );
        }
    }

    // Effect.
    match &st.effect {
        None if whole => push(
            anchor,
            format!("{name} has no `Effect`"),
            "add `\"Effect\": \"Allow\"` (or `\"Deny\"`)".to_string(),
        ),
        Some(e) => {
            if let EffectKind::Other(v) = &e.kind {
                let help = match v.to_ascii_lowercase().as_str() {
                    "allow" => "write `\"Allow\"`: the value is case-sensitive".to_string(),
                    "deny" => "write `\"Deny\"`: the value is case-sensitive".to_string(),
                    _ => "`Effect` must be `\"Allow\"` or `\"Deny\"`".to_string(),
                };
                push(
                    e.span,
                    format!("`Effect` of {name} is `{v}`, not `Allow` or `Deny`"),
                    help,
                );
            }
        }
        None => {}
    }

    // Principal.
    if has("Principal") && has("NotPrincipal") {
        let span = members
            .iter()
            .find(|m| m.key == "NotPrincipal")
            .map_or(anchor, |m| m.key_span);
        push(
            span,
            format!("{name} has both `Principal` and `NotPrincipal`"),
            "keep one of them; a statement names its principals one way".to_string(),
        );
    } else if st.principal.is_none() && whole {
        push(
            anchor,
            format!("{name} has no `Principal`"),
            "a key policy statement must say whom it applies to, e.g. `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`".to_string(),
        );
    }
    if let Some(pr) = &st.principal {
        let key = if pr.not { "NotPrincipal" } else { "Principal" };
        let raw = members.iter().rev().find(|m| m.key == key);
        if let Some(m) = raw {
            match &m.value.value {
                Value::String(s) if s != "*" => push(
                    m.value.span,
                    format!(
                        "`{key}` of {name} is a plain string; only `\"*\"` may be written that way"
                    ),
                    format!("name the principal by its type: `\"{key}\": {{\"AWS\": \"{s}\"}}`"),
                ),
                Value::Object(members) => {
                    if members.is_empty() {
                        push(
                            m.value.span,
                            format!("`{key}` of {name} is empty"),
                            "name at least one principal, e.g. `{\"AWS\": \"arn:aws:iam::111122223333:root\"}`".to_string(),
                        );
                    }
                    for pm in members {
                        if !PRINCIPAL_TYPES.contains(&pm.key.as_str()) {
                            let element =
                                crate::json::STATEMENT_ELEMENTS.contains(&pm.key.as_str());
                            let help = match suggest(&pm.key, PRINCIPAL_TYPES) {
                                Some(s) => format!("did you mean `{s}`? principal types are case-sensitive"),
                                // `"Principal": {"AWS": "…", "Action": …}`: the `}` is misplaced.
                                None if element => format!("`{}` is an element of the statement, written inside `{key}`: close `{key}` with `}}` before `\"{}\"`", pm.key, pm.key),
                                None => "a principal type is `AWS`, `Service`, `Federated` or `CanonicalUser`".to_string(),
                            };
                            push(
                                pm.key_span,
                                format!(
                                    "`{key}` of {name} has an unknown principal type `{}`",
                                    pm.key
                                ),
                                help,
                            );
                        } else if !matches!(pm.value.value, Value::String(_) | Value::Array(_))
                            || pm
                                .value
                                .as_array()
                                .is_some_and(|a| a.iter().any(|i| i.as_str().is_none()))
                        {
                            push(
                                pm.value.span,
                                format!("`{}` principal of {name} is not a string or a list of strings", pm.key),
                                "write each principal as a string, e.g. `\"arn:aws:iam::111122223333:role/Admin\"`".to_string(),
                            );
                        }
                    }
                }
                Value::String(_) => {}
                _ => push(
                    m.value.span,
                    format!("`{key}` of {name} is a {}", m.value.type_name()),
                    format!("write `\"{key}\": {{\"AWS\": \"arn:…\"}}` or `\"{key}\": \"*\"`"),
                ),
            }
        }
    }

    // Action and Resource.
    for (k, not_k, what, example) in [
        (
            "Action",
            "NotAction",
            "actions",
            "`\"Action\": [\"kms:Encrypt\", \"kms:Decrypt\"]`",
        ),
        (
            "Resource",
            "NotResource",
            "resources",
            "`\"Resource\": \"*\"` (in a key policy `*` means this key)",
        ),
    ] {
        if has(k) && has(not_k) {
            let span = members
                .iter()
                .find(|m| m.key == not_k)
                .map_or(anchor, |m| m.key_span);
            push(
                span,
                format!("{name} has both `{k}` and `{not_k}`"),
                format!(
                    "keep one of them; `{not_k}` means every {} except the listed ones",
                    &what[..what.len() - 1]
                ),
            );
            continue;
        }
        let list = if k == "Action" {
            &st.action
        } else {
            &st.resource
        };
        match list {
            None if whole => push(
                anchor,
                format!("{name} has no `{k}`"),
                format!("without `{k}` the statement is accepted but has no effect; add {example}"),
            ),
            Some(l) if l.malformed => push(
                l.span,
                format!("`{}` of {name} is not a string or a list of strings", l.key),
                format!("write {example}"),
            ),
            Some(l) if l.items.is_empty() => push(
                l.span,
                format!("`{}` of {name} is empty", l.key),
                format!("list the {what}, e.g. {example}"),
            ),
            _ => {}
        }
    }

    // Condition.
    if st.condition.is_some() {
        let raw = members.iter().rev().find(|m| m.key == "Condition");
        if let Some(m) = raw {
            match m.value.as_object() {
                None => push(
                    m.value.span,
                    format!("`Condition` of {name} is a {}, not an object", m.value.type_name()),
                    "write `\"Condition\": {\"StringEquals\": {\"kms:CallerAccount\": \"111122223333\"}}`: operator, then key, then value".to_string(),
                ),
                Some(ops) => {
                    for op in ops {
                        if op.value.as_object().is_none() {
                            push(
                                op.value.span,
                                format!("condition operator `{}` of {name} is followed by a {}, not an object of keys", op.key, op.value.type_name()),
                                format!("write `\"{}\": {{\"condition-key\": \"value\"}}`", op.key),
                            );
                        }
                    }
                }
            }
        }
    }
}
