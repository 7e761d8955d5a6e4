//! cmklint: a policy-as-code validator and linter for the cloud-side setup of Customer
//! Managed Keys for Neo4j Aura.
//!
//! The pipeline reads top to bottom: [`discover`] → [`source`] → [`json`] → [`document`]
//! → [`rules`] → [`diagnostic`] → [`render`], driven by [`engine`]. The binary
//! (`src/main.rs`, `src/cli.rs`) only parses arguments, runs the engine and maps the
//! outcome to an exit code.

pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod document;
pub mod engine;
pub mod fix;
mod hash;
pub mod json;
pub mod pack;
pub mod region;
pub mod render;
pub mod rules;
pub mod select;
pub mod source;
mod swar;
