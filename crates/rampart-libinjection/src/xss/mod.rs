//! XSS detection by HTML5 tokenization, with libinjection 3.9.2's verdicts.
//!
//! The input is read as the continuation of an HTML document in each of five places it could
//! have been pasted into (between tags, or inside an unquoted, `'`-, `"`- or `` ` ``-quoted
//! attribute value), and it is XSS when any reading reaches something that can run script:
//! a doctype, a dangerous tag, an event-handler or URL attribute with a scripting value, or
//! a comment old browsers treat as markup. Both the tokenizer and the lists are ours,
//! written to 3.9.2's semantics, because the later libinjection that `libinjectionrs`
//! follows gives different answers (it knows event names; 3.9.2 flags every `on…` name).

mod detect;
mod html5;

use html5::Context;

/// Bytes one of which every input [`detect_xss`] flags holds. Without `<` no reading reaches
/// a tag, comment or doctype; without `=` no attribute gets a value, and an attribute name
/// is only dangerous with the value that follows it. (The quoted readings start inside a
/// value, but with no attribute named before it.) A rule engine can test these two bytes
/// instead of running the five tokenizations: most values hold neither.
pub const XSS_NEEDS_ONE_OF: &[u8] = b"<=";

/// `libinjection_xss`: whether the input, read in any of the five HTML contexts, starts
/// something that can run script.
pub fn detect_xss(input: &[u8]) -> bool {
    Context::ALL
        .iter()
        .any(|&context| detect::is_xss_in(input, context))
}

// Every expectation below is the answer of the C libinjection inside libmodsecurity 3.0.9.
#[cfg(test)]
mod tests {
    use super::detect_xss;

    #[test]
    fn classic_attacks_and_plain_text() {
        assert!(detect_xss(b"<script>alert(1)</script>"));
        assert!(detect_xss(b"<img src=x onerror=alert(1)>"));
        assert!(detect_xss(b"<!DOCTYPE html>"));
        assert!(detect_xss(b"<div style=color:red>"));
        assert!(detect_xss(b"<a href=vbscript:msgbox(1)>"));
        assert!(detect_xss(b"<a href=\"DaTa:text/html,x\">"));
        assert!(detect_xss(b"\" onfocus=alert(1) x=\""));
        assert!(!detect_xss(b""));
        assert!(!detect_xss(b"hello world"));
        assert!(!detect_xss(b"<b>bold</b> and <i>italic</i>"));
        assert!(!detect_xss(b"<a href=\"https://example.com/\">"));
        assert!(!detect_xss(b"<![CDATA[<script>]]>"));
    }

    #[test]
    fn every_on_name_of_five_bytes_or_more_is_an_event_handler() {
        assert!(detect_xss(b"<a onxyz=1>"));
        assert!(detect_xss(b"<a ON_whatever=1>"));
        assert!(!detect_xss(b"<a onxy=1>"));
        // Without a value there is nothing to run.
        assert!(!detect_xss(b"<a onmouseover>"));
    }

    #[test]
    fn nothing_without_a_lt_or_an_equals_sign() {
        // Every attack below, with `<` and `=` taken out, and every byte string of length
        // one to three over the other bytes the tokenizer reacts to.
        let attacks: [&[u8]; 6] = [
            b"<script>alert(1)</script>",
            b"<img src=x onerror=alert(1)>",
            b"\" onfocus=alert(1) x=\"",
            b"' onmouseover=alert(1) '",
            b"` style=x:expression(alert(1)) `",
            b"<!DOCTYPE html><a href=javascript:x>",
        ];
        for attack in attacks {
            let stripped: Vec<u8> = attack
                .iter()
                .copied()
                .filter(|b| !super::XSS_NEEDS_ONE_OF.contains(b))
                .collect();
            assert!(detect_xss(attack));
            assert!(!detect_xss(&stripped), "{stripped:?}");
        }
        let alphabet = b"!/>\"'` \t\n\x00\xffonsrcjavascript:&#%?-";
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    assert!(!detect_xss(&[*a, *b, *c]));
                }
            }
        }
    }

    #[test]
    fn nul_bytes() {
        // NUL is whitespace between attributes, so it splits a name in two...
        assert!(!detect_xss(b"<img src=x on\x00error=alert(1)>"));
        assert!(!detect_xss(b"<a hr\x00ef=\"javascript:alert(1)\">"));
        // ...but is skipped in tag names and in names compared against the lists.
        assert!(detect_xss(b"<scr\x00ipt>"));
        assert!(detect_xss(b"<set attributeName=\"on\x00load\">"));
        assert!(detect_xss(b"<set attributeName=\"hr\x00ef\">"));
        assert!(!detect_xss(b"<set attributeName=\"xm\x00lns\">"));
        assert!(!detect_xss(b"<?im\x00port x>"));
        // In a URL value it is ignored.
        assert!(detect_xss(b"<a href=\"ja\x00va&#x73;cript:alert(1)\">"));
    }

    #[test]
    fn character_references_in_url_values() {
        assert!(detect_xss(b"<a href=\"&#106;avascript:alert(1)\">"));
        // Only the low byte of the code point counts: U+014A reads as `J`.
        assert!(detect_xss(b"<a href=\"&#x14A;avascript:alert(1)\">"));
        // Line feeds are ignored anywhere, other controls only before the scheme.
        assert!(detect_xss(b"<a href=\"jav&#10;ascript:alert(1)\">"));
        assert!(!detect_xss(b"<a href=\"jav&#9;ascript:alert(1)\">"));
        assert!(detect_xss(
            b"<a href=\"\x01\xff &#32;javascript:alert(1)\">"
        ));
        assert!(!detect_xss(b"<a href=\"&#1114111;javascript:\">"));
    }

    #[test]
    fn comments_old_browsers_read_as_markup() {
        assert!(detect_xss(b"<!--[if IE]>x<![endif]-->"));
        assert!(detect_xss(b"<!-- ` -->"));
        assert!(detect_xss(b"<?import namespace=\"x\">"));
        assert!(!detect_xss(b"<!-- fine -->"));
    }

    #[test]
    fn a_0xff_byte_where_whitespace_may_be_ends_the_input() {
        assert!(!detect_xss(b"<img src=x onerror=\xffalert(1)>"));
    }
}
