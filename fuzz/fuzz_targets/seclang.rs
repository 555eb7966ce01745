//! Input: SecLang configuration text (UTF-8 only). Texts that could make the loader read files
//! (Include, data-file operators) are skipped so a run never touches the file system.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Continuations, blanks, quotes or backslashes could split a keyword: ignore them.
    let lower: String = text
        .to_ascii_lowercase()
        .replace("\\\r\n", "")
        .replace("\\\n", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\\' && *c != '"' && *c != '\'')
        .collect();
    let reads_files = ["include", "fromfile", "pmf", "ipmatchf"];
    if reads_files.iter().any(|word| lower.contains(word)) {
        return;
    }
    let _ = rampart_seclang::parse_str(text, "/nonexistent/fuzz.conf");
});
