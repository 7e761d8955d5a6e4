//! Amazon Resource Names: `arn:<partition>:<service>:<region>:<account>:<resource>`, and
//! the shape of a KMS key ARN, `arn:aws:kms:eu-west-1:111122223333:key/<key-id>` where the
//! key id is a UUID or, for a multi-Region key, `mrk-` and 32 hex digits (DOMAIN.md §1).

use std::ops::Range;

/// AWS partitions (aws-sdk `partitions.json`).
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The six fields of an ARN, with their byte ranges in the ARN string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: (&'a str, Range<usize>),
    pub service: (&'a str, Range<usize>),
    pub region: (&'a str, Range<usize>),
    pub account: (&'a str, Range<usize>),
    pub resource: (&'a str, Range<usize>),
}

/// Splits an ARN into its fields; `None` if it does not start with `arn:` or has fewer
/// than six fields.
pub fn split(s: &str) -> Option<Arn<'_>> {
    if !s.starts_with("arn:") {
        return None;
    }
    let mut fields = Vec::with_capacity(6);
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == ':' && fields.len() < 5 {
            fields.push((&s[start..i], start..i));
            start = i + 1;
        }
    }
    if fields.len() < 5 {
        return None;
    }
    fields.push((&s[start..], start..s.len()));
    let mut it = fields.into_iter().skip(1);
    Some(Arn {
        partition: it.next()?,
        service: it.next()?,
        region: it.next()?,
        account: it.next()?,
        resource: it.next()?,
    })
}

/// A well-formed KMS key ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyArn<'a> {
    pub partition: &'a str,
    pub region: &'a str,
    /// Byte range of the region in the ARN string.
    pub region_range: Range<usize>,
    pub account: &'a str,
    pub key_id: &'a str,
}

impl KeyArn<'_> {
    pub fn is_multi_region(&self) -> bool {
        self.key_id.starts_with("mrk-")
    }
}

/// What is wrong with a would-be key ARN: a message and the byte range at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArnProblem {
    pub message: String,
    pub range: Range<usize>,
}

/// Whether `s` is meant as a KMS key (or alias) ARN: it starts with `arn:` and its
/// service field (or, when it has too few fields, any field) is `kms`.
pub fn looks_like_kms_arn(s: &str) -> bool {
    if !s.starts_with("arn:") {
        return false;
    }
    match split(s) {
        Some(a) => a.service.0.eq_ignore_ascii_case("kms"),
        None => s.split(':').any(|f| f.eq_ignore_ascii_case("kms")),
    }
}

/// Whether the ARN names a KMS alias rather than a key.
pub fn is_alias_arn(s: &str) -> bool {
    split(s).is_some_and(|a| a.service.0 == "kms" && a.resource.0.starts_with("alias/"))
}

/// Checks a KMS key ARN. The region's spelling is not judged here (an unknown region is
/// `unknown-region`), only that the field has a region's shape.
pub fn parse_key_arn(s: &str) -> Result<KeyArn<'_>, ArnProblem> {
    let whole = 0..s.len();
    let problem = |message: String, range: Range<usize>| ArnProblem { message, range };
    if s.trim() != s {
        return Err(problem(
            "key ARN has leading or trailing whitespace".to_string(),
            whole,
        ));
    }
    let Some(arn) = split(s) else {
        let fields = s.split(':').count();
        return Err(problem(
            format!(
                "key ARN has {fields} colon-separated fields; a key ARN has six (`arn:aws:kms:REGION:ACCOUNT:key/KEY-ID`)"
            ),
            whole,
        ));
    };
    if !PARTITIONS.contains(&arn.partition.0) {
        return Err(problem(
            format!(
                "key ARN partition `{}` is not an AWS partition (`aws`, `aws-cn`, `aws-us-gov`, …)",
                arn.partition.0
            ),
            arn.partition.1,
        ));
    }
    if arn.service.0 != "kms" {
        return Err(problem(
            format!("key ARN service `{}` is not `kms`", arn.service.0),
            arn.service.1,
        ));
    }
    if arn.region.0.is_empty() {
        return Err(problem(
            "key ARN has no region; a KMS key always lives in one region".to_string(),
            arn.region.1.start.saturating_sub(1)..arn.region.1.end + 1,
        ));
    }
    if !region_shaped(arn.region.0) {
        return Err(problem(
            format!("key ARN region `{}` is not a region name", arn.region.0),
            arn.region.1,
        ));
    }
    if arn.account.0.len() != 12 || !arn.account.0.bytes().all(|b| b.is_ascii_digit()) {
        return Err(problem(
            format!(
                "key ARN account `{}` is not a 12-digit AWS account id",
                arn.account.0
            ),
            arn.account.1,
        ));
    }
    let (kind, id) = arn
        .resource
        .0
        .split_once('/')
        .unwrap_or((arn.resource.0, ""));
    if kind != "key" {
        return Err(problem(
            format!(
                "key ARN resource `{}` does not start with `key/`",
                arn.resource.0
            ),
            arn.resource.1,
        ));
    }
    let id_range = (arn.resource.1.start + 4).min(arn.resource.1.end)..arn.resource.1.end;
    if id.is_empty() {
        // `…:key` or `…:key/`: the id is missing, not malformed.
        return Err(problem(
            "key ARN has no key id: it must end in `key/` and the key's UUID or multi-Region key id".to_string(),
            arn.resource.1,
        ));
    }
    if !is_key_id(id) {
        return Err(problem(
            format!(
                "key ARN key id `{id}` is neither a UUID (`1234abcd-12ab-34cd-56ef-1234567890ab`) nor a multi-Region key id (`mrk-` and 32 hex digits)"
            ),
            id_range,
        ));
    }
    Ok(KeyArn {
        partition: arn.partition.0,
        region: arn.region.0,
        region_range: arn.region.1,
        account: arn.account.0,
        key_id: id,
    })
}

