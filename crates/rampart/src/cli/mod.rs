//! Subcommands.

pub mod check;
pub mod diff;
pub mod drive;
pub mod eval;
pub mod ftw;
pub mod ftw_http;
pub mod serve;
