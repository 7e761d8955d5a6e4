//! `placeholder-value`: template text that was never replaced (`<ACCOUNT_ID>`, `{{region}}`,
//! `REPLACE_ME`, `YOUR_…`, `CHANGEME`, the AWS documentation's example accounts).
//!
//! The definition is deliberately narrow, to stay silent on ordinary text:
//! - `<…>`: a `<`, a letter, then up to 63 letters, digits, spaces, `_`, `-`, `.` or `:`,
//!   then `>` — `<ACCOUNT_ID>`, `<account-id>`, `<your key ARN>`. A single lower-case word
//!   that is an HTML tag (`<b>`, `<br>`) is not one, and neither is `a < b > c` (a space
//!   after `<`).
//! - `{{…}}`: up to 64 characters other than braces between `{{` and `}}` (Mustache, Jinja,
//!   Handlebars). IAM policy variables (`${aws:username}`) have one brace and are never
//!   flagged.
//! - the words `REPLACE_ME`/`REPLACEME`/`REPLACE-ME`, `REPLACE_WITH_…`, `CHANGEME`/
//!   `CHANGE_ME`/`CHANGE-ME` and `YOUR_…`/`YOUR-…` in upper case, as whole words; `your-…`
//!   and `your_…` in lower case only inside a value without spaces (an ARN, an id, an
//!   e-mail address), never in a sentence.
//! - the AWS documentation's example accounts `111122223333`, `444455556666` and
//!   `123456789012`, as a whole 12-digit run (bare, as a JSON number, or inside an ARN).
//!
//! Values of `description` and `title` members (any case) are free text and not checked;
//! keys are never checked.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::aws::{self as aws_model, AwsDoc};
use crate::document::Document;
use crate::json::{decode_string_literal, Node, Value};
use crate::rules::{Context, Group, Rule, RuleMeta};
use crate::source::Span;

pub struct PlaceholderValue;
pub static PLACEHOLDER_VALUE: PlaceholderValue = PlaceholderValue;

static META: RuleMeta = RuleMeta {
    id: "placeholder-value",
    group: Group::Syntax,
    severity: Severity::Error,
    summary: "Unreplaced template text such as `<ACCOUNT_ID>`, `{{…}}`, `REPLACE_ME` or an AWS example account",
    docs: r#"## What it checks

That no value still holds template text meant to be replaced:

- `<…>` placeholders: `<ACCOUNT_ID>`, `<account-id>`, `<your key ARN>` (not HTML tags such as `<b>`, and not `a < b` in a sentence);
- `{{…}}` template variables;
- the words `REPLACE_ME`, `REPLACE_WITH_…`, `CHANGEME`, `YOUR_…` (upper case), and `your-…`/`your_…` inside an ARN, id or e-mail address;
- the example account ids of the AWS documentation, `111122223333`, `444455556666` and `123456789012`, bare or inside an ARN.

IAM policy variables such as `${aws:username}` are never flagged, and neither are `description` or `title` values, which are free text.

## Why it matters

A cloud API takes a placeholder literally. A key policy whose principal is `arn:aws:iam::111122223333:root` grants an AWS example account, not yours — and if it was the administrator statement, nobody in your account can manage the key. A `kms:CallerAccount` of `<NEO4J_ACCOUNT_ID>` means Aura is never allowed to use the key.

## Example

```json
{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}
```

## Use instead

```json
{"Sid": "Enable IAM User Permissions", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::493726108554:root"}, "Action": "kms:*", "Resource": "*"}
```

## References

- AWS documentation uses `111122223333`, `444455556666` and `123456789012` as example account ids ("AWS account identifiers" in the AWS Account Management Reference Guide)
- AWS IAM User Guide, "IAM policy elements: Variables and tags" (`${aws:username}`)
"#,
    fixable: false,
};

/// The AWS documentation's example account ids.
const EXAMPLE_ACCOUNTS: &[&str] = &["111122223333", "444455556666", "123456789012"];

/// HTML tag names that look like `<word>` placeholders but are markup.
const HTML_TAGS: &[&str] = &[
    "a",
    "b",
    "i",
    "u",
    "s",
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "code",
    "pre",
    "span",
    "div",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "img",
    "small",
    "sup",
    "sub",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "kbd",
    "var",
    "mark",
    "del",
    "ins",
    "blockquote",
    "cite",
    "q",
    "abbr",
    "tt",
    "nobr",
    "wbr",
    "html",
    "body",
    "head",
    "title",
    "script",
    "style",
    "link",
    "meta",
];

