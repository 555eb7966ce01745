//! Listeners and lifecycle. (Being written.)

/// A running server.
#[derive(Debug)]
pub struct ServeHandle;

pub fn serve() {}

pub fn reload_via_admin() {}
