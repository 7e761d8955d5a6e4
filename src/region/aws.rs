//! AWS region catalogue (filled in by the AWS work).
