//! `md5` and `sha1`: the raw binary digest, not its hex form.
//!
//! ModSecurity returns the 16 or 20 digest bytes themselves; rules that want hex follow with
//! `t:hexEncode`.

use std::borrow::Cow;

use md5::{Digest, Md5};
use sha1::Sha1;

use super::output::owned_unless_same;
use super::TransformContext;

pub(super) fn md5<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    owned_unless_same(input, Md5::digest(input).to_vec())
}

pub(super) fn sha1<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    owned_unless_same(input, Sha1::digest(input).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn md5_is_raw() {
        assert_eq!(hex(&md5(b"", &CTX)), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(&md5(b"abc", &CTX)), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn sha1_is_raw() {
        assert_eq!(
            hex(&sha1(b"", &CTX)),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex(&sha1(b"abc", &CTX)),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}
