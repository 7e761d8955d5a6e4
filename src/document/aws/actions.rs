//! The AWS KMS actions an IAM or key policy can name, and IAM's action matching.
//!
//! Source: AWS Service Authorization Reference, "Actions, resources, and condition keys
//! for AWS Key Management Service" (service prefix `kms`), checked 2025. Action names are
//! case-insensitive in IAM; `*` matches any run of characters and `?` one character.

/// Defines the action list twice from one list of names: bare (`Decrypt`) and with the
/// service prefix (`kms:Decrypt`), so rules can test a concrete action without formatting it.
macro_rules! kms_actions {
    ($($name:literal,)*) => {
        /// Every KMS action (without the `kms:` prefix), as AWS spells it, sorted
        /// ASCII-case-insensitively (`is_kms_action` and `candidates` look only at the
        /// actions that share the first letter, which sit together).
        pub const KMS_ACTIONS: &[&str] = &[$($name,)*];
        /// `KMS_ACTIONS` with the `kms:` prefix, in the same order.
        pub const KMS_FULL_NAMES: &[&str] = &[$(concat!("kms:", $name),)*];
    };
}

kms_actions! {
    "CancelKeyDeletion",
    "ConnectCustomKeyStore",
    "CreateAlias",
    "CreateCustomKeyStore",
    "CreateGrant",
    "CreateKey",
    "Decrypt",
    "DeleteAlias",
    "DeleteCustomKeyStore",
    "DeleteImportedKeyMaterial",
    "DeriveSharedSecret",
    "DescribeCustomKeyStores",
    "DescribeKey",
    "DisableKey",
    "DisableKeyRotation",
    "DisconnectCustomKeyStore",
    "EnableKey",
    "EnableKeyRotation",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GenerateRandom",
    "GetKeyPolicy",
    "GetKeyRotationStatus",
    "GetParametersForImport",
    "GetPublicKey",
    "ImportKeyMaterial",
    "ListAliases",
    "ListGrants",
    "ListKeyPolicies",
    "ListKeyRotations",
    "ListKeys",
    "ListResourceTags",
    "ListRetirableGrants",
    "PutKeyPolicy",
    "ReEncryptFrom",
    "ReEncryptTo",
    "ReplicateKey",
    "RetireGrant",
    "RevokeGrant",
    "RotateKeyOnDemand",
    "ScheduleKeyDeletion",
    "Sign",
    "SynchronizeMultiRegionKey",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
    "UpdateCustomKeyStore",
    "UpdateKeyDescription",
    "UpdatePrimaryRegion",
    "Verify",
    "VerifyMac",
}

/// The actions Aura needs on its key (DOMAIN.md §1), as written in the Aura statements.
pub const AURA_NEEDED: &[&str] = &[
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
    "kms:CreateGrant",
    "kms:ListGrants",
    "kms:RevokeGrant",
];

/// Whether `name` (without the `kms:` prefix) is a KMS action, ASCII-case-insensitively.
pub fn is_kms_action(name: &str) -> bool {
    name.as_bytes().first().is_some_and(|&c| {
        KMS_ACTIONS[by_first_letter(c)]
            .iter()
            .any(|a| a.eq_ignore_ascii_case(name))
    })
}

/// The index range of the actions whose name starts with `c` (ASCII-case-insensitively);
/// empty for anything but a letter.
fn by_first_letter(c: u8) -> std::ops::Range<usize> {
    static INDEX: std::sync::LazyLock<[(usize, usize); 26]> = std::sync::LazyLock::new(|| {
        let mut index = [(0, 0); 26];
        for (slot, letter) in index.iter_mut().zip(b'a'..=b'z') {
            let first = |a: &&str| a.as_bytes()[0].to_ascii_lowercase();
            let lo = KMS_ACTIONS.partition_point(|a| first(a) < letter);
            let hi = KMS_ACTIONS.partition_point(|a| first(a) <= letter);
            *slot = (lo, hi);
        }
        index
    });
    let c = c.to_ascii_lowercase();
    if c.is_ascii_lowercase() {
        let (lo, hi) = INDEX[usize::from(c - b'a')];
        lo..hi
    } else {
        0..0
    }
}

/// The index range of `KMS_ACTIONS` that can match `m`: the actions that start with the
/// text before the first wildcard (they sit together in the sorted list).
fn candidates(m: &Matcher<'_>) -> std::ops::Range<usize> {
    let prefix: &[u8] = match m {
        Matcher::All => return 0..KMS_ACTIONS.len(),
        Matcher::Name(name) => name.as_bytes(),
        Matcher::Wild { prefix, .. } => prefix,
    };
    let Some(&c) = prefix.first() else {
        return 0..KMS_ACTIONS.len();
    };
    let bucket = by_first_letter(c);
    let starts = |a: &str| {
        a.as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    let names = &KMS_ACTIONS[bucket.clone()];
    let lo = names.iter().position(|a| starts(a)).unwrap_or(names.len());
    let len = names[lo..].iter().take_while(|a| starts(a)).count();
    bucket.start + lo..bucket.start + lo + len
}

/// The KMS actions (`kms:Name`, as AWS spells them) an action pattern as written in a
/// policy matches; the same actions as `expand`, without allocating.
pub fn expand_full(pattern: &str) -> impl Iterator<Item = &'static str> + '_ {
    let m = matcher(pattern);
    let range = m.as_ref().map_or(0..0, candidates);
    KMS_ACTIONS[range.clone()]
        .iter()
        .zip(&KMS_FULL_NAMES[range])
        .filter(move |(a, _)| m.as_ref().is_some_and(|m| m.matches(a)))
        .map(|(_, full)| *full)
}

/// Whether a value holds a policy variable or template placeholder `${…}` (its real
/// value is unknown at lint time).
pub fn has_variable(s: &str) -> bool {
    // Cheaper than `contains("${")`, which sets up a substring searcher per call.
    let b = s.as_bytes();
    b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'$' && b.get(i + 1) == Some(&b'{'))
}

