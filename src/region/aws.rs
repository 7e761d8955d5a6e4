//! AWS region catalogue: data with its date and source, not rules (DOMAIN.md §0, §1).
//!
//! Regions change; a region opened after these snapshots is reported as unknown until the
//! list is updated here.

/// Where [`REGIONS`] comes from.
pub const SOURCE: &str = "aws/aws-sdk-js-v3 packages/util-endpoints/src/lib/aws/partitions.json (stored version), plus the aws-cn and aws-us-gov partitions";
/// When the catalogue was last checked.
pub const AS_OF: &str = "2025-07";

/// Every AWS region cmklint knows (commercial, China, GovCloud).
pub const REGIONS: &[&str] = &[
    // aws (commercial)
    "af-south-1",
    "ap-east-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    // aws-cn
    "cn-north-1",
    "cn-northwest-1",
    // aws-us-gov
    "us-gov-east-1",
    "us-gov-west-1",
];

/// Where [`AURA_REGIONS`] comes from.
pub const AURA_SOURCE: &str =
    "neo4j/docs-aura modules/ROOT/pages/managing-instances/regions.adoc (branch console)";
/// When the Aura lists were taken.
pub const AURA_AS_OF: &str = "2025-07-01";

/// AWS regions offering AuraDB Virtual Dedicated Cloud.
pub const AURA_REGIONS: &[&str] = &[
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-2",
];

/// AWS regions offering AuraDS Enterprise.
pub const AURA_DS_REGIONS: &[&str] = &[
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-central-1",
    "eu-west-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
];

/// Whether `region` is a known AWS region (exact, lower-case spelling).
pub fn is_known(region: &str) -> bool {
    REGIONS.contains(&region)
}

/// The known region closest to a misspelt one (`eu-west1` → `eu-west-1`).
pub fn suggest(region: &str) -> Option<&'static str> {
    let lower = region.trim().to_ascii_lowercase();
    if lower != region && is_known(&lower) {
        return REGIONS.iter().copied().find(|r| *r == lower);
    }
    super::did_you_mean(&lower, REGIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue() {
        assert!(is_known("eu-west-1"));
        assert!(!is_known("eu-west1"));
        assert_eq!(suggest("eu-west1"), Some("eu-west-1"));
        assert_eq!(suggest("EU-WEST-1"), Some("eu-west-1"));
        assert_eq!(suggest("westeurope"), None);
        assert!(AURA_REGIONS.iter().all(|r| is_known(r)));
        assert!(AURA_DS_REGIONS.iter().all(|r| is_known(r)));
    }
}
