//! Google Cloud location catalogue for Cloud KMS and Aura, as data with its date and source.
//!
//! Cloud KMS puts a key ring in a *location*: a region (`europe-west2`), a multi-region
//! (`global`, `us`, `europe`, `asia`, `ca`) or a named multi-/dual-region (`nam4`, `eur4`,
//! `asia1`, …). Aura needs a key ring in a region, the region of its instance (DOMAIN.md §0
//! "Region matches"). These lists are snapshots: regions open over time, so a location that
//! is not listed is reported as unknown with a "did you mean", never silently accepted as a
//! region. Nothing here reports findings.

/// When the lists below were taken.
pub const CATALOGUE_DATE: &str = "2025-07";

/// Where they come from.
pub const CATALOGUE_SOURCES: &[&str] = &[
    "https://cloud.google.com/kms/docs/locations (Cloud KMS locations; regions and multi-regions)",
    "neo4j/docs-aura modules/ROOT/pages/managing-instances/regions.adoc, branch console, 2025-07-01 (Aura regions)",
];

/// Aura Virtual Dedicated Cloud regions on Google Cloud (docs-aura, 2025-07-01).
pub const AURA_VDC_REGIONS: &[&str] = &[
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west12",
    "me-central1",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "southamerica-east1",
    "southamerica-west1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
];

/// AuraDS Enterprise regions on Google Cloud (docs-aura, 2025-07-01).
pub const AURA_DS_REGIONS: &[&str] = &[
    "asia-east1",
    "asia-south1",
    "asia-south2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west4",
    "northamerica-northeast1",
    "southamerica-east1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-south1",
    "us-west1",
    "us-west2",
];

/// Google Cloud regions where Cloud KMS key rings can be created (Cloud KMS locations page;
/// every Aura region above is among them).
pub const REGIONS: &[&str] = &[
    "africa-south1",
    "asia-east1",
    "asia-east2",
    "asia-northeast1",
    "asia-northeast2",
    "asia-northeast3",
    "asia-south1",
    "asia-south2",
    "asia-southeast1",
    "asia-southeast2",
    "australia-southeast1",
    "australia-southeast2",
    "europe-central2",
    "europe-north1",
    "europe-north2",
    "europe-southwest1",
    "europe-west1",
    "europe-west2",
    "europe-west3",
    "europe-west4",
    "europe-west6",
    "europe-west8",
    "europe-west9",
    "europe-west10",
    "europe-west12",
    "me-central1",
    "me-central2",
    "me-west1",
    "northamerica-northeast1",
    "northamerica-northeast2",
    "northamerica-south1",
    "southamerica-east1",
    "southamerica-west1",
    "us-central1",
    "us-east1",
    "us-east4",
    "us-east5",
    "us-south1",
    "us-west1",
    "us-west2",
    "us-west3",
    "us-west4",
];

/// Cloud KMS locations that are not a single region, with what they span.
/// `global` is its own kind; the others are multi-regions (older docs called the
/// two-region ones, such as `nam4` and `eur4`, "dual-regional").
pub const MULTI_REGIONS: &[(&str, &str)] = &[
    ("global", "all Google Cloud regions"),
    ("us", "multiple regions in the United States"),
    ("europe", "multiple regions in the European Union"),
    ("asia", "multiple regions in Asia"),
    ("ca", "multiple regions in Canada"),
    ("nam3", "Northern Virginia and South Carolina"),
    ("nam4", "Iowa, South Carolina and Oklahoma"),
    ("nam6", "Iowa and South Carolina"),
    ("nam7", "Iowa, Northern Virginia and Oklahoma"),
    ("nam8", "Los Angeles, Oregon and Salt Lake City"),
    ("nam9", "Northern Virginia and Iowa"),
    ("nam10", "Iowa, Salt Lake City and Oklahoma"),
    ("nam11", "Iowa, South Carolina and Oklahoma"),
    ("nam12", "Iowa, Northern Virginia, Oklahoma and Oregon"),
    ("eur3", "Belgium and the Netherlands"),
    ("eur4", "the Netherlands and Finland"),
    ("eur5", "Belgium and London"),
    ("eur6", "the Netherlands and Frankfurt"),
    ("eur7", "London and Frankfurt"),
    ("eur8", "Frankfurt and Zurich"),
    ("asia1", "Tokyo and Osaka"),
];

/// What kind of location a Cloud KMS location name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocationKind {
    /// A single region (`europe-west2`).
    Region,
    /// `global`.
    Global,
    /// A multi-region or named multi-/dual-region, with what it spans (`None` when only
    /// its name pattern is known, e.g. a `nam13` opened after this catalogue was taken).
    MultiRegion(Option<&'static str>),
    /// Not a location this catalogue knows.
    Unknown,
}

