//! Input: SecLang configuration text (UTF-8 only). Texts that could make the loader read files
//! (Include, data-file operators) are skipped so a run never touches the file system.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lower = text.to_ascii_lowercase();
    if lower.contains("include") || lower.contains("fromfile") || lower.contains("file") {
        return;
    }
    let _ = rampart_seclang::parse_str(text, "/nonexistent/fuzz.conf");
});
