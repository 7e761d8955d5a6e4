//! How a key policy statement applies to one caller: Aura, calling KMS from its own AWS
//! account, which is not in the customer's AWS organization and is not an AWS service
//! principal. Three-valued: anything cmklint cannot know (a role name, a policy variable,
//! an encryption context) is `Unknown`, and rules never fire on an unknown.

use crate::document::aws::actions;
use crate::document::aws::arn::principal_account;
use crate::document::aws::{ConditionEntry, ConditionOperator, Statement, StringList};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    fn from(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// Whether the statement's `Principal` (or `NotPrincipal`) takes in a caller from `account`.
pub fn principal_includes(st: &Statement, account: &str) -> Truth {
    let Some(p) = &st.principal else {
        return Truth::False;
    };
    let mut unknown = false;
    let mut hit = false;
    for e in &p.entries {
        if e.kind != "*" && e.kind != "AWS" {
            continue;
        }
        if actions::has_variable(&e.value) {
            unknown = true;
        } else if e.value == "*" || principal_account(&e.value) == Some(account) {
            hit = true;
        }
    }
    let t = if hit {
        Truth::True
    } else if unknown {
        Truth::Unknown
    } else {
        Truth::False
    };
    if p.not {
        t.not()
    } else {
        t
    }
}

/// Whether the principal is anyone (`*` / `{"AWS": "*"}`).
pub fn principal_is_anyone(st: &Statement) -> bool {
    st.principal
        .as_ref()
        .is_some_and(|p| !p.not && p.entries.iter().any(|e| e.is_anyone()))
}

/// Whether every condition of the statement holds for a caller from `account`.
pub fn conditions_hold(st: &Statement, account: &str) -> Truth {
    let Some(c) = &st.condition else {
        return Truth::True;
    };
    if c.malformed {
        return Truth::Unknown;
    }
    c.operators
        .iter()
        .flat_map(|op| op.entries.iter().map(move |e| (op, e)))
        .fold(Truth::True, |acc, (op, e)| {
            acc.and(entry_holds(op, e, account))
        })
}

/// The value Aura's request carries for a condition key, as far as it is known.
enum Known {
    /// The key is present with this value.
    Value(String),
    /// The key is present, its value is not one of the policy's (Aura is not in the
    /// customer's organization).
    Foreign,
    /// Nothing is known.
    Unknown,
}

fn key_value(key: &str, account: &str) -> Known {
    match key.to_ascii_lowercase().as_str() {
        "kms:calleraccount" | "aws:principalaccount" => Known::Value(account.to_string()),
        "aws:principalorgid" | "aws:principalorgpaths" => Known::Foreign,
        "aws:principalisawsservice" => Known::Value("false".to_string()),
        _ => Known::Unknown,
    }
}

fn entry_holds(op: &ConditionOperator, e: &ConditionEntry, account: &str) -> Truth {
    if e.values.iter().any(|v| actions::has_variable(&v.value)) {
        return Truth::Unknown;
    }
    let base = op.base();
    let negated = base.contains("Not");
    let known = key_value(&e.key.value, account);
    let positive = match (&known, base) {
        (Known::Unknown, _) => return Truth::Unknown,
        (_, "Null") => {
            // "Null": "false" asks that the key be present; these keys are.
            return Truth::from(e.values.iter().any(|v| v.value == "false"));
        }
        (Known::Foreign, _) => {
            // Only a bare `*` pattern matches a value we know nothing about but that it
            // is not the customer's organization.
            let like = base.contains("Like");
            Truth::from(like && e.values.iter().any(|v| v.value == "*"))
        }
        (Known::Value(v), b) => {
            let matches = |pat: &str| match b {
                "StringEquals" | "StringNotEquals" | "ArnEquals" | "ArnNotEquals" | "Bool" => {
                    pat == v
                }
                "StringEqualsIgnoreCase" | "StringNotEqualsIgnoreCase" => {
                    pat.eq_ignore_ascii_case(v)
                }
                "StringLike" | "StringNotLike" | "ArnLike" | "ArnNotLike" => {
                    actions::glob_match(pat, v)
                }
                _ => false,
            };
            if !matches!(
                b,
                "StringEquals"
                    | "StringNotEquals"
                    | "ArnEquals"
                    | "ArnNotEquals"
                    | "Bool"
                    | "StringEqualsIgnoreCase"
                    | "StringNotEqualsIgnoreCase"
                    | "StringLike"
                    | "StringNotLike"
                    | "ArnLike"
                    | "ArnNotLike"
            ) {
                return Truth::Unknown;
            }
            Truth::from(e.values.iter().any(|p| matches(&p.value)))
        }
    };
    if negated {
        positive.not()
    } else {
        positive
    }
}

/// Whether the statement applies to a caller from `account` (principal and conditions).
pub fn applies_to(st: &Statement, account: &str) -> Truth {
    principal_includes(st, account).and(conditions_hold(st, account))
}

/// Whether an `Action`/`NotAction` list grants the concrete action `kms:Name`.
pub fn list_grants(list: &StringList, action: &str) -> bool {
    let any = list
        .items
        .iter()
        .any(|i| actions::matches_action(&i.value, action));
    any != list.not
}

/// Whether the statement's actions take in the concrete action `kms:Name`.
pub fn grants(st: &Statement, action: &str) -> bool {
    st.action.as_ref().is_some_and(|a| list_grants(a, action))
}

/// Whether the union of `statements` grants every action `needed` stands for
/// (`kms:ReEncrypt*` needs both `kms:ReEncryptFrom` and `kms:ReEncryptTo`).
pub fn union_covers(statements: &[&Statement], needed: &str) -> bool {
    let mut any = false;
    actions::expand_full(needed).all(|full| {
        any = true;
        statements.iter().any(|st| grants(st, full))
    }) && any
}

/// Condition keys that tie a wildcard principal to an account, organization or principal.
pub const NARROWING_KEYS: &[&str] = &[
    "kms:calleraccount",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalarn",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:userid",
    "aws:username",
];

/// A condition entry that narrows a wildcard principal: a narrowing key compared with a
/// positive operator to something other than a bare `*`.
pub fn narrowing_condition(st: &Statement) -> Option<(&ConditionOperator, &ConditionEntry)> {
    let c = st.condition.as_ref()?;
    c.operators.iter().find_map(|op| {
        let base = op.base();
        let positive = matches!(
            base,
            "StringEquals" | "StringEqualsIgnoreCase" | "StringLike" | "ArnEquals" | "ArnLike"
        ) && !op.name.value.starts_with("ForAllValues:");
        if !positive {
            return None;
        }
        op.entries
            .iter()
            .find(|e| {
                NARROWING_KEYS.contains(&e.key.value.to_ascii_lowercase().as_str())
                    && !e.values.is_empty()
                    && e.values.iter().all(|v| v.value != "*")
            })
            .map(|e| (op, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::aws::{AwsDoc, Policy};
    use crate::document::{Classified, Model};
    use crate::source::SourceFile;

    fn policy(text: &str) -> Policy {
        let source = SourceFile::new("p.json", text.to_string());
        match crate::document::aws::classify(&source, &crate::json::parse(text)) {
            Classified::Kind(Model::Aws(AwsDoc::KeyPolicy(p))) => *p,
            _ => panic!("not a key policy"),
        }
    }

    const AURA: &str = "210987654321";

    #[test]
    fn wildcard_narrowed_by_caller_account() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt"],"Resource":"*",
            "Condition":{"StringEquals":{"kms:CallerAccount":"210987654321"}}}]}"#,
        );
        let st = &p.statements[0];
        assert_eq!(applies_to(st, AURA), Truth::True);
        assert_eq!(applies_to(st, "111122223333"), Truth::False);
        assert!(narrowing_condition(st).is_some());
        assert!(grants(st, "kms:Decrypt"));
        assert!(!grants(st, "kms:Encrypt"));
    }

    #[test]
    fn org_perimeter_applies_to_aura() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
            "Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}"#,
        );
        assert_eq!(applies_to(&p.statements[0], AURA), Truth::True);
        let p = policy(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
            "Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5","aws:PrincipalAccount":"210987654321"}}}]}"#,
        );
        assert_eq!(applies_to(&p.statements[0], AURA), Truth::False);
    }

    #[test]
    fn unknown_conditions_stay_unknown() {
        let p = policy(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*",
            "Condition":{"StringNotEquals":{"kms:ViaService":"ec2.eu-west-1.amazonaws.com"}}}]}"#,
        );
        assert_eq!(applies_to(&p.statements[0], AURA), Truth::Unknown);
    }

    #[test]
    fn not_action_and_unions() {
        let p = policy(
            r#"{"Statement":[
            {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"NotAction":["kms:ScheduleKeyDeletion"],"Resource":"*"},
            {"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"kms:ReEncryptFrom","Resource":"*"}]}"#,
        );
        assert!(grants(&p.statements[0], "kms:Decrypt"));
        assert!(!grants(&p.statements[0], "kms:ScheduleKeyDeletion"));
        let second = [&p.statements[1]];
        assert!(!union_covers(&second, "kms:ReEncrypt*"));
        let both = [&p.statements[0], &p.statements[1]];
        assert!(union_covers(&both, "kms:ReEncrypt*"));
        assert_eq!(applies_to(&p.statements[1], AURA), Truth::True);
    }
}
