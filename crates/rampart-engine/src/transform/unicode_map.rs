//! The `SecUnicodeMapFile` code-page table used by `t:urlDecodeUni`.

/// Maps Unicode code points to single bytes for one code page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnicodeMap {}

impl UnicodeMap {
    /// Placeholder until the transformation work lands: an empty map.
    pub fn parse(_text: &str, _code_page: u32) -> Result<Self, String> {
        Ok(UnicodeMap {})
    }
}
