//! Format adapters: turn an input format into regions to scan.

pub(crate) mod diff;