static ANGLE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"<([A-Za-z][A-Za-z0-9 _.:\-]{0,63})>").ok());
static MUSTACHE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\{\{[^{}]{1,64}\}\}").ok());
static WORDS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:REPLACE[_-]?ME|REPLACE_WITH_[A-Z0-9_]+|CHANGE[_-]?ME|YOUR_[A-Z0-9][A-Z0-9_]*|YOUR-[A-Z0-9][A-Z0-9-]*)\b",
    )
    .ok()
});
static LOWER_YOUR: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\byour[_-][a-z0-9][a-z0-9_-]*").ok());
static DIGITS12: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"[0-9]{12,}").ok());

/// The words [`Needles::find`] looks for (with `<` and [`EXAMPLE_ACCOUNTS`]).
const NEEDLE_WORDS: &[&str] = &["{{", "REPLACE", "CHANGE", "YOUR", "your"];

/// Every text [`Needles::find`] looks for but `<`, as one search over a whole file (a
/// search for many texts of two bytes or more is fast; `<` is found on its own).
static NEEDLE_TEXTS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let texts: Vec<String> = NEEDLE_WORDS
        .iter()
        .chain(EXAMPLE_ACCOUNTS)
        .map(|t| regex::escape(t))
        .collect();
    Regex::new(&texts.join("|")).ok()
});

/// Where the texts [`Needles::find`] looks for start in `text`, in order; `None` when that
/// cannot be worked out (every string must then be looked at).
fn needle_hits(text: &str) -> Option<Vec<usize>> {
    let re = NEEDLE_TEXTS.as_ref()?;
    let mut hits: Vec<usize> = re.find_iter(text).map(|m| m.start()).collect();
    let words = hits.len();
    hits.extend(memchr::memchr_iter(b'<', text.as_bytes()));
    if words > 0 && hits.len() > words {
        hits.sort_unstable();
    }
    Some(hits)
}

/// Whether string `s`, the value of the literal at `span`, certainly holds none of the
/// texts a placeholder needs, judged from `hits` ([`needle_hits`] of the file `text`). Only a value written out as it is in the
/// file, right after its opening quote, can be judged so: a match inside it starts inside
/// it, because no match can span the quote before it (no needle holds that byte).
fn proven_clean(text: &[u8], span: Span, s: &str, hits: &[usize]) -> bool {
    let start = span.start + 1;
    let end = start + s.len();
    if text.get(start..end) != Some(s.as_bytes()) {
        return false;
    }
    let before = text[span.start];
    if before.is_ascii_alphanumeric() || before == b'<' || before == b'{' {
        return false;
    }
    let i = hits.partition_point(|&h| h < start);
    hits.get(i).is_none_or(|&h| h >= end)
}

/// What kind of placeholder a match is (for the message and help).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Template,
    ExampleAccount,
}

/// The placeholders in `s`: byte ranges and kinds, in order, not overlapping.
fn find_placeholders(s: &str) -> Vec<(Range<usize>, Kind)> {
    let mut found: Vec<(Range<usize>, Kind)> = Vec::new();
    // Each regex runs (and is compiled, on first use) only on a string that holds the
    // text it needs: most strings hold none, and most runs never build most of them. One
    // pass over the bytes finds which of those texts the string holds.
    let has = Needles::find(s);
    if has.angle {
        find_angle(s, &mut found);
    }
    if has.mustache {
        if let Some(re) = MUSTACHE.as_ref() {
            found.extend(re.find_iter(s).map(|m| (m.range(), Kind::Template)));
        }
    }
    if has.upper_word {
        if let Some(re) = WORDS.as_ref() {
            found.extend(re.find_iter(s).map(|m| (m.range(), Kind::Template)));
        }
    }
    if has.lower_your && !s.contains(char::is_whitespace) {
        if let Some(re) = LOWER_YOUR.as_ref() {
            found.extend(re.find_iter(s).map(|m| (m.range(), Kind::Template)));
        }
    }
    if has.account {
        find_example_accounts(s, &mut found);
    }
    if found.is_empty() {
        return found;
    }
    found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<(Range<usize>, Kind)> = Vec::new();
    for (r, k) in found {
        if out.last().is_some_and(|(prev, _)| r.start < prev.end) {
            continue;
        }
        out.push((r, k));
    }
    out
}

