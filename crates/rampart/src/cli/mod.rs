//! Subcommands.

pub mod check;
pub mod drive;
