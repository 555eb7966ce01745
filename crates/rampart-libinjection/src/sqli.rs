//! SQL injection detection by token fingerprint (libinjection 3.9.2 semantics).

/// Parsing context flags, with libinjection's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliFlags(pub u32);

impl SqliFlags {
    pub const QUOTE_NONE: u32 = 1;
    pub const QUOTE_SINGLE: u32 = 2;
    pub const QUOTE_DOUBLE: u32 = 4;
    pub const SQL_ANSI: u32 = 8;
    pub const SQL_MYSQL: u32 = 16;
}

/// A fingerprint: up to five token-type characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fingerprint {
    bytes: [u8; 8],
    len: u8,
}

impl Fingerprint {
    fn from_slice(s: &[u8]) -> Self {
        let mut bytes = [0u8; 8];
        let len = s.len().min(8);
        bytes[..len].copy_from_slice(&s[..len]);
        Fingerprint {
            bytes,
            len: len as u8,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

/// `libinjection_is_sqli`: `Some(fingerprint)` when the input is SQL injection.
pub fn detect_sqli(input: &[u8]) -> Option<Fingerprint> {
    // Placeholder until our own implementation lands: the port's answer.
    let result = libinjectionrs::detect_sqli(input);
    if !result.is_injection() {
        return None;
    }
    result
        .fingerprint
        .map(|f| Fingerprint::from_slice(f.to_string().as_bytes()))
}

/// `libinjection_sqli_fingerprint` for one parsing context.
pub fn sqli_fingerprint(input: &[u8], flags: SqliFlags) -> Fingerprint {
    let mut state = libinjectionrs::SqliState::new(input, libinjectionrs::SqliFlags::new(flags.0));
    Fingerprint::from_slice(state.get_fingerprint().to_string().as_bytes())
}
