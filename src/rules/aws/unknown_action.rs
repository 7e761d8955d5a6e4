//! `aws-unknown-action`: an action in a key policy that is not a KMS action.

use super::{has_policy_variable, policy};
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::actions;
use crate::document::Document;
use crate::rules::{Context, Group, Rule, RuleMeta};

pub struct UnknownAction;
pub static RULE: UnknownAction = UnknownAction;

static META: RuleMeta = RuleMeta {
    id: "aws-unknown-action",
    group: Group::Aws,
    severity: Severity::Error,
    summary: "An action that is not a KMS action (with \"did you mean\")",
    docs: r#"## What it checks

That every entry of `Action` / `NotAction` in a key policy is `*` or a KMS action: `kms:` followed by an action name AWS KMS defines (`kms:Decrypt`, `kms:GenerateDataKey`, …). Action names are case-insensitive, as in IAM. A wildcard (`kms:ReEncrypt*`, `kms:Generate*`, `kms:*`) is accepted when it matches at least one KMS action.

## Why it matters

A key policy controls only KMS actions on its key. A misspelt action (`kms:Decript`, `kms:GenerateDataKeys`) is rejected by `PutKeyPolicy`, or — for a wildcard that matches nothing — silently grants nothing, so Aura is refused the operation it needs and the instance cannot start or read its data.

## Example

```json
"Action": ["kms:Encrypt", "kms:Decript", "kms:ReEncrypt", "kms:GenerateDataKey*"]
```

## Use instead

```json
"Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"]
```

## References

- AWS Service Authorization Reference, "Actions, resources, and condition keys for AWS Key Management Service"
"#,
    fixable: false,
};

impl Rule for UnknownAction {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        let Some(p) = policy(doc) else {
            return;
        };
        for st in &p.statements {
            let Some(list) = &st.action else {
                continue;
            };
            for item in &list.items {
                let a = item.value.as_str();
                if a == "*" || has_policy_variable(a) {
                    continue;
                }
                let Some((service, name)) = a.split_once(':') else {
                    let guess = actions::did_you_mean(a);
                    out.push(
                        Diagnostic::new(
                            META.id,
                            META.severity,
                            item.span,
                            format!("`{a}` is not an action: it has no `kms:` service prefix"),
                        )
                        .with_help(match guess {
                            Some(g) => format!("did you mean `{g}`?"),
                            None => "write KMS actions as `kms:ActionName`, e.g. `kms:Decrypt`"
                                .to_string(),
                        }),
                    );
                    continue;
                };
                if !service.eq_ignore_ascii_case("kms") {
                    let wild = service.contains(['*', '?']);
                    if wild && actions::glob_match(service, "kms") {
                        if !actions::matches_any(a) {
                            out.push(no_match(item.span, a));
                        }
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            META.id,
                            META.severity,
                            item.span,
                            format!("`{a}` is not a KMS action: a key policy only controls `kms:` actions"),
                        )
                        .with_help(format!(
                            "remove `{a}`; permissions for {service} belong in that service's policies, not in the key policy"
                        )),
                    );
                    continue;
                }
                if name.contains(['*', '?']) {
                    if !actions::matches_any(a) {
                        out.push(no_match(item.span, a));
                    }
                    continue;
                }
                if actions::is_kms_action(name) {
                    continue;
                }
                let help = match actions::did_you_mean(a) {
                    Some(g) if g.ends_with('*') => format!(
                        "did you mean `{g}`? `{a}` is an API operation whose permissions are the actions `{g}` matches"
                    ),
                    Some(g) => format!("did you mean `{g}`?"),
                    None => "see the list of KMS actions with `cmklint explain aws-unknown-action`".to_string(),
                };
                out.push(
                    Diagnostic::new(
                        META.id,
                        META.severity,
                        item.span,
                        format!("`{a}` is not a KMS action"),
                    )
                    .with_help(help),
                );
            }
        }
    }
}

fn no_match(span: crate::source::Span, a: &str) -> Diagnostic {
    let help = match a
        .split_once(':')
        .and_then(|(_, n)| actions::did_you_mean(&format!("kms:{}", n.trim_end_matches('*'))))
    {
        Some(g) => format!(
            "the wildcard grants nothing; did you mean `{}*`?",
            g.trim_end_matches('*')
        ),
        None => "the wildcard grants nothing; check the spelling against the KMS action names"
            .to_string(),
    };
    Diagnostic::new(
        META.id,
        META.severity,
        span,
        format!("`{a}` matches no KMS action"),
    )
    .with_help(help)
}
