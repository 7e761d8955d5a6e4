//! The AZURE rules, one file each. (Filled in by the AZURE work.)

use super::Rule;

/// Every AZURE rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[];
