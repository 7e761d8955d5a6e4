//! Azure region catalogue: the names (`westeurope`) a Key Vault `location` may take, and
//! the normalisation that makes a display name (`West Europe`) compare equal to its name.
//!
//! Data, not rules: a snapshot with its date and sources. A region Azure opens later is
//! missing here until the list is updated, so the list leans towards including every
//! name Azure Resource Manager has published (sovereign clouds included).
//!
//! Sources (DOMAIN.md §2, "Region names"):
//! - Azure/azure-sdk-for-net `sdk/core/Azure.Core/src/AzureLocation.cs` (public and
//!   sovereign clouds);
//! - `az account list-locations` listings published in public repositories, for regions
//!   opened since (Chile Central, New Zealand North, Indonesia Central, Malaysia West,
//!   Austria East, Belgium Central, Denmark East, Jio India, Brazil US, EUAP canaries).
//!
//! Catalogue date: 2026-04.

/// When this catalogue was last checked against its sources.
pub const CATALOGUE_DATE: &str = "2026-04";

/// Every Azure location name (lowercase, no spaces), public clouds first, then sovereign.
pub const REGIONS: &[&str] = &[
    // Americas
    "eastus",
    "eastus2",
    "centralus",
    "northcentralus",
    "southcentralus",
    "westcentralus",
    "westus",
    "westus2",
    "westus3",
    "canadacentral",
    "canadaeast",
    "brazilsouth",
    "brazilsoutheast",
    "brazilus",
    "mexicocentral",
    "chilecentral",
    "eastus2euap",
    "centraluseuap",
    // Europe
    "northeurope",
    "westeurope",
    "uksouth",
    "ukwest",
    "francecentral",
    "francesouth",
    "germanynorth",
    "germanywestcentral",
    "norwayeast",
    "norwaywest",
    "swedencentral",
    "swedensouth",
    "switzerlandnorth",
    "switzerlandwest",
    "italynorth",
    "polandcentral",
    "spaincentral",
    "austriaeast",
    "belgiumcentral",
    "denmarkeast",
    // Asia Pacific
    "eastasia",
    "southeastasia",
    "japaneast",
    "japanwest",
    "koreacentral",
    "koreasouth",
    "centralindia",
    "southindia",
    "westindia",
    "jioindiacentral",
    "jioindiawest",
    "australiaeast",
    "australiasoutheast",
    "australiacentral",
    "australiacentral2",
    "newzealandnorth",
    "indonesiacentral",
    "malaysiawest",
    // Middle East and Africa
    "uaecentral",
    "uaenorth",
    "qatarcentral",
    "israelcentral",
    "southafricanorth",
    "southafricawest",
    // Sovereign clouds: Azure China, Azure Government
    "chinaeast",
    "chinaeast2",
    "chinaeast3",
    "chinanorth",
    "chinanorth2",
    "chinanorth3",
    "usgovvirginia",
    "usgovarizona",
    "usgovtexas",
    "usgoviowa",
    "usdodeast",
    "usdodcentral",
];

/// The name form of a location: lowercase, spaces removed (`West Europe` → `westeurope`),
/// as hashicorp/go-azure-helpers `location.Normalize` does.
pub fn normalize(location: &str) -> String {
    location
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether `location` (either spelling) is a known Azure location.
pub fn is_known(location: &str) -> bool {
    let n = normalize(location);
    REGIONS.contains(&n.as_str())
}

/// The closest known location to a misspelt one, in name form.
pub fn suggest(location: &str) -> Option<&'static str> {
    super::did_you_mean(&normalize(location), REGIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_normalise_to_names() {
        assert_eq!(normalize("West Europe"), "westeurope");
        assert_eq!(normalize("West US 3"), "westus3");
        assert!(is_known("Germany West Central"));
        assert!(is_known("uksouth"));
        assert!(!is_known("westeurop"));
        assert!(!is_known("eu-west-1"));
    }

    #[test]
    fn suggestions_for_typos() {
        assert_eq!(suggest("westeurop"), Some("westeurope"));
        assert_eq!(suggest("UK Suoth"), Some("uksouth"));
        assert_eq!(suggest("mars"), None);
    }
}
