//! The AWS rules, one file each. (Filled in by the AWS work.)

use super::Rule;

/// Every AWS rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[];
