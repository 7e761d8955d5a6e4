//! The GCP rules, one file each, for Cloud KMS IAM policies, crypto keys and key rings
//! (DESIGN §6). `common` holds what they share (folder joins, grants, locations); the
//! GCP side of `unknown-region` is emitted by the two location rules.

mod common;
pub mod conditional_binding;
pub mod location_not_regional;
pub mod member_format;
pub mod region_mismatch;
pub mod resource_name_invalid;
pub mod role_missing;
pub mod rotation_not_set;
pub mod service_accounts_incomplete;

use super::Rule;

/// Every GCP rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[
    &role_missing::RoleMissing,
    &service_accounts_incomplete::ServiceAccountsIncomplete,
    &member_format::MemberFormat,
    &conditional_binding::ConditionalBinding,
    &location_not_regional::LocationNotRegional,
    &region_mismatch::RegionMismatch,
    &rotation_not_set::RotationNotSet,
    &resource_name_invalid::ResourceNameInvalid,
];