/// Classifies a Cloud KMS location name (lower-case, as the API spells them).
pub fn location_kind(name: &str) -> LocationKind {
    if REGIONS.contains(&name) {
        return LocationKind::Region;
    }
    if name == "global" {
        return LocationKind::Global;
    }
    if let Some((_, spans)) = MULTI_REGIONS.iter().find(|(n, _)| *n == name) {
        return LocationKind::MultiRegion(Some(spans));
    }
    if is_named_multi_region(name) {
        return LocationKind::MultiRegion(None);
    }
    LocationKind::Unknown
}

/// `nam13`, `eur9`, `asia2`: the naming scheme of Google's named multi-/dual-regions.
fn is_named_multi_region(name: &str) -> bool {
    ["nam", "eur", "asia"].iter().any(|p| {
        name.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// Whether Aura (Virtual Dedicated Cloud or AuraDS Enterprise) is offered in `region`.
pub fn is_aura_region(region: &str) -> bool {
    AURA_VDC_REGIONS.contains(&region) || AURA_DS_REGIONS.contains(&region)
}

/// Every location name, for "did you mean".
pub fn all_locations() -> Vec<&'static str> {
    REGIONS
        .iter()
        .copied()
        .chain(MULTI_REGIONS.iter().map(|(n, _)| *n))
        .collect()
}

/// The closest region (or, failing that, location) to a misspelt name.
///
/// Common slips are undone first (`europe-west-2` with an AWS-style hyphen, upper case,
/// `_` for `-`); then the nearest name by edit distance counting a swap of two letters as
/// one edit (`wets` for `west`), preferring a name that ends in the same number.
pub fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase().replace('_', "-");
    let normalised = dehyphenate_number(&lower);
    let all = all_locations();
    if let Some(hit) = all.iter().find(|l| **l == normalised) {
        return Some(hit);
    }
    let limit = (normalised.chars().count() / 3).clamp(1, 4);
    let digits = |s: &str| {
        s.trim_start_matches(|c: char| !c.is_ascii_digit())
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or("")
            .to_string()
    };
    let want = digits(&normalised);
    let best = |list: &[&'static str]| {
        list.iter()
            .map(|c| (osa_distance(&normalised, c), digits(c) != want, *c))
            .filter(|(d, _, _)| *d <= limit)
            .min()
            .map(|(_, _, c)| c)
    };
    best(REGIONS).or_else(|| best(&all))
}

/// `europe-west-2` → `europe-west2` (GCP regions end in a number without a hyphen).
fn dehyphenate_number(s: &str) -> String {
    match s.rsplit_once('-') {
        Some((head, tail))
            if !tail.is_empty()
                && tail.bytes().all(|b| b.is_ascii_digit())
                && head.contains('-') =>
        {
            format!("{head}{tail}")
        }
        _ => s.to_string(),
    }
}

/// Optimal-string-alignment distance: Levenshtein plus adjacent transpositions.
fn osa_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    if let Some(first) = d.first_mut() {
        for (j, cell) in first.iter_mut().enumerate() {
            *cell = j;
        }
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aura_regions_are_google_regions() {
        for r in AURA_VDC_REGIONS.iter().chain(AURA_DS_REGIONS) {
            assert_eq!(location_kind(r), LocationKind::Region, "{r}");
        }
    }

    #[test]
    fn kinds() {
        assert_eq!(location_kind("europe-west2"), LocationKind::Region);
        assert_eq!(location_kind("global"), LocationKind::Global);
        assert!(matches!(
            location_kind("europe"),
            LocationKind::MultiRegion(Some(_))
        ));
        assert!(matches!(
            location_kind("nam4"),
            LocationKind::MultiRegion(Some(_))
        ));
        assert_eq!(location_kind("nam13"), LocationKind::MultiRegion(None));
        assert_eq!(location_kind("europe-wst2"), LocationKind::Unknown);
        assert_eq!(location_kind("namx"), LocationKind::Unknown);
        assert_eq!(location_kind("Europe-West2"), LocationKind::Unknown);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("europe-wst2"), Some("europe-west2"));
        assert_eq!(suggest("europe-west-2"), Some("europe-west2"));
        assert_eq!(suggest("europe-wets2"), Some("europe-west2"));
        assert_eq!(suggest("Europe-West2"), Some("europe-west2"));
        assert_eq!(suggest("us_east4"), Some("us-east4"));
        assert_eq!(suggest("eur44"), Some("eur4"));
        assert_eq!(suggest("us-centrall"), Some("us-central1"));
        assert_eq!(suggest("mars-north9"), None);
    }

    #[test]
    fn lists_have_no_duplicates() {
        let mut all = all_locations();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}
