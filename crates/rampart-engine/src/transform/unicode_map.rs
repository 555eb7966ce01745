//! The `SecUnicodeMapFile` code-page table used by `t:urlDecodeUni`.
//!
//! The file is a list of code pages, each a header (`20127 (US-ASCII)`) followed by
//! `codepoint:byte` pairs in hexadecimal. ModSecurity does not parse it by lines: it splits
//! the whole file on whitespace, starts taking `:` tokens once any token's leading decimal
//! number equals the configured code page, and stops at the first token without `:` after it
//! has taken one. That is reproduced exactly, including its consequences: a code page with no
//! pairs of its own picks up the next page's pairs, and a pair such as `0437:..` counts as a
//! header for code page 437. Four IDNA full stops (U+002E, U+3002,
//! U+FF0E, U+FF61 → `.`) are always in the table, whatever the file says.

use std::fmt;

/// Code points a unicode map covers: the Basic Multilingual Plane, as `%uXXXX` can express.
const TABLE_SIZE: usize = 0x1_0000;

/// Maps Unicode code points to single bytes for one code page.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UnicodeMap {
    code_page: u32,
    /// Indexed by code point; empty for the default (unconfigured) map.
    table: Box<[Option<u8>]>,
}

impl UnicodeMap {
    /// Reads a `unicode.mapping` file's text, keeping the pairs of `code_page`.
    ///
    /// Fails only where ModSecurity fails: on an empty file. A code page that the file does
    /// not list gives a map holding just the built-in full stops, as in ModSecurity.
    pub fn parse(text: &str, code_page: u32) -> Result<UnicodeMap, String> {
        if text.is_empty() {
            return Err("the unicode map file is empty".to_owned());
        }
        let mut table = vec![None; TABLE_SIZE].into_boxed_slice();
        for code in [0x002e, 0x3002, 0xff0e, 0xff61] {
            if let Some(slot) = table.get_mut(code) {
                *slot = Some(b'.');
            }
        }
        // The C tokenizer sees the file as a C string.
        let text = text.split('\0').next().unwrap_or_default();
        let mut found = false;
        let mut taking = false;
        for token in text
            .split([' ', '\t', '\n', '\r'])
            .filter(|t| !t.is_empty())
        {
            if c_atol(token) as u32 == code_page {
                found = true;
            }
            let is_pair = token.contains(':');
            if found && is_pair {
                taking = true;
                if let Some((code, byte)) = parse_pair(token) {
                    let slot = usize::try_from(code)
                        .ok()
                        .and_then(|index| table.get_mut(index));
                    if let Some(slot) = slot {
                        // A stored -1 is ModSecurity's "unmapped" marker.
                        *slot = (byte != -1).then_some(byte as u8);
                    }
                }
            }
            if taking && !is_pair {
                break;
            }
        }
        Ok(UnicodeMap { code_page, table })
    }

    /// The code page this map was read for.
    pub fn code_page(&self) -> u32 {
        self.code_page
    }

    /// The byte a code point maps to, if the code page maps it.
    pub fn get(&self, code_point: u16) -> Option<u8> {
        self.table.get(usize::from(code_point)).copied().flatten()
    }

    /// How many code points are mapped.
    pub fn len(&self) -> usize {
        self.table.iter().filter(|slot| slot.is_some()).count()
    }

    /// Whether no code point is mapped.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for UnicodeMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnicodeMap")
            .field("code_page", &self.code_page)
            .field("mapped", &self.len())
            .finish()
    }
}

/// A `code:byte` token, as ModSecurity splits it (`strtok` on `:`, then `strtol` base 16 on
/// both halves, each narrowed to a C `int`).
fn parse_pair(token: &str) -> Option<(i32, i32)> {
    let rest = token.trim_start_matches(':');
    if rest.is_empty() {
        return None;
    }
    let (code, byte) = rest.split_once(':').unwrap_or((rest, ""));
    Some((c_strtol_hex(code) as i32, c_strtol_hex(byte) as i32))
}

/// C `atol`: optional sign and decimal digits, saturating like `strtol`.
fn c_atol(text: &str) -> i64 {
    c_strtol(text, 10, false)
}

/// C `strtol(text, NULL, 16)`, which also accepts a `0x` prefix.
fn c_strtol_hex(text: &str) -> i64 {
    c_strtol(text, 16, true)
}

