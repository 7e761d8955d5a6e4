//! The GCP rules, one file each. (Filled in by the GCP work.)

use super::Rule;

/// Every GCP rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[];
