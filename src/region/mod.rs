//! Region catalogues per cloud, as data with their date and source (DOMAIN.md), and the
//! normalisation and "did you mean" used by the region rules.
//! One file per cloud holds its catalogue.

pub mod aws;
pub mod azure;
pub mod gcp;

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest name in `catalogue` to `name`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, catalogue: &[&'a str]) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).clamp(1, 4);
    catalogue
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(
            did_you_mean("eu-west1", &["eu-west-1", "us-east-1"]),
            Some("eu-west-1")
        );
        assert_eq!(did_you_mean("mars-1", &["eu-west-1"]), None);
    }
}
