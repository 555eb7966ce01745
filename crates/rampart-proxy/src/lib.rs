//! `rampart serve`: a reverse proxy that runs every exchange through the rule engine.
//!
//! The proxy is built on hyper rather than Pingora: ModSecurity's phase 2 must see the whole
//! request body before a single byte goes upstream, and Pingora 0.9 writes the upstream
//! request header before the body is read and holds at most 64 KiB of body for replay (see
//! the README's architecture section). hyper lets the proxy own that ordering outright.
//!
//! The proxy knows the engine only through its transaction API: it feeds the exchange in,
//! phase by phase, and acts on the interventions it gets back.

pub mod backend;
pub mod config;
pub mod exchange;
pub mod forwarded;
pub mod frontend;
pub mod logs;
pub mod metrics;
pub mod rules;
pub mod upstream;
pub mod wire;

mod admin;
mod server;
mod tls;
mod waf;

pub use config::Config;
pub use server::{reload_via_admin, serve, ServeError, ServeHandle};
