//! AWS documents: classification and typed models. (Stub: filled in by the AWS work.)

use super::Classified;
use crate::json::Parsed;
use crate::source::SourceFile;

/// The typed model of one AWS document.
#[derive(Debug, Clone)]
pub enum AwsDoc {}

impl AwsDoc {
    pub fn kind_name(&self) -> &'static str {
        match *self {}
    }

    /// The policy parsed out of a `get-key-policy` `Policy` string, spans mapped.
    pub fn embedded(&self) -> Option<&Parsed> {
        match *self {}
    }
}

/// Recognises AWS documents by content.
pub fn classify(_source: &SourceFile, _parsed: &Parsed) -> Classified {
    Classified::NotOurs
}
