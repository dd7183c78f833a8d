//! Format adapters: turn an input format into regions to scan.

pub(crate) mod diff;
pub(crate) mod restore;
mod stub;

pub use stub::*;
