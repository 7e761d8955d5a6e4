//! AZURE region catalogue (filled in by the AZURE work).
