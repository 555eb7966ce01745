//! TLS. (Being written.)
