//! GCP region catalogue (filled in by the GCP work).
