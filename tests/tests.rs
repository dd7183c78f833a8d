//! The one integration test binary (as ripgrep and regex do).

mod cli;
mod gen;
mod parity;
mod props;
mod rules;