/// IAM wildcard match, ASCII-case-insensitive: `*` any run, `?` one character.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    // No allocation: rules call this for every action against the whole catalogue.
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi].eq_ignore_ascii_case(&n[ni])) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// The KMS actions (`kms:Name`) an action pattern as written in a policy matches.
/// `*` alone matches every action of every service, so every KMS action.
pub fn expand(pattern: &str) -> Vec<&'static str> {
    match matcher(pattern) {
        Some(Matcher::All) => KMS_ACTIONS.to_vec(),
        Some(m) => KMS_ACTIONS[candidates(&m)]
            .iter()
            .copied()
            .filter(|a| m.matches(a))
            .collect(),
        None => Vec::new(),
    }
}

/// Whether `pattern` names at least one KMS action (`expand(pattern)` is not empty),
/// without listing them.
pub fn matches_any(pattern: &str) -> bool {
    match matcher(pattern) {
        Some(Matcher::All) => !KMS_ACTIONS.is_empty(),
        Some(m) => KMS_ACTIONS[candidates(&m)].iter().any(|a| m.matches(a)),
        None => false,
    }
}

/// How a pattern is matched against one KMS action name.
enum Matcher<'p> {
    /// Every action (`*`, `kms:*`).
    All,
    /// One name, ASCII-case-insensitively.
    Name(&'p str),
    /// The text before the first wildcard, then (unless the rest is one trailing `*`)
    /// the whole pattern.
    Wild {
        prefix: &'p [u8],
        name: &'p str,
        only_trailing_star: bool,
    },
}

impl Matcher<'_> {
    fn matches(&self, a: &str) -> bool {
        match self {
            Matcher::All => true,
            Matcher::Name(name) => a.eq_ignore_ascii_case(name),
            Matcher::Wild {
                prefix,
                name,
                only_trailing_star,
            } => {
                let starts = a
                    .as_bytes()
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix));
                starts && (*only_trailing_star || glob_match(name, a))
            }
        }
    }
}

/// The matcher of an action pattern; `None` when it can match no KMS action.
fn matcher(pattern: &str) -> Option<Matcher<'_>> {
    if pattern == "*" {
        return Some(Matcher::All);
    }
    let (service, name) = pattern.split_once(':')?;
    if !glob_match(service, "kms") {
        return None;
    }
    // Most patterns are a name (`Decrypt`) or a name's beginning and one `*` (`Create*`,
    // `*`): both are a comparison of the text before the wildcard, without the matcher.
    let bytes = name.as_bytes();
    let Some(at) = bytes.iter().position(|&b| b == b'*' || b == b'?') else {
        return Some(Matcher::Name(name));
    };
    let prefix = &bytes[..at];
    let only_trailing_star = &bytes[at..] == b"*";
    if prefix.is_empty() && only_trailing_star {
        return Some(Matcher::All);
    }
    Some(Matcher::Wild {
        prefix,
        name,
        only_trailing_star,
    })
}

/// Whether some pattern of `patterns` grants `action` (`kms:Decrypt`), or — for a
/// wildcard requirement like `kms:ReEncrypt*` — every action it stands for.
pub fn covers(patterns: &[&str], action: &str) -> bool {
    let mut any = false;
    expand_full(action).all(|full| {
        any = true;
        patterns.iter().any(|p| matches_action(p, full))
    }) && any
}

/// Whether pattern `p` (as written in a policy) matches the action `kms:Name`.
pub fn matches_action(p: &str, action: &str) -> bool {
    p == "*" || glob_match(p, action)
}

