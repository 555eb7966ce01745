//! Subcommands.

pub mod check;
pub mod drive;
pub mod eval;
pub mod ftw;
pub mod serve;