/// Which texts a placeholder needs a string holds, found in one pass over its bytes
/// (instead of a substring search per text: most strings hold none of them).
#[derive(Default)]
struct Needles {
    /// `<`
    angle: bool,
    /// `{{`
    mustache: bool,
    /// `REPLACE`, `CHANGE` or `YOUR`
    upper_word: bool,
    /// `your`
    lower_your: bool,
    /// one of [`EXAMPLE_ACCOUNTS`]
    account: bool,
}

impl Needles {
    fn find(s: &str) -> Needles {
        let mut has = Needles::default();
        let bytes = s.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let at = |needle: &str| bytes[i..].starts_with(needle.as_bytes());
            match b {
                b'<' => has.angle = true,
                b'{' => has.mustache |= at("{{"),
                b'R' => has.upper_word |= at("REPLACE"),
                b'C' => has.upper_word |= at("CHANGE"),
                b'Y' => has.upper_word |= at("YOUR"),
                b'y' => has.lower_your |= at("your"),
                b'1' | b'4' => has.account |= EXAMPLE_ACCOUNTS.iter().any(|a| at(a)),
                _ => {}
            }
        }
        has
    }
}

fn find_angle(s: &str, found: &mut Vec<(Range<usize>, Kind)>) {
    if let Some(re) = ANGLE.as_ref() {
        for c in re.captures_iter(s) {
            let (Some(all), Some(inner)) = (c.get(0), c.get(1)) else {
                continue;
            };
            let word = inner.as_str();
            let single_lower_word = word
                .chars()
                .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit());
            if word.ends_with(' ') || (single_lower_word && HTML_TAGS.contains(&word)) {
                continue;
            }
            found.push((all.range(), Kind::Template));
        }
    }
}

fn find_example_accounts(s: &str, found: &mut Vec<(Range<usize>, Kind)>) {
    if let Some(re) = DIGITS12.as_ref() {
        for m in re.find_iter(s) {
            let bounded = |c: Option<char>| !c.is_some_and(|c| c.is_ascii_alphanumeric());
            if EXAMPLE_ACCOUNTS.contains(&m.as_str())
                && bounded(s[..m.start()].chars().next_back())
                && bounded(s[m.end()..].chars().next())
            {
                found.push((m.range(), Kind::ExampleAccount));
            }
        }
    }
}

impl Rule for PlaceholderValue {
    fn meta(&self) -> &RuleMeta {
        &META
    }

    fn check(&self, doc: &Document, _cx: &Context, out: &mut Vec<Diagnostic>) {
        // Most strings hold no placeholder; one search of the whole file for the texts a
        // placeholder needs finds the few strings worth a closer look.
        let text = doc.text();
        let hits = needle_hits(text);
        let embedded = doc.model.embedded().and_then(|p| p.root.as_ref());
        // Without an escape, every string's value is a piece of the file's text, so a
        // file that holds none of those texts holds no placeholder: nothing to walk.
        if hits.as_ref().is_some_and(Vec::is_empty)
            && embedded.is_none()
            && memchr::memchr(b'\\', text.as_bytes()).is_none()
        {
            return;
        }
        // `aws kms get-key-policy` output: the policy inside the `Policy` string is checked
        // as a document of its own (its spans are mapped into the literal), and the literal
        // itself is skipped so nothing is reported twice.
        let policy_literal = match aws_model::model(doc) {
            Some(AwsDoc::GetKeyPolicy(o)) => Some(o.literal),
            _ => None,
        };
        let mut visit = |node: &Node| {
            if let (Some(hits), Value::String(s)) = (&hits, &node.value) {
                if proven_clean(text.as_bytes(), node.span, s, hits) {
                    return;
                }
            }
            if let Some(d) = diagnose(doc, node, policy_literal) {
                out.push(d);
            }
        };
        if let Some(root) = doc.root() {
            walk(root, policy_literal, &mut visit);
        }
        if let Some(root) = embedded {
            walk(root, None, &mut visit);
        }
    }
}

