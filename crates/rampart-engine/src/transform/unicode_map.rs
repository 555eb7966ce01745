//! The `SecUnicodeMapFile` code-page table used by `t:urlDecodeUni`.

/// Maps Unicode code points to single bytes for one code page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnicodeMap {}
