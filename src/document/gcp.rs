//! GCP documents: classification and typed models. (Stub: filled in by the GCP work.)

use super::Classified;
use crate::json::Parsed;
use crate::source::SourceFile;

/// The typed model of one GCP document.
#[derive(Debug, Clone)]
pub enum GcpDoc {}

impl GcpDoc {
    pub fn kind_name(&self) -> &'static str {
        match *self {}
    }
}

/// Recognises GCP documents by content.
pub fn classify(_source: &SourceFile, _parsed: &Parsed) -> Classified {
    Classified::NotOurs
}
