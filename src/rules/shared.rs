//! Rules shared by every cloud. `unknown-region` is reported by each cloud's region
//! checks (they know their catalogue); this file holds its metadata and documentation.

use super::{Group, MetaOnly, Rule, RuleMeta};
use crate::diagnostic::Severity;

pub const UNKNOWN_REGION_ID: &str = "unknown-region";

pub static UNKNOWN_REGION: MetaOnly = MetaOnly(RuleMeta {
    id: UNKNOWN_REGION_ID,
    group: Group::Shared,
    severity: Severity::Error,
    summary: "A region that no catalogue of that cloud knows (with \"did you mean\")",
    docs: "## What it checks\n\nThat every region named in `cmklint.toml` (`[aura] region`) or in a document (a key ARN's region, a Key Vault `location`, a Cloud KMS key ring location) is a region the cloud has. A misspelt region is reported here, with the closest real name, instead of as a region mismatch.\n\n## Why it matters\n\nA key in a region that does not exist cannot be created, and a misspelt Aura region in the configuration makes every region comparison meaningless.\n\n## Example\n\n```toml\n[aura]\ncloud = \"aws\"\nregion = \"eu-west1\"\n```\n\n## Use instead\n\n```toml\n[aura]\ncloud = \"aws\"\nregion = \"eu-west-1\"\n```\n\n## References\n\nThe region catalogues in `src/region/` list their sources and dates; they are snapshots and may miss regions opened since.\n",
    fixable: false,
});

/// Shared rules, in catalogue order.
pub static RULES: &[&dyn Rule] = &[&UNKNOWN_REGION];
