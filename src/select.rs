//! Which rules run for a unit and at what severity, from `[rules]` in the config.
//!
//! `select` and `ignore` take rule ids or prefixes (`aws` selects every `aws-*` rule);
//! the most specific match wins, so `select = ["aws"]`, `ignore = ["aws-key-spec"]` runs
//! every AWS rule but one. Reserved ids (`io-error`, `config-error`) always run.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::diagnostic::Severity;

pub struct RuleSet {
    select: Vec<String>,
    ignore: Vec<String>,
    severity: BTreeMap<String, Severity>,
}

impl RuleSet {
    pub fn new(config: &Config) -> RuleSet {
        RuleSet {
            select: config.rules.select.clone(),
            ignore: config.rules.ignore.clone(),
            severity: config
                .rules
                .severity
                .iter()
                .filter_map(|(k, v)| Severity::parse(v).map(|s| (k.clone(), s)))
                .collect(),
        }
    }

    /// Whether `id` runs.
    pub fn enabled(&self, id: &str) -> bool {
        if id == crate::engine::IO_ERROR || id == crate::engine::CONFIG_ERROR {
            return true;
        }
        let best = |pats: &[String]| {
            pats.iter()
                .filter(|p| matches(p, id))
                .map(|p| p.len())
                .max()
        };
        let sel = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (sel, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    /// The severity `id` reports at, given its default.
    pub fn severity(&self, id: &str, default: Severity) -> Severity {
        self.severity.get(id).copied().unwrap_or(default)
    }
}

/// `pat` matches `id` exactly, as a dash-separated prefix (`aws`, `aws-key`), or is `all`.
fn matches(pat: &str, id: &str) -> bool {
    pat == "all"
        || id == pat
        || (id.starts_with(pat) && id.as_bytes().get(pat.len()) == Some(&b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(select: &[&str], ignore: &[&str]) -> RuleSet {
        let mut c = Config::default();
        c.rules.select = select.iter().map(|s| s.to_string()).collect();
        c.rules.ignore = ignore.iter().map(|s| s.to_string()).collect();
        RuleSet::new(&c)
    }

    #[test]
    fn prefixes_and_specificity() {
        let s = set(&["aws"], &["aws-key-spec"]);
        assert!(s.enabled("aws-key-state"));
        assert!(!s.enabled("aws-key-spec"));
        assert!(!s.enabled("azure-rbac-disabled"));
        assert!(!s.enabled("awsx-foo"));
        let s = set(&[], &["gcp"]);
        assert!(s.enabled("json-syntax"));
        assert!(!s.enabled("gcp-role-missing"));
        assert!(s.enabled("io-error"));
    }
}