/// The closest KMS action to a misspelt one (`kms:Decrypt` for `kms:Decript`).
pub fn did_you_mean(action: &str) -> Option<String> {
    let name = action.split_once(':').map_or(action, |(_, n)| n);
    let lower = name.to_ascii_lowercase();
    // `kms:ReEncrypt` (the API name) is two permissions: suggest the wildcard for both.
    let prefixed: Vec<&str> = KMS_ACTIONS
        .iter()
        .copied()
        .filter(|a| lower.len() >= 4 && a.to_ascii_lowercase().starts_with(&lower))
        .collect();
    if prefixed.len() >= 2 {
        let canonical = prefixed[0].get(..lower.len()).unwrap_or(name);
        return Some(format!("kms:{canonical}*"));
    }
    let limit = (lower.len() / 3).clamp(1, 5);
    KMS_ACTIONS
        .iter()
        .map(|a| {
            (
                crate::region::edit_distance(&lower, &a.to_ascii_lowercase()),
                *a,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, a)| format!("kms:{a}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
        for (x, y) in a.iter().zip(b) {
            let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
            if x != y {
                return x.cmp(&y);
            }
        }
        a.len().cmp(&b.len())
    }

    #[test]
    fn expand_agrees_with_matching_every_action() {
        let patterns = [
            "kms:Decrypt",
            "kms:decrypt",
            "KMS:DECRYPT",
            "kms:Decrypt ",
            "kms:Decryp",
            "kms:Create*",
            "kms:create*",
            "kms:*Grant*",
            "kms:?ecrypt",
            "kms:Re*crypt*",
            "kms:*",
            "kms:",
            "kms:Décrypt*",
            "k*:Get*",
            "kms:GenerateDataKey*",
            "kms:List*s",
            "kms:Create**",
            "kms:*crypt",
            "kms:Get*?",
            "kms:**",
        ];
        for p in patterns {
            let (_, name) = p.split_once(':').unwrap_or(("", p));
            let slow: Vec<&str> = KMS_ACTIONS
                .iter()
                .copied()
                .filter(|a| glob_match(name, a))
                .collect();
            assert_eq!(matches_any(p), !slow.is_empty(), "{p}");
            assert_eq!(expand(p), slow, "{p}");
        }
    }

    #[test]
    fn lookup_tables_agree() {
        assert_eq!(KMS_ACTIONS.len(), KMS_FULL_NAMES.len());
        for (a, full) in KMS_ACTIONS.iter().zip(KMS_FULL_NAMES) {
            assert_eq!(format!("kms:{a}"), *full);
            assert!(is_kms_action(a));
            assert!(is_kms_action(&a.to_ascii_lowercase()));
            assert!(is_kms_action(&a.to_ascii_uppercase()));
        }
        for w in KMS_ACTIONS.windows(2) {
            assert_eq!(
                cmp_ignore_ascii_case(w[0].as_bytes(), w[1].as_bytes()),
                std::cmp::Ordering::Less,
                "{} {}",
                w[0],
                w[1]
            );
        }
        for name in ["Decript", "", "ReEncrypt", "Decrypt ", "ListKey", "Verifys"] {
            assert!(!is_kms_action(name), "{name}");
        }
        for p in [
            "kms:ReEncrypt*",
            "*",
            "kms:Decrypt",
            "kms:Nope*",
            "s3:*",
            "k?s:Get*",
        ] {
            let slow: Vec<String> = expand(p).iter().map(|a| format!("kms:{a}")).collect();
            let fast: Vec<&str> = expand_full(p).collect();
            assert_eq!(fast, slow, "{p}");
        }
    }

    #[test]
    fn variables() {
        for s in ["${aws:username}", "arn:${x}", "a$b${", "$${"] {
            assert_eq!(has_variable(s), s.contains("${"), "{s}");
        }
        for s in ["", "$", "{$", "a$ {", "no", "${"] {
            assert_eq!(has_variable(s), s.contains("${"), "{s}");
        }
    }

    #[test]
    fn wildcards_and_case() {
        assert!(glob_match("ReEncrypt*", "ReEncryptFrom"));
        assert!(glob_match("generatedatakey*", "GenerateDataKeyPair"));
        assert!(glob_match("*", "Decrypt"));
        assert!(glob_match("Re?ncrypt*", "ReEncryptTo"));
        assert!(!glob_match("ReEncrypt*", "Decrypt"));
        assert_eq!(
            expand("kms:ReEncrypt*"),
            vec!["ReEncryptFrom", "ReEncryptTo"]
        );
        assert_eq!(expand("KMS:decrypt"), vec!["Decrypt"]);
        assert!(expand("kms:Decript").is_empty());
        assert!(expand("s3:GetObject").is_empty());
    }

    #[test]
    fn coverage() {
        assert!(covers(&["kms:*"], "kms:ReEncrypt*"));
        assert!(covers(
            &["kms:ReEncryptFrom", "kms:ReEncryptTo"],
            "kms:ReEncrypt*"
        ));
        assert!(!covers(&["kms:ReEncryptFrom"], "kms:ReEncrypt*"));
        assert!(covers(&["kms:Generate*"], "kms:GenerateDataKey*"));
        assert!(covers(&["*"], "kms:Decrypt"));
        assert!(!covers(&["kms:Encrypt"], "kms:Decrypt"));
    }

    #[test]
    fn suggestions() {
        assert_eq!(did_you_mean("kms:Decript").as_deref(), Some("kms:Decrypt"));
        assert_eq!(
            did_you_mean("kms:GenerateDatakeys").as_deref(),
            Some("kms:GenerateDataKey")
        );
        assert_eq!(
            did_you_mean("kms:reencrypt").as_deref(),
            Some("kms:ReEncrypt*")
        );
        assert_eq!(did_you_mean("kms:Frobnicate"), None);
    }
}