/// Something like a region: lower-case letters, dashes and a trailing number (lenient:
/// `eu-west1` passes and is judged by the region catalogue).
fn region_shaped(r: &str) -> bool {
    r.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && r.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && r.bytes().last().is_some_and(|b| b.is_ascii_digit())
        && r.contains('-')
}

/// A KMS key id: a UUID or `mrk-` + 32 hex digits.
pub fn is_key_id(id: &str) -> bool {
    if let Some(hex) = id.strip_prefix("mrk-") {
        return hex.len() == 32 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    let groups: Vec<&str> = id.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The account an IAM principal ARN (or bare account id) belongs to:
/// `arn:aws:iam::111122223333:root` / `:role/x` / `arn:aws:sts::…:assumed-role/…` / `111122223333`.
pub fn principal_account(p: &str) -> Option<&str> {
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Some(p);
    }
    let arn = split(p)?;
    if matches!(arn.service.0, "iam" | "sts") && !arn.account.0.is_empty() {
        return Some(arn.account.0);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_arns() {
        let ok = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        let k = parse_key_arn(ok).map_err(|e| e.message);
        assert_eq!(k.as_ref().map(|k| k.region), Ok("eu-west-1"));
        let mrk = "arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
        assert!(parse_key_arn(mrk).is_ok_and(|k| k.is_multi_region()));
        let bad = |s: &str| parse_key_arn(s).err().map(|e| s[e.range].to_string());
        assert_eq!(
            bad("arn:aws:kms:eu-west-1:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            Some("11112222333".to_string())
        );
        assert_eq!(
            bad("arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890a"),
            Some("1234abcd-12ab-34cd-56ef-1234567890a".to_string())
        );
        // No key id at all (found by fuzzing: the id's range was inverted).
        for arn in [
            "arn:aws:kms:eu-west-1:111122223333:key",
            "arn:aws:kms:eu-west-1:111122223333:key/",
        ] {
            let e = parse_key_arn(arn).err();
            assert_eq!(e.as_ref().map(|e| &arn[e.range.clone()]), Some(&arn[35..]));
            assert!(e.is_some_and(|e| e.message.starts_with("key ARN has no key id")));
        }
        assert_eq!(
            bad("arn:aws:kms:eu-west-1:111122223333:alias/x"),
            Some("alias/x".to_string())
        );
        assert_eq!(
            bad("arn:aws:kms:eu-west-1:key/x"),
            Some("arn:aws:kms:eu-west-1:key/x".to_string())
        );
        assert_eq!(
            bad("arn:aws:kms::111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
            Some("::".to_string())
        );
        assert!(parse_key_arn(
            "arn:aws:kms:eu-west1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        .is_ok());
    }

    #[test]
    fn principals() {
        assert_eq!(
            principal_account("arn:aws:iam::111122223333:root"),
            Some("111122223333")
        );
        assert_eq!(
            principal_account("arn:aws:iam::111122223333:role/x/y"),
            Some("111122223333")
        );
        assert_eq!(principal_account("111122223333"), Some("111122223333"));
        assert_eq!(principal_account("kms.amazonaws.com"), None);
    }
}
