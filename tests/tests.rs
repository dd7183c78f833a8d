//! The one integration test binary (as ripgrep and regex do).

mod cli;
#[cfg(feature = "hyperscan")]
mod differential;
mod gen;
mod hook;
mod parity;
mod props;
mod rules;
