//! A hasher for keys that are addresses and lengths, not attacker-chosen bytes: the
//! transformation cache is consulted for every (value, rule) pair, and SipHash's resistance
//! to chosen keys buys nothing there while costing a visible share of a transaction.

use std::hash::{BuildHasherDefault, Hasher};

/// Multiply-rotate mixing of whole words (the scheme rustc's FxHash uses).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct AddressHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for AddressHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(SEED);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type BuildAddressHasher = BuildHasherDefault<AddressHasher>;
