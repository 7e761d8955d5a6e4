//! AZURE documents: classification and typed models. (Stub: filled in by the AZURE work.)

use super::Classified;
use crate::json::Parsed;
use crate::source::SourceFile;

/// The typed model of one AZURE document.
#[derive(Debug, Clone)]
pub enum AzureDoc {}

impl AzureDoc {
    pub fn kind_name(&self) -> &'static str {
        match *self {}
    }
}

/// Recognises AZURE documents by content.
pub fn classify(_source: &SourceFile, _parsed: &Parsed) -> Classified {
    Classified::NotOurs
}
