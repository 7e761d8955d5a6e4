//! Syntax and splicing rules (DESIGN §6 "Syntax and splicing"). Their findings are made by
//! the recovering parser and its splice analysis (`crate::json`), which run on every
//! linted file; this module holds their metadata and documentation. `placeholder-value`
//! needs the tree, so its check lives here, in its own file.

mod placeholder_value;

use super::{Group, MetaOnly, Rule, RuleMeta};
use crate::diagnostic::Severity;

pub use placeholder_value::PLACEHOLDER_VALUE;

const fn meta(
    id: &'static str,
    summary: &'static str,
    docs: &'static str,
    fixable: bool,
) -> RuleMeta {
    RuleMeta {
        id,
        group: Group::Syntax,
        severity: Severity::Error,
        summary,
        docs,
        fixable,
    }
}

pub static JSON_SYNTAX: MetaOnly = MetaOnly(meta(
    "json-syntax",
    "Invalid JSON not named by a more specific rule",
    r#"## What it checks

That the file is valid JSON (RFC 8259): a missing comma between two members of an object, a missing `:`, a bracket that is never closed or one too many, a string that is not closed before the end of its line, an unquoted word, single quotes, an invalid escape, content after the end of the document. A mistake that a more specific rule can name (a missing comma between pasted statements, a trailing comma, a comment, typographic quotes, a duplicate key) is reported by that rule instead.

cmklint does not stop at the first error: it reads past each mistake the way a person would, reports the mistake once where it is (not the errors that follow from it), and still lints the rest of the file.

## Why it matters

AWS KMS, Azure Resource Manager and Google Cloud reject a document that does not parse, so the key policy or template is never applied and Aura cannot use the key.

## Example

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions"
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::493726108554:root"},
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}
```

## Use instead

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Enable IAM User Permissions",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::493726108554:root"},
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}
```

## References

- RFC 8259, The JavaScript Object Notation (JSON) Data Interchange Format
"#,
    false,
));

pub static JSON_DUPLICATE_KEY: MetaOnly = MetaOnly(meta(
    "json-duplicate-key",
    "A key that appears twice in one object",
    r#"## What it checks

That no object has the same key twice. The second occurrence is reported, with a label on the first.

## Why it matters

JSON readers disagree on duplicate keys, and most (AWS KMS among them) silently keep only the last one. Two `Action` keys in one statement grant only the second list; two `Statement` keys in a policy — a common result of pasting the Aura-generated `"Statement": [...]` below the existing one — drop every statement of the first, including the one that lets your account administer the key.

## Example

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"}
  ],
  "Statement": [
    {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
  ]
}
```

## Use instead

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
  ]
}
```
"#,
    false,
));

pub static JSON_TRAILING_COMMA: MetaOnly = MetaOnly(meta(
    "json-trailing-comma",
    "A comma before `]` or `}` (after the last element)",
    r#"## What it checks

That no comma follows the last element of an array or the last member of an object (`[1, 2,]`, `{"a": 1,}`), and that none follows the document itself.

## Why it matters

JSON does not allow it and AWS KMS rejects the policy. It typically happens when the comma the Aura documentation asks for ("add a comma after the curly brace in the final SID") is added but the statements are pasted elsewhere, or when the last pasted statement keeps a comma.

## Example

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
]
```

## Use instead

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"}
]
```

## Fix

Removes the comma. When what follows the `]` or `}` does not fit there (`},` then a stray `]` and the next element), the comma is a separator and the bracket is the mistake: the finding comes without a fix.
"#,
    true,
));

