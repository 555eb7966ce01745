//! Subcommands.

pub mod check;
