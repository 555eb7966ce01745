//! The libmodsecurity backend: ModSecurity v3 itself, driven through its C API.
//!
//! rampart's native engine is held to ModSecurity's behaviour; this crate is where the real
//! thing will run beside it, both as a backend users may choose and as the oracle of the
//! differential tests. It is empty until that work lands: without the `modsecurity` feature
//! it compiles to nothing, so the default build needs no C library.