pub static JSON_COMMENT: MetaOnly = MetaOnly(meta(
    "json-comment",
    "A `//` or `/* */` comment, which JSON does not allow",
    r#"## What it checks

That the file has no `//` line comments and no `/* */` block comments.

## Why it matters

JSON has no comments. The AWS KMS `PutKeyPolicy` API and Azure Resource Manager reject a document that contains them, so a commented key policy is never applied. (cmklint still reads past the comment and lints the rest.)

## Example

```json
"Statement": [
  // Aura statements below
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

## Use instead

```json
"Statement": [
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

A `Sid` can carry the note instead: statement ids in key policies may contain spaces.

## Fix

Removes the comment — the whole line when the comment is alone on it. An unclosed `/*` is not removed automatically, nor a `//` right after a word and a colon (`https://…` whose opening quote was lost: removing it would cut the URL).
"#,
    true,
));

pub static JSON_SMART_QUOTES: MetaOnly = MetaOnly(meta(
    "json-smart-quotes",
    "Typographic quotes `“ ” ‘ ’` used as JSON quotes",
    r#"## What it checks

That strings are quoted with the straight double quote `"`, not with the typographic quotes `“ ” ‘ ’` that web pages, chat tools and word processors substitute for it. One finding covers every such string in the file, since they come from one copy and paste. Typographic quotes *inside* a properly quoted string (`"the “main” key"`) are ordinary text and fine.

## Why it matters

To JSON a `“` is not a quote, so the document does not parse and AWS KMS rejects the policy. The statements generated by the Aura Console often travel through a ticket or a chat before they are pasted, and come out with typographic quotes.

## Example

```json
{
  “Sid”: “Allow access for Neo4j”,
  “Effect”: “Allow”
}
```

## Use instead

```json
{
  "Sid": "Allow access for Neo4j",
  "Effect": "Allow"
}
```

## Fix

Replaces every typographic quote used as a JSON quote by `"` (only when that yields valid strings everywhere, e.g. no `"` inside one of them).
"#,
    true,
));

pub static SPLICE_MISSING_COMMA: MetaOnly = MetaOnly(meta(
    "splice-missing-comma",
    "Two statements in a `Statement` array with no comma between them",
    r#"## What it checks

That statements in a `Statement` array are separated by commas: a `}` followed by `{` with no comma between is the classic result of pasting the Aura-generated statements after the last statement without adding the comma first. The finding points at the `{` that should be preceded by a comma and labels the `}` that closes the statement before it. (A missing comma between two objects elsewhere is reported as `json-syntax`.)

## Why it matters

The policy does not parse, so AWS KMS rejects it and Aura never gets access to the key.

## Example

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"}
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

## Use instead

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

## Fix

Inserts `,` after the `}` of the previous statement.

## References

- Neo4j Aura documentation, "Customer Managed Keys": "Add a comma after the curly brace in the final SID, and then paste the JSON code that was generated in the Aura Console"
"#,
    true,
));

pub static SPLICE_NESTED_ARRAY: MetaOnly = MetaOnly(meta(
    "splice-nested-array",
    "An array inside the `Statement` array (statements pasted with their brackets)",
    r#"## What it checks

That every element of a `Statement` array is a statement object, not an array: pasting the Aura-generated JSON *with* its surrounding `[` `]` into the existing array nests a list of statements inside the list. When the comma before the pasted `[` is missing too, this one finding covers both.

Rules about statements read the statements inside the nested array as if it were flattened, so they are not also reported as malformed statements.

## Why it matters

AWS KMS rejects a policy whose `Statement` contains an array, so the Aura statements never take effect.

## Example

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
  [
    {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
  ]
]
```

## Use instead

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

## Fix

Flattens: removes the inner `[` and `]` (and adds the missing comma before them, if any). An empty nested array is removed with its comma.
"#,
    true,
));

pub static SPLICE_PASTED_DOCUMENT: MetaOnly = MetaOnly(meta(
    "splice-pasted-document",
    "A whole policy (`Version`/`Statement`) pasted as an element of the `Statement` array",
    r#"## What it checks

That no element of a `Statement` array (and no `Statement` value) is itself a whole policy document — an object with its own `Statement` (usually with `Version`, sometimes `Id`). That is what happens when the complete JSON generated by the Aura Console is pasted into the existing array instead of only its statements.

Rules about statements read the pasted policy's statements as if they had been pasted alone, so they are not also reported as malformed statements.

## Why it matters

A statement cannot contain `Version` or `Statement`; AWS KMS rejects the policy and Aura gets no access to the key.

## Example

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
  {
    "Version": "2012-10-17",
    "Statement": [
      {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
    ]
  }
]
```

## Use instead

```json
"Statement": [
  {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
]
```

## Fix

Unwraps: deletes the pasted policy's opening (`{`, `Version`, `Id`, `"Statement": [`) and its closing (`] }`), keeping its statements in place — only when the pasted policy holds nothing but `Version`, `Id` and a non-empty `Statement`.
"#,
    true,
));

pub static SPLICE_OUTSIDE_ARRAY: MetaOnly = MetaOnly(meta(
    "splice-outside-array",
    "Statements pasted after the `Statement` array's closing `]`",
    r#"## What it checks

That statements sit inside the `Statement` array: objects that look like statements (`Sid`, `Effect`, `Principal`, …) found after the array's `]` — `"Statement": [ … ], { … }` — or even after the policy's final `}`. The finding points at the first pasted statement and labels the `]` that ends the array too early.

cmklint reads the pasted statements as part of the array, so the other rules still judge them.

## Why it matters

The policy does not parse, so AWS KMS rejects it and Aura gets no access to the key.

## Example

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"}
  ],
  {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
}
```

## Use instead

```json
{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"},
    {"Sid": "Allow access for Neo4j", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "210987654321"}}}
  ]
}
```

## Fix

Moves the statements inside: the separator between the array's last statement and the first pasted one becomes a comma, and the `]` (and, when they were pasted after the policy, the policy's closing `}`) goes after the last pasted statement. Offered only when nothing but whitespace, commas and closing brackets lies between and after the pasted statements.
"#,
    true,
));

/// Every syntax rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[
    &JSON_SYNTAX,
    &JSON_DUPLICATE_KEY,
    &JSON_TRAILING_COMMA,
    &JSON_COMMENT,
    &JSON_SMART_QUOTES,
    &SPLICE_MISSING_COMMA,
    &SPLICE_NESTED_ARRAY,
    &SPLICE_PASTED_DOCUMENT,
    &SPLICE_OUTSIDE_ARRAY,
    &PLACEHOLDER_VALUE,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule the parser can name has metadata here, and the ones with fixes say so.
    #[test]
    fn parser_rules_are_registered() {
        let text = "{\"Statement\": [{\"a\": 1, \"a\": 2,} // x\n {“Sid”: 1}, [{\"Sid\": 2}], {\"Statement\": [{\"Sid\": 3}]}], {\"Sid\": 4}\n";
        let parsed = crate::json::parse(text);
        let mut seen: Vec<&str> = parsed.issues.iter().map(|i| i.rule).collect();
        seen.sort();
        seen.dedup();
        for id in &seen {
            let rule = RULES.iter().find(|r| r.meta().id == *id);
            assert!(rule.is_some(), "{id} has no metadata");
        }
        assert!(seen.len() >= 8, "{seen:?}");
        for issue in &parsed.issues {
            if issue.fix.is_some() {
                let fixable = RULES
                    .iter()
                    .any(|r| r.meta().id == issue.rule && r.meta().fixable);
                assert!(
                    fixable,
                    "{} has a fix but is not marked fixable",
                    issue.rule
                );
            }
        }
    }
}
