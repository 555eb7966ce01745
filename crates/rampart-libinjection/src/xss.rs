//! XSS detection by HTML5 tokenization (libinjection 3.9.2 semantics).

/// `libinjection_xss`: whether the input, read in any of the five HTML contexts, starts
/// something that can run script.
pub fn detect_xss(input: &[u8]) -> bool {
    // Placeholder until our own implementation lands: the port's answer.
    libinjectionrs::detect_xss(input).is_injection()
}