/// Calls `visit` on the string and number values of a tree, in document order, minus
/// free-text members and `skip`.
fn walk<'a>(root: &'a Node, skip: Option<Span>, visit: &mut impl FnMut(&'a Node)) {
    let mut stack: Vec<&Node> = Vec::with_capacity(32);
    stack.push(root);
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Object(members) => {
                for m in members.iter().rev() {
                    let free_text = m.key.eq_ignore_ascii_case("description")
                        || m.key.eq_ignore_ascii_case("title");
                    if !free_text {
                        stack.push(&m.value);
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::String(_) | Value::Number(_) if Some(n.span) != skip => visit(n),
            _ => {}
        }
    }
}

fn diagnose(doc: &Document, node: &Node, policy_literal: Option<Span>) -> Option<Diagnostic> {
    let (text, found) = match &node.value {
        Value::String(s) => (s.as_str(), find_placeholders(s)),
        Value::Number(n) if EXAMPLE_ACCOUNTS.contains(&n.as_str()) => {
            (n.as_str(), vec![(0..n.len(), Kind::ExampleAccount)])
        }
        _ => return None,
    };
    let (first, _) = found.first()?;
    let (last, _) = found.last()?;
    let names: Vec<String> = found
        .iter()
        .map(|(r, _)| format!("`{}`", &text[r.clone()]))
        .collect();
    let all_accounts = found.iter().all(|(_, k)| *k == Kind::ExampleAccount);
    let any_account = found.iter().any(|(_, k)| *k == Kind::ExampleAccount);
    let message = if all_accounts {
        format!(
            "{} is an example account id from the AWS documentation, not a real account",
            names.join(", ")
        )
    } else if names.len() == 1 {
        format!("{} is template text that was never replaced", names[0])
    } else {
        format!(
            "{} are template text that was never replaced",
            names.join(", ")
        )
    };
    let help = if any_account {
        "replace it with the real 12-digit account id: your own account (`aws sts get-caller-identity` prints it) where the policy names your account, or the account in the JSON the Aura Console generated where it names Aura's"
    } else {
        "replace the placeholder with the real value before applying the file; AWS, Azure and Google Cloud take it literally, so the policy or template would name something that does not exist"
    };
    let span = value_span(doc, node, first.start..last.end, policy_literal);
    Some(Diagnostic::new(META.id, META.severity, span, message).with_help(help))
}

/// The file span of bytes `range` of the decoded value of `node`: exact, escapes included,
/// also for a value inside the `Policy` string of `get-key-policy` output; the whole value
/// when that cannot be worked out.
fn value_span(doc: &Document, node: &Node, range: Range<usize>, policy: Option<Span>) -> Span {
    if !matches!(node.value, Value::String(_)) {
        return node.span;
    }
    let text = doc.text();
    let inner = Span::new(range.start, range.end);
    if let Some(d) = decode_string_literal(text, node.span) {
        return d.map_span(inner);
    }
    // A string inside the policy string: decode the outer literal, find this literal in
    // the decoded text, decode it in turn, and map back through both.
    let mapped = policy.and_then(|lit| {
        let outer = decode_string_literal(text, lit)?;
        let start = outer.origin.partition_point(|&o| o < node.span.start);
        let end = outer.origin.partition_point(|&o| o < node.span.end);
        if outer.origin.get(start) != Some(&node.span.start) {
            return None;
        }
        let literal = decode_string_literal(&outer.text, Span::new(start, end))?;
        Some(outer.map_span(literal.map_span(inner)))
    });
    mapped.unwrap_or(node.span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(s: &str) -> Vec<&str> {
        find_placeholders(s)
            .into_iter()
            .map(|(r, _)| &s[r])
            .collect()
    }

    #[test]
    fn finds_placeholders() {
        assert_eq!(
            found("arn:aws:iam::<ACCOUNT_ID>:root"),
            vec!["<ACCOUNT_ID>"]
        );
        assert_eq!(found("<account-id>"), vec!["<account-id>"]);
        assert_eq!(found("<your key ARN>"), vec!["<your key ARN>"]);
        assert_eq!(found("<region>"), vec!["<region>"]);
        assert_eq!(found("{{ aura_account }}"), vec!["{{ aura_account }}"]);
        assert_eq!(found("REPLACE_ME"), vec!["REPLACE_ME"]);
        assert_eq!(
            found("arn:aws:iam::YOUR_ACCOUNT_ID:root"),
            vec!["YOUR_ACCOUNT_ID"]
        );
        assert_eq!(found("CHANGEME"), vec!["CHANGEME"]);
        assert_eq!(
            found("serviceAccount:your-sa@your-project.iam.gserviceaccount.com"),
            vec!["your-sa", "your-project"]
        );
        assert_eq!(
            found("arn:aws:iam::111122223333:root"),
            vec!["111122223333"]
        );
        assert_eq!(found("123456789012"), vec!["123456789012"]);
        assert_eq!(
            found("arn:aws:kms:<REGION>:<ACCOUNT_ID>:key/<KEY_ID>"),
            vec!["<REGION>", "<ACCOUNT_ID>", "<KEY_ID>"]
        );
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for s in [
            "arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}",
            "${aws:username}",
            "keys for values < 100 and > 5",
            "a <b>bold</b> word",
            "Allow your team to manage the key",
            "arn:aws:iam::493726108554:root",
            "1111222233334",
            "0111122223333",
            "key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "[parameters('keyVaultName')]",
            "MY_YOUR_THING",
            "kms:CallerAccount",
            "x<-y",
        ] {
            assert!(found(s).is_empty(), "{s}: {:?}", found(s));
        }
    }

    #[test]
    fn only_strings_without_needles_are_skipped() {
        let text = r#"{"a": "plain", "b": "x<y", "c": "1234567890123456789012", "d": "a{{{b",
            "e": "YOUR", "f": "your", "g": "\u003cID>", "h": "REPLACE", "i": 'CHANGEME', "j": "C",
            "k": "111122223333", "l": "R1 4", "m": “YOUR_ID”, "n": "12345678901", "o": "ok"}"#;
        let parsed = crate::json::parse(text);
        let Some(hits) = needle_hits(text) else {
            panic!("needle regex")
        };
        let mut values = Vec::new();
        if let Some(root) = parsed.root.as_ref() {
            walk(root, None, &mut |n| values.push(n));
        }
        let mut skipped = Vec::new();
        for node in values {
            let Value::String(s) = &node.value else {
                continue;
            };
            let has = Needles::find(s);
            let any = has.angle || has.mustache || has.upper_word || has.lower_your || has.account;
            if proven_clean(text.as_bytes(), node.span, s, &hits) {
                assert!(!any, "{s} was skipped but holds a needle");
                skipped.push(s.as_str());
            }
        }
        assert_eq!(skipped, vec!["plain", "C", "R1 4", "12345678901", "ok"]);
        // The whole-file search and the per-string one look for the same texts.
        for t in NEEDLE_WORDS.iter().chain(EXAMPLE_ACCOUNTS) {
            let has = Needles::find(t);
            assert!(
                has.mustache || has.upper_word || has.lower_your || has.account,
                "{t}"
            );
        }
    }

    #[test]
    fn a_file_without_needles_is_skipped_only_without_escapes() {
        let lint = |text: &str| -> Vec<String> {
            crate::engine::lint_text(
                std::path::Path::new("key-policy.json"),
                text,
                &crate::config::Config::default(),
            )
            .into_iter()
            .filter(|d| d.rule == META.id)
            .map(|d| d.message)
            .collect()
        };
        let policy = |principal: &str| {
            format!(
                r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "{principal}"}}, "Action": "kms:*", "Resource": "*"}}]}}"#
            )
        };
        // No needle and no backslash in the file: the walk is skipped, nothing found.
        assert!(lint(&policy("arn:aws:iam::493726108554:root")).is_empty());
        // The same placeholder written plainly and hidden behind escapes is found both ways.
        assert_eq!(
            lint(&policy("arn:aws:iam::<ACCOUNT_ID>:root")),
            lint(&policy(r"arn:aws:iam::\u003cACCOUNT_ID\u003e:root"))
        );
        assert_eq!(
            lint(&policy(r"arn:aws:iam::\u003cACCOUNT_ID\u003e:root")).len(),
            1
        );
        assert_eq!(lint(&policy(r"arn:aws:iam::REPLAC\u0045_ME:root")).len(), 1);
    }
}
