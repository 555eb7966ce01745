//! Input: the XML body; the tree is then queried with the XPath forms CRS uses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_engine::body::xml;

fuzz_target!(|data: &[u8]| {
    let (document, result) = xml::parse(data);
    assert_eq!(result.is_ok(), document.well_formed());
    for xpath in ["/*", "//@*", "//a", "//a/@b", "/", "//text()"] {
        let _ = document.select(xpath);
    }
});
