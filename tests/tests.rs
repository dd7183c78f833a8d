//! The one integration test binary (as ripgrep and regex do).

mod adversarial;
mod cli;
#[cfg(feature = "hyperscan")]
mod differential;
mod gen;
mod hook;
mod hygiene;
mod indexes;
mod parity;
mod props;
#[cfg(feature = "proxy")]
mod proxy;
mod rules;