fn c_strtol(text: &str, radix: u32, hex_prefix: bool) -> i64 {
    let mut rest = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let negative = rest.starts_with('-');
    rest = rest.strip_prefix(['-', '+']).unwrap_or(rest);
    if hex_prefix {
        if let Some(stripped) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
            if stripped.starts_with(|c: char| c.is_ascii_hexdigit()) {
                rest = stripped;
            }
        }
    }
    let mut value: i64 = 0;
    for digit in rest.chars().map_while(|c| c.to_digit(radix)) {
        let digit = i64::from(digit);
        value = match value.checked_mul(i64::from(radix)).and_then(|v| {
            if negative {
                v.checked_sub(digit)
            } else {
                v.checked_add(digit)
            }
        }) {
            Some(next) => next,
            None if negative => return i64::MIN,
            None => return i64::MAX,
        };
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stock_file() -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/modsecurity/unicode.mapping");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }

    #[test]
    fn recommended_code_page_from_the_stock_file() {
        let map = UnicodeMap::parse(&stock_file(), 20127).expect("parses");
        assert_eq!(map.code_page(), 20127);
        // Pairs from the 20127 section.
        assert_eq!(map.get(0x00a0), Some(0x20));
        assert_eq!(map.get(0x00c0), Some(b'A'));
        assert_eq!(map.get(0xff41), Some(b'a'));
        assert_eq!(map.get(0xff5e), Some(b'~'));
        // Built in, whatever the file says.
        assert_eq!(map.get(0x3002), Some(b'.'));
        assert_eq!(map.get(0xff61), Some(b'.'));
        // Not listed for 20127.
        assert_eq!(map.get(0x0041), None);
        assert_eq!(map.get(0x4e00), None);
    }

    #[test]
    fn sections_do_not_leak_into_each_other() {
        let text = stock_file();
        let latin = UnicodeMap::parse(&text, 1252).expect("parses");
        let ascii = UnicodeMap::parse(&text, 20127).expect("parses");
        // Both list U+0100, but only 20127 lists U+00A0.
        assert_eq!(latin.get(0x0100), Some(b'A'));
        assert_eq!(latin.get(0x2000), Some(b' '));
        assert_eq!(latin.get(0x00a0), None);
        assert_eq!(ascii.get(0x00a0), Some(0x20));
        assert_ne!(latin, ascii);
    }

    #[test]
    fn a_code_page_without_pairs_takes_the_next_sections_pairs() {
        let text = "1 (one)\n0041:61\n\n2 (two)\n\n3 (three)\n0042:62\n";
        let two = UnicodeMap::parse(text, 2).expect("parses");
        assert_eq!(two.get(0x0041), None);
        assert_eq!(two.get(0x0042), Some(0x62));
        // In the stock file the unnumbered MAC headers read as code page 0 and so lead into
        // 1250's pairs (harmless: a code page of 0 disables the map in urlDecodeUni).
        let stock = stock_file();
        let zero = UnicodeMap::parse(&stock, 0).expect("parses");
        let central_europe = UnicodeMap::parse(&stock, 1250).expect("parses");
        assert_eq!(zero.table, central_europe.table);
        assert_eq!(zero.get(0x00a1), Some(0x21));
    }

    #[test]
    fn an_unknown_code_page_keeps_only_the_built_in_full_stops() {
        let map = UnicodeMap::parse(&stock_file(), 4_000_000).expect("parses");
        assert_eq!(map.len(), 4);
        assert_eq!(map.get(0x002e), Some(b'.'));
        assert_eq!(map.get(0xff0e), Some(b'.'));
    }

    #[test]
    fn a_pair_can_pass_for_a_header() {
        // atol("0437:15") == 437: the pair starts code page 437's section early.
        let text = "100 (X)\n0041:61 0437:15 0042:62\n\n437 (Y)\n0043:63\n";
        let map = UnicodeMap::parse(text, 437).expect("parses");
        assert_eq!(map.get(0x0041), None);
        assert_eq!(map.get(0x0437), Some(0x15));
        assert_eq!(map.get(0x0042), Some(0x62));
        // The header token ends the run that started early.
        assert_eq!(map.get(0x0043), None);
    }

    #[test]
    fn odd_tokens() {
        let text = "7 (T)\n:0041:41 0042:-1 0043 0044:0x45 10000:41 ::\n";
        let map = UnicodeMap::parse(text, 7).expect("parses");
        // Leading colons are skipped by strtok.
        assert_eq!(map.get(0x0041), Some(0x41));
        // -1 is the unmapped marker.
        assert_eq!(map.get(0x0042), None);
        // "0043" has no colon: it ends the section.
        assert_eq!(map.get(0x0044), None);
        let map = UnicodeMap::parse("7\n0044:0x45 10000:41 0045:1ff", 7).expect("parses");
        assert_eq!(map.get(0x0044), Some(0x45));
        assert_eq!(map.get(0x0045), Some(0xff));
        assert_eq!(map.len(), 6);
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(UnicodeMap::parse("", 20127).is_err());
    }

    #[test]
    fn default_map_maps_nothing() {
        let map = UnicodeMap::default();
        assert!(map.is_empty());
        assert_eq!(map.get(0x3002), None);
        assert_eq!(map.code_page(), 0);
    }

    #[test]
    fn c_number_parsing() {
        assert_eq!(c_atol("20127"), 20127);
        assert_eq!(c_atol("(US-ASCII)"), 0);
        assert_eq!(c_atol("0437:15"), 437);
        assert_eq!(c_atol("-1"), -1);
        assert_eq!(c_atol("99999999999999999999999"), i64::MAX);
        assert_eq!(c_strtol_hex("0x1F"), 31);
        assert_eq!(c_strtol_hex("ff41"), 0xff41);
        assert_eq!(c_strtol_hex("0xg"), 0);
        assert_eq!(c_strtol_hex(""), 0);
    }
}
